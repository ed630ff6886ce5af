tb-list --sort spills -n 2 --format json --tbstats views.tbs --jitdump views.jitdump
