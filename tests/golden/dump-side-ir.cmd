dump views-ir.tbs
