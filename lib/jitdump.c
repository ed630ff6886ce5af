/*
 * jitdump.c: the jitdump reader (see jitdump.h).
 *
 * All multi-byte fields are read with bytes.h's memcpy() loaders (records
 * need not be aligned: their sizes are arbitrary and jd_reader_open_mem()
 * takes any buffer) and byte-swapped when the magic says the file was
 * written in the other order.  filebuf.c maps or reads the file.
 * Sizes are compared by subtraction from known-good bounds, never by adding
 * untrusted values, so no arithmetic can overflow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "jitdump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "jitdump-records.h"
#include "recfile.h"

#define HEADER_SIZE     sizeof(struct jitdump_header)
#define PREFIX_SIZE     sizeof(struct jitdump_prefix)
#define LOAD_SIZE       sizeof(struct jitdump_code_load)
#define MOVE_SIZE       sizeof(struct jitdump_code_move)
#define DEBUG_SIZE      sizeof(struct jitdump_code_debug_info)
#define UNWIND_SIZE     sizeof(struct jitdump_code_unwinding_info)
#define ENTRY_SIZE      sizeof(struct jitdump_debug_entry)
/* The smallest debug entry: the fixed part and an empty, NUL-terminated name. */
#define ENTRY_MIN_SIZE  (ENTRY_SIZE + 1)

/* The struct recfile first: recfile_reader_open() allocates and frees it. */
struct jd_reader {
    struct recfile f;       /* the input, the first error and the state */
    struct jd_header header;
};
_Static_assert(offsetof(struct jd_reader, f) == 0, "struct recfile first");

static uint32_t rd32(const struct jd_reader *r, size_t off)
{
    return bytes_load32(r->f.swapped, r->f.buf + off);
}

static uint64_t rd64(const struct jd_reader *r, size_t off)
{
    return bytes_load64(r->f.swapped, r->f.buf + off);
}

/* For the lists of jitdump-records.h: read one field of the record at off. */
#define DECODE(v, type, name, bits) \
    (v)->name = rd##bits(r, off + offsetof(struct type, name));

/* Record the error, its message and offset; returns err for tail calls. */
#define fail(r, ...) recfile_fail(&(r)->f, __VA_ARGS__)

/*
 * The field of the format's struct type of the record of type what at off,
 * whose value contradicts the record: -EBADMSG, with the message
 * "WHAT FIELD VALUE at byte offset N " and the rest (recfile_bad_field()).
 */
#define bad_field(r, off, what, type, field, value, ...) \
    recfile_bad_field(&(r)->f, (off) + offsetof(struct type, field), what, #field, value, \
                      __VA_ARGS__)

const char *jd_record_name(uint32_t id)
{
    static const char *const names[JITDUMP_CODE_MAX] = {
        [JITDUMP_CODE_LOAD] = "CODE_LOAD",
        [JITDUMP_CODE_MOVE] = "CODE_MOVE",
        [JITDUMP_CODE_DEBUG_INFO] = "CODE_DEBUG_INFO",
        [JITDUMP_CODE_CLOSE] = "CODE_CLOSE",
        [JITDUMP_CODE_UNWINDING_INFO] = "CODE_UNWINDING_INFO",
    };

    return id < JITDUMP_CODE_MAX ? names[id] : NULL;
}

/* The smallest total_size a record of this id can have; 0 for unknown ids. */
static size_t record_min_size(uint32_t id)
{
    switch (id) {
    case JITDUMP_CODE_LOAD:           return LOAD_SIZE + 1;  /* name's NUL */
    case JITDUMP_CODE_MOVE:           return MOVE_SIZE;
    case JITDUMP_CODE_DEBUG_INFO:     return DEBUG_SIZE;
    case JITDUMP_CODE_CLOSE:          return PREFIX_SIZE;
    case JITDUMP_CODE_UNWINDING_INFO: return UNWIND_SIZE;
    default:                          return 0;
    }
}

