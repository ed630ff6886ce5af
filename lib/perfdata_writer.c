/*
 * perfdata_writer.c: the perf.data writer (see perfdata_writer.h).
 *
 * Records are built in a fixed buffer (an event is at most 65535 bytes),
 * then appended to the output buffer, or to a staging buffer that is
 * compressed chunk by chunk into one zstd stream when compression is on.
 * A file writer flushes its output buffer to the stream every megabyte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "perfdata_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "bytes.h"
#include "growbuf.h"
#include "perfdata_swap.h"

#define FLUSH_AT     (1u << 20)
#define CHUNK_MAX    32768u
#define ZREC_MAX     65000u     /* compressed bytes per record */

struct wattr {
    struct perf_event_attr attr;
    char *name;
    uint64_t *ids;
    size_t nr_ids;
};

/* A record being built; ovf when it would exceed 65535 bytes. */
struct rec {
    uint8_t b[65536 + 64];
    size_t n;
    bool ovf;
    bool swap;
};

struct pd_writer {
    unsigned flags;
    bool swap;
    FILE *f;                    /* NULL for memory */
    bool own_f;
    int64_t f_start;            /* offset of the file's byte 0 in f */
    uint64_t flushed;           /* bytes already written to f */
    struct growbuf out;
    int err;                    /* sticky */
    bool committed, finished;

    struct wattr *attrs;
    size_t nr_attrs;
    uint64_t data_off;

    ZSTD_CStream *zcs;
    int zlevel;
    size_t chunk;
    struct growbuf stage;
    uint8_t *zout;
    size_t zout_cap;

    char **argv;
    size_t argc;
    bool has_clock;
    uint64_t res_ns, wall_ns, clk_ns;
    int32_t clockid;
    struct pd_build_id *bids;
    char **bid_names;
    size_t nr_bids;
    char *strings[HEADER_LAST_FEATURE];     /* string features by id, NULL: none */
    bool has_nrcpus, has_sample_time;
    uint32_t nr_cpus_avail, nr_cpus_online;
    uint64_t first_sample, last_sample;

    struct rec rec;
};

/* Output, staging and feature buffers start at 64 KiB. */
#define GB_FIRST 65536

static int gb_append(struct growbuf *g, const void *p, size_t n)
{
    return growbuf_append(g, p, n, GB_FIRST);
}

static uint64_t cur_off(const struct pd_writer *w)
{
    return w->flushed + w->out.len;
}

static int out_flush(struct pd_writer *w)
{
    if (!w->f || !w->out.len)
        return 0;
    if (fwrite(w->out.p, 1, w->out.len, w->f) != w->out.len)
        return w->err = -EIO;
    w->flushed += w->out.len;
    w->out.len = 0;
    return 0;
}

static int out_append(struct pd_writer *w, const void *p, size_t n)
{
    int err = gb_append(&w->out, p, n);

    if (err)
        return w->err = err;
    if (w->f && w->out.len >= FLUSH_AT)
        return out_flush(w);
    return 0;
}

/* --- building records -------------------------------------------------------- */

static void r_bytes(struct rec *r, const void *p, size_t n)
{
    if (r->ovf || n > 65535 - r->n) {
        r->ovf = true;
        return;
    }
    if (p)
        memcpy(r->b + r->n, p, n);
    else
        memset(r->b + r->n, 0, n);
    r->n += n;
}

/* Append the low size bytes of v in the file's byte order. */
static void r_uint(struct rec *r, uint64_t v, unsigned size)
{
    uint8_t b[8];

    bytes_store(r->swap, b, v, size);
    r_bytes(r, b, size);
}

#define r_u16(r, v) r_uint(r, v, 2)
#define r_u32(r, v) r_uint(r, v, 4)
#define r_u64(r, v) r_uint(r, v, 8)

static void r_begin(struct pd_writer *w, uint32_t type, uint16_t misc)
{
    struct rec *r = &w->rec;

    r->n = 0;
    r->ovf = false;
    r->swap = w->swap;
    r_u32(r, type);
    r_u16(r, misc);
    r_u16(r, 0);
}

/* Store the record's size in its header. */
static void r_set_size(struct rec *r)
{
    bytes_store16(r->swap, r->b + 6, (uint16_t)r->n);
}

/* Pad the record to 8 bytes and store its size. */
static int r_end(struct pd_writer *w, struct rec *r)
{
    while (!r->ovf && r->n % 8)
        r_bytes(r, "", 1);
    if (r->ovf)
        return -EINVAL;
    r_set_size(r);
    (void)w;
    return 0;
}

