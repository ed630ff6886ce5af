coverset @GEN@/views-run 90
