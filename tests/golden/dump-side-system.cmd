dump dump-side-system.tbs
