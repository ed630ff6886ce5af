dump --partial dump-side-truncated.tbs
