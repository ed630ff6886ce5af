dump dump-small.jitdump dump-side.tbs
