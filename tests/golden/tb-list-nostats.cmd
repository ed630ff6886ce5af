tb-list --tbstats views-nostats.tbs
