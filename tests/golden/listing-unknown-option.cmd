listing --bogus
