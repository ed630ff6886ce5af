report -i @GEN@/system/perf.data --sort softmmu -n 1
