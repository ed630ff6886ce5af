dump dump-side.tbs
