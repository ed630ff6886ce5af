tb-list --tbstats dump-side-corrupt.tbs
