report -i @GEN@/gstack/perf.data --by function --sort self -n 4
