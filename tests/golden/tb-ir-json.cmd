tb views-ir.tbs 3 --ir --format json
