cfg 1 --depth 1 --tbstats views.tbs --jitdump views.jitdump