/* --- compression ----------------------------------------------------------------- */

static int emit_compressed(struct pd_writer *w, const uint8_t *p, size_t n)
{
    while (n) {
        size_t k = n < ZREC_MAX ? n : ZREC_MAX;
        struct rec *r = &w->rec;
        int err;

        if (w->flags & PD_WRITER_COMPRESSED2) {
            r_begin(w, PERF_RECORD_COMPRESSED2, 0);
            r_u64(r, k);
            r_bytes(r, p, k);
            if ((err = r_end(w, r)))
                return err;
        } else {
            r_begin(w, PERF_RECORD_COMPRESSED, 0);
            r_bytes(r, p, k);
            r_set_size(r);
        }
        if ((err = out_append(w, r->b, r->n)))
            return err;
        p += k;
        n -= k;
    }
    return 0;
}

/* Compress n staged bytes from src, ending the chunk with a flush. */
static int compress_chunk(struct pd_writer *w, const uint8_t *src, size_t n)
{
    ZSTD_inBuffer in = { src, n, 0 };
    size_t ret;

    do {
        ZSTD_outBuffer out = { w->zout, w->zout_cap, 0 };

        ret = ZSTD_compressStream2(w->zcs, &out, &in, ZSTD_e_flush);
        if (ZSTD_isError(ret))
            return w->err = -EIO;
        if (out.pos && emit_compressed(w, w->zout, out.pos))
            return w->err;
    } while (ret != 0 || in.pos < in.size);
    return 0;
}

/* Compress the staged events: whole chunks, or everything when all. */
static int stage_flush(struct pd_writer *w, bool all)
{
    size_t done = 0;
    int err;

    while (w->stage.len - done >= w->chunk || (all && done < w->stage.len)) {
        size_t n = w->stage.len - done < w->chunk ? w->stage.len - done : w->chunk;

        if ((err = compress_chunk(w, w->stage.p + done, n)))
            return err;
        done += n;
    }
    memmove(w->stage.p, w->stage.p + done, w->stage.len - done);
    w->stage.len -= done;
    return 0;
}

/* --- attrs and events -------------------------------------------------------------- */

/* Write the id arrays and the attrs: the data starts after them. */
static int commit_attrs(struct pd_writer *w)
{
    uint64_t ids_off = cur_off(w);
    int err;

    if (w->committed)
        return 0;
    w->committed = true;
    for (size_t i = 0; i < w->nr_attrs; i++)
        for (size_t j = 0; j < w->attrs[i].nr_ids; j++) {
            uint8_t v[8];

            bytes_store64(w->swap, v, w->attrs[i].ids[j]);
            if ((err = out_append(w, v, sizeof(v))))
                return err;
        }
    /* Not in w->rec: this runs while the first event is built there. */
    for (size_t i = 0; i < w->nr_attrs; i++) {
        uint8_t tmp[sizeof(struct perf_event_attr) + 16];
        uint8_t *sec = tmp + sizeof(struct perf_event_attr);

        memcpy(tmp, &w->attrs[i].attr, sizeof(struct perf_event_attr));
        if (w->swap)
            perf_attr_bswap(tmp, sizeof(struct perf_event_attr));
        bytes_store64(w->swap, sec, ids_off);
        bytes_store64(w->swap, sec + 8, 8 * w->attrs[i].nr_ids);
        ids_off += 8 * w->attrs[i].nr_ids;
        if ((err = out_append(w, tmp, sizeof(tmp))))
            return err;
    }
    w->data_off = cur_off(w);
    return 0;
}

static uint64_t attrs_offset(const struct pd_writer *w)
{
    return w->data_off - w->nr_attrs * (sizeof(struct perf_event_attr) + 16);
}

static int emit(struct pd_writer *w)
{
    int err;

    if (w->err)
        return w->err;
    if (w->finished)
        return -EINVAL;
    if ((err = r_end(w, &w->rec)))
        return err;
    if ((err = commit_attrs(w)))
        return err;
    if (w->zcs) {
        if ((err = gb_append(&w->stage, w->rec.b, w->rec.n)))
            return w->err = err;
        return stage_flush(w, false);
    }
    return out_append(w, w->rec.b, w->rec.n);
}

static const struct perf_event_attr *get_attr(struct pd_writer *w, int attr)
{
    return attr >= 0 && (size_t)attr < w->nr_attrs ? &w->attrs[attr].attr : NULL;
}

