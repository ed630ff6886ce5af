tb views-ir.tbs 1 --ir
