annotate -i @GEN@/system/perf.data 2
