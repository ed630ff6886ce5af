/*
 * filebuf.h: a whole file in memory, mapped when it can be and read
 * otherwise: what recfile_load() gives the jitdump, side-file and perf.data
 * readers, and what tbdb loads a run from.  Internal to the library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FILEBUF_H
#define FILEBUF_H

#include <stddef.h>
#include <stdint.h>

struct filebuf {
    const uint8_t *data;    /* the file's bytes: map or owned */
    size_t len;
    void *map;              /* mmap()ed file, or NULL */
    size_t map_len;
    uint8_t *owned;         /* file read into memory, or NULL */
};

/*
 * filebuf_open - open @path and make its contents available in @fb.
 * A regular file that is not empty is mmap()ed; anything else (a pipe, an
 * empty or a /proc file) is read to its end into an allocated buffer.  Bytes
 * appended after the open are not seen.
 *
 * Returns 0, or a negative errno and sets *@whatp to the call that failed:
 * "open", "fstat", "mmap" (-EFBIG when the file is larger than SIZE_MAX) or
 * "read" (also for -ENOMEM).  On failure @fb is empty and nothing needs to
 * be freed.  On success release @fb with filebuf_close().
 */
int filebuf_open(const char *path, struct filebuf *fb, const char **whatp);

/* filebuf_close - unmap or free @fb's contents and empty it; NULL is allowed. */
void filebuf_close(struct filebuf *fb);

#endif /* FILEBUF_H */
