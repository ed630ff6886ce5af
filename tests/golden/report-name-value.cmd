report -i @GEN@/profile/perf.data --by=tb -n 3 --format=csv
