dump dump-side-big-endian.tbs
