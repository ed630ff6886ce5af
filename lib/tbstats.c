/*
 * tbstats.c: the side-file reader (see tbstats.h).
 *
 * All multi-byte fields are read with bytes.h's memcpy() loaders
 * (tbs_reader_open_mem() takes any buffer, aligned or not) and byte-swapped
 * when the magic says the file was written in the other order.  Sizes are
 * compared by subtraction from known-good bounds, never by adding untrusted
 * values, so no arithmetic can overflow.  filebuf.c maps or reads the file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tbstats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "recfile.h"
#include "tbstats-records.h"

#define HEADER_SIZE   sizeof(struct tbs_file_header)
#define PREFIX_SIZE   sizeof(struct tbs_record)
#define MAPPING_SIZE  sizeof(struct tbs_mapping)
#define UNMAP_SIZE    sizeof(struct tbs_unmap)
#define TB_SIZE       sizeof(struct tbs_tb)
#define FLUSH_SIZE    sizeof(struct tbs_flush)
#define END_SIZE      TBS_END_SIZE
#define STATS_SIZE    sizeof(struct tbs_stats)
#define SHADOW_SIZE   sizeof(struct tbs_shadow_stack_loc)
#define TB_IR_SIZE    sizeof(struct tbs_tb_ir)
/* Bytes per instruction in a TB record: insn_pc (8) and host_end (4). */
#define TB_INSN_SIZE  (sizeof(uint64_t) + sizeof(uint32_t))

#define FIELD(type, field) offsetof(struct type, field)
/* For the lists of tbstats-records.h: read one field of the record at off. */
#define DECODE(v, type, name, bits) (v)->name = rd##bits(r, off + FIELD(type, name));

/* The struct recfile first: recfile_reader_open() allocates and frees it. */
struct tbs_reader {
    struct recfile f;       /* the input, the first error and the state */
    struct tbs_header header;
};
_Static_assert(offsetof(struct tbs_reader, f) == 0, "struct recfile first");

static uint8_t rd8(const struct tbs_reader *r, size_t off)
{
    return r->f.buf[off];
}

static uint16_t rd16(const struct tbs_reader *r, size_t off)
{
    return bytes_load16(r->f.swapped, r->f.buf + off);
}

static uint32_t rd32(const struct tbs_reader *r, size_t off)
{
    return bytes_load32(r->f.swapped, r->f.buf + off);
}

static uint64_t rd64(const struct tbs_reader *r, size_t off)
{
    return bytes_load64(r->f.swapped, r->f.buf + off);
}

/* Record the error, its message and offset; returns err for tail calls. */
#define fail(r, ...) recfile_fail(&(r)->f, __VA_ARGS__)

/*
 * The field of the format's struct type of the record of type what at off,
 * whose value contradicts the record: -EBADMSG, with the message
 * "WHAT FIELD VALUE at byte offset N " and the rest (recfile_bad_field()).
 */
