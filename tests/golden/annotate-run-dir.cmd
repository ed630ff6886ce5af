annotate @GEN@/profile 1
