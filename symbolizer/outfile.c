/*
 * outfile.c: output files renamed into place when complete (outfile.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "tbsym.h"

int outfile_open(struct outfile *of, const char *path)
{
    const char *slash = strrchr(path, '/');
    mode_t mask;
    int fd;

    *of = (struct outfile){ .path = path };
    if (asprintf(&of->tmp, "%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
                 slash ? slash + 1 : path) < 0) {
        of->tmp = NULL;
        fprintf(stderr, "tbsym: %s\n", strerror(ENOMEM));
        return TBSYM_EXIT_IO;
    }
    fd = mkstemp(of->tmp);
    if (fd < 0 || !(of->f = fdopen(fd, "w"))) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(of->tmp);
        }
        free(of->tmp);
        of->tmp = NULL;
        return TBSYM_EXIT_IO;
    }
    /* mkstemp() makes it 0600: give it the mode of any other output file. */
    mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return TBSYM_EXIT_OK;
}

int outfile_close(struct outfile *of, bool ok)
{
    int rc = ok ? TBSYM_EXIT_OK : TBSYM_EXIT_IO;
    bool bad;

    if (!of->f)
        return TBSYM_EXIT_IO;
    errno = 0;
    bad = fflush(of->f) != 0;
    bad = ferror(of->f) || bad;
    bad = fclose(of->f) != 0 || bad;
    if (bad) {
        if (ok)
            fprintf(stderr, "tbsym: %s: %s\n", of->path, strerror(errno ? errno : EIO));
        rc = TBSYM_EXIT_IO;
    }
    if (rc == TBSYM_EXIT_OK && rename(of->tmp, of->path) < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", of->path, strerror(errno));
        rc = TBSYM_EXIT_IO;
    }
    if (rc != TBSYM_EXIT_OK)
        unlink(of->tmp);
    free(of->tmp);
    *of = (struct outfile){ 0 };
    return rc;
}
