report -i @GEN@/profile/perf.data --sort helper_samples -n 3
