report -i @GEN@/system/perf.data
