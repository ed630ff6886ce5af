annotate -i @GEN@/profile/perf.data 0X401100
