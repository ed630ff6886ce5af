tb-list views-ir.tbs --jitdump views.jitdump
