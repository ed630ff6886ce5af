dump no-such-file.jitdump
