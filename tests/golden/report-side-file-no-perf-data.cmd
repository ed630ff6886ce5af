report views-ir.tbs
