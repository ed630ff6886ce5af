dump @GEN@/views-run
