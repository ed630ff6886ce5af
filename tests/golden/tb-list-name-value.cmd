tb-list --sort=hg --format=csv --tbstats=views.tbs --jitdump=views.jitdump
