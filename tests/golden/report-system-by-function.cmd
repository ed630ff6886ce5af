report -i @GEN@/system/perf.data --by function --sort softmmu_samples
