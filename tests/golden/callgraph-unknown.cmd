callgraph -i @GEN@/gstack/perf.data fi
