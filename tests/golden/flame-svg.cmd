flame -i @GEN@/profile/perf.data --svg - --title test
