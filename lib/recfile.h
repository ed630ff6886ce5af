/*
 * recfile.h: the input of a file reader and its first error, shared by the
 * jitdump, side-file and perf.data readers.  Internal to the library.
 *
 * Each reader takes its bytes from a caller's buffer (*_open_mem()) or a
 * file loaded with filebuf.h (*_open()), and keeps one message of the form
 * "NAME: WHAT at byte offset N" for *_strerror().  What a reader does after
 * an error (its state) stays its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RECFILE_H
#define RECFILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filebuf.h"

struct recfile {
    char *name;             /* the path, or "<memory>" */
    const uint8_t *buf;     /* the input: the caller's or file.data */
    size_t len;
    struct filebuf file;    /* what recfile_load() loaded */
    bool swapped;           /* written in the other byte order */
    size_t pos;             /* offset of the next record */
    int error;              /* the last error, 0 if none */
    uint64_t error_offset;
    char errmsg[1024];
};

/*
 * recfile_init - empty @f, named @name (NULL: "<memory>"), with the
 * message "NAME: no error".  Returns 0, or -ENOMEM with nothing allocated
 * (recfile_fini() is allowed then too).  Release @f with recfile_fini().
 */
int recfile_init(struct recfile *f, const char *name);

/*
 * recfile_set_mem - take @len bytes at @buf, which the caller keeps, as
 * @f's input.  A NULL @buf is an empty input.
 */
void recfile_set_mem(struct recfile *f, const void *buf, size_t len);

/*
 * recfile_load - load the file @path as @f's input (see filebuf_open()).
 * Returns 0, or a negative errno with the message "NAME: CALL: strerror"
 * set by recfile_fail() at offset 0.
 */
int recfile_load(struct recfile *f, const char *path);

/* recfile_fini - free what @f holds; the struct itself is the caller's. */
void recfile_fini(struct recfile *f);

/*
 * recfile_vfail - record error @err at byte @offset with the message
 * "NAME: " and @fmt; returns @err, for tail calls.
 */
int recfile_vfail(struct recfile *f, int err, uint64_t offset, const char *fmt, va_list ap);

#endif /* RECFILE_H */
