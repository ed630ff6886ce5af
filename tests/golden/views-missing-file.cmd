tb-list --tbstats no-such-file.tbs
