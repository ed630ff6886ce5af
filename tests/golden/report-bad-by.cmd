report -i @GEN@/profile/perf.data --by symbol
