report @GEN@/profile -i @GEN@/profile/perf.data
