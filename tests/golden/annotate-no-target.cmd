annotate -i @GEN@/profile/perf.data