/* Bytes of a record's fixed part: what check_fixed() needs to look at. */
static size_t record_fixed_size(uint32_t id)
{
    switch (id) {
    case JITDUMP_CODE_LOAD:           return LOAD_SIZE;
    case JITDUMP_CODE_MOVE:           return MOVE_SIZE;
    case JITDUMP_CODE_DEBUG_INFO:     return DEBUG_SIZE;
    case JITDUMP_CODE_UNWINDING_INFO: return UNWIND_SIZE;
    default:                          return PREFIX_SIZE;
    }
}

/* The header is valid: reset the state so the first record can be read. */
static int parse_header(struct recfile *f)
{
    struct jd_reader *r = (struct jd_reader *)f;
    struct jd_header *h = &r->header;
    uint32_t version, total;
    int err;

    err = recfile_check_magic(f, JITDUMP_MAGIC, JITDUMP_MAGIC_SWAPPED, HEADER_SIZE, "jitdump");
    if (err)
        return err;
    if (r->f.len >= 8) {
        version = rd32(r, 4);
        if (version != 1 && version != 2)
            return fail(r, -ENOTSUP, 4,
                        "unsupported version %u at byte offset 4 (this reader handles 1 and 2)",
                        version);
    }
    err = recfile_header_size(f, offsetof(struct jitdump_header, total_size), HEADER_SIZE,
                              JD_RECORD_SIZE_PLAUSIBLE, &total);
    if (err)
        return err;

    h->version = rd32(r, offsetof(struct jitdump_header, version));
    h->total_size = total;
    h->elf_mach = rd32(r, offsetof(struct jitdump_header, elf_mach));
    h->pid = rd32(r, offsetof(struct jitdump_header, pid));
    h->timestamp = rd64(r, offsetof(struct jitdump_header, timestamp));
    h->flags = rd64(r, offsetof(struct jitdump_header, flags));
    h->big_endian = r->f.swapped != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
    h->swapped = r->f.swapped;
    r->f.pos = total;
    r->f.state = RECFILE_RUNNING;
    return 0;
}

/*
 * Check the fields of a record's fixed part against its total_size and
 * decode them into out.  Runs also on a record cut by the end of the file,
 * to tell corruption from truncation: a record whose own fields contradict
 * its size is corrupt whether or not it is complete.
 */
static int check_fixed(struct recfile *f, size_t off, uint32_t total, void *rec)
{
    struct jd_reader *r = (struct jd_reader *)f;
    struct jd_record *out = rec;
    const char *what = jd_record_name(out->id);

    switch (out->id) {
    case JITDUMP_CODE_LOAD: {
        struct jd_code_load *l = &out->u.load;

        JD_CODE_LOAD_FIELDS(DECODE, l)
        /* record_min_size() guarantees room for at least the name's NUL. */
        if (l->code_size > total - LOAD_SIZE - 1)
            return bad_field(r, off, what, jitdump_code_load, code_size, l->code_size,
                             "larger than the record (%u bytes, room for at most %zu bytes "
                             "of code)", total, total - LOAD_SIZE - 1);
        break;
    }
    case JITDUMP_CODE_MOVE:
        JD_CODE_MOVE_FIELDS(DECODE, &out->u.move)
        break;
    case JITDUMP_CODE_DEBUG_INFO: {
        struct jd_debug_info *d = &out->u.debug_info;
        size_t room = (total - DEBUG_SIZE) / ENTRY_MIN_SIZE;

        d->code_addr = rd64(r, off + offsetof(struct jitdump_code_debug_info, code_addr));
        d->nr_entry = rd64(r, off + offsetof(struct jitdump_code_debug_info, nr_entry));
        d->entries = r->f.buf + off + DEBUG_SIZE;
        d->entries_size = total - DEBUG_SIZE;
        d->swapped = r->f.swapped;
        if (d->nr_entry > room)
            return bad_field(r, off, what, jitdump_code_debug_info, nr_entry, d->nr_entry,
                             "impossible (a record of %u bytes has room for at most %zu "
                             "entries)", total, room);
        break;
    }
    case JITDUMP_CODE_UNWINDING_INFO: {
        struct jd_unwinding_info *u = &out->u.unwinding;
        size_t room = total - UNWIND_SIZE;

        JD_CODE_UNWINDING_INFO_FIELDS(DECODE, u)
        u->data = r->f.buf + off + UNWIND_SIZE;
        if (u->unwinding_size > room)
            return bad_field(r, off, what, jitdump_code_unwinding_info, unwinding_size,
                             u->unwinding_size, "larger than the record (%u bytes, room for "
                             "%zu bytes of data)", total, room);
        if (u->eh_frame_hdr_size > u->unwinding_size)
            return bad_field(r, off, what, jitdump_code_unwinding_info, eh_frame_hdr_size,
                             u->eh_frame_hdr_size, "larger than unwinding_size %llu",
                             (unsigned long long)u->unwinding_size);
        break;
    }
    default:
        break;
    }
    return 0;
}

