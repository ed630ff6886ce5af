listing -o - listing-truncated.tbs
