/*
 * filebuf.c: a whole file in memory (see filebuf.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "filebuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read a non-mappable file (a pipe, an empty file) into fb->owned. */
static int read_all(struct filebuf *fb, int fd)
{
    size_t cap = 0, len = 0;
    uint8_t *buf = NULL;

    for (;;) {
        ssize_t n;

        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nbuf = ncap > cap ? realloc(buf, ncap) : NULL;

            if (!nbuf) {
                free(buf);
                return -ENOMEM;
            }
            buf = nbuf;
            cap = ncap;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return -errno;
        }
        if (n == 0)
            break;
        len += n;
    }
    fb->owned = buf;
    fb->data = buf;
    fb->len = len;
    return 0;
}

int filebuf_open(const char *path, struct filebuf *fb, const char **whatp)
{
    struct stat st;
    int fd, err;

    memset(fb, 0, sizeof(*fb));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *whatp = "open";
        return -errno;
    }
    if (fstat(fd, &st) < 0) {
        *whatp = "fstat";
        err = -errno;
        goto out_close;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SIZE_MAX) {
        *whatp = "mmap";
        err = -EFBIG;
        goto out_close;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        /*
         * Writers only append (QEMU whole records), so the mapped length
         * stays valid; bytes appended after the open are not seen.
         */
        void *map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

        if (map == MAP_FAILED) {
            *whatp = "mmap";
            err = -errno;
            goto out_close;
        }
        fb->map = map;
        fb->map_len = st.st_size;
        fb->data = map;
        fb->len = st.st_size;
    } else {
        err = read_all(fb, fd);
        if (err) {
            *whatp = "read";
            goto out_close;
        }
    }
    close(fd);
    return 0;

out_close:
    close(fd);
    return err;
}

void filebuf_close(struct filebuf *fb)
{
    if (!fb)
        return;
    if (fb->map)
        munmap(fb->map, fb->map_len);
    free(fb->owned);
    memset(fb, 0, sizeof(*fb));
}
