tb @GEN@/views-run 2
