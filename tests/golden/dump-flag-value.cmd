dump --partial=yes dump-small.jitdump
