annotate -i @GEN@/system/perf.data 1 --raw
