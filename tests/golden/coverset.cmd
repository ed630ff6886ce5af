coverset 90 --tbstats views.tbs --jitdump views.jitdump
