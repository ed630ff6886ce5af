tb-list --tbstats views.tbs --jitdump views.jitdump
