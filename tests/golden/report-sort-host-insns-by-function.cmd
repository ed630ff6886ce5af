report @GEN@/profile --by function --sort hi/gi
