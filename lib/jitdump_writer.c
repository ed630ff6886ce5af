/*
 * jitdump_writer.c: the jitdump writer (see jitdump_writer.h).
 *
 * Every header or record is assembled at the end of w->out and, for a
 * stream writer, written out and dropped once complete; a failed write
 * leaves the buffer as it was before the call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "jitdump_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "growbuf.h"
#include "jitdump-records.h"

struct jd_writer {
    bool swap;
    FILE *stream;       /* NULL for a memory writer */
    struct growbuf out;
    bool oom;           /* a put_*() since the last begin() failed to grow out */
};

static int writer_new(unsigned flags, FILE *stream, struct jd_writer **writerp)
{
    struct jd_writer *w;

    *writerp = NULL;
    if (flags & ~JD_WRITER_SWAP)
        return -EINVAL;
    w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->swap = flags & JD_WRITER_SWAP;
    w->stream = stream;
    *writerp = w;
    return 0;
}

int jd_writer_open_mem(unsigned flags, struct jd_writer **writerp)
{
    return writer_new(flags, NULL, writerp);
}

int jd_writer_open_file(FILE *stream, unsigned flags, struct jd_writer **writerp)
{
    if (!stream) {
        *writerp = NULL;
        return -EINVAL;
    }
    return writer_new(flags, stream, writerp);
}

void jd_writer_close(struct jd_writer *w)
{
    if (!w)
        return;
    free(w->out.p);
    free(w);
}

const uint8_t *jd_writer_data(const struct jd_writer *w, size_t *len)
{
    if (w->stream) {
        *len = 0;
        return NULL;
    }
    *len = w->out.len;
    return w->out.p;
}

/*
 * Append n bytes from p (zeros if p is NULL), or the low size bytes of v
 * in the file's byte order.  Errors are collected in w->oom and checked
 * once in finish().
 */
static void put_bytes(struct jd_writer *w, const void *p, size_t n)
{
    if (!w->oom && growbuf_append(&w->out, p, n, 256))
        w->oom = true;
}

static void put_uint(struct jd_writer *w, uint64_t v, unsigned size)
{
    if (!w->oom && growbuf_append_uint(&w->out, w->swap, v, size, 256))
        w->oom = true;
}

#define put32(w, v) put_uint(w, v, 4)
#define put64(w, v) put_uint(w, v, 8)

/*
 * For the lists of jitdump-records.h: append one field.  The lists are in
 * the format's order, and every field is aligned, so appending is storing
 * at the field's offset.
 */
#define ENCODE(v, type, name, bits) put##bits(w, (v)->name);

/* Start a record: its prefix, total_size patched by finish(). */
static size_t begin(struct jd_writer *w, uint32_t id, uint64_t timestamp)
{
    size_t start = w->out.len;

    w->oom = false;
    put32(w, id);
    put32(w, 0);
    put64(w, timestamp);
    return start;
}

/*
 * Complete what was written since start: set the record's total_size
 * (unless it is the header), write it out for a stream writer, or undo it
 * on error.
 */
static int finish(struct jd_writer *w, size_t start, bool is_header)
{
    size_t size = w->out.len - start;
    int err = 0;

    if (w->oom) {
        err = -ENOMEM;
    } else if (size > UINT32_MAX) {
        err = -EINVAL;
    } else if (!is_header) {
        bytes_store32(w->swap, w->out.p + start + 4, (uint32_t)size);
    }
    if (!err && w->stream) {
        errno = 0;
        if (fwrite(w->out.p + start, 1, size, w->stream) != size)
            err = errno ? -errno : -EIO;
    }
    if (err || w->stream)
        w->out.len = start;
    w->oom = false;
    return err;
}

int jd_writer_write_header(struct jd_writer *w, const struct jd_header *h)
{
    uint32_t total = h->total_size ? h->total_size : sizeof(struct jitdump_header);
    size_t start = w->out.len;

    if (total < sizeof(struct jitdump_header))
        return -EINVAL;
    w->oom = false;
    put32(w, JITDUMP_MAGIC);
    put32(w, h->version ? h->version : JITDUMP_VERSION);
    put32(w, total);
    put32(w, h->elf_mach);
    put32(w, 0);
    put32(w, h->pid);
    put64(w, h->timestamp);
    put64(w, h->flags);
    put_bytes(w, NULL, total - sizeof(struct jitdump_header));
    return finish(w, start, true);
}

int jd_writer_write_load(struct jd_writer *w, uint64_t timestamp, const struct jd_code_load *l)
{
    size_t start;

    if ((l->name_len && memchr(l->name, 0, l->name_len)) || l->code_size > UINT32_MAX)
        return -EINVAL;
    start = begin(w, JITDUMP_CODE_LOAD, timestamp);
    JD_CODE_LOAD_FIELDS(ENCODE, l)
    put_bytes(w, l->name, l->name_len);
    put_bytes(w, "", 1);
    put_bytes(w, l->code, l->code_size);
    return finish(w, start, false);
}

int jd_writer_write_move(struct jd_writer *w, uint64_t timestamp, const struct jd_code_move *m)
{
    size_t start = begin(w, JITDUMP_CODE_MOVE, timestamp);

    JD_CODE_MOVE_FIELDS(ENCODE, m)
    return finish(w, start, false);
}

int jd_writer_write_debug_info(struct jd_writer *w, uint64_t timestamp, uint64_t code_addr,
                               const struct jd_debug_entry *entries, size_t nr)
{
    size_t start, i;

    for (i = 0; i < nr; i++)
        if (!entries[i].name_repeated && entries[i].name_len &&
            memchr(entries[i].name, 0, entries[i].name_len))
            return -EINVAL;
    start = begin(w, JITDUMP_CODE_DEBUG_INFO, timestamp);
    put64(w, code_addr);
    put64(w, nr);
    for (i = 0; i < nr; i++) {
        const struct jd_debug_entry *e = &entries[i];

        put64(w, e->addr);
        put32(w, (uint32_t)e->lineno);
        put32(w, (uint32_t)e->discrim);
        if (e->name_repeated)
            put_bytes(w, "\xff", 1);
        else
            put_bytes(w, e->name, e->name_len);
        put_bytes(w, "", 1);
    }
    return finish(w, start, false);
}

int jd_writer_write_unwinding_info(struct jd_writer *w, uint64_t timestamp,
                                   const struct jd_unwinding_info *u)
{
    size_t start;

    if (u->unwinding_size > UINT32_MAX)
        return -EINVAL;
    start = begin(w, JITDUMP_CODE_UNWINDING_INFO, timestamp);
    JD_CODE_UNWINDING_INFO_FIELDS(ENCODE, u)
    put_bytes(w, u->data, u->unwinding_size);
    return finish(w, start, false);
}

int jd_writer_write_close(struct jd_writer *w, uint64_t timestamp)
{
    return finish(w, begin(w, JITDUMP_CODE_CLOSE, timestamp), false);
}

int jd_writer_write_raw(struct jd_writer *w, uint32_t id, uint64_t timestamp,
                        const void *payload, size_t len)
{
    size_t start;

    if (len > UINT32_MAX)
        return -EINVAL;
    start = begin(w, id, timestamp);
    put_bytes(w, payload, len);
    return finish(w, start, false);
}
