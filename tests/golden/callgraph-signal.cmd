callgraph -i @GEN@/gstack/perf.data handler
