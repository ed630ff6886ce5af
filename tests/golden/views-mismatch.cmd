tb-list --tbstats views.tbs --jitdump views-other.jitdump
