dump dump-big-endian.jitdump
