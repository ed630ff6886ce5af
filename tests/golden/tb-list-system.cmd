tb-list --tbstats dump-side-system.tbs
