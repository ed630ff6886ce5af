tb-list --tbstats views-part.tbs --jitdump views.jitdump
