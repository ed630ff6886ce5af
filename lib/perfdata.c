/*
 * perfdata.c: the perf.data reader (see perfdata.h).
 *
 * Fields are read with bytes.h's memcpy() loaders, swapped when the magic
 * says the file is in the other byte order.  Sizes are compared by
 * subtraction from known-good bounds, never by adding untrusted values.
 * Records of the data section are taken straight from the mapped file;
 * events of compressed records from a fixed decompression window that the
 * zstd stream is decompressed into as far as the next event needs, so
 * memory does not depend on what a compressed record expands to.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "perfdata.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "array.h"
#include "bytes.h"
#include "growbuf.h"
#include "perfdata_swap.h"
#include "recfile.h"

#define HEADER_SIZE   sizeof(struct perf_file_header)
#define EVHDR         sizeof(struct perf_event_header)
#define DWIN_SIZE     (256u * 1024)          /* decompression window */
/* Decoded arrays of one event: read values expand 8 bytes to 24 at most. */
#define SCRATCH_SIZE  (3u * 65536 + 64)
#define ATTR_SIZE_MAX 4096u

struct id_map {
    uint64_t id;
    size_t idx;
};

/* An event queued for ordered delivery. */
struct queued {
    uint64_t time;
    size_t seq;
    const uint8_t *ptr;         /* in the file, or NULL: in the arena */
    size_t arena_off;
    uint64_t offset;
    uint32_t flags;
    uint16_t size;
};

struct pd_reader {
    struct recfile f;           /* the input and the last error */
    struct pd_header header;

    struct pd_attr *attrs;
    size_t nr_attrs;
    uint64_t *ids;              /* all attrs' ids, host order */
    struct id_map *idmap;       /* sorted by id */
    size_t nr_idmap;
    char **names;
    int event_desc;             /* 1 parsed, 0 absent, -EBADMSG */
    int sample_id_pos;          /* u64 index of the id in a sample, -1: none */
    int trailer_id_pos;         /* u64 index from the end of a trailer, -1 */

    struct perf_file_section feat[PERF_HEADER_FEAT_BITS];
    bool has_feat[PERF_HEADER_FEAT_BITS];
    const char **argv;
    size_t argc;
    int cmdline_state;          /* 0 not parsed yet, 1, or -EBADMSG */
    struct pd_build_id *build_ids;
    ssize_t nr_build_ids;
    bool build_ids_parsed;

    size_t data_end;
    bool data_truncated;
    bool done;
    int result;                 /* sticky end result: 0 or -errno */

    ZSTD_DStream *zds;
    bool zactive;
    const uint8_t *zin;
    size_t zin_size, zin_pos;
    uint64_t zrec_off;
    uint8_t *dwin;
    size_t dlen, dpos;

    uint8_t *scratch;
    size_t scratch_used;

    bool ordered;
    struct queued *q;
    size_t qn, qcap, qi;
    struct growbuf arena;       /* copies of queued compressed events */
    int q_end;                  /* what to return after the queue: 1 more, 0, -errno */
    uint64_t last_time;
};

static uint16_t rd16(const struct pd_reader *r, const uint8_t *p) { return bytes_load16(r->f.swapped, p); }
static uint32_t rd32(const struct pd_reader *r, const uint8_t *p) { return bytes_load32(r->f.swapped, p); }
static uint64_t rd64(const struct pd_reader *r, const uint8_t *p) { return bytes_load64(r->f.swapped, p); }

/* Record the error, its message and offset; returns err for tail calls. */
#define fail(r, ...) recfile_fail(&(r)->f, __VA_ARGS__)

