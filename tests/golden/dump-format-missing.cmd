dump --format
