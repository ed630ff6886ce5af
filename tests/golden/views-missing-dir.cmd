tb-list --dir no-such-dir
