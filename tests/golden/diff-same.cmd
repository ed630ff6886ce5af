diff --fail-above 0 --tbstats-a diff-a.tbs --jitdump-a diff-a.jitdump --tbstats-b diff-a.tbs --jitdump-b diff-a.jitdump diff-a.perfdata diff-a.perfdata