static void put_sample_id(struct pd_writer *w, const struct perf_event_attr *a,
                          const struct pd_sample_id *sid)
{
    static const struct pd_sample_id zero;
    struct rec *r = &w->rec;
    uint64_t st = a->sample_type;

    if (!a->sample_id_all)
        return;
    if (!sid)
        sid = &zero;
    if (st & PERF_SAMPLE_TID) {
        r_u32(r, sid->pid);
        r_u32(r, sid->tid);
    }
    if (st & PERF_SAMPLE_TIME)
        r_u64(r, sid->time);
    if (st & PERF_SAMPLE_ID)
        r_u64(r, sid->id);
    if (st & PERF_SAMPLE_STREAM_ID)
        r_u64(r, sid->stream_id);
    if (st & PERF_SAMPLE_CPU) {
        r_u32(r, sid->cpu);
        r_u32(r, 0);
    }
    if (st & PERF_SAMPLE_IDENTIFIER)
        r_u64(r, sid->id);
}

/* PERF_SAMPLE_READ: the read values as read_format rf lays them out. */
static void put_read(struct rec *r, uint64_t rf, const struct pd_sample *s)
{
    uint64_t nr = rf & PERF_FORMAT_GROUP ? s->read.nr : 1;

    if (rf & PERF_FORMAT_GROUP)
        r_u64(r, nr);
    if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
        r_u64(r, s->read.time_enabled);
    if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
        r_u64(r, s->read.time_running);
    for (uint64_t i = 0; i < nr && !r->ovf; i++) {
        r_u64(r, s->read.values ? s->read.values[i].value : 0);
        if (rf & PERF_FORMAT_ID)
            r_u64(r, s->read.values ? s->read.values[i].id : 0);
        if (rf & PERF_FORMAT_LOST)
            r_u64(r, s->read.values ? s->read.values[i].lost : 0);
    }
}

/* PERF_SAMPLE_BRANCH_STACK: the count, hw_idx if the attr asks, the entries. */
static void put_branch_stack(struct rec *r, const struct perf_event_attr *a,
                             const struct pd_sample *s)
{
    r_u64(r, s->branch_nr);
    if (a->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX)
        r_u64(r, s->branch_hw_idx);
    for (uint64_t i = 0; i < s->branch_nr && !r->ovf; i++) {
        r_u64(r, s->branches[i].from);
        r_u64(r, s->branches[i].to);
        r_u64(r, s->branches[i].flags);
    }
}

