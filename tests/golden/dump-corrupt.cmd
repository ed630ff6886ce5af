dump dump-corrupt.jitdump
