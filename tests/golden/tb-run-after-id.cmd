tb 2 @GEN@/views-run
