dump --partial dump-truncated.jitdump
