listing -o - .
