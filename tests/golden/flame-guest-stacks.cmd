flame -i @GEN@/gstack/perf.data --guest --folded
