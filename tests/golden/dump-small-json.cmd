dump --format json dump-small.jitdump
