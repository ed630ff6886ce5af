tb-list --format xml --tbstats views.tbs --jitdump views.jitdump