#define bad_field(r, off, what, type, field, value, ...) \
    recfile_bad_field(&(r)->f, (off) + FIELD(type, field), what, #field, value, __VA_ARGS__)

const char *tbs_record_name(uint32_t type)
{
    switch (type) {
    case TBS_REC_MAPPING: return "MAPPING";
    case TBS_REC_UNMAP:   return "UNMAP";
    case TBS_REC_TB:      return "TB";
    case TBS_REC_FLUSH:   return "FLUSH";
    case TBS_REC_END:     return "END";
    case TBS_REC_STATS:   return "STATS";
    case TBS_REC_SHADOW_STACK: return "SHADOW_STACK";
    case TBS_REC_TB_IR:   return "TB_IR";
    default:              return NULL;
    }
}

/* The smallest size a record of this type can have; PREFIX_SIZE if unknown. */
static size_t record_min_size(uint32_t type)
{
    switch (type) {
    case TBS_REC_MAPPING: return MAPPING_SIZE + 8;  /* the path's NUL, padded */
    case TBS_REC_UNMAP:   return UNMAP_SIZE;
    case TBS_REC_TB:      return TB_SIZE;
    case TBS_REC_FLUSH:   return FLUSH_SIZE;
    case TBS_REC_END:     return TBS_END_SIZE_NO_TLB;   /* older writers' */
    case TBS_REC_STATS:   return STATS_SIZE;
    case TBS_REC_SHADOW_STACK: return SHADOW_SIZE;
    case TBS_REC_TB_IR:   return TB_IR_SIZE;
    default:              return PREFIX_SIZE;
    }
}

/* Bytes of a record's fixed part: what check_fixed() needs to look at. */
static size_t record_fixed_size(uint32_t type)
{
    switch (type) {
    case TBS_REC_MAPPING: return MAPPING_SIZE;
    case TBS_REC_UNMAP:   return UNMAP_SIZE;
    case TBS_REC_TB:      return TB_SIZE;
    case TBS_REC_FLUSH:   return FLUSH_SIZE;
    case TBS_REC_END:     return END_SIZE;
    case TBS_REC_STATS:   return STATS_SIZE;
    case TBS_REC_SHADOW_STACK: return SHADOW_SIZE;
    case TBS_REC_TB_IR:   return TB_IR_SIZE;
    default:              return PREFIX_SIZE;
    }
}

/* Copy a NUL-padded header string, always NUL-terminating the copy. */
static void copy_padded(char *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int parse_header(struct recfile *f)
{
    struct tbs_reader *r = (struct tbs_reader *)f;
    struct tbs_header *h = &r->header;
    uint32_t size;
    uint16_t major;
    int err;

    err = recfile_check_magic(f, TBS_MAGIC, TBS_MAGIC_SWAPPED, HEADER_SIZE, "tbstats");
    if (err)
        return err;
    if (r->f.len >= 6) {
        major = rd16(r, FIELD(tbs_file_header, version_major));
        if (major != TBS_VERSION_MAJOR)
            return fail(r, -ENOTSUP, FIELD(tbs_file_header, version_major),
                        "unsupported version_major %u at byte offset %zu "
                        "(this reader handles %u)",
                        major, FIELD(tbs_file_header, version_major), TBS_VERSION_MAJOR);
    }
    err = recfile_header_size(f, FIELD(tbs_file_header, header_size), HEADER_SIZE,
                              TBS_RECORD_SIZE_PLAUSIBLE, &size);
    if (err)
        return err;

    h->version_major = rd16(r, FIELD(tbs_file_header, version_major));
    h->version_minor = rd16(r, FIELD(tbs_file_header, version_minor));
    h->header_size = size;
    h->pid = rd32(r, FIELD(tbs_file_header, pid));
    h->timestamp = rd64(r, FIELD(tbs_file_header, timestamp));
    h->guest_machine = rd16(r, FIELD(tbs_file_header, guest_machine));
    h->host_machine = rd16(r, FIELD(tbs_file_header, host_machine));
    h->flags = rd32(r, FIELD(tbs_file_header, flags));
    h->guest_page_size = rd32(r, FIELD(tbs_file_header, guest_page_size));
    h->guest_addr_bits = rd32(r, FIELD(tbs_file_header, guest_addr_bits));
    copy_padded(h->guest_arch, r->f.buf + FIELD(tbs_file_header, guest_arch),
                sizeof(h->guest_arch) - 1);
    copy_padded(h->qemu_version, r->f.buf + FIELD(tbs_file_header, qemu_version),
                sizeof(h->qemu_version) - 1);
    h->swapped = r->f.swapped;
    h->big_endian = r->f.swapped != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
    r->f.pos = size;
    r->f.state = RECFILE_RUNNING;
    return 0;
}

/* TB: the fixed fields; the instruction arrays and guest code must fit the record. */
static int decode_tb(struct tbs_reader *r, size_t off, uint32_t size,
                     struct tbs_record_view *out)
{
    struct tbs_tb_view *t = &out->u.tb;
    size_t room = size - TB_SIZE, arrays;
    const char *what = tbs_record_name(out->type);

    TBS_TB_FIELDS(DECODE, t)
    if (r->header.version_minor < 4)
        t->privilege = TBS_PRIV_NONE;   /* padding before 1.4 */
    t->swapped = r->f.swapped;
    t->insn_pc = r->f.buf + off + TB_SIZE;
    t->host_end = t->insn_pc + (size_t)t->icount * sizeof(uint64_t);
    /* icount is 16 bits: icount * 12 cannot overflow a size_t. */
    arrays = (size_t)t->icount * TB_INSN_SIZE;
    if (arrays > room)
        return bad_field(r, off, what, tbs_tb, icount, t->icount,
                         "too large for the record (%u bytes, room for %zu instructions)",
                         size, room / TB_INSN_SIZE);
    if (t->guest_code_size > room - arrays)
        return bad_field(r, off, what, tbs_tb, guest_code_size, t->guest_code_size,
                         "larger than the record (%u bytes, room for %zu bytes of guest "
                         "code after %u instructions)", size, room - arrays, t->icount);
    if (t->guest_code_size > t->guest_size)
        return bad_field(r, off, what, tbs_tb, guest_code_size, t->guest_code_size,
                         "larger than guest_size %u", t->guest_size);
    t->guest_code = t->host_end + (size_t)t->icount * sizeof(uint32_t);
    return 0;
}

/* STATS: the counters; the successor array must fit the record. */
static int decode_stats(struct tbs_reader *r, size_t off, uint32_t size,
                        struct tbs_record_view *out)
{
    struct tbs_stats_view *st = &out->u.stats;
    size_t room = size - STATS_SIZE;
    const char *what = tbs_record_name(out->type);

    TBS_STATS_KEY_FIELDS(DECODE, st)
#define X(name, bits, level) DECODE(st, tbs_stats, name, bits)
    TBS_STATS_COUNTERS(X)
#undef X
    TBS_STATS_SUCC_FIELDS(DECODE, st)
    st->swapped = r->f.swapped;
    st->succ_pc = r->f.buf + off + STATS_SIZE;
    /* Divided, not multiplied: nr_succ * 8 overflows a 32-bit size_t. */
    if (st->nr_succ > room / sizeof(uint64_t))
        return bad_field(r, off, what, tbs_stats, nr_succ, st->nr_succ,
                         "too large for the record (%u bytes, room for %zu successors)",
                         size, room / sizeof(uint64_t));
    return 0;
}

/* TB_IR: the fixed fields; both texts must fit the record. */
static int decode_tb_ir(struct tbs_reader *r, size_t off, uint32_t size,
                        struct tbs_record_view *out)
{
    struct tbs_tb_ir_view *ir = &out->u.tb_ir;
    size_t room = size - TB_IR_SIZE;
    const char *what = tbs_record_name(out->type);

    TBS_TB_IR_FIELDS(DECODE, ir)
    /* Compared one at a time: the sum of two 32-bit lengths may wrap. */
    if (ir->ops_len > room)
        return bad_field(r, off, what, tbs_tb_ir, ops_len, ir->ops_len,
                         "larger than the record (%u bytes, room for %zu bytes of text)",
                         size, room);
    if (ir->ops_opt_len > room - ir->ops_len)
        return bad_field(r, off, what, tbs_tb_ir, ops_opt_len, ir->ops_opt_len,
                         "larger than the record (%u bytes, room for %zu bytes after %u "
                         "of ops)", size, room - ir->ops_len, ir->ops_len);
    ir->ops = (const char *)r->f.buf + off + TB_IR_SIZE;
    ir->ops_opt = ir->ops + ir->ops_len;
    return 0;
}

/*
 * END: the fields of the 40-byte record older writers wrote, and with
 * TBS_END_SIZE bytes or more those added after (end_flags was padding).
 * tbs_reader_next() has checked the size, and a record cut by the end of
 * the file is decoded only with END_SIZE bytes left: every field read lies
 * inside the file.
 */
static void decode_end(struct tbs_reader *r, size_t off, uint32_t size,
                       struct tbs_end_view *e)
{
    TBS_END_FIELDS(DECODE, e)
    e->no_tlb = size < END_SIZE;
    if (e->no_tlb) {
        e->end_flags = 0;
    } else {
        TBS_END_TLB_FIELDS(DECODE, e)   /* several statements: braces */
    }
}

/*
 * Decode a record's fixed part into out and check its fields against the
 * record size.  Runs also on a record cut by the end of the file, to tell
 * corruption from truncation: a record whose own fields contradict its size
 * is corrupt whether or not it is complete.
 */
static int check_fixed(struct recfile *f, size_t off, uint32_t size, void *rec)
{
    struct tbs_reader *r = (struct tbs_reader *)f;
    struct tbs_record_view *out = rec;
    const char *what = tbs_record_name(out->type);

    switch (out->type) {
    case TBS_REC_MAPPING: {
        struct tbs_mapping_view *m = &out->u.mapping;

        TBS_MAPPING_FIELDS(DECODE, m)
        if (r->header.version_minor < 4)
            m->kind = TBS_MAPPING_ELF;  /* padding before 1.4 */
        m->build_id_size = r->f.buf[off + FIELD(tbs_mapping, build_id_size)];
        m->build_id = r->f.buf + off + FIELD(tbs_mapping, build_id);
        if (m->build_id_size > sizeof(((struct tbs_mapping *)0)->build_id))
            return bad_field(r, off, what, tbs_mapping, build_id_size, m->build_id_size,
                             "larger than %zu", sizeof(((struct tbs_mapping *)0)->build_id));
        break;
    }
    case TBS_REC_UNMAP:
        TBS_UNMAP_FIELDS(DECODE, &out->u.unmap)
        break;
    case TBS_REC_TB:
        return decode_tb(r, off, size, out);
    case TBS_REC_FLUSH:
        TBS_FLUSH_FIELDS(DECODE, &out->u.flush)
        break;
    case TBS_REC_END:
        decode_end(r, off, size, &out->u.end);
        break;
    case TBS_REC_STATS:
        return decode_stats(r, off, size, out);
    case TBS_REC_SHADOW_STACK:
        TBS_SHADOW_STACK_FIELDS(DECODE, &out->u.shadow_stack)
        break;
    case TBS_REC_TB_IR:
        return decode_tb_ir(r, off, size, out);
    default:
        break;
    }
    return 0;
}

/* Check what lies after the fixed part of a complete record. */
static int check_variable(struct recfile *f, size_t off, uint32_t size, void *rec)
{
    struct tbs_reader *r = (struct tbs_reader *)f;
    struct tbs_record_view *out = rec;

    if (out->type == TBS_REC_MAPPING) {
        struct tbs_mapping_view *m = &out->u.mapping;
        const uint8_t *path = r->f.buf + off + MAPPING_SIZE;
        const uint8_t *nul = memchr(path, 0, size - MAPPING_SIZE);

        if (!nul)
            return fail(r, -EBADMSG, off + MAPPING_SIZE,
                        "MAPPING path not NUL-terminated at byte offset %zu "
                        "(record at %zu ends at %zu)",
                        off + MAPPING_SIZE, off, off + size);
        m->path = (const char *)path;
        m->path_len = nul - path;
    }
    if (out->type == TBS_REC_TB_IR) {
        const struct tbs_tb_ir_view *ir = &out->u.tb_ir;
        const char *nul = memchr(ir->ops, 0, ir->ops_len);

        if (!nul)
            nul = memchr(ir->ops_opt, 0, ir->ops_opt_len);
        if (nul)
            return fail(r, -EBADMSG, (const uint8_t *)nul - r->f.buf,
                        "TB_IR text holds a NUL at byte offset %zu (record at %zu: "
                        "ops_len %u, ops_opt_len %u)", (size_t)((const uint8_t *)nul - r->f.buf),
                        off, ir->ops_len, ir->ops_opt_len);
    }
    return 0;
}

/*
 * The record's prefix and its size, against its type's.  An unknown type
 * passes: it may be a newer writer's record being written, so when cut by
 * the end of the file it counts as truncated like known ones, unless
 * implausibly big (recfile_next_record()).
 */
static int check_prefix(struct recfile *f, size_t off, size_t rem, void *rec, uint32_t *sizep,
                        size_t *fixedp)
{
    struct tbs_reader *r = (struct tbs_reader *)f;
    struct tbs_record_view *out = rec;
    uint32_t type, size;
    const char *what;
    size_t min;

    memset(out, 0, sizeof(*out));
    out->offset = off;
    out->raw = r->f.buf + off;
    if (rem < PREFIX_SIZE)
        return fail(r, -ENODATA, off,
                    "truncated record at byte offset %zu (record needs at least %zu bytes, "
                    "%zu left)", off, PREFIX_SIZE, rem);

    type = rd32(r, off + FIELD(tbs_record, type));
    size = rd32(r, off + FIELD(tbs_record, size));
    what = tbs_record_name(type);
    out->type = type;
    out->size = size;
    if (size < PREFIX_SIZE || size % 8)
        return fail(r, -EBADMSG, off + FIELD(tbs_record, size),
                    "record size %u at byte offset %zu invalid "
                    "(must be a multiple of 8, at least %zu)",
                    size, off + FIELD(tbs_record, size), PREFIX_SIZE);
    min = record_min_size(type);
    if (size < min)
        return fail(r, -EBADMSG, off + FIELD(tbs_record, size),
                    "%s record size %u too small at byte offset %zu (at least %zu)",
                    what, size, off + FIELD(tbs_record, size), min);
    if (type == TBS_REC_END && size != TBS_END_SIZE_NO_TLB && size < END_SIZE)
        return fail(r, -EBADMSG, off + FIELD(tbs_record, size),
                    "%s record size %u invalid at byte offset %zu (%zu, or at least %zu)",
                    what, size, off + FIELD(tbs_record, size), TBS_END_SIZE_NO_TLB, END_SIZE);
    *sizep = size;
    *fixedp = record_fixed_size(type);
    return 0;
}

int tbs_reader_next(struct tbs_reader *r, struct tbs_record_view *out)
{
    static const struct recfile_format format = {
        check_prefix, check_fixed, check_variable, TBS_RECORD_SIZE_PLAUSIBLE,
    };

    return recfile_next_record(&r->f, &format, out);
}

RECFILE_READER_DEFINE(tbs_reader, struct tbs_header, parse_header)
