flame -i @GEN@/nochain/perf.data --folded