int pd_writer_sample(struct pd_writer *w, int attr, const struct pd_sample *s)
{
    const struct perf_event_attr *a = get_attr(w, attr);
    struct rec *r = &w->rec;
    uint64_t st;

    if (!a)
        return -EINVAL;
    st = a->sample_type;
    r_begin(w, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
    if (st & PERF_SAMPLE_IDENTIFIER)
        r_u64(r, s->id);
    if (st & PERF_SAMPLE_IP)
        r_u64(r, s->ip);
    if (st & PERF_SAMPLE_TID) {
        r_u32(r, s->pid);
        r_u32(r, s->tid);
    }
    if (st & PERF_SAMPLE_TIME)
        r_u64(r, s->time);
    if (st & PERF_SAMPLE_ADDR)
        r_u64(r, s->addr);
    if (st & PERF_SAMPLE_ID)
        r_u64(r, s->id);
    if (st & PERF_SAMPLE_STREAM_ID)
        r_u64(r, s->stream_id);
    if (st & PERF_SAMPLE_CPU) {
        r_u32(r, s->cpu);
        r_u32(r, s->cpu_res);
    }
    if (st & PERF_SAMPLE_PERIOD)
        r_u64(r, s->period);
    if (st & PERF_SAMPLE_READ)
        put_read(r, a->read_format, s);
    if (st & PERF_SAMPLE_CALLCHAIN) {
        r_u64(r, s->callchain_nr);
        for (uint64_t i = 0; i < s->callchain_nr && !r->ovf; i++)
            r_u64(r, s->callchain[i]);
    }
    if (st & PERF_SAMPLE_RAW) {
        r_u32(r, s->raw_size);
        r_bytes(r, s->raw, s->raw_size);
    }
    if (st & PERF_SAMPLE_BRANCH_STACK)
        put_branch_stack(r, a, s);
    if (st & PERF_SAMPLE_REGS_USER) {
        r_u64(r, s->user_regs_abi);
        if (s->user_regs_abi)
            for (int i = 0; i < __builtin_popcountll(a->sample_regs_user); i++)
                r_u64(r, s->user_regs[i]);
    }
    if (st & PERF_SAMPLE_STACK_USER) {
        r_u64(r, s->stack_user_size);
        if (s->stack_user_size > 65535)
            r->ovf = true;
        else
            r_bytes(r, s->stack_user, s->stack_user_size);
        if (s->stack_user_size)
            r_u64(r, s->stack_user_dyn_size);
    }
    if (st & PERF_SAMPLE_WEIGHT_TYPE)
        r_u64(r, s->weight);
    if (st & PERF_SAMPLE_DATA_SRC)
        r_u64(r, s->data_src);
    if (st & PERF_SAMPLE_TRANSACTION)
        r_u64(r, s->transaction);
    if (st & PERF_SAMPLE_REGS_INTR) {
        r_u64(r, s->intr_regs_abi);
        if (s->intr_regs_abi)
            for (int i = 0; i < __builtin_popcountll(a->sample_regs_intr); i++)
                r_u64(r, s->intr_regs[i]);
    }
    if (st & PERF_SAMPLE_PHYS_ADDR)
        r_u64(r, s->phys_addr);
    if (st & PERF_SAMPLE_CGROUP)
        r_u64(r, s->cgroup);
    if (st & PERF_SAMPLE_DATA_PAGE_SIZE)
        r_u64(r, s->data_page_size);
    if (st & PERF_SAMPLE_CODE_PAGE_SIZE)
        r_u64(r, s->code_page_size);
    if (st & PERF_SAMPLE_AUX) {
        r_u64(r, s->aux_size);
        if (s->aux_size > 65535)
            r->ovf = true;
        else
            r_bytes(r, s->aux, s->aux_size);
    }
    return emit(w);
}

static int write_mmap(struct pd_writer *w, uint32_t type, int attr, uint16_t misc,
                      const struct pd_mmap *m, const struct pd_sample_id *sid)
{
    const struct perf_event_attr *a = get_attr(w, attr);
    struct rec *r = &w->rec;
    size_t n = strlen(m->filename) + 1;

    if (!a)
        return -EINVAL;
    r_begin(w, type, misc);
    r_u32(r, m->pid);
    r_u32(r, m->tid);
    r_u64(r, m->start);
    r_u64(r, m->len);
    r_u64(r, m->pgoff);
    if (type == PERF_RECORD_MMAP2) {
        if (misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
            uint8_t b[24] = { m->build_id_size };

            memcpy(b + 4, m->build_id, 20);
            r_bytes(r, b, 24);
        } else {
            r_u32(r, m->maj);
            r_u32(r, m->min);
            r_u64(r, m->ino);
            r_u64(r, m->ino_generation);
        }
        r_u32(r, m->prot);
        r_u32(r, m->flags);
    }
    r_bytes(r, m->filename, n);
    r_bytes(r, NULL, (8 - n % 8) % 8);
    put_sample_id(w, a, sid);
    return emit(w);
}

int pd_writer_mmap(struct pd_writer *w, int attr, uint16_t misc, const struct pd_mmap *m,
                   const struct pd_sample_id *sid)
{
    return write_mmap(w, PERF_RECORD_MMAP, attr, misc, m, sid);
}

int pd_writer_mmap2(struct pd_writer *w, int attr, uint16_t misc, const struct pd_mmap *m,
                    const struct pd_sample_id *sid)
{
    return write_mmap(w, PERF_RECORD_MMAP2, attr, misc, m, sid);
}

int pd_writer_comm(struct pd_writer *w, int attr, uint16_t misc, uint32_t pid, uint32_t tid,
                   const char *comm, const struct pd_sample_id *sid)
{
    const struct perf_event_attr *a = get_attr(w, attr);
    struct rec *r = &w->rec;
    size_t n = strlen(comm) + 1;

    if (!a)
        return -EINVAL;
    r_begin(w, PERF_RECORD_COMM, misc);
    r_u32(r, pid);
    r_u32(r, tid);
    r_bytes(r, comm, n);
    r_bytes(r, NULL, (8 - n % 8) % 8);
    put_sample_id(w, a, sid);
    return emit(w);
}

static int write_task(struct pd_writer *w, uint32_t type, int attr, const struct pd_task *t,
                      const struct pd_sample_id *sid)
{
    const struct perf_event_attr *a = get_attr(w, attr);
    struct rec *r = &w->rec;

    if (!a)
        return -EINVAL;
    r_begin(w, type, 0);
    r_u32(r, t->pid);
    r_u32(r, t->ppid);
    r_u32(r, t->tid);
    r_u32(r, t->ptid);
    r_u64(r, t->time);
    put_sample_id(w, a, sid);
    return emit(w);
}

int pd_writer_fork(struct pd_writer *w, int attr, const struct pd_task *t,
                   const struct pd_sample_id *sid)
{
    return write_task(w, PERF_RECORD_FORK, attr, t, sid);
}

int pd_writer_exit(struct pd_writer *w, int attr, const struct pd_task *t,
                   const struct pd_sample_id *sid)
{
    return write_task(w, PERF_RECORD_EXIT, attr, t, sid);
}

int pd_writer_lost(struct pd_writer *w, int attr, const struct pd_lost *l,
                   const struct pd_sample_id *sid)
{
    const struct perf_event_attr *a = get_attr(w, attr);

    if (!a)
        return -EINVAL;
    r_begin(w, PERF_RECORD_LOST, 0);
    r_u64(&w->rec, l->id);
    r_u64(&w->rec, l->lost);
    put_sample_id(w, a, sid);
    return emit(w);
}

int pd_writer_raw(struct pd_writer *w, uint32_t type, uint16_t misc, const void *payload, size_t len)
{
    r_begin(w, type, misc);
    r_bytes(&w->rec, payload, len);
    return emit(w);
}

int pd_writer_finished_round(struct pd_writer *w)
{
    int err;

    if (w->err)
        return w->err;
    if (w->finished)
        return -EINVAL;
    if ((err = commit_attrs(w)))
        return err;
    if (w->zcs && (err = stage_flush(w, true)))
        return err;
    r_begin(w, PERF_RECORD_FINISHED_ROUND, 0);
    r_end(w, &w->rec);
    return out_append(w, w->rec.b, w->rec.n);
}

/* --- set-up ------------------------------------------------------------------------ */

static int writer_new(unsigned flags, struct pd_writer **writerp)
{
    static const uint8_t zero[sizeof(struct perf_file_header)];
    struct pd_writer *w;

    *writerp = NULL;
    if (flags & ~(PD_WRITER_SWAP | PD_WRITER_COMPRESSED2))
        return -EINVAL;
    if (!(w = calloc(1, sizeof(*w))))
        return -ENOMEM;
    w->flags = flags;
    w->swap = flags & PD_WRITER_SWAP;
    if (gb_append(&w->out, zero, sizeof(zero))) {
        free(w);
        return -ENOMEM;
    }
    *writerp = w;
    return 0;
}

int pd_writer_open_mem(unsigned flags, struct pd_writer **writerp)
{
    return writer_new(flags, writerp);
}

int pd_writer_open_stream(FILE *stream, unsigned flags, struct pd_writer **writerp)
{
    int err = writer_new(flags, writerp);

    if (err)
        return err;
    (*writerp)->f = stream;
    (*writerp)->f_start = ftello(stream);
    if ((*writerp)->f_start < 0)
        (*writerp)->f_start = 0;
    return 0;
}

int pd_writer_open(const char *path, unsigned flags, struct pd_writer **writerp)
{
    FILE *f;
    int err;

    if (flags & ~(PD_WRITER_SWAP | PD_WRITER_COMPRESSED2))
        return -EINVAL;
    if (!(f = fopen(path, "wb")))
        return -errno;
    if ((err = pd_writer_open_stream(f, flags, writerp))) {
        fclose(f);
        return err;
    }
    (*writerp)->own_f = true;
    return 0;
}

int pd_writer_set_compression(struct pd_writer *w, int level, size_t chunk)
{
    if (w->committed || chunk > CHUNK_MAX)
        return -EINVAL;
    w->chunk = chunk ? chunk : CHUNK_MAX;
    w->zlevel = level ? level : 1;
    if (!w->zcs && !(w->zcs = ZSTD_createCStream()))
        return -ENOMEM;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(w->zcs, ZSTD_c_compressionLevel, w->zlevel)))
        return -EINVAL;
    w->zout_cap = ZSTD_compressBound(CHUNK_MAX) + 1024;
    if (!w->zout && !(w->zout = malloc(w->zout_cap)))
        return -ENOMEM;
    return 0;
}

