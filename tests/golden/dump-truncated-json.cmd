dump --format=json dump-truncated.jitdump
