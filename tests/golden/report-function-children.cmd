report -i @GEN@/gstack/perf.data --by function
