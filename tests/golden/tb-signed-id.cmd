tb +1 --tbstats views.tbs --jitdump views.jitdump
