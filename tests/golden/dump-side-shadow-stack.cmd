dump @GEN@/gstack/jit-4242.tbstats
