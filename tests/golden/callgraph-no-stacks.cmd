callgraph -i @GEN@/profile/perf.data demo
