/*
 * recfile.c: a reader's input and its first error (see recfile.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "recfile.h"

#include "bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int recfile_init(struct recfile *f, const char *name)
{
    memset(f, 0, sizeof(*f));
    f->name = strdup(name ? name : "<memory>");
    if (!f->name)
        return -ENOMEM;
    snprintf(f->errmsg, sizeof(f->errmsg), "%s: no error", f->name);
    return 0;
}

int recfile_fail(struct recfile *f, int err, uint64_t offset, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    recfile_vfail(f, err, offset, fmt, ap);
    va_end(ap);
    return err;
}

void recfile_set_mem(struct recfile *f, const void *buf, size_t len)
{
    /* memcmp()/memcpy() with a NULL pointer are undefined even for 0 bytes. */
    f->buf = buf ? buf : (const uint8_t *)"";
    f->len = buf ? len : 0;
}

int recfile_load(struct recfile *f, const char *path)
{
    const char *what = "open";
    char buf[128];
    int err;

    err = filebuf_open(path, &f->file, &what);
    if (err)
        return recfile_fail(f, err, 0, "%s: %s", what, strerror_r(-err, buf, sizeof(buf)));
    f->buf = f->file.data;
    f->len = f->file.len;
    return 0;
}

void recfile_fini(struct recfile *f)
{
    if (!f)
        return;
    filebuf_close(&f->file);
    free(f->name);
    f->name = NULL;
}

int recfile_vfail(struct recfile *f, int err, uint64_t offset, const char *fmt, va_list ap)
{
    int n;

    f->state = RECFILE_FAILED;
    f->error = err;
    f->error_offset = offset;
    n = snprintf(f->errmsg, sizeof(f->errmsg), "%s: ", f->name);
    if (n < 0 || (size_t)n >= sizeof(f->errmsg))
        return err;
    vsnprintf(f->errmsg + n, sizeof(f->errmsg) - n, fmt, ap);
    return err;
}

int recfile_bad_field(struct recfile *f, uint64_t at, const char *what, const char *field,
                      uint64_t value, const char *fmt, ...)
{
    size_t n;
    va_list ap;

    recfile_fail(f, -EBADMSG, at, "%s %s %llu at byte offset %llu ", what, field,
                 (unsigned long long)value, (unsigned long long)at);
    n = strlen(f->errmsg);
    va_start(ap, fmt);
    vsnprintf(f->errmsg + n, sizeof(f->errmsg) - n, fmt, ap);
    va_end(ap);
    return -EBADMSG;
}

int recfile_check_magic(struct recfile *f, uint32_t magic, uint32_t swapped_magic,
                        size_t header_size, const char *kind)
{
    uint32_t m;

    if (f->len < 4) {
        /* Too short for the magic: truncated if what is there matches one. */
        if (memcmp(f->buf, &magic, f->len) && memcmp(f->buf, &swapped_magic, f->len))
            return recfile_fail(f, -EBADMSG, 0, "bad magic at byte offset 0 (not a %s file)",
                                kind);
        return recfile_fail(f, -ENODATA, 0,
                            "truncated header at byte offset 0 (header needs %zu bytes, "
                            "%zu left)", header_size, f->len);
    }
    memcpy(&m, f->buf, sizeof(m));
    if (m == swapped_magic)
        f->swapped = true;
    else if (m != magic)
        return recfile_fail(f, -EBADMSG, 0,
                            "bad magic 0x%02x%02x%02x%02x at byte offset 0 (not a %s file)",
                            f->buf[0], f->buf[1], f->buf[2], f->buf[3], kind);
    return 0;
}

int recfile_header_size(struct recfile *f, size_t at, size_t min_size, uint32_t plausible,
                        uint32_t *sizep)
{
    uint32_t size = min_size;

    if (f->len >= at + sizeof(size)) {
        size = bytes_load32(f->swapped, f->buf + at);
        if (size < min_size)
            return recfile_fail(f, -EBADMSG, at,
                                "header size %u too small at byte offset %zu (at least %zu)",
                                size, at, min_size);
        if (size > f->len && size > plausible)
            return recfile_fail(f, -EBADMSG, at,
                                "header size %u at byte offset %zu exceeds end of file "
                                "(%zu bytes)", size, at, f->len);
    }
    if (f->len < size)
        return recfile_fail(f, -ENODATA, 0,
                            "truncated header at byte offset 0 (header needs %u bytes, "
                            "%zu left)", size, f->len);
    *sizep = size;
    return 0;
}

/* Where next() stands: 1 when a record may follow at f->pos, else what it returns. */
static int recfile_next(struct recfile *f)
{
    if (f->state == RECFILE_RUNNING && f->pos == f->len)
        f->state = RECFILE_DONE;
    if (f->state == RECFILE_DONE)
        return 0;
    if (f->state == RECFILE_FAILED)
        return f->error;
    return 1;
}

int recfile_next_record(struct recfile *f, const struct recfile_format *fmt, void *rec)
{
    size_t off = f->pos, rem = f->len - f->pos, fixed;
    uint32_t size;
    int err = recfile_next(f);

    if (err <= 0)
        return err;
    err = fmt->prefix(f, off, rem, rec, &size, &fixed);
    if (err)
        return err;
    if (size > rem) {
        /* Cut by the end of the file: corrupt if implausibly big or contradicted. */
        if (size > fmt->plausible)
            return recfile_fail(f, -EBADMSG, off + 4,
                                "record size %u at byte offset %zu exceeds end of file "
                                "(%zu bytes left)", size, off + 4, rem);
        if (rem >= fixed) {
            err = fmt->check_fixed(f, off, size, rec);
            if (err)
                return err;
        }
        return recfile_fail(f, -ENODATA, off,
                            "truncated record at byte offset %zu (record needs %u bytes, "
                            "%zu left)", off, size, rem);
    }
    err = fmt->check_fixed(f, off, size, rec);
    if (!err)
        err = fmt->check_variable(f, off, size, rec);
    if (err)
        return err;
    f->pos = off + size;
    return 1;
}

int recfile_reader_open(size_t size, const char *path, const void *buf, size_t len,
                        const char *name, int (*parse_header)(struct recfile *f),
                        void **readerp)
{
    struct recfile *f = calloc(1, size);
    int err;

    *readerp = NULL;
    if (!f || recfile_init(f, path ? path : name)) {
        free(f);
        return -ENOMEM;
    }
    *readerp = f;
    f->state = RECFILE_FAILED;  /* until the header is parsed */
    f->error = -EINVAL;
    if (!path) {
        recfile_set_mem(f, buf, len);
    } else {
        err = recfile_load(f, path);
        if (err)
            return err;
    }
    return parse_header(f);
}

void recfile_reader_close(struct recfile *f)
{
    recfile_fini(f);
    free(f);
}
