listing -o - listing-aarch64-be.tbs
