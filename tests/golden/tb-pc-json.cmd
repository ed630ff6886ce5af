tb 0x401200 --format json --tbstats views.tbs --jitdump views.jitdump
