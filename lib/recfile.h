/*
 * recfile.h: the input of a file reader and its first error, shared by the
 * jitdump, side-file and perf.data readers.  Internal to the library.
 *
 * Each reader takes its bytes from a caller's buffer (*_open_mem()) or a
 * file loaded with filebuf.h (*_open()), and keeps one message of the form
 * "NAME: WHAT at byte offset N" for *_strerror().  The jitdump and side-file
 * readers stop at their first error, and share their lifecycle here too:
 * recfile_reader_open(), recfile_next_record() and recfile_reader_close(), and
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
 * recfile_check_magic - the start of a reader's header parser: the first 4
 * bytes of @f hold @magic as the writer stored it, natively or byte-swapped
 * (@swapped_magic: then f->swapped is set).  Fewer than 4 bytes that begin
 * one of them are a header cut short (@header_size bytes needed).  @kind
 * names the format in the messages ("not a KIND file").  Returns 0,
 * -EBADMSG or -ENODATA with the message set.
 */
int recfile_check_magic(struct recfile *f, uint32_t magic, uint32_t swapped_magic,
                        size_t header_size, const char *kind);

/*
 * recfile_header_size - the header's size: the 32-bit field at byte @at, at
 * least @min_size and inside the file unless the file is cut short (a size
 * up to @plausible past the end is truncation, not corruption).  Without
 * that field in the file the size is @min_size.  Sets *@sizep and returns
 * 0 when the whole header is there, else -EBADMSG or -ENODATA with the
 * message set.
 */
int recfile_header_size(struct recfile *f, size_t at, size_t min_size, uint32_t plausible,
                        uint32_t *sizep);

/*
 * struct recfile_format - how a reader's records are framed and checked,
 * for recfile_next_record().  Every record starts with a 32-bit type and
 * its 32-bit size, the prefix included.  Each callback gets the reader's
 * struct recfile, the record's byte offset @off and @rec, the caller's
 * decoded record; it returns 0, or an error recorded with recfile_fail().
 *   prefix          clear @rec, then read and check the prefix with @rem
 *                   bytes left: set *@sizep to the record's size and
 *                   *@fixedp to the bytes check_fixed() reads
 *   check_fixed     decode the fixed part and check it against @size; also
 *                   run on a record cut by the end of the file (when its
 *                   fixed part is there) to tell corruption from truncation
 *   check_variable  check what follows the fixed part of a complete record
 *   plausible       a record up to this size that runs past the end of the
 *                   file is truncated (being written), a larger one corrupt
 */
struct recfile_format {
    int (*prefix)(struct recfile *f, size_t off, size_t rem, void *rec, uint32_t *sizep,
                  size_t *fixedp);
    int (*check_fixed)(struct recfile *f, size_t off, uint32_t size, void *rec);
    int (*check_variable)(struct recfile *f, size_t off, uint32_t size, void *rec);
    uint32_t plausible;
};

/*
 * recfile_next_record - a reader's next(): decode the record at f->pos into
 * @rec with @fmt's callbacks and step over it.  Returns 1 with a record, 0
 * at the end of the input (and after it), or the first error, again on
 * every later call: -EBADMSG for corrupt input, -ENODATA for a record cut
 * by the end of the file.
 */
int recfile_next_record(struct recfile *f, const struct recfile_format *fmt, void *rec);

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

/*
 * RECFILE_READER_DEFINE - define the functions that every reader built on
 * recfile_reader_open() has in the same form, for the reader struct PREFIX
 * (its first member the struct recfile f, and a member header of type
 * HEADER) whose header parse_header() parses: PREFIX_open_mem(),
 * PREFIX_open(), PREFIX_close(), PREFIX_header(), PREFIX_strerror(),
 * PREFIX_error_offset() and PREFIX_offset(), as the reader's public header
 * declares and documents them.  Used once per reader, in its .c file.
 */
#define RECFILE_READER_DEFINE(PREFIX, HEADER, parse_header)                              \
int PREFIX##_open_mem(const void *buf, size_t len, const char *name, struct PREFIX **readerp) \
{                                                                                       \
    void *r;                                                                            \
    int err = recfile_reader_open(sizeof(**readerp), NULL, buf, len, name, parse_header, &r); \
                                                                                        \
    *readerp = r;                                                                       \
    return err;                                                                         \
}                                                                                       \
                                                                                        \
int PREFIX##_open(const char *path, struct PREFIX **readerp)                            \
{                                                                                       \
    void *r;                                                                            \
    int err = recfile_reader_open(sizeof(**readerp), path, NULL, 0, NULL, parse_header, &r); \
                                                                                        \
    *readerp = r;                                                                       \
    return err;                                                                         \
}                                                                                       \
                                                                                        \
void PREFIX##_close(struct PREFIX *r)                                                   \
{                                                                                       \
    recfile_reader_close(r ? &r->f : NULL);                                             \
}                                                                                       \
                                                                                        \
const HEADER *PREFIX##_header(const struct PREFIX *r)                                   \
{                                                                                       \
    return &r->header;                                                                  \
}                                                                                       \
                                                                                        \
const char *PREFIX##_strerror(const struct PREFIX *r)                                   \
{                                                                                       \
    return r->f.errmsg;                                                                 \
}                                                                                       \
                                                                                        \
uint64_t PREFIX##_error_offset(const struct PREFIX *r)                                  \
{                                                                                       \
    return r->f.error_offset;                                                           \
}                                                                                       \
                                                                                        \
uint64_t PREFIX##_offset(const struct PREFIX *r)                                        \
{                                                                                       \
    return r->f.pos;                                                                    \
}

#endif /* RECFILE_H */
