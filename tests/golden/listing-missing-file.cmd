listing -o - no-such-file.tbs
