diff diff-missing diff-b.perfdata
