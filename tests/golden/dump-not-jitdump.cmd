dump make-fixtures.c
