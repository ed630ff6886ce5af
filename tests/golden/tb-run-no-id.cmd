tb views-ir.tbs
