cfg views-ir.tbs 1
