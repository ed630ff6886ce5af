dump dump-small.jitdump
