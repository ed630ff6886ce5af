annotate -i @GEN@/profile/perf.data 4294967296
