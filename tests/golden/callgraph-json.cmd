callgraph -i @GEN@/gstack/perf.data step --format json
