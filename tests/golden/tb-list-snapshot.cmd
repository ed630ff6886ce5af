tb-list --tbstats dump-side-snapshot.tbs
