report -i @GEN@/profile/perf.data --by tb --sort children
