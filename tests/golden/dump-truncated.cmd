dump dump-truncated.jitdump
