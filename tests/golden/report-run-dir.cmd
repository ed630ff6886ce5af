report @GEN@/profile -n 3
