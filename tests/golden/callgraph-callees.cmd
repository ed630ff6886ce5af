callgraph -i @GEN@/gstack/perf.data main