/* Check what lies after the fixed part of a complete record. */
static int check_variable(struct recfile *f, size_t off, uint32_t total, void *rec)
{
    struct jd_reader *r = (struct jd_reader *)f;
    struct jd_record *out = rec;
    const char *what = jd_record_name(out->id);
    size_t end = off + total;

    if (out->id == JITDUMP_CODE_LOAD) {
        struct jd_code_load *l = &out->u.load;
        const uint8_t *name = r->f.buf + off + LOAD_SIZE;
        const uint8_t *nul = memchr(name, 0, total - LOAD_SIZE);
        size_t after;

        if (!nul)
            return fail(r, -EBADMSG, off + LOAD_SIZE,
                        "%s name not NUL-terminated at byte offset %zu "
                        "(record at %zu ends at %zu)", what, off + LOAD_SIZE, off, end);
        l->name = (const char *)name;
        l->name_len = nul - name;
        l->code = nul + 1;
        after = r->f.buf + end - l->code;
        if (l->code_size > after)
            return bad_field(r, off, what, jitdump_code_load, code_size, l->code_size,
                             "larger than the record (%zu bytes left after the name)", after);
    } else if (out->id == JITDUMP_CODE_DEBUG_INFO) {
        /*
         * Walk the entries once now (at most total/17 steps: check_fixed()
         * bounded nr_entry) so that iterating them later cannot fail.
         */
        const struct jd_debug_info *d = &out->u.debug_info;
        const uint8_t *p = d->entries, *e = d->entries + d->entries_size;
        uint64_t i;

        for (i = 0; i < d->nr_entry; i++) {
            size_t at = p - r->f.buf;
            const uint8_t *nul;

            if ((size_t)(e - p) < ENTRY_MIN_SIZE)
                return fail(r, -EBADMSG, at,
                            "%s entry %llu at byte offset %zu extends past the record "
                            "(record at %zu ends at %zu)",
                            what, (unsigned long long)i, at, off, end);
            nul = memchr(p + ENTRY_SIZE, 0, e - p - ENTRY_SIZE);
            if (!nul)
                return fail(r, -EBADMSG, at + ENTRY_SIZE,
                            "%s entry %llu file name not NUL-terminated at byte offset %zu "
                            "(record at %zu ends at %zu)",
                            what, (unsigned long long)i, at + ENTRY_SIZE, off, end);
            if (i == 0 && nul == p + ENTRY_SIZE + 1 && p[ENTRY_SIZE] == 0xff)
                return fail(r, -EBADMSG, at + ENTRY_SIZE,
                            "%s entry 0 at byte offset %zu repeats the previous file name "
                            "but has no previous entry", what, at + ENTRY_SIZE);
            p = nul + 1;
        }
    }
    return 0;
}

