coverset no-such-run 50
