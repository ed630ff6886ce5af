annotate -i @GEN@/profile/perf.data 0x401100
