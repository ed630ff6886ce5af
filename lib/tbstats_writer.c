/*
 * tbstats_writer.c: the side-file writer (see tbstats_writer.h).
 *
 * Each call computes the size of what it writes, reserves that many zeroed
 * bytes at the end of the buffer (so padding and reserved fields are zero)
 * and stores the fields at their offsets from tbstats-format.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tbstats_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "growbuf.h"
#include "tbstats-records.h"

#define FIELD(type, field) offsetof(struct type, field)
/* For the lists of tbstats-records.h: store one field of the record at p. */
#define ENCODE(v, type, name, bits) bytes_store##bits(w->swap, p + FIELD(type, name), (v)->name);
#define ROUND8(n) (((n) + 7) & ~(size_t)7)

struct tbs_writer {
    bool swap;
    struct growbuf out;
};

int tbs_writer_open_mem(unsigned flags, struct tbs_writer **writerp)
{
    struct tbs_writer *w;

    *writerp = NULL;
    if (flags & ~TBS_WRITER_SWAP)
        return -EINVAL;
    w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->swap = flags & TBS_WRITER_SWAP;
    *writerp = w;
    return 0;
}

void tbs_writer_close(struct tbs_writer *w)
{
    if (!w)
        return;
    free(w->out.p);
    free(w);
}

const uint8_t *tbs_writer_data(const struct tbs_writer *w, size_t *len)
{
    *len = w->out.len;
    return w->out.p;
}

/* n zeroed bytes appended to the buffer, or NULL (nothing appended). */
static uint8_t *reserve(struct tbs_writer *w, size_t n)
{
    if (growbuf_append(&w->out, NULL, n, 256))
        return NULL;
    return w->out.p + w->out.len - n;
}

/* Reserve a record of size bytes (header size <= UINT32_MAX) with its prefix. */
static uint8_t *begin_record(struct tbs_writer *w, uint32_t type, size_t size)
{
    uint8_t *p;

    if (size > UINT32_MAX)
        return NULL;
    p = reserve(w, size);
    if (!p)
        return NULL;
    bytes_store32(w->swap, p + FIELD(tbs_record, type), type);
    bytes_store32(w->swap, p + FIELD(tbs_record, size), (uint32_t)size);
    return p;
}

int tbs_writer_write_header(struct tbs_writer *w, const struct tbs_header *h)
{
    size_t size = h->header_size ? h->header_size : sizeof(struct tbs_file_header);
    uint8_t *p;

    if (size < sizeof(struct tbs_file_header))
        return -EINVAL;
    p = reserve(w, size);
    if (!p)
        return -ENOMEM;
    bytes_store32(w->swap, p + FIELD(tbs_file_header, magic), TBS_MAGIC);
    bytes_store16(w->swap, p + FIELD(tbs_file_header, version_major),
                  h->version_major ? h->version_major : TBS_VERSION_MAJOR);
    bytes_store16(w->swap, p + FIELD(tbs_file_header, version_minor), h->version_minor);
    bytes_store32(w->swap, p + FIELD(tbs_file_header, header_size), (uint32_t)size);
    bytes_store32(w->swap, p + FIELD(tbs_file_header, pid), h->pid);
    bytes_store64(w->swap, p + FIELD(tbs_file_header, timestamp), h->timestamp);
    bytes_store16(w->swap, p + FIELD(tbs_file_header, guest_machine), h->guest_machine);
    bytes_store16(w->swap, p + FIELD(tbs_file_header, host_machine), h->host_machine);
    bytes_store32(w->swap, p + FIELD(tbs_file_header, flags), h->flags);
    bytes_store32(w->swap, p + FIELD(tbs_file_header, guest_page_size), h->guest_page_size);
    bytes_store32(w->swap, p + FIELD(tbs_file_header, guest_addr_bits), h->guest_addr_bits);
    memcpy(p + FIELD(tbs_file_header, guest_arch), h->guest_arch,
           strnlen(h->guest_arch, sizeof(h->guest_arch) - 1));
    memcpy(p + FIELD(tbs_file_header, qemu_version), h->qemu_version,
           strnlen(h->qemu_version, sizeof(h->qemu_version) - 1));
    return 0;
}

int tbs_writer_write_mapping(struct tbs_writer *w, const struct tbs_mapping_view *m)
{
    size_t path_len = m->path ? m->path_len : 0;
    uint8_t *p;

    if (m->build_id_size > sizeof(((struct tbs_mapping *)0)->build_id) ||
        (m->build_id_size && !m->build_id) ||
        (path_len && memchr(m->path, 0, path_len)) ||
        path_len > UINT32_MAX)
        return -EINVAL;
    p = begin_record(w, TBS_REC_MAPPING, ROUND8(sizeof(struct tbs_mapping) + path_len + 1));
    if (!p)
        return -ENOMEM;
    TBS_MAPPING_FIELDS(ENCODE, m)
    p[FIELD(tbs_mapping, build_id_size)] = m->build_id_size;
    if (m->build_id_size)
        memcpy(p + FIELD(tbs_mapping, build_id), m->build_id, m->build_id_size);
    if (path_len)
        memcpy(p + sizeof(struct tbs_mapping), m->path, path_len);
    return 0;
}

int tbs_writer_write_unmap(struct tbs_writer *w, const struct tbs_unmap_view *u)
{
    uint8_t *p = begin_record(w, TBS_REC_UNMAP, sizeof(struct tbs_unmap));

    if (!p)
        return -ENOMEM;
    TBS_UNMAP_FIELDS(ENCODE, u)
    return 0;
}

