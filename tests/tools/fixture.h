/*
 * fixture.h: what the generators of test fixtures and fuzz seeds share
 * (tests/golden/make-*.c, tests/fuzz/make-seeds*.c, tests/tools/): stop on
 * the first error, and write a file whole.  Header only; needs _GNU_SOURCE
 * for program_invocation_short_name.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* TESTS_FIXTURE_H */
