tb-list @GEN@/profile/perf.data