int pd_writer_add_attr(struct pd_writer *w, const struct perf_event_attr *attr,
                       const char *name, const uint64_t *ids, size_t nr_ids)
{
    struct wattr *na, *a;

    if (w->committed || nr_ids > SIZE_MAX / 16)
        return -EINVAL;
    if (!(na = realloc(w->attrs, (w->nr_attrs + 1) * sizeof(*na))))
        return -ENOMEM;
    w->attrs = na;
    a = &na[w->nr_attrs];
    memset(a, 0, sizeof(*a));
    a->attr = *attr;
    if (!a->attr.size)
        a->attr.size = sizeof(a->attr);
    if ((name && !(a->name = strdup(name))) ||
        !(a->ids = malloc(nr_ids ? nr_ids * 8 : 1))) {
        free(a->name);
        return -ENOMEM;
    }
    if (nr_ids)
        memcpy(a->ids, ids, nr_ids * 8);
    a->nr_ids = nr_ids;
    return (int)w->nr_attrs++;
}

static void free_strings(char **v, size_t n)
{
    if (v)
        for (size_t i = 0; i < n; i++)
            free(v[i]);
    free(v);
}

int pd_writer_set_cmdline(struct pd_writer *w, size_t argc, const char *const *argv)
{
    char **v = calloc(argc + 1, sizeof(*v));

    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < argc; i++)
        if (!(v[i] = strdup(argv[i]))) {
            free_strings(v, argc);
            return -ENOMEM;
        }
    free_strings(w->argv, w->argc);
    w->argv = v;
    w->argc = argc;
    return 0;
}

