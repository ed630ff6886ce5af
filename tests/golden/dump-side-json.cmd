dump --format json dump-side.tbs
