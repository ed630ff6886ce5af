tb-list --sort bogus --tbstats views.tbs --jitdump views.jitdump
