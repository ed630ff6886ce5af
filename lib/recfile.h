/*
 * recfile.h: the input of a file reader and its first error, shared by the
 * jitdump, side-file and perf.data readers.  Internal to the library.
 *
 * Each reader takes its bytes from a caller's buffer (*_open_mem()) or a
 * file loaded with filebuf.h (*_open()), and keeps one message of the form
 * "NAME: WHAT at byte offset N" for *_strerror().  The jitdump and side-file
 * readers stop at their first error, and share their lifecycle here too:
 * recfile_reader_open(), recfile_next() and recfile_reader_close(), and
 * the state below (the perf.data reader keeps its own).
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

/* Where a reader that stops at its first error stands. */
enum recfile_state {
    RECFILE_RUNNING,
    RECFILE_DONE,           /* clean end of file: next() returns 0 */
    RECFILE_FAILED,         /* next() returns error */
};

struct recfile {
    char *name;             /* the path, or "<memory>" */
    const uint8_t *buf;     /* the input: the caller's or file.data */
    size_t len;
    struct filebuf file;    /* what recfile_load() loaded */
    bool swapped;           /* written in the other byte order */
    size_t pos;             /* offset of the next record */
    enum recfile_state state; /* RECFILE_FAILED after recfile_vfail() */
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
 * "NAME: " and @fmt, and set @f's state to RECFILE_FAILED; returns @err,
 * for tail calls.
 */
int recfile_vfail(struct recfile *f, int err, uint64_t offset, const char *fmt, va_list ap);

/* recfile_fail - recfile_vfail() with the arguments after @fmt. */
__attribute__((format(printf, 4, 5)))
int recfile_fail(struct recfile *f, int err, uint64_t offset, const char *fmt, ...);

/*
 * recfile_bad_field - recfile_fail() with -EBADMSG at byte @at for the
 * field @field of a record of type @what whose @value contradicts the
 * record: the message "WHAT FIELD VALUE at byte offset AT " and then
 * @fmt's, which says against what, e.g.
 *   "CODE_LOAD code_size 99 at byte offset 80 larger than the record (...)"
 * Returns -EBADMSG, for tail calls.
 */
__attribute__((format(printf, 6, 7)))
int recfile_bad_field(struct recfile *f, uint64_t at, const char *what, const char *field,
                      uint64_t value, const char *fmt, ...);

/*
 * recfile_next - the start of a reader's next(): returns 1 when a record
 * may follow at f->pos, else what next() returns: 0 at the end of the
 * input (the state becomes RECFILE_DONE) or after it, f->error once
 * failed.
 */
int recfile_next(struct recfile *f);

/*
 * recfile_reader_open - the body of a reader's *_open() (@path set: that
 * file, named after it) and *_open_mem() (@path NULL: the caller's @len
 * bytes at @buf, named @name), for a reader of @size bytes whose first
 * member is its struct recfile.  The new reader is zeroed, failed with
 * -EINVAL until @parse_header (given the reader's struct recfile) has parsed
 * the header and set it RECFILE_RUNNING.  Sets *@readerp to the reader, or
 * to NULL when out of memory.  Returns 0, -ENOMEM, recfile_load()'s error or
 * @parse_header's; the reader is freed with recfile_reader_close() in every
 * case but -ENOMEM.
 */
int recfile_reader_open(size_t size, const char *path, const void *buf, size_t len,
                        const char *name, int (*parse_header)(struct recfile *f),
                        void **readerp);

/*
 * recfile_reader_close - free a reader from recfile_reader_open(), given its
 * struct recfile (NULL is allowed).
 */
void recfile_reader_close(struct recfile *f);

#endif /* RECFILE_H */
