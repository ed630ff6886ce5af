listing -o - listing-corrupt.tbs
