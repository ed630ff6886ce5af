/*
 * outfile.h: output files written under a temporary name and renamed into
 * place when complete, so a failure never leaves a partial file (tbsym
 * flame --svg, tbsym html).
 *
 * Messages go to stderr as "tbsym: FILE: WHAT"; results are tbsym.h exit
 * codes.  Not thread safe (umask).
 */
#ifndef TBSYM_OUTFILE_H
#define TBSYM_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
    FILE *f;                   /* write here */
    char *tmp;                 /* ".NAME.XXXXXX" in path's directory */
    const char *path;          /* not owned */
};

/*
 * outfile_open - create the temporary for path (mode 0666 & ~umask, as any
 * output file).  Returns TBSYM_EXIT_OK, or TBSYM_EXIT_IO after a message.
 */
int outfile_open(struct outfile *of, const char *path);

/*
 * outfile_close - flush and close; when ok and every write succeeded,
 * rename the temporary to path, else remove it.  Returns TBSYM_EXIT_OK,
 * or TBSYM_EXIT_IO (after a message when ok was true).  Releases of.
 */
int outfile_close(struct outfile *of, bool ok);

#endif /* TBSYM_OUTFILE_H */
