dump --bogus dump-small.jitdump
