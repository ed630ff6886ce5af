listing -o - listing-unknown-arch.tbs
