report @GEN@/profile --sort host_insns --format json
