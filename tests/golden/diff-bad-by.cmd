diff --by sym --tbstats-a diff-a.tbs --jitdump-a diff-a.jitdump --tbstats-b diff-b.tbs --jitdump-b diff-b.jitdump diff-a.perfdata diff-b.perfdata
