coverset 99.9 --format json --tbstats views.tbs --jitdump views.jitdump
