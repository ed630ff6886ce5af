callgraph -i @GEN@/gstack/perf.data fib
