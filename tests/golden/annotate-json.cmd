annotate -i @GEN@/profile/perf.data --format json 3
