tb-list @GEN@/views-run --sort host_insns --format csv
