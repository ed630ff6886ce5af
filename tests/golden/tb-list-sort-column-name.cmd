tb-list --tbstats views.tbs --jitdump views.jitdump --sort h/g
