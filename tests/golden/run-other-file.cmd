tb-list tb.cmd
