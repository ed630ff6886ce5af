dump --format json @GEN@/gstack/jit-4242.tbstats
