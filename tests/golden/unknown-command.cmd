bogus-command
