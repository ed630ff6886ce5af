dump --format xml dump-small.jitdump