int tbs_writer_write_tb(struct tbs_writer *w, const struct tbs_tb_view *tb,
                        const uint64_t *insn_pc, const uint32_t *host_end)
{
    size_t arrays = (size_t)tb->icount * (sizeof(uint64_t) + sizeof(uint32_t));
    uint8_t *p, *pcs, *ends;

    if (tb->icount && (!insn_pc || !host_end))
        return -EINVAL;
    p = begin_record(w, TBS_REC_TB,
                     ROUND8(sizeof(struct tbs_tb) + arrays + (size_t)tb->guest_code_size));
    if (!p)
        return -ENOMEM;
    TBS_TB_FIELDS(ENCODE, tb)
    pcs = p + sizeof(struct tbs_tb);
    ends = pcs + (size_t)tb->icount * sizeof(uint64_t);
    for (size_t i = 0; i < tb->icount; i++) {
        bytes_store64(w->swap, pcs + i * sizeof(uint64_t), insn_pc[i]);
        bytes_store32(w->swap, ends + i * sizeof(uint32_t), host_end[i]);
    }
    if (tb->guest_code && tb->guest_code_size)
        memcpy(ends + (size_t)tb->icount * sizeof(uint32_t), tb->guest_code,
               tb->guest_code_size);
    return 0;
}

int tbs_writer_write_flush(struct tbs_writer *w, uint64_t timestamp)
{
    uint8_t *p = begin_record(w, TBS_REC_FLUSH, sizeof(struct tbs_flush));

    if (!p)
        return -ENOMEM;
    bytes_store64(w->swap, p + FIELD(tbs_flush, timestamp), timestamp);
    return 0;
}

int tbs_writer_write_stats(struct tbs_writer *w, const struct tbs_stats_view *st,
                           const uint64_t *succ_pc)
{
    uint8_t *p, *succ;

    if ((st->nr_succ && !succ_pc) ||
        st->nr_succ > (UINT32_MAX - sizeof(struct tbs_stats)) / sizeof(uint64_t))
        return -EINVAL;
    p = begin_record(w, TBS_REC_STATS,
                     sizeof(struct tbs_stats) + (size_t)st->nr_succ * sizeof(uint64_t));
    if (!p)
        return -ENOMEM;
    TBS_STATS_KEY_FIELDS(ENCODE, st)
#define X(name, bits, level) ENCODE(st, tbs_stats, name, bits)
    TBS_STATS_COUNTERS(X)
#undef X
    TBS_STATS_SUCC_FIELDS(ENCODE, st)
    succ = p + sizeof(struct tbs_stats);
    for (uint32_t i = 0; i < st->nr_succ; i++)
        bytes_store64(w->swap, succ + (size_t)i * sizeof(uint64_t), succ_pc[i]);
    return 0;
}

int tbs_writer_write_tb_ir(struct tbs_writer *w, const struct tbs_tb_ir_view *ir)
{
    uint64_t text = (uint64_t)ir->ops_len + ir->ops_opt_len;
    uint8_t *p;

    if ((ir->ops_len && !ir->ops) || (ir->ops_opt_len && !ir->ops_opt) ||
        text > UINT32_MAX - sizeof(struct tbs_tb_ir) - 7)
        return -EINVAL;
    p = begin_record(w, TBS_REC_TB_IR, (sizeof(struct tbs_tb_ir) + text + 7) & ~(size_t)7);
    if (!p)
        return -ENOMEM;
    TBS_TB_IR_FIELDS(ENCODE, ir)
    if (ir->ops_len)
        memcpy(p + sizeof(struct tbs_tb_ir), ir->ops, ir->ops_len);
    if (ir->ops_opt_len)
        memcpy(p + sizeof(struct tbs_tb_ir) + ir->ops_len, ir->ops_opt, ir->ops_opt_len);
    return 0;
}

int tbs_writer_write_shadow_stack(struct tbs_writer *w,
                                  const struct tbs_shadow_stack_loc_view *loc)
{
    uint8_t *p = begin_record(w, TBS_REC_SHADOW_STACK, sizeof(struct tbs_shadow_stack_loc));

    if (!p)
        return -ENOMEM;
    TBS_SHADOW_STACK_FIELDS(ENCODE, loc)
    return 0;
}

int tbs_writer_write_end(struct tbs_writer *w, const struct tbs_end_view *e)
{
    uint8_t *p = begin_record(w, TBS_REC_END, e->no_tlb ? TBS_END_SIZE_NO_TLB : TBS_END_SIZE);
    struct tbs_end_view v = *e;

    if (!p)
        return -ENOMEM;
    if (v.no_tlb) {
        v.end_flags = 0;        /* padding in the older record */
        TBS_END_FIELDS(ENCODE, &v)
    } else {
        TBS_END_FIELDS(ENCODE, &v)
        TBS_END_TLB_FIELDS(ENCODE, &v)
    }
    return 0;
}

int tbs_writer_write_raw(struct tbs_writer *w, uint32_t type, const void *payload, size_t len)
{
    uint8_t *p;

    if (len > UINT32_MAX - sizeof(struct tbs_record) || (len && !payload))
        return -EINVAL;
    p = begin_record(w, type, sizeof(struct tbs_record) + len);
    if (!p)
        return -ENOMEM;
    if (len)
        memcpy(p + sizeof(struct tbs_record), payload, len);
    return 0;
}