int pd_writer_set_clockid(struct pd_writer *w, uint64_t res_ns, int32_t clockid,
                          uint64_t wall_clock_ns, uint64_t clockid_time_ns)
{
    w->has_clock = true;
    w->res_ns = res_ns;
    w->clockid = clockid;
    w->wall_ns = wall_clock_ns;
    w->clk_ns = clockid_time_ns;
    return 0;
}

int pd_writer_set_build_ids(struct pd_writer *w, const struct pd_build_id *ids, size_t nr)
{
    struct pd_build_id *b = calloc(nr ? nr : 1, sizeof(*b));
    char **names = calloc(nr ? nr : 1, sizeof(*names));

    if (!b || !names) {
        free(b);
        free(names);
        return -ENOMEM;
    }
    for (size_t i = 0; i < nr; i++) {
        b[i] = ids[i];
        if (!(names[i] = strdup(ids[i].filename ? ids[i].filename : ""))) {
            free(b);
            free_strings(names, nr);
            return -ENOMEM;
        }
        b[i].filename = names[i];
    }
    free(w->bids);
    free_strings(w->bid_names, w->nr_bids);
    w->bids = b;
    w->bid_names = names;
    w->nr_bids = nr;
    return 0;
}

static bool is_string_feature(unsigned id)
{
    return id == HEADER_HOSTNAME || id == HEADER_OSRELEASE || id == HEADER_VERSION ||
           id == HEADER_ARCH || id == HEADER_CPUDESC || id == HEADER_CPUID;
}

int pd_writer_set_string(struct pd_writer *w, unsigned id, const char *s)
{
    char *copy = NULL;

    if (!is_string_feature(id))
        return -EINVAL;
    if (s && !(copy = strdup(s)))
        return -ENOMEM;
    free(w->strings[id]);
    w->strings[id] = copy;
    return 0;
}

int pd_writer_set_nrcpus(struct pd_writer *w, uint32_t available, uint32_t online)
{
    w->has_nrcpus = true;
    w->nr_cpus_avail = available;
    w->nr_cpus_online = online;
    return 0;
}

int pd_writer_set_sample_time(struct pd_writer *w, uint64_t first, uint64_t last)
{
    w->has_sample_time = true;
    w->first_sample = first;
    w->last_sample = last;
    return 0;
}

/* --- finishing ------------------------------------------------------------------------ */

/* Append the low size bytes of v in the file's byte order; -ENOMEM into *err. */
static void g_uint(struct growbuf *g, bool swap, uint64_t v, unsigned size, int *err)
{
    if (growbuf_append_uint(g, swap, v, size, GB_FIRST))
        *err = -ENOMEM;
}

#define g_u32(g, swap, v, err) g_uint(g, swap, v, 4, err)
#define g_u64(g, swap, v, err) g_uint(g, swap, v, 8, err)

/* Bytes of s with its NUL, padded to PERF_NAME_ALIGN as perf stores names. */
static size_t name_padded_size(const char *s)
{
    return (strlen(s) + 1 + PERF_NAME_ALIGN - 1) / PERF_NAME_ALIGN * PERF_NAME_ALIGN;
}

