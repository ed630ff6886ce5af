diff diff-a.perfdata
