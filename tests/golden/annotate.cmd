annotate -i @GEN@/profile/perf.data 1