/* s and its NUL, zero-padded to padded bytes; false (and *err) when out of memory. */
static bool g_padded(struct growbuf *g, const char *s, size_t padded, int *err)
{
    size_t n = strlen(s) + 1;

    if (gb_append(g, s, n) || gb_append(g, NULL, padded - n)) {
        *err = -ENOMEM;
        return false;
    }
    return true;
}

/* A feature string: u32 len (NUL included, padded to 64), then the bytes. */
static void g_string(struct growbuf *g, bool swap, const char *s, int *err)
{
    size_t padded = name_padded_size(s);

    g_u32(g, swap, (uint32_t)padded, err);
    g_padded(g, s, padded, err);
}

/* HEADER_BUILD_ID: one perf_record_build_id per entry, file name padded. */
static void build_id_bytes(const struct pd_writer *w, struct growbuf *g, int *err)
{
    bool sw = w->swap;

    for (size_t i = 0; i < w->nr_bids; i++) {
        const struct pd_build_id *b = &w->bids[i];
        size_t padded = name_padded_size(b->filename);
        size_t size = sizeof(struct perf_record_build_id) + padded;
        uint8_t id20[24] = { 0 }, misc_size[4];

        g_u32(g, sw, PERF_RECORD_HEADER_BUILD_ID, err);
        bytes_store16(sw, misc_size, b->misc | PERF_RECORD_MISC_BUILD_ID_SIZE);
        bytes_store16(sw, misc_size + 2, (uint16_t)size);
        if (gb_append(g, misc_size, sizeof(misc_size)))
            *err = -ENOMEM;
        g_u32(g, sw, (uint32_t)b->pid, err);
        memcpy(id20, b->build_id, 20);
        id20[20] = b->size;
        if (gb_append(g, id20, sizeof(id20)))
            *err = -ENOMEM;
        if (!g_padded(g, b->filename, padded, err))
            return;
    }
}

/* HEADER_EVENT_DESC: per attr the attr itself, its name and its ids. */
static void event_desc_bytes(const struct pd_writer *w, struct growbuf *g, int *err)
{
    bool sw = w->swap;

    g_u32(g, sw, (uint32_t)w->nr_attrs, err);
    g_u32(g, sw, sizeof(struct perf_event_attr), err);
    for (size_t i = 0; i < w->nr_attrs; i++) {
        uint8_t tmp[sizeof(struct perf_event_attr)];

        memcpy(tmp, &w->attrs[i].attr, sizeof(tmp));
        if (sw)
            perf_attr_bswap(tmp, sizeof(tmp));
        if (gb_append(g, tmp, sizeof(tmp)))
            *err = -ENOMEM;
        g_u32(g, sw, (uint32_t)w->attrs[i].nr_ids, err);
        g_string(g, sw, w->attrs[i].name ? w->attrs[i].name : "", err);
        for (size_t j = 0; j < w->attrs[i].nr_ids; j++)
            g_u64(g, sw, w->attrs[i].ids[j], err);
    }
}

/* The contents of feature id into g; false when the writer has none. */
static bool feature_bytes(struct pd_writer *w, unsigned id, struct growbuf *g, int *err)
{
    bool sw = w->swap;

    if (is_string_feature(id)) {
        if (!w->strings[id])
            return false;
        g_string(g, sw, w->strings[id], err);
        return true;
    }
    switch (id) {
    case HEADER_BUILD_ID:
        if (!w->nr_bids)
            return false;
        build_id_bytes(w, g, err);
        return true;
    case HEADER_CMDLINE:
        if (!w->argv)
            return false;
        g_u32(g, sw, (uint32_t)w->argc, err);
        for (size_t i = 0; i < w->argc; i++)
            g_string(g, sw, w->argv[i], err);
        return true;
    case HEADER_EVENT_DESC:
        if (!w->nr_attrs)
            return false;
        event_desc_bytes(w, g, err);
        return true;
    case HEADER_NRCPUS:
        if (!w->has_nrcpus)
            return false;
        g_u32(g, sw, w->nr_cpus_avail, err);
        g_u32(g, sw, w->nr_cpus_online, err);
        return true;
    case HEADER_SAMPLE_TIME:
        if (!w->has_sample_time)
            return false;
        g_u64(g, sw, w->first_sample, err);
        g_u64(g, sw, w->last_sample, err);
        return true;
    case HEADER_CLOCKID:
        if (!w->has_clock)
            return false;
        g_u64(g, sw, w->res_ns, err);
        return true;
    case HEADER_CLOCK_DATA:
        if (!w->has_clock)
            return false;
        g_u32(g, sw, 1, err);
        g_u32(g, sw, (uint32_t)w->clockid, err);
        g_u64(g, sw, w->wall_ns, err);
        g_u64(g, sw, w->clk_ns, err);
        return true;
    case HEADER_COMPRESSED:
        if (!w->zcs)
            return false;
        g_u32(g, sw, 0, err);
        g_u32(g, sw, PERF_COMP_ZSTD, err);
        g_u32(g, sw, (uint32_t)w->zlevel, err);
        g_u32(g, sw, 1, err);
        g_u32(g, sw, (uint32_t)w->chunk, err);
        return true;
    default:
        return false;
    }
}

