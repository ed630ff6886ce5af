tb 99 --tbstats views.tbs --jitdump views.jitdump
