coverset 101 --tbstats views.tbs --jitdump views.jitdump
