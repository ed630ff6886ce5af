tb-list --tbstats dump-side-system-old-end.tbs
