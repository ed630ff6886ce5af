listing -o - listing-x86.tbs
