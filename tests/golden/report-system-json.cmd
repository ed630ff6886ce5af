report -i @GEN@/system/perf.data --format json
