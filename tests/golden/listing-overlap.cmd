listing -o - listing-overlap.tbs
