tb-list @GEN@/views-run --dir .
