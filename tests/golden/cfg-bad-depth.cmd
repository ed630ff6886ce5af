cfg --depth 1001 --tbstats views.tbs --jitdump views.jitdump 1
