listing .