int pd_writer_finish(struct pd_writer *w)
{
    struct growbuf contents[HEADER_LAST_FEATURE] = { { 0 } };
    uint64_t feat[4] = { 0 }, data_size, off;
    struct perf_file_header h;
    bool have[HEADER_LAST_FEATURE];
    size_t nfeat = 0;
    int err = 0;

    if (w->finished)
        return w->err;
    if (w->err)
        goto out;
    if ((err = commit_attrs(w)) || (w->zcs && (err = stage_flush(w, true))))
        goto out;
    data_size = cur_off(w) - w->data_off;
    /* The section table lists the features in bit order. */
    for (unsigned i = 0; i < HEADER_LAST_FEATURE; i++) {
        have[i] = feature_bytes(w, i, &contents[i], &err);
        if (have[i]) {
            feat[i / 64] |= 1ull << (i % 64);
            nfeat++;
        }
    }
    if (err)
        goto out;
    off = cur_off(w) + 16 * nfeat;
    for (size_t i = 0; i < HEADER_LAST_FEATURE && !err; i++)
        if (have[i]) {
            uint8_t s[16];

            bytes_store64(w->swap, s, off);
            bytes_store64(w->swap, s + 8, contents[i].len);
            err = out_append(w, s, sizeof(s));
            off += contents[i].len;
        }
    for (size_t i = 0; i < HEADER_LAST_FEATURE && !err; i++)
        if (have[i])
            err = out_append(w, contents[i].p, contents[i].len);
    if (err)
        goto out;

    memset(&h, 0, sizeof(h));
    h.magic = PERF_FILE_MAGIC2;
    h.size = sizeof(h);
    h.attr_size = sizeof(struct perf_event_attr) + 16;
    h.attrs.offset = attrs_offset(w);
    h.attrs.size = w->nr_attrs * h.attr_size;
    h.data.offset = w->data_off;
    h.data.size = data_size;
    memcpy(h.adds_features, feat, sizeof(feat));
    if (w->swap) {
        uint64_t *p = (uint64_t *)&h;

        for (size_t i = 0; i < sizeof(h) / 8; i++)
            p[i] = __builtin_bswap64(p[i]);
    }
    if (!w->f) {
        memcpy(w->out.p, &h, sizeof(h));
    } else if ((err = out_flush(w)) == 0) {
        if (fseeko(w->f, w->f_start, SEEK_SET) || fwrite(&h, 1, sizeof(h), w->f) != sizeof(h) ||
            fseeko(w->f, 0, SEEK_END) || fflush(w->f))
            err = -EIO;
    }
out:
    for (size_t i = 0; i < HEADER_LAST_FEATURE; i++)
        free(contents[i].p);
    w->finished = true;
    if (err && !w->err)
        w->err = err;
    return w->err;
}

const uint8_t *pd_writer_data(const struct pd_writer *w, size_t *len)
{
    if (w->f) {
        *len = 0;
        return NULL;
    }
    *len = w->out.len;
    return w->out.p;
}

int pd_writer_close(struct pd_writer *w)
{
    int err;

    if (!w)
        return 0;
    err = pd_writer_finish(w);
    if (w->own_f && fclose(w->f) && !err)
        err = -EIO;
    for (size_t i = 0; i < w->nr_attrs; i++) {
        free(w->attrs[i].name);
        free(w->attrs[i].ids);
    }
    free(w->attrs);
    ZSTD_freeCStream(w->zcs);
    free(w->zout);
    free(w->stage.p);
    free(w->out.p);
    free_strings(w->argv, w->argc);
    free(w->bids);
    free_strings(w->bid_names, w->nr_bids);
    for (size_t i = 0; i < HEADER_LAST_FEATURE; i++)
        free(w->strings[i]);
    free(w);
    return err;
}