/* The record's prefix, whatever part of it is there, and its size. */
static int check_prefix(struct recfile *f, size_t off, size_t rem, void *rec, uint32_t *sizep,
                        size_t *fixedp)
{
    struct jd_reader *r = (struct jd_reader *)f;
    struct jd_record *out = rec;
    uint32_t id, total;
    const char *what;
    size_t min;

    memset(out, 0, sizeof(*out));
    out->offset = off;
    out->raw = r->f.buf + off;
    id = rem >= 4 ? rd32(r, off) : 0;
    what = jd_record_name(id);
    if (rem >= 4 && !what && rem < PREFIX_SIZE)
        return fail(r, -EBADMSG, off,
                    "record of unknown id %u at byte offset %zu cut by the end of file "
                    "(%zu bytes left)", id, off, rem);
    if (rem < 8)
        return fail(r, -ENODATA, off,
                    "truncated record at byte offset %zu (record needs at least %zu bytes, "
                    "%zu left)", off, PREFIX_SIZE, rem);
    total = rd32(r, off + 4);
    out->id = id;
    out->size = total;
    if (total < PREFIX_SIZE)
        return fail(r, -EBADMSG, off + 4,
                    "record size %u too small at byte offset %zu (at least %zu)",
                    total, off + 4, PREFIX_SIZE);
    min = record_min_size(id);
    if (total < min)
        return fail(r, -EBADMSG, off + 4,
                    "%s record size %u too small at byte offset %zu (at least %zu)",
                    what, total, off + 4, min);
    if (total > rem && !what)
        return fail(r, -EBADMSG, off,
                    "record of unknown id %u at byte offset %zu extends past end of "
                    "file (record needs %u bytes, %zu left)", id, off, total, rem);
    if (total <= rem)
        out->timestamp = rd64(r, off + offsetof(struct jitdump_prefix, timestamp));
    *sizep = total;
    *fixedp = record_fixed_size(id);
    return 0;
}

int jd_reader_next(struct jd_reader *r, struct jd_record *out)
{
    static const struct recfile_format format = {
        check_prefix, check_fixed, check_variable, JD_RECORD_SIZE_PLAUSIBLE,
    };

    return recfile_next_record(&r->f, &format, out);
}

void jd_debug_iter_init(struct jd_debug_iter *it, const struct jd_debug_info *info)
{
    it->pos = info->entries;
    it->end = info->entries + info->entries_size;
    it->left = info->nr_entry;
    it->swapped = info->swapped;
    it->prev_name = NULL;
    it->prev_name_len = 0;
}

int jd_debug_iter_next(struct jd_debug_iter *it, struct jd_debug_entry *out)
{
    const uint8_t *p = it->pos, *name, *nul;

    if (it->left == 0)
        return 0;
    if ((size_t)(it->end - p) < ENTRY_MIN_SIZE)
        return -EBADMSG;
    name = p + ENTRY_SIZE;
    nul = memchr(name, 0, it->end - name);
    if (!nul)
        return -EBADMSG;
    out->addr = bytes_load64(it->swapped, p + offsetof(struct jitdump_debug_entry, addr));
    out->lineno = (int32_t)bytes_load32(it->swapped, p + offsetof(struct jitdump_debug_entry, lineno));
    out->discrim = (int32_t)bytes_load32(it->swapped, p + offsetof(struct jitdump_debug_entry, discrim));
    out->name_repeated = nul == name + 1 && name[0] == 0xff;
    if (out->name_repeated) {
        if (!it->prev_name)
            return -EBADMSG;
        out->name = it->prev_name;
        out->name_len = it->prev_name_len;
    } else {
        out->name = (const char *)name;
        out->name_len = nul - name;
        it->prev_name = out->name;
        it->prev_name_len = out->name_len;
    }
    it->pos = nul + 1;
    it->left--;
    return 1;
}

RECFILE_READER_DEFINE(jd_reader, struct jd_header, parse_header)
