dump dump-side-end-size.tbs
