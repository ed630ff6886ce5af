report @GEN@/profile/jit-4242.tbstats -n 3 --format csv
