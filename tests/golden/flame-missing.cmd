flame -i @GEN@/missing/perf.data
