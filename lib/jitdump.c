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
    static const uint8_t magic_le[4] = { 0x44, 0x54, 0x69, 0x4A };
    static const uint8_t magic_be[4] = { 0x4A, 0x69, 0x54, 0x44 };
    struct jd_header *h = &r->header;
    uint32_t magic, version, total;

    if (r->f.len < 4) {
        /* Too short for the magic: truncated if what is there matches one. */
        if (memcmp(r->f.buf, magic_le, r->f.len) && memcmp(r->f.buf, magic_be, r->f.len))
            return fail(r, -EBADMSG, 0, "bad magic at byte offset 0 (not a jitdump file)");
        return fail(r, -ENODATA, 0,
                    "truncated header at byte offset 0 (header needs %zu bytes, %zu left)",
                    HEADER_SIZE, r->f.len);
    }
    memcpy(&magic, r->f.buf, sizeof(magic));
    if (magic == JITDUMP_MAGIC_SWAPPED)
        r->f.swapped = true;
    else if (magic != JITDUMP_MAGIC)
        return fail(r, -EBADMSG, 0,
                    "bad magic 0x%02x%02x%02x%02x at byte offset 0 (not a jitdump file)",
                    r->f.buf[0], r->f.buf[1], r->f.buf[2], r->f.buf[3]);
    if (r->f.len >= 8) {
        version = rd32(r, 4);
        if (version != 1 && version != 2)
            return fail(r, -ENOTSUP, 4,
                        "unsupported version %u at byte offset 4 (this reader handles 1 and 2)",
                        version);
    }
    if (r->f.len >= 12) {
        total = rd32(r, 8);
        if (total < HEADER_SIZE)
            return fail(r, -EBADMSG, 8,
                        "header size %u too small at byte offset 8 (at least %zu)",
                        total, HEADER_SIZE);
        if (total > r->f.len && total > JD_RECORD_SIZE_PLAUSIBLE)
            return fail(r, -EBADMSG, 8,
                        "header size %u at byte offset 8 exceeds end of file (%zu bytes)",
                        total, r->f.len);
    } else {
        total = HEADER_SIZE;
    }
    if (r->f.len < total)
        return fail(r, -ENODATA, 0,
                    "truncated header at byte offset 0 (header needs %u bytes, %zu left)",
                    total, r->f.len);

    h->version = rd32(r, offsetof(struct jitdump_header, version));
    h->total_size = total;
    h->elf_mach = rd32(r, offsetof(struct jitdump_header, elf_mach));
    h->pid = rd32(r, offsetof(struct jitdump_header, pid));
    h->timestamp = rd64(r, offsetof(struct jitdump_header, timestamp));
    h->flags = rd64(r, offsetof(struct jitdump_header, flags));
    h->big_endian = r->f.buf[0] == magic_be[0];
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
static int check_fixed(struct jd_reader *r, size_t off, uint32_t total, struct jd_record *out)
{
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
static int check_variable(struct jd_reader *r, size_t off, uint32_t total, struct jd_record *out)
{
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

int jd_reader_next(struct jd_reader *r, struct jd_record *out)
{
    size_t off, rem, min;
    uint32_t id, total;
    const char *what;
    int err;

    err = recfile_next(&r->f);
    if (err <= 0)
        return err;
    off = r->f.pos;
    rem = r->f.len - off;
    memset(out, 0, sizeof(*out));
    out->offset = off;
    out->raw = r->f.buf + off;

    /* Judge whatever part of the prefix is there, then the rest. */
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
    if (total > rem) {
        if (!what)
            return fail(r, -EBADMSG, off,
                        "record of unknown id %u at byte offset %zu extends past end of "
                        "file (record needs %u bytes, %zu left)", id, off, total, rem);
        if (total > JD_RECORD_SIZE_PLAUSIBLE)
            return fail(r, -EBADMSG, off + 4,
                        "record size %u at byte offset %zu exceeds end of file "
                        "(%zu bytes left)", total, off + 4, rem);
        if (rem >= record_fixed_size(id)) {
            err = check_fixed(r, off, total, out);
            if (err)
                return err;
        }
        return fail(r, -ENODATA, off,
                    "truncated record at byte offset %zu (record needs %u bytes, %zu left)",
                    off, total, rem);
    }

    out->timestamp = rd64(r, off + offsetof(struct jitdump_prefix, timestamp));
    err = check_fixed(r, off, total, out);
    if (!err)
        err = check_variable(r, off, total, out);
    if (err)
        return err;
    r->f.pos = off + total;
    return 1;
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

int jd_reader_open_mem(const void *buf, size_t len, const char *name,
                       struct jd_reader **readerp)
{
    void *r;
    int err = recfile_reader_open(sizeof(**readerp), NULL, buf, len, name, parse_header, &r);

    *readerp = r;
    return err;
}

int jd_reader_open(const char *path, struct jd_reader **readerp)
{
    void *r;
    int err = recfile_reader_open(sizeof(**readerp), path, NULL, 0, NULL, parse_header, &r);

    *readerp = r;
    return err;
}

void jd_reader_close(struct jd_reader *r)
{
    recfile_reader_close(r ? &r->f : NULL);
}

const struct jd_header *jd_reader_header(const struct jd_reader *r)
{
    return &r->header;
}

const char *jd_reader_strerror(const struct jd_reader *r)
{
    return r->f.errmsg;
}

uint64_t jd_reader_error_offset(const struct jd_reader *r)
{
    return r->f.error_offset;
}

uint64_t jd_reader_offset(const struct jd_reader *r)
{
    return r->f.pos;
}
