tb views.tbs 2 --ir
