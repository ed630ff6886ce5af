tb views-ir.tbs 2 --ir --jitdump views.jitdump
