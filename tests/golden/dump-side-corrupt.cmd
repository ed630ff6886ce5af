dump dump-side-corrupt.tbs
