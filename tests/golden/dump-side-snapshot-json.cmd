dump --format json dump-side-snapshot.tbs
