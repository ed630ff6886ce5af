dump --format=json dump-side-truncated.tbs