const char *pd_record_name(uint32_t type)
{
    static const char *const names[] = {
        [PERF_RECORD_MMAP] = "MMAP", [PERF_RECORD_LOST] = "LOST",
        [PERF_RECORD_COMM] = "COMM", [PERF_RECORD_EXIT] = "EXIT",
        [PERF_RECORD_THROTTLE] = "THROTTLE", [PERF_RECORD_UNTHROTTLE] = "UNTHROTTLE",
        [PERF_RECORD_FORK] = "FORK", [PERF_RECORD_READ] = "READ",
        [PERF_RECORD_SAMPLE] = "SAMPLE", [PERF_RECORD_MMAP2] = "MMAP2",
        [PERF_RECORD_AUX] = "AUX", [PERF_RECORD_ITRACE_START] = "ITRACE_START",
        [PERF_RECORD_LOST_SAMPLES] = "LOST_SAMPLES", [PERF_RECORD_SWITCH] = "SWITCH",
        [PERF_RECORD_SWITCH_CPU_WIDE] = "SWITCH_CPU_WIDE", [PERF_RECORD_NAMESPACES] = "NAMESPACES",
        [PERF_RECORD_KSYMBOL] = "KSYMBOL", [PERF_RECORD_BPF_EVENT] = "BPF_EVENT",
        [PERF_RECORD_CGROUP] = "CGROUP", [PERF_RECORD_TEXT_POKE] = "TEXT_POKE",
        [PERF_RECORD_AUX_OUTPUT_HW_ID] = "AUX_OUTPUT_HW_ID",
        [PERF_RECORD_HEADER_ATTR] = "HEADER_ATTR", [PERF_RECORD_HEADER_EVENT_TYPE] = "HEADER_EVENT_TYPE",
        [PERF_RECORD_HEADER_TRACING_DATA] = "HEADER_TRACING_DATA",
        [PERF_RECORD_HEADER_BUILD_ID] = "HEADER_BUILD_ID",
        [PERF_RECORD_FINISHED_ROUND] = "FINISHED_ROUND", [PERF_RECORD_ID_INDEX] = "ID_INDEX",
        [PERF_RECORD_AUXTRACE_INFO] = "AUXTRACE_INFO", [PERF_RECORD_AUXTRACE] = "AUXTRACE",
        [PERF_RECORD_AUXTRACE_ERROR] = "AUXTRACE_ERROR", [PERF_RECORD_THREAD_MAP] = "THREAD_MAP",
        [PERF_RECORD_CPU_MAP] = "CPU_MAP", [PERF_RECORD_STAT_CONFIG] = "STAT_CONFIG",
        [PERF_RECORD_STAT] = "STAT", [PERF_RECORD_STAT_ROUND] = "STAT_ROUND",
        [PERF_RECORD_EVENT_UPDATE] = "EVENT_UPDATE", [PERF_RECORD_TIME_CONV] = "TIME_CONV",
        [PERF_RECORD_HEADER_FEATURE] = "HEADER_FEATURE", [PERF_RECORD_COMPRESSED] = "COMPRESSED",
        [PERF_RECORD_FINISHED_INIT] = "FINISHED_INIT", [PERF_RECORD_COMPRESSED2] = "COMPRESSED2",
    };

    return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

const char *pd_feature_name(unsigned id)
{
    static const char *const names[HEADER_LAST_FEATURE] = {
        [HEADER_TRACING_DATA] = "TRACING_DATA", [HEADER_BUILD_ID] = "BUILD_ID",
        [HEADER_HOSTNAME] = "HOSTNAME", [HEADER_OSRELEASE] = "OSRELEASE",
        [HEADER_VERSION] = "VERSION", [HEADER_ARCH] = "ARCH", [HEADER_NRCPUS] = "NRCPUS",
        [HEADER_CPUDESC] = "CPUDESC", [HEADER_CPUID] = "CPUID", [HEADER_TOTAL_MEM] = "TOTAL_MEM",
        [HEADER_CMDLINE] = "CMDLINE", [HEADER_EVENT_DESC] = "EVENT_DESC",
        [HEADER_CPU_TOPOLOGY] = "CPU_TOPOLOGY", [HEADER_NUMA_TOPOLOGY] = "NUMA_TOPOLOGY",
        [HEADER_BRANCH_STACK] = "BRANCH_STACK", [HEADER_PMU_MAPPINGS] = "PMU_MAPPINGS",
        [HEADER_GROUP_DESC] = "GROUP_DESC", [HEADER_AUXTRACE] = "AUXTRACE", [HEADER_STAT] = "STAT",
        [HEADER_CACHE] = "CACHE", [HEADER_SAMPLE_TIME] = "SAMPLE_TIME",
        [HEADER_MEM_TOPOLOGY] = "MEM_TOPOLOGY", [HEADER_CLOCKID] = "CLOCKID",
        [HEADER_DIR_FORMAT] = "DIR_FORMAT", [HEADER_BPF_PROG_INFO] = "BPF_PROG_INFO",
        [HEADER_BPF_BTF] = "BPF_BTF", [HEADER_COMPRESSED] = "COMPRESSED",
        [HEADER_CPU_PMU_CAPS] = "CPU_PMU_CAPS", [HEADER_CLOCK_DATA] = "CLOCK_DATA",
        [HEADER_HYBRID_TOPOLOGY] = "HYBRID_TOPOLOGY", [HEADER_PMU_CAPS] = "PMU_CAPS",
    };

    return id < HEADER_LAST_FEATURE ? names[id] : NULL;
}

/* Is [off, off + size) inside the input? */
static bool in_file(const struct pd_reader *r, uint64_t off, uint64_t size)
{
    return off <= r->f.len && size <= r->f.len - off;
}

/* --- open ------------------------------------------------------------------- */

static int cmp_idmap(const void *a, const void *b)
{
    const struct id_map *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

static int parse_attrs(struct pd_reader *r)
{
    const struct pd_header *h = &r->header;
    size_t nr, total_ids = 0, k = 0;

    if (h->attr_size < 16 + PERF_ATTR_SIZE_VER0 || h->attr_size > ATTR_SIZE_MAX)
        return fail(r, -EBADMSG, 16, "bad attr_size at byte offset 16 (%llu)",
                    (unsigned long long)h->attr_size);
    if (!in_file(r, h->attrs_offset, h->attrs_size))
        return fail(r, h->attrs_offset < r->f.len ? -ENODATA : -EBADMSG, 24,
                    "attrs section outside the file at byte offset 24 (offset %llu size %llu, file %zu)",
                    (unsigned long long)h->attrs_offset, (unsigned long long)h->attrs_size, r->f.len);
    if (h->attrs_size % h->attr_size)
        return fail(r, -EBADMSG, 32, "bad attrs section size at byte offset 32 (%llu not a multiple of %llu)",
                    (unsigned long long)h->attrs_size, (unsigned long long)h->attr_size);
    nr = h->attrs_size / h->attr_size;
    r->attrs = calloc(nr ? nr : 1, sizeof(*r->attrs));
    r->names = calloc(nr ? nr : 1, sizeof(*r->names));
    if (!r->attrs || !r->names)
        return -ENOMEM;
    r->nr_attrs = nr;
    for (size_t i = 0; i < nr; i++) {
        size_t off = h->attrs_offset + i * h->attr_size;
        const uint8_t *sec = r->f.buf + off + h->attr_size - 16;
        uint64_t ids_off = rd64(r, sec), ids_size = rd64(r, sec + 8);

        if (!in_file(r, ids_off, ids_size) || ids_size % 8)
            return fail(r, -EBADMSG, off + h->attr_size - 16,
                        "bad ids section of attr %zu at byte offset %llu (offset %llu size %llu)", i,
                        (unsigned long long)(off + h->attr_size - 16),
                        (unsigned long long)ids_off, (unsigned long long)ids_size);
        total_ids += ids_size / 8;      /* each within the file: no overflow */
        /* Disjoint arrays fit in the file; overlapping ones could multiply it. */
        if (total_ids > r->f.len / 8)
            return fail(r, -EBADMSG, off + h->attr_size - 16,
                        "bad ids section of attr %zu at byte offset %llu (ids of all attrs "
                        "exceed the file)", i, (unsigned long long)(off + h->attr_size - 16));
    }
    r->ids = malloc(total_ids ? total_ids * 8 : 1);
    r->idmap = malloc(total_ids ? total_ids * sizeof(*r->idmap) : 1);
    if (!r->ids || !r->idmap)
        return -ENOMEM;
    for (size_t i = 0; i < nr; i++) {
        size_t off = h->attrs_offset + i * h->attr_size;
        size_t avail = h->attr_size - 16;
        const uint8_t *sec = r->f.buf + off + avail;
        uint64_t ids_off = rd64(r, sec), nids = rd64(r, sec + 8) / 8;
        struct pd_attr *a = &r->attrs[i];
        uint8_t tmp[ATTR_SIZE_MAX];
        uint32_t fsize = rd32(r, r->f.buf + off + 4);
        size_t n = fsize ? fsize : PERF_ATTR_SIZE_VER0;

        if (n > avail)
            n = avail;
        memcpy(tmp, r->f.buf + off, n);
        if (r->f.swapped)
            perf_attr_bswap(tmp, n);
        memcpy(&a->attr, tmp, n < sizeof(a->attr) ? n : sizeof(a->attr));
        a->file_attr_size = fsize;
        a->ids = r->ids + k;
        a->nr_ids = nids;
        for (uint64_t j = 0; j < nids; j++, k++) {
            r->ids[k] = rd64(r, r->f.buf + ids_off + 8 * j);
            r->idmap[k].id = r->ids[k];
            r->idmap[k].idx = i;
        }
    }
    r->nr_idmap = k;
    qsort(r->idmap, k, sizeof(*r->idmap), cmp_idmap);

    r->sample_id_pos = r->trailer_id_pos = -1;
    if (nr) {
        uint64_t st = r->attrs[0].attr.sample_type;

        if (st & PERF_SAMPLE_IDENTIFIER) {
            r->sample_id_pos = 0;
            r->trailer_id_pos = 1;
        } else if (st & PERF_SAMPLE_ID) {
            r->sample_id_pos = __builtin_popcountll(st & (PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                                                         PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR));
            r->trailer_id_pos = 1 + !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU);
        }
    }
    return 0;
}

/* A feature string at *pp (u32 len, len bytes with a NUL); NULL when bad. */
static const char *feat_string(const struct pd_reader *r, const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    uint32_t n;

    if (end - p < 4)
        return NULL;
    n = rd32(r, p);
    p += 4;
    if (n > (size_t)(end - p) || !memchr(p, 0, n))
        return NULL;
    *pp = p + n;
    return (const char *)p;
}

/* EVENT_DESC: names of the attrs, by index.  Malformed: names stay NULL. */
static void parse_event_desc(struct pd_reader *r)
{
    const uint8_t *p, *end;
    size_t size;
    uint32_t nr, asz;

    if (!pd_reader_feature(r, HEADER_EVENT_DESC, &p, &size))
        return;
    end = p + size;
    r->event_desc = -EBADMSG;
    if (size < 8)
        return;
    nr = rd32(r, p);
    asz = rd32(r, p + 4);
    p += 8;
    for (uint32_t i = 0; i < nr; i++) {
        const char *name;
        uint32_t nids;

        if ((size_t)(end - p) < asz || (size_t)(end - p - asz) < 4)
            return;
        p += asz;
        nids = rd32(r, p);
        p += 4;
        if (!(name = feat_string(r, &p, end)) || nids > (size_t)(end - p) / 8)
            return;
        p += 8 * (size_t)nids;
        if (i < r->nr_attrs && !r->names[i]) {
            if (!(r->names[i] = strdup(name)))
                return;
            r->attrs[i].name = r->names[i];
        }
    }
    r->event_desc = 1;
}

static int parse_header(struct pd_reader *r)
{
    static const char magic[8] = "PERFILE2";
    struct pd_header *h = &r->header;
    uint64_t m, nfeat = 0;
    const uint8_t *b = r->f.buf;

    if (r->f.len < 8) {
        if (!memcmp(b, magic, r->f.len) || (r->f.len && !memcmp(b, "2ELIFREP", r->f.len)))
            return fail(r, -ENODATA, 0, "truncated header at byte offset 0 (%zu bytes)", r->f.len);
        return fail(r, -EBADMSG, 0, "bad magic at byte offset 0 (not a perf.data file)");
    }
    memcpy(&m, b, 8);
    if (m == PERF_FILE_MAGIC2) {
        r->f.swapped = false;
    } else if (m == PERF_FILE_MAGIC2_SWAPPED) {
        r->f.swapped = true;
    } else if (!memcmp(b, "PERFFILE", 8)) {
        return fail(r, -ENOTSUP, 0, "unsupported format at byte offset 0 (PERFFILE version 1)");
    } else {
        return fail(r, -EBADMSG, 0, "bad magic at byte offset 0 (not a perf.data file)");
    }
    h->swapped = r->f.swapped;
    h->big_endian = (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != r->f.swapped;
    if (r->f.len < 16)
        return fail(r, -ENODATA, 8, "truncated header at byte offset 8 (%zu bytes)", r->f.len);
    h->header_size = rd64(r, b + 8);
    if (h->header_size == 16)
        return fail(r, -ENOTSUP, 8, "unsupported format at byte offset 8 (pipe-mode perf.data)");
    if (h->header_size < HEADER_SIZE)
        return fail(r, -EBADMSG, 8, "bad header size at byte offset 8 (%llu)",
                        (unsigned long long)h->header_size);
    if (r->f.len < HEADER_SIZE)
        return fail(r, -ENODATA, 0, "truncated header at byte offset 0 (%zu of %zu bytes)",
                    r->f.len, HEADER_SIZE);
    h->attr_size = rd64(r, b + 16);
    h->attrs_offset = rd64(r, b + 24);
    h->attrs_size = rd64(r, b + 32);
    h->data_offset = rd64(r, b + 40);
    h->data_size = rd64(r, b + 48);
    for (int i = 0; i < 4; i++)
        h->features[i] = rd64(r, b + 72 + 8 * i);

    if (h->data_offset > r->f.len)
        return fail(r, -ENODATA, 40, "data section past the end at byte offset 40 (offset %llu, file %zu)",
                    (unsigned long long)h->data_offset, r->f.len);
    if (h->data_offset < HEADER_SIZE)
        return fail(r, -EBADMSG, 40, "bad data offset at byte offset 40 (%llu)",
                    (unsigned long long)h->data_offset);
    r->f.pos = h->data_offset;
    if (h->data_size == 0) {
        h->data_size_unset = true;
        r->data_end = r->f.len;
        h->data_size = r->f.len - h->data_offset;
        memset(h->features, 0, sizeof(h->features));
    } else if (h->data_size > r->f.len - h->data_offset) {
        r->data_truncated = true;
        r->data_end = r->f.len;
    } else {
        r->data_end = h->data_offset + h->data_size;
    }

    int err = parse_attrs(r);
    if (err)
        return err;

    /* The feature table: one section per bit, in bit order. */
    for (int i = 0; i < 4; i++)
        nfeat += __builtin_popcountll(h->features[i]);
    if (nfeat && !h->data_size_unset) {
        uint64_t toff = h->data_offset + h->data_size;  /* may lie past the end */

        if (r->data_truncated || !in_file(r, toff, nfeat * 16)) {
            h->features_truncated = true;
        } else {
            const uint8_t *t = b + toff;

            for (unsigned id = 0; id < PERF_HEADER_FEAT_BITS; id++) {
                if (!(h->features[id / 64] >> (id % 64) & 1))
                    continue;
                r->feat[id].offset = rd64(r, t);
                r->feat[id].size = rd64(r, t + 8);
                t += 16;
                if (in_file(r, r->feat[id].offset, r->feat[id].size))
                    r->has_feat[id] = true;
                else
                    h->features_truncated = true;
            }
        }
    }
    parse_event_desc(r);
    return 0;
}

static int reader_new(const char *name, struct pd_reader **readerp)
{
    struct pd_reader *r = calloc(1, sizeof(*r));

    *readerp = NULL;
    if (!r)
        return -ENOMEM;
    r->scratch = malloc(SCRATCH_SIZE);
    r->dwin = malloc(DWIN_SIZE);
    if (recfile_init(&r->f, name) || !r->scratch || !r->dwin) {
        pd_reader_close(r);
        return -ENOMEM;
    }
    r->q_end = 1;
    *readerp = r;
    return 0;
}

static int reader_start(struct pd_reader *r)
{
    int err = parse_header(r);

    if (err) {
        r->done = true;
        r->result = err;
        if (err == -ENOMEM)
            fail(r, err, 0, "out of memory");
    }
    return err;
}

int pd_reader_open_mem(const void *buf, size_t len, const char *name,
                       struct pd_reader **readerp)
{
    struct pd_reader *r;
    int err = reader_new(name, &r);

    if (err)
        return err;
    r->f.buf = buf;
    r->f.len = len;
    *readerp = r;
    return reader_start(r);
}

int pd_reader_open(const char *path, struct pd_reader **readerp)
{
    struct pd_reader *r;
    int err = reader_new(path, &r);

    if (err)
        return err;
    *readerp = r;
    err = recfile_load(&r->f, path);
    if (err) {
        r->done = true;
        r->result = err;
        return err;
    }
    return reader_start(r);
}

void pd_reader_close(struct pd_reader *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t i = 0; i < r->nr_attrs; i++)
            free(r->names[i]);
    free(r->names);
    free(r->attrs);
    free(r->ids);
    free(r->idmap);
    free(r->argv);
    free(r->build_ids);
    ZSTD_freeDStream(r->zds);
    free(r->dwin);
    free(r->scratch);
    free(r->q);
    free(r->arena.p);
    recfile_fini(&r->f);
    free(r);
}

const char *pd_reader_strerror(const struct pd_reader *r) { return r->f.errmsg; }
uint64_t pd_reader_error_offset(const struct pd_reader *r) { return r->f.error ? r->f.error_offset : 0; }
uint64_t pd_reader_offset(const struct pd_reader *r) { return r->f.pos; }
const struct pd_header *pd_reader_header(const struct pd_reader *r) { return &r->header; }
size_t pd_reader_nr_attrs(const struct pd_reader *r) { return r->nr_attrs; }
int pd_reader_event_desc(const struct pd_reader *r) { return r->event_desc; }

const struct pd_attr *pd_reader_attr(const struct pd_reader *r, size_t i)
{
    return i < r->nr_attrs ? &r->attrs[i] : NULL;
}

void pd_reader_set_ordered(struct pd_reader *r, bool ordered)
{
    r->ordered = ordered;
}

/* --- features ------------------------------------------------------------------ */

int pd_reader_feature(const struct pd_reader *r, unsigned id, const uint8_t **ptr, size_t *size)
{
    if (id >= PERF_HEADER_FEAT_BITS || !r->has_feat[id])
        return 0;
    *ptr = r->f.buf + r->feat[id].offset;
    *size = r->feat[id].size;
    return 1;
}

int pd_reader_cmdline(struct pd_reader *r, size_t *argcp, const char *const **argvp)
{
    const uint8_t *p, *end;
    size_t size;
    uint32_t nr;

    if (!pd_reader_feature(r, HEADER_CMDLINE, &p, &size))
        return 0;
    if (!r->cmdline_state) {
        end = p + size;
        r->cmdline_state = -EBADMSG;
        if (size < 4)
            goto bad;
        nr = rd32(r, p);
        p += 4;
        if (nr > size / 4)
            goto bad;
        r->argv = calloc(nr + 1, sizeof(*r->argv));
        if (!r->argv) {
            r->cmdline_state = 0;
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < nr; i++)
            if (!(r->argv[i] = feat_string(r, &p, end)))
                goto bad;
        r->argc = nr;
        r->cmdline_state = 1;
    }
    if (r->cmdline_state < 0)
        goto bad;
    *argcp = r->argc;
    *argvp = r->argv;
    return 1;
bad:
    return fail(r, -EBADMSG, r->feat[HEADER_CMDLINE].offset,
                "bad CMDLINE feature at byte offset %llu",
                (unsigned long long)r->feat[HEADER_CMDLINE].offset);
}

/*
 * Feature id, whose fixed fields take min bytes, at *pp: 1, 0 when the file
 * has none, or -EBADMSG with the message when it is shorter.
 */
static int fixed_feature(struct pd_reader *r, unsigned id, size_t min, const uint8_t **pp)
{
    size_t size;

    if (!pd_reader_feature(r, id, pp, &size))
        return 0;
    if (size < min)
        return fail(r, -EBADMSG, r->feat[id].offset,
                    "bad %s feature at byte offset %llu (size %zu)",
                    pd_feature_name(id), (unsigned long long)r->feat[id].offset, size);
    return 1;
}

int pd_reader_clockid(struct pd_reader *r, uint64_t *res_ns, int32_t *clockid)
{
    const uint8_t *p;
    size_t size;
    int ret = fixed_feature(r, HEADER_CLOCKID, 8, &p);

    if (ret <= 0)
        return ret;
    *res_ns = rd64(r, p);
    *clockid = -1;
    if (pd_reader_feature(r, HEADER_CLOCK_DATA, &p, &size) && size >= 24)
        *clockid = (int32_t)rd32(r, p + 4);
    return 1;
}

ssize_t pd_reader_build_ids(struct pd_reader *r, const struct pd_build_id **idsp)
{
    const uint8_t *p, *start, *end;
    size_t size, n = 0;

    *idsp = NULL;
    if (!pd_reader_feature(r, HEADER_BUILD_ID, &start, &size))
        return 0;
    if (!r->build_ids_parsed) {
        const size_t fixed = sizeof(struct perf_record_build_id);

        end = start + size;
        /* First pass checks and counts, the second fills. */
        for (p = start; p < end; ) {
            uint16_t sz;

            if ((size_t)(end - p) < fixed || (sz = rd16(r, p + 6)) < fixed + 1 ||
                sz > (size_t)(end - p) || !memchr(p + fixed, 0, sz - fixed)) {
                r->nr_build_ids = fail(r, -EBADMSG, p - r->f.buf,
                                       "bad BUILD_ID entry at byte offset %zu", (size_t)(p - r->f.buf));
                r->build_ids_parsed = true;
                return r->nr_build_ids;
            }
            p += sz;
            n++;
        }
        r->build_ids = calloc(n ? n : 1, sizeof(*r->build_ids));
        if (!r->build_ids)
            return -ENOMEM;
        n = 0;
        for (p = start; p < end; p += rd16(r, p + 6), n++) {
            struct pd_build_id *b = &r->build_ids[n];

            b->misc = rd16(r, p + 4);
            b->pid = (int32_t)rd32(r, p + 8);
            memcpy(b->build_id, p + 12, 20);
            b->size = b->misc & PERF_RECORD_MISC_BUILD_ID_SIZE ? p[32] : 20;
            if (b->size > 20)
                b->size = 20;
            b->filename = (const char *)p + fixed;
        }
        r->nr_build_ids = n;
        r->build_ids_parsed = true;
    }
    *idsp = r->build_ids;
    return r->nr_build_ids;
}

int pd_reader_compressed(struct pd_reader *r, struct pd_compressed *out)
{
    const uint8_t *p;
    int ret = fixed_feature(r, HEADER_COMPRESSED, 20, &p);

    if (ret <= 0)
        return ret;
    out->version = rd32(r, p);
    out->type = rd32(r, p + 4);
    out->level = rd32(r, p + 8);
    out->ratio = rd32(r, p + 12);
    out->mmap_len = rd32(r, p + 16);
    return 1;
}

/* --- decoding one record ----------------------------------------------------- */

/* A bounds-checked cursor over a record's fields. */
struct cur {
    const struct pd_reader *r;
    const uint8_t *p, *end;
    bool bad;
};

static uint64_t c64(struct cur *c)
{
    uint64_t v;

    if (c->end - c->p < 8) {
        c->bad = true;
        c->p = c->end;
        return 0;
    }
    v = rd64(c->r, c->p);
    c->p += 8;
    return v;
}

/* Two u32 in one u64 slot (pid/tid, cpu/res): each swapped on its own. */
static void c32x2(struct cur *c, uint32_t *a, uint32_t *b)
{
    if (c->end - c->p < 8) {
        c->bad = true;
        c->p = c->end;
        return;
    }
    *a = rd32(c->r, c->p);
    *b = rd32(c->r, c->p + 4);
    c->p += 8;
}

/* n bytes as they are; NULL (and bad) when fewer are left. */
static const uint8_t *cbytes(struct cur *c, uint64_t n)
{
    const uint8_t *p = c->p;

    if ((uint64_t)(c->end - c->p) < n) {
        c->bad = true;
        c->p = c->end;
        return NULL;
    }
    c->p += n;
    return p;
}

/* Room for n items of size sz in the scratch area: the event's arrays. */
static void *scratch_get(struct pd_reader *r, size_t n, size_t sz)
{
    void *p;

    if (n > (SCRATCH_SIZE - r->scratch_used) / sz)
        return NULL;
    p = r->scratch + r->scratch_used;
    r->scratch_used += (n * sz + 7) & ~(size_t)7;
    return p;
}

/* nr u64 from the cursor into scratch in host order; false when they do not fit. */
static const uint64_t *c64_array(struct pd_reader *r, struct cur *c, uint64_t nr)
{
    uint64_t *a;

    if (nr > (uint64_t)(c->end - c->p) / 8 || !(a = scratch_get(r, nr, 8))) {
        c->bad = true;
        return NULL;
    }
    for (uint64_t i = 0; i < nr; i++)
        a[i] = c64(c);
    return a;
}

static const struct pd_attr *attr_by_id(const struct pd_reader *r, uint64_t id)
{
    size_t lo = 0, hi = r->nr_idmap;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->idmap[mid].id == id)
            return &r->attrs[r->idmap[mid].idx];
        if (r->idmap[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int bad_record(struct pd_reader *r, const struct pd_event *ev, const char *what)
{
    return fail(r, -EBADMSG, ev->offset, "bad %s record at byte offset %llu%s (%s, size %u)",
                pd_record_name(ev->type) ? pd_record_name(ev->type) : "unknown",
                (unsigned long long)ev->offset,
                ev->flags & PD_EVENT_COMPRESSED ? " (compressed)" : "", what, ev->size);
}

/*
 * PERF_SAMPLE_READ: the read values laid out by read_format rf, into
 * scratch.  Returns false when they run past the end of the record.
 */
static bool parse_read(struct pd_reader *r, struct cur *c, uint64_t rf, struct pd_sample *s)
{
    uint64_t nr = 1, per;
    struct pd_read_value *v;

    if (rf & PERF_FORMAT_GROUP)
        nr = c64(c);
    if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
        s->read.time_enabled = c64(c);
    if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
        s->read.time_running = c64(c);
    per = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
    if (c->bad || nr > (uint64_t)(c->end - c->p) / (8 * per) ||
        !(v = scratch_get(r, nr, sizeof(*v))))
        return false;
    for (uint64_t i = 0; i < nr; i++) {
        v[i].value = c64(c);
        v[i].id = rf & PERF_FORMAT_ID ? c64(c) : 0;
        v[i].lost = rf & PERF_FORMAT_LOST ? c64(c) : 0;
    }
    s->read.nr = nr;
    s->read.values = v;
    return true;
}

/*
 * PERF_SAMPLE_BRANCH_STACK: the count, hw_idx when the attr asks for it,
 * and the entries into scratch.  Returns false when they run past the end.
 */
static bool parse_branch_stack(struct pd_reader *r, struct cur *c,
                               const struct perf_event_attr *a, struct pd_sample *s)
{
    struct pd_branch_entry *b;

    s->branch_nr = c64(c);
    if (a->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX) {
        s->branch_has_hw_idx = true;
        s->branch_hw_idx = c64(c);
    }
    if (c->bad || s->branch_nr > (uint64_t)(c->end - c->p) / 24 ||
        !(b = scratch_get(r, s->branch_nr, sizeof(*b))))
        return false;
    for (uint64_t i = 0; i < s->branch_nr; i++) {
        b[i].from = c64(c);
        b[i].to = c64(c);
        b[i].flags = c64(c);
    }
    s->branches = b;
    return true;
}

static int parse_sample(struct pd_reader *r, struct pd_event *ev)
{
    const struct perf_event_attr *a = &ev->attr->attr;
    uint64_t st = a->sample_type;
    struct pd_sample *s = &ev->u.sample;
    struct cur c = { r, ev->raw + EVHDR, ev->raw + ev->size, false };

    s->sample_type = st;
    if (st & PERF_SAMPLE_IDENTIFIER)
        s->id = c64(&c);
    if (st & PERF_SAMPLE_IP)
        s->ip = c64(&c);
    if (st & PERF_SAMPLE_TID)
        c32x2(&c, &s->pid, &s->tid);
    if (st & PERF_SAMPLE_TIME)
        ev->time = s->time = c64(&c);
    if (st & PERF_SAMPLE_ADDR)
        s->addr = c64(&c);
    if (st & PERF_SAMPLE_ID)
        s->id = c64(&c);
    if (st & PERF_SAMPLE_STREAM_ID)
        s->stream_id = c64(&c);
    if (st & PERF_SAMPLE_CPU)
        c32x2(&c, &s->cpu, &s->cpu_res);
    if (st & PERF_SAMPLE_PERIOD)
        s->period = c64(&c);
    if ((st & PERF_SAMPLE_READ) && !parse_read(r, &c, a->read_format, s))
        return bad_record(r, ev, "read values past the end");
    if (st & PERF_SAMPLE_CALLCHAIN) {
        s->callchain_nr = c64(&c);
        s->callchain = c64_array(r, &c, s->callchain_nr);
        if (c.bad)
            return bad_record(r, ev, "callchain past the end");
    }
    if (st & PERF_SAMPLE_RAW) {
        if (c.end - c.p < 4)
            return bad_record(r, ev, "raw size past the end");
        s->raw_size = rd32(r, c.p);
        c.p += 4;
        s->raw = cbytes(&c, s->raw_size);
    }
    if ((st & PERF_SAMPLE_BRANCH_STACK) && !parse_branch_stack(r, &c, a, s))
        return bad_record(r, ev, "branch stack past the end");
    if (st & PERF_SAMPLE_REGS_USER) {
        s->user_regs_abi = c64(&c);
        if (s->user_regs_abi) {
            s->user_regs_nr = __builtin_popcountll(a->sample_regs_user);
            s->user_regs = c64_array(r, &c, s->user_regs_nr);
        }
    }
    if (st & PERF_SAMPLE_STACK_USER) {
        s->stack_user_size = c64(&c);
        s->stack_user = cbytes(&c, s->stack_user_size);
        if (s->stack_user_size && !c.bad)
            s->stack_user_dyn_size = c64(&c);
    }
    if (st & PERF_SAMPLE_WEIGHT_TYPE)
        s->weight = c64(&c);
    if (st & PERF_SAMPLE_DATA_SRC)
        s->data_src = c64(&c);
    if (st & PERF_SAMPLE_TRANSACTION)
        s->transaction = c64(&c);
    if (st & PERF_SAMPLE_REGS_INTR) {
        s->intr_regs_abi = c64(&c);
        if (s->intr_regs_abi) {
            s->intr_regs_nr = __builtin_popcountll(a->sample_regs_intr);
            s->intr_regs = c64_array(r, &c, s->intr_regs_nr);
        }
    }
    if (st & PERF_SAMPLE_PHYS_ADDR)
        s->phys_addr = c64(&c);
    if (st & PERF_SAMPLE_CGROUP)
        s->cgroup = c64(&c);
    if (st & PERF_SAMPLE_DATA_PAGE_SIZE)
        s->data_page_size = c64(&c);
    if (st & PERF_SAMPLE_CODE_PAGE_SIZE)
        s->code_page_size = c64(&c);
    if (st & PERF_SAMPLE_AUX) {
        s->aux_size = c64(&c);
        s->aux = cbytes(&c, s->aux_size);
    }
    if (c.bad)
        return bad_record(r, ev, "sample fields past the end");
    return 0;
}

/* Bytes of the sample_id_all trailer for sample_type st. */
static size_t trailer_size(uint64_t st)
{
    return 8 * __builtin_popcountll(st & (PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID |
                                          PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU |
                                          PERF_SAMPLE_IDENTIFIER));
}

/* A NUL-terminated string from p to end (the record's body); NULL if none. */
static const char *body_string(const uint8_t *p, const uint8_t *end)
{
    return p < end && memchr(p, 0, end - p) ? (const char *)p : NULL;
}

/*
 * The attr of a record other than a sample, and its sample_id_all trailer
 * into ev->sample_id.  *endp, the end of the record, is moved back to the
 * start of the trailer.  Returns 0 or -EBADMSG.
 */
static int parse_sample_id(struct pd_reader *r, struct pd_event *ev, const uint8_t **endp)
{
    const uint8_t *body = ev->raw + EVHDR, *end = *endp;

    /* Which attr: by the trailer's id, or the only one. */
    if (r->nr_attrs == 1) {
        ev->attr = &r->attrs[0];
    } else if (r->nr_attrs > 1 && r->attrs[0].attr.sample_id_all && r->trailer_id_pos > 0) {
        if ((size_t)(end - body) >= 8u * r->trailer_id_pos)
            ev->attr = attr_by_id(r, rd64(r, end - 8 * r->trailer_id_pos));
    } else if (r->nr_attrs > 1) {
        ev->attr = &r->attrs[0];
    }
    if (ev->attr && ev->attr->attr.sample_id_all) {
        uint64_t st = ev->attr->attr.sample_type;
        size_t ts = trailer_size(st);
        struct pd_sample_id *id = &ev->sample_id;
        struct cur c = { r, end - ts, end, false };

        if ((size_t)(end - body) < ts)
            return bad_record(r, ev, "sample_id trailer past the start");
        end -= ts;
        id->present = true;
        if (st & PERF_SAMPLE_TID)
            c32x2(&c, &id->pid, &id->tid);
        if (st & PERF_SAMPLE_TIME)
            ev->time = id->time = c64(&c);
        if (st & PERF_SAMPLE_ID)
            id->id = c64(&c);
        if (st & PERF_SAMPLE_STREAM_ID)
            id->stream_id = c64(&c);
        if (st & PERF_SAMPLE_CPU) {
            uint32_t res;

            c32x2(&c, &id->cpu, &res);
        }
        if (st & PERF_SAMPLE_IDENTIFIER)
            id->id = c64(&c);
    }
    *endp = end;
    return 0;
}

static int parse_other(struct pd_reader *r, struct pd_event *ev)
{
    const uint8_t *body = ev->raw + EVHDR, *end = ev->raw + ev->size;
    size_t blen;
    int err = parse_sample_id(r, ev, &end);

    if (err)
        return err;
    blen = end - body;

    switch (ev->type) {
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2: {
        struct pd_mmap *m = &ev->u.mmap;
        size_t fixed = ev->type == PERF_RECORD_MMAP ? 32 : 64;

        if (blen < fixed)
            return bad_record(r, ev, "too short");
        m->pid = rd32(r, body);
        m->tid = rd32(r, body + 4);
        m->start = rd64(r, body + 8);
        m->len = rd64(r, body + 16);
        m->pgoff = rd64(r, body + 24);
        if (ev->type == PERF_RECORD_MMAP2) {
            if (ev->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
                m->build_id_size = body[32] > 20 ? 20 : body[32];
                memcpy(m->build_id, body + 36, 20);
            } else {
                m->maj = rd32(r, body + 32);
                m->min = rd32(r, body + 36);
                m->ino = rd64(r, body + 40);
                m->ino_generation = rd64(r, body + 48);
            }
            m->prot = rd32(r, body + 56);
            m->flags = rd32(r, body + 60);
        }
        if (!(m->filename = body_string(body + fixed, end)))
            return bad_record(r, ev, "filename not NUL-terminated");
        break;
    }
    case PERF_RECORD_COMM:
        if (blen < 8)
            return bad_record(r, ev, "too short");
        ev->u.comm.pid = rd32(r, body);
        ev->u.comm.tid = rd32(r, body + 4);
        if (!(ev->u.comm.comm = body_string(body + 8, end)))
            return bad_record(r, ev, "comm not NUL-terminated");
        break;
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
        if (blen < 24)
            return bad_record(r, ev, "too short");
        ev->u.task.pid = rd32(r, body);
        ev->u.task.ppid = rd32(r, body + 4);
        ev->u.task.tid = rd32(r, body + 8);
        ev->u.task.ptid = rd32(r, body + 12);
        ev->u.task.time = rd64(r, body + 16);
        break;
    case PERF_RECORD_LOST:
        if (blen < 16)
            return bad_record(r, ev, "too short");
        ev->u.lost.id = rd64(r, body);
        ev->u.lost.lost = rd64(r, body + 8);
        break;
    case PERF_RECORD_THROTTLE:
    case PERF_RECORD_UNTHROTTLE:
        if (blen < 24)
            return bad_record(r, ev, "too short");
        ev->u.throttle.time = rd64(r, body);
        ev->u.throttle.id = rd64(r, body + 8);
        ev->u.throttle.stream_id = rd64(r, body + 16);
        break;
    default:
        break;
    }
    return 0;
}

/* Decode the record at raw (size bytes, checked >= 8) into *ev. */
static int decode(struct pd_reader *r, const uint8_t *raw, uint16_t size, uint64_t offset,
                  uint32_t flags, struct pd_event *ev)
{
    memset(ev, 0, offsetof(struct pd_event, u));
    ev->type = rd32(r, raw);
    ev->misc = rd16(r, raw + 4);
    ev->size = size;
    ev->flags = flags;
    ev->offset = offset;
    ev->time = (uint64_t)-1;
    ev->raw = raw;
    r->scratch_used = 0;

    if (ev->type == PERF_RECORD_SAMPLE) {
        memset(&ev->u.sample, 0, sizeof(ev->u.sample));
        if (r->nr_attrs == 1) {
            ev->attr = &r->attrs[0];
        } else if (r->nr_attrs > 1 && r->sample_id_pos >= 0) {
            if ((size_t)(size - EVHDR) / 8 <= (size_t)r->sample_id_pos)
                return bad_record(r, ev, "no room for the sample id");
            ev->attr = attr_by_id(r, rd64(r, raw + EVHDR + 8 * r->sample_id_pos));
        } else if (r->nr_attrs > 1) {
            ev->attr = &r->attrs[0];
        }
        return ev->attr ? parse_sample(r, ev) : 0;
    }
    if (ev->type < PERF_RECORD_USER_TYPE_START) {
        memset(&ev->u, 0, sizeof(ev->u));
        return parse_other(r, ev);
    }
    return 0;
}

/* --- iterating the data section ----------------------------------------------- */

/* Decompress more of the current compressed record into the window. */
static int zstd_more(struct pd_reader *r)
{
    ZSTD_outBuffer out;
    ZSTD_inBuffer in = { r->zin, r->zin_size, r->zin_pos };
    size_t ret;

    if (r->dpos) {
        memmove(r->dwin, r->dwin + r->dpos, r->dlen - r->dpos);
        r->dlen -= r->dpos;
        r->dpos = 0;
    }
    out = (ZSTD_outBuffer){ r->dwin, DWIN_SIZE, r->dlen };
    ret = ZSTD_decompressStream(r->zds, &out, &in);
    if (ZSTD_isError(ret))
        return fail(r, -EBADMSG, r->zrec_off, "bad compressed record at byte offset %llu (zstd: %s)",
                    (unsigned long long)r->zrec_off, ZSTD_getErrorName(ret));
    if (out.pos == r->dlen && in.pos == r->zin_pos)
        return fail(r, -EBADMSG, r->zrec_off,
                    "bad compressed record at byte offset %llu (zstd made no progress)",
                    (unsigned long long)r->zrec_off);
    r->dlen = out.pos;
    r->zin_pos = in.pos;
    return 0;
}

/* A truncated or corrupt end of the records at pos, size bytes wanted. */
static int cut_record(struct pd_reader *r, uint64_t want)
{
    if (r->data_truncated || r->header.data_size_unset)
        return fail(r, -ENODATA, r->f.pos, "truncated record at byte offset %zu (needs %llu bytes, %zu left)",
                    r->f.pos, (unsigned long long)want, r->data_end - r->f.pos);
    return fail(r, -EBADMSG, r->f.pos, "record past the end of the data section at byte offset %zu "
                "(needs %llu bytes, %zu left)", r->f.pos, (unsigned long long)want, r->data_end - r->f.pos);
}

/*
 * The next record as stored: *raw, *size, *offset, *flags.  1, 0 at the
 * end of the data, or -errno.
 */
static int next_raw(struct pd_reader *r, const uint8_t **raw, uint16_t *size,
                    uint64_t *offset, uint32_t *flags)
{
    for (;;) {
        const uint8_t *p;
        uint32_t type;
        uint16_t sz;
        int err;

        if (r->zactive) {
            size_t avail = r->dlen - r->dpos;

            if (avail >= EVHDR) {
                sz = rd16(r, r->dwin + r->dpos + 6);
                if (sz < EVHDR)
                    return fail(r, -EBADMSG, r->zrec_off,
                                "bad record size in compressed record at byte offset %llu (%u < 8)",
                                (unsigned long long)r->zrec_off, sz);
                if (avail >= sz) {
                    *raw = r->dwin + r->dpos;
                    *size = sz;
                    *offset = r->zrec_off;
                    *flags = PD_EVENT_COMPRESSED;
                    r->dpos += sz;
                    return 1;
                }
            }
            if (r->zin_pos < r->zin_size) {
                if ((err = zstd_more(r)))
                    return err;
                continue;
            }
            r->zactive = false;     /* a partial event waits for the next record */
        }
        if (r->f.pos >= r->data_end) {
            if (r->dlen > r->dpos)
                return fail(r, r->data_truncated || r->header.data_size_unset ? -ENODATA : -EBADMSG,
                            r->zrec_off, "compressed data ends inside an event at byte offset %llu "
                            "(%zu bytes of it)", (unsigned long long)r->zrec_off, r->dlen - r->dpos);
            if (r->data_truncated || r->header.features_truncated)
                return fail(r, -ENODATA, r->f.pos, "truncated file at byte offset %zu (%s)", r->f.pos,
                            r->data_truncated ? "data section cut short" : "features cut short");
            return 0;
        }
        if (r->data_end - r->f.pos < EVHDR)
            return cut_record(r, EVHDR);
        p = r->f.buf + r->f.pos;
        type = rd32(r, p);
        sz = rd16(r, p + 6);
        if (sz < EVHDR)
            return fail(r, -EBADMSG, r->f.pos, "bad record size at byte offset %zu (%u < 8)", r->f.pos, sz);
        if (sz > r->data_end - r->f.pos)
            return cut_record(r, sz);
        if (type == PERF_RECORD_COMPRESSED || type == PERF_RECORD_COMPRESSED2) {
            size_t hdr = type == PERF_RECORD_COMPRESSED ? EVHDR : EVHDR + 8;
            size_t dsz = sz - EVHDR;

            if (type == PERF_RECORD_COMPRESSED2) {
                if (sz < hdr || (dsz = rd64(r, p + 8)) > (size_t)sz - hdr)
                    return fail(r, -EBADMSG, r->f.pos, "bad COMPRESSED2 record at byte offset %zu "
                                "(data_size %zu, size %u)", r->f.pos, sz < hdr ? 0 : dsz, sz);
            }
            if (!r->zds && !(r->zds = ZSTD_createDStream()))
                return fail(r, -ENOMEM, r->f.pos, "out of memory");
            if (!r->zin && ZSTD_isError(ZSTD_initDStream(r->zds)))
                return fail(r, -ENOMEM, r->f.pos, "out of memory");
            r->zin = p + hdr;
            r->zin_size = dsz;
            r->zin_pos = 0;
            r->zrec_off = r->f.pos;
            r->zactive = true;
            r->f.pos += sz;
            continue;
        }
        *raw = p;
        *size = sz;
        *offset = r->f.pos;
        *flags = 0;
        r->f.pos += sz;
        if (type == PERF_RECORD_AUXTRACE && sz >= 16) {
            /* The trace data follows the record, outside its size. */
            uint64_t aux = rd64(r, p + 8);

            if (aux > r->data_end - r->f.pos) {
                r->f.pos -= sz;
                return cut_record(r, aux + sz);
            }
            r->f.pos += aux;
        }
        return 1;
    }
}

static int cmp_queued(const void *a, const void *b)
{
    const struct queued *x = a, *y = b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Queue the events up to and including the next FINISHED_ROUND, then sort. */
static int fill_round(struct pd_reader *r)
{
    const uint8_t *raw;
    struct pd_event ev;
    uint64_t offset;
    uint32_t flags;
    uint16_t size;
    int ret;

    r->qn = r->qi = 0;
    r->arena.len = 0;
    for (;;) {
        struct queued *q;

        ret = next_raw(r, &raw, &size, &offset, &flags);
        if (ret <= 0)
            break;
        if ((ret = decode(r, raw, size, offset, flags, &ev)) < 0)
            break;
        q = array_reserve(r->q, r->qn, &r->qcap, sizeof(*q), 1024);
        if (!q) {
            ret = fail(r, -ENOMEM, offset, "out of memory");
            break;
        }
        r->q = q;
        q = &r->q[r->qn];
        q->seq = r->qn++;
        q->offset = offset;
        q->flags = flags;
        q->size = size;
        q->ptr = raw;
        if (flags & PD_EVENT_COMPRESSED) {
            /* The window moves on: keep a copy. */
            if (growbuf_append(&r->arena, raw, size, 65536)) {
                r->qn--;
                ret = fail(r, -ENOMEM, offset, "out of memory");
                break;
            }
            q->ptr = NULL;
            q->arena_off = r->arena.len - size;
        }
        if (r->qn * sizeof(*r->q) + r->arena.len > PD_ORDERED_MAX_BYTES && r->qn > 1) {
            /* A round too large to hold (zstd can expand a lot): cut it here. */
            if (ev.time != (uint64_t)-1)
                r->last_time = ev.time;
            q->time = r->last_time;
            break;
        }
        if (ev.type == PERF_RECORD_FINISHED_ROUND) {
            q->time = UINT64_MAX;   /* the barrier comes last */
            ret = 1;
            break;
        }
        if (ev.time != (uint64_t)-1)
            r->last_time = ev.time;
        q->time = r->last_time;
    }
    r->q_end = ret;
    if (r->qn > 1)
        qsort(r->q, r->qn, sizeof(*r->q), cmp_queued);
    return 0;
}

int pd_reader_next(struct pd_reader *r, struct pd_event *ev)
{
    const uint8_t *raw;
    uint64_t offset;
    uint32_t flags;
    uint16_t size;
    int ret;

    if (r->done)
        return r->result;
    if (!r->ordered) {
        ret = next_raw(r, &raw, &size, &offset, &flags);
        if (ret == 1 && (ret = decode(r, raw, size, offset, flags, ev)) == 0)
            return 1;
    } else {
        while (r->qi == r->qn && r->q_end == 1)
            fill_round(r);
        if (r->qi < r->qn) {
            struct queued *q = &r->q[r->qi++];

            raw = q->ptr ? q->ptr : r->arena.p + q->arena_off;
            /* Decoded once already: cannot fail now. */
            if ((ret = decode(r, raw, q->size, q->offset, q->flags, ev)) == 0)
                return 1;
        } else {
            ret = r->q_end;
        }
    }
    r->done = true;
    r->result = ret;
    return ret;
}
