flame -i @GEN@/profile/perf.data --guest
