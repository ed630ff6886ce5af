dump dump-side-truncated.tbs
