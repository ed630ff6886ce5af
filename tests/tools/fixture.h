/*
 * fixture.h: what the generators of test fixtures and fuzz seeds share
 * (tests/golden/make-*.c, tests/fuzz/make-seeds*.c, tests/tools/): stop on
 * the first error, take the output directory, write a file whole or with a
 * field spoiled.  Header only; needs _GNU_SOURCE for
 * program_invocation_short_name.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * fixture_dir - the output directory of a generator run as "PROGRAM DIR":
 * argv[1]; exits 2 with a usage line for any other command line.
 */
static inline const char *fixture_dir(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", program_invocation_short_name);
        exit(2);
    }
    return argv[1];
}

/* fixture_check - exit 1 with "PROGRAM: WHAT: error ERR" if err is negative. */
static inline void fixture_check(int err, const char *what)
{
    if (err < 0) {
        fprintf(stderr, "%s: %s: error %d (%s)\n", program_invocation_short_name, what, err,
                strerror(-err));
        exit(1);
    }
}

/* fixture_save - write len bytes of buf to DIR/NAME, or exit 1 saying why. */
static inline void fixture_save(const char *dir, const char *name, const void *buf, size_t len)
{
    char path[4096];
    FILE *f;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
        fprintf(stderr, "%s: %s/%s: path too long\n", program_invocation_short_name, dir, name);
        exit(1);
    }
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/*
 * fixture_save_spoiled - write len bytes of buf to DIR/NAME with the n bytes
 * at off set to 0xff (a size or count no reader may trust, in either byte
 * order); buf is not changed.  Exits 1 saying why if it cannot.
 */
static inline void fixture_save_spoiled(const char *dir, const char *name, const void *buf,
                                        size_t len, size_t off, size_t n)
{
    unsigned char *copy = malloc(len);

    if (!copy || off + n > len) {
        fprintf(stderr, "%s: %s: cannot spoil %zu bytes at %zu of %zu\n",
                program_invocation_short_name, name, n, off, len);
        exit(1);
    }
    memcpy(copy, buf, len);
    memset(copy + off, 0xff, n);
    fixture_save(dir, name, copy, len);
    free(copy);
}

#endif /* TESTS_FIXTURE_H */
