tb-list @GEN@/views-run
