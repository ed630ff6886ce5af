flame @GEN@/profile/perf.data --folded
