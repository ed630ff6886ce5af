/*
 * tbdb.c: one QEMU run in memory (see tbdb.h).
 *
 * Loading reads the side file twice from one buffer: the first pass counts the
 * records and the bytes of their arrays, the second fills arrays allocated
 * once each with those sizes.  Then keys are sorted by stats_id, TBs without
 * a STATS key get synthesised ones (a hash of the key tuple), each key gets
 * its translations (a counting sort), and the jitdump's CODE_LOADs are
 * joined to the TBs by code_index.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tbdb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "filebuf.h"
#include "growbuf.h"
#include "jitdump.h"
#include "runfiles.h"
#include "sorted.h"
#include "tbstats-records.h"

#define TBDB_MSG_SIZE 1024

struct tbdb_priv {
    char err[TBDB_MSG_SIZE];
    char warn[TBDB_MSG_SIZE];
    char *tbs_name;
    char *jd_name;
    struct filebuf tbs_fb;          /* tbdb_open(): released after the load */
    struct filebuf jd_fb;           /* kept: names and host code point into it */
    struct jd_reader *jd;           /* kept for the same reason (open_mem on jd_fb or the caller's) */
    bool release_tbs, release_jd;   /* the buffer is our read-only file mapping */
    struct growbuf names;           /* the CODE_LOAD names, NUL-terminated */
    uint64_t *insn_pc;
    uint32_t *host_end;
    uint8_t *guest_code;
    uint64_t *succ_pc;
    char *paths;
    const struct tbdb_tb **key_tb_records;
    const struct tbdb_key **keys_by_pc;
    uint32_t *tb_by_index;          /* TB indices by code_index; NULL: tb_records already sorted */
};

/* --- messages -------------------------------------------------------------- */

static int set_err(struct tbdb *db, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(db->priv->err, sizeof(db->priv->err), fmt, ap);
    va_end(ap);
    return err;
}

static void add_warning(struct tbdb *db, const char *fmt, ...)
{
    char *w = db->priv->warn;
    size_t len = strlen(w);
    va_list ap;

    if (len && len + 2 < TBDB_MSG_SIZE) {
        memcpy(w + len, "; ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(w + len, TBDB_MSG_SIZE - len, fmt, ap);
    va_end(ap);
}

const char *tbdb_strerror(const struct tbdb *db)
{
    if (!db || !db->priv || !db->priv->err[0])
        return "no error";
    return db->priv->err;
}

const char *tbdb_warning(const struct tbdb *db)
{
    if (!db || !db->priv || !db->priv->warn[0])
        return NULL;
    return db->priv->warn;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    uint64_t sum;

    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* --- the side file ------------------------------------------------------------ */

/* What the first pass counts. */
struct tbdb_counts {
    size_t tb_records, stats, mappings, shadow_stacks;
    size_t insns, guest_code, succ, path_bytes;
};

/*
 * Drop the pages of a file mapping below offset done, every RELEASE_STEP
 * bytes: a load touches every page of files of hundreds of MB once, and
 * the few it needs later (names, host code) fault back in from the page
 * cache.  This keeps the peak RSS near the arrays' size.  Only for our own
 * read-only MAP_PRIVATE mappings: on a caller's buffer it would zero data.
 */
#define RELEASE_STEP (8u << 20)

static void release_pages(bool mapped, const void *buf, uint64_t done, uint64_t *released)
{
    uint64_t upto = done & ~(uint64_t)(RELEASE_STEP - 1);

    if (!mapped || upto <= *released)
        return;
    madvise((char *)buf + *released, upto - *released, MADV_DONTNEED);
    *released = upto;
}

/*
 * Store a MAPPING or UNMAP record into db->mappings[n->mappings] and its
 * path (empty for an UNMAP) at p->paths + n->path_bytes.
 */
static void fill_mapping(struct tbdb *db, const struct tbs_record_view *rec,
                         const struct tbdb_counts *n)
{
    struct tbdb_priv *p = db->priv;
    struct tbdb_mapping *m = &db->mappings[n->mappings];

    memset(m, 0, sizeof(*m));
#define COPY(v, type, name, bits) m->name = (v)->name;
    if (rec->type == TBS_REC_UNMAP) {
        m->unmap = true;
        TBS_UNMAP_FIELDS(COPY, &rec->u.unmap)
        p->paths[n->path_bytes] = '\0';
        m->path = &p->paths[n->path_bytes];
    } else {
        const struct tbs_mapping_view *v = &rec->u.mapping;

        TBS_MAPPING_FIELDS(COPY, v)
        m->build_id_size = v->build_id_size;
        memcpy(m->build_id, v->build_id, v->build_id_size);
        memcpy(&p->paths[n->path_bytes], v->path, v->path_len + 1);
        m->path = &p->paths[n->path_bytes];
    }
#undef COPY
}

/*
 * Store the TB record at file offset into db->tb_records[n->tb_records], its
 * instruction arrays at n->insns and its guest code at n->guest_code.
 */
static void fill_tb(struct tbdb *db, const struct tbs_tb_view *v, uint64_t offset,
                    const struct tbdb_counts *n)
{
    struct tbdb_priv *p = db->priv;
    struct tbdb_tb *t = &db->tb_records[n->tb_records];

    memset(t, 0, sizeof(*t));
#define COPY(v, type, name, bits) t->name = (v)->name;
    TBS_TB_FIELDS(COPY, v)
#undef COPY
    t->file_offset = offset;
    t->insn_pc = &p->insn_pc[n->insns];
    t->host_end = &p->host_end[n->insns];
    for (unsigned i = 0; i < v->icount; i++) {
        p->insn_pc[n->insns + i] = tbs_tb_insn_pc(v, i);
        p->host_end[n->insns + i] = tbs_tb_host_end(v, i);
    }
    t->guest_code = &p->guest_code[n->guest_code];
    memcpy(&p->guest_code[n->guest_code], v->guest_code, v->guest_code_size);
}

/*
 * Store the STATS record at file offset as the key db->keys[n->stats], its
 * successors at n->succ.
 */
static void fill_key(struct tbdb *db, const struct tbs_stats_view *v, uint64_t offset,
                     const struct tbdb_counts *n)
{
    struct tbdb_priv *p = db->priv;
    struct tbdb_key *k = &db->keys[n->stats];

    memset(k, 0, sizeof(*k));
#define COPY(v, type, name, bits) k->name = (v)->name;
#define X(name, bits, level) COPY(v, tbs_stats, name, bits)
    TBS_STATS_KEY_FIELDS(COPY, v)
    TBS_STATS_COUNTERS(X)
    TBS_STATS_SUCC_FIELDS(COPY, v)
#undef X
#undef COPY
    k->file_offset = offset;
    k->succ_pc = &p->succ_pc[n->succ];
    for (uint32_t i = 0; i < v->nr_succ; i++)
        p->succ_pc[n->succ + i] = tbs_stats_succ_pc(v, i);
}

/*
 * Read the records of the side file; with fill false only count them into *c,
 * with fill true store them into the arrays sized by the first pass (which
 * returns the same records: same buffer, same reader).  Returns 0 or a
 * negative errno after setting the message; truncation is a warning.
 */
static int side_file_pass(struct tbdb *db, const void *buf, size_t len, bool fill,
                          struct tbdb_counts *c)
{
    struct tbdb_priv *p = db->priv;
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct tbdb_counts n = { 0 };
    int ret;

    ret = tbs_reader_open_mem(buf, len, p->tbs_name, &r);
    if (ret < 0) {
        if (r)
            set_err(db, ret, "%s", tbs_reader_strerror(r));
        else
            set_err(db, ret, "%s: %s", p->tbs_name, strerror(-ret));
        tbs_reader_close(r);
        return ret;
    }
    if (fill)
        db->header = *tbs_reader_header(r);

    uint64_t released = 0;

    while ((ret = tbs_reader_next(r, &rec)) == 1) {
        release_pages(p->release_tbs, buf, rec.offset, &released);
        switch (rec.type) {
        case TBS_REC_MAPPING:
        case TBS_REC_UNMAP:
            if (fill)
                fill_mapping(db, &rec, &n);
            n.path_bytes += rec.type == TBS_REC_MAPPING ? rec.u.mapping.path_len + 1 : 1;
            n.mappings++;
            break;
        case TBS_REC_TB:
            if (fill)
                fill_tb(db, &rec.u.tb, rec.offset, &n);
            n.insns += rec.u.tb.icount;
            n.guest_code += rec.u.tb.guest_code_size;
            n.tb_records++;
            break;
        case TBS_REC_STATS:
            if (fill)
                fill_key(db, &rec.u.stats, rec.offset, &n);
            n.succ += rec.u.stats.nr_succ;
            n.stats++;
            break;
        case TBS_REC_SHADOW_STACK:
            if (fill) {
                struct tbdb_shadow_stack *ss = &db->shadow_stacks[n.shadow_stacks];

#define COPY(v, type, name, bits) ss->name = (v)->name;
                TBS_SHADOW_STACK_FIELDS(COPY, &rec.u.shadow_stack)
#undef COPY
            }
            n.shadow_stacks++;
            break;
        case TBS_REC_FLUSH:
            if (fill)
                db->nr_flushes++;
            break;
        case TBS_REC_END:
            if (fill) {
                const struct tbs_end_view *e = &rec.u.end;

                db->have_end = true;
                db->exit_code = e->exit_code;
                db->snapshot = e->end_flags & TBS_END_SNAPSHOT;
                db->have_tlb_flushes = !e->no_tlb;
                db->tlb_flush_full = e->tlb_flush_full;
                db->tlb_flush_part = e->tlb_flush_part;
                db->tlb_flush_elided = e->tlb_flush_elided;
            }
            break;
        default:
            break;      /* a newer writer's record */
        }
    }
    if (ret == -ENODATA) {
        if (fill) {
            db->tbstats_partial = true;
            add_warning(db, "%s", tbs_reader_strerror(r));
        }
    } else if (ret < 0) {
        set_err(db, ret, "%s", tbs_reader_strerror(r));
        tbs_reader_close(r);
        return ret;
    } else if (fill && !db->have_end) {
        db->tbstats_partial = true;
        add_warning(db, "%s: no END record at byte offset %llu (QEMU still running or killed)",
                    p->tbs_name, (unsigned long long)tbs_reader_offset(r));
    }
    tbs_reader_close(r);
    if (!fill)
        *c = n;
    return 0;
}

static int cmp_key_id(const void *a, const void *b)
{
    const struct tbdb_key *x = a, *y = b;

    return (x->stats_id > y->stats_id) - (x->stats_id < y->stats_id);
}

/* Key of a tuple: a 64-bit mix of its fields. */
static uint64_t key_hash(uint64_t pc, uint64_t cs_base, uint32_t flags, uint64_t phys)
{
    uint64_t h = pc * 0x9E3779B97F4A7C15ull;

    h ^= (cs_base + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)flags + 0x85EBCA77u) * 0x165667B19E3779F9ull;
    h ^= (phys + 0x27D4EB2F165667C5ull) * 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 29);
}

/*
 * Give TB i in tb_key[i] the index of its key: that of the STATS key of its
 * stats_id, else one numbered from nr_stats up per tuple in order of first
 * appearance, found through the open-addressing table slots (cap entries, a
 * power of two, zeroed).  Returns how many tuples got such a number.
 */
static size_t join_tb_records_to_keys(const struct tbdb *db, size_t nr_stats,
                                      uint32_t *tb_key, uint32_t *slots, size_t cap)
{
    size_t nr_synth = 0;

    for (size_t i = 0; i < db->nr_tb_records; i++) {
        const struct tbdb_tb *t = &db->tb_records[i];
        const struct tbdb_key *k = t->stats_id ? tbdb_key_by_id(db, t->stats_id) : NULL;
        size_t s;

        if (k) {
            tb_key[i] = k - db->keys;
            continue;
        }
        s = key_hash(t->guest_pc, t->cs_base, t->flags, t->phys_pc) & (cap - 1);
        for (;; s = (s + 1) & (cap - 1)) {
            const struct tbdb_tb *first;

            if (!slots[s]) {
                slots[s] = i + 1;
                tb_key[i] = nr_stats + nr_synth++;
                break;
            }
            first = &db->tb_records[slots[s] - 1];
            if (first->guest_pc == t->guest_pc && first->cs_base == t->cs_base &&
                first->flags == t->flags && first->phys_pc == t->phys_pc) {
                tb_key[i] = tb_key[slots[s] - 1];
                break;
            }
        }
    }
    return nr_synth;
}

/*
 * Join every TB to its key: the STATS key of its stats_id, else a key
 * synthesised per tuple and appended to db->keys (reallocated once, so TBs
 * get their key pointers only after it), then give each key its
 * translations in file order (a counting sort).
 */
static int link_keys(struct tbdb *db)
{
    struct tbdb_priv *p = db->priv;
    size_t nr_stats = db->nr_keys, nr_synth = 0, cap = 1, filled = 0, *start = NULL;
    uint32_t *tb_key = NULL, *slots = NULL;
    uint32_t next_id = nr_stats ? db->keys[nr_stats - 1].stats_id : 0;
    int ret = -ENOMEM;

    if (!db->nr_tb_records)
        return 0;
    tb_key = malloc(db->nr_tb_records * sizeof(*tb_key));
    while (cap < 2 * db->nr_tb_records)
        cap <<= 1;
    slots = calloc(cap, sizeof(*slots));       /* index + 1 of a key's first TB; 0: free */
    if (!tb_key || !slots)
        goto out;
    nr_synth = join_tb_records_to_keys(db, nr_stats, tb_key, slots, cap);

    if (nr_synth > UINT32_MAX - next_id) {
        /* Numbering them past it would repeat ids: tbdb_key_by_id() would be ambiguous. */
        ret = set_err(db, -EBADMSG, "%s: stats_id %u at byte offset %llu too large "
                      "(the keys of TBs without a STATS record are numbered after it: %zu needed)", p->tbs_name,
                      next_id, (unsigned long long)db->keys[nr_stats - 1].file_offset, nr_synth);
        goto out;
    }
    if (nr_synth) {
        struct tbdb_key *keys = realloc(db->keys, (nr_stats + nr_synth) * sizeof(*keys));

        if (!keys)
            goto out;
        db->keys = keys;
        db->nr_keys = nr_stats + nr_synth;
        /* Keys are numbered in order of first appearance, so the first TB of key n comes first. */
        for (size_t i = 0; i < db->nr_tb_records && filled < nr_synth; i++) {
            const struct tbdb_tb *t = &db->tb_records[i];
            struct tbdb_key *k;

            if (tb_key[i] != nr_stats + filled)
                continue;
            k = &keys[nr_stats + filled++];
            memset(k, 0, sizeof(*k));
            k->stats_id = ++next_id;   /* past the file's highest, checked above */
            k->flags = t->flags;
            k->guest_pc = t->guest_pc;
            k->cs_base = t->cs_base;
            k->phys_pc = t->phys_pc;
            k->synthesised = true;
            k->file_offset = t->file_offset;
            k->succ_pc = p->succ_pc;
        }
    }

    /* Translations per key: counts, then start offsets, then fill in file order. */
    start = calloc(db->nr_keys + 1, sizeof(*start));
    p->key_tb_records = malloc(db->nr_tb_records * sizeof(*p->key_tb_records));
    if (!start || !p->key_tb_records)
        goto out;
    for (size_t i = 0; i < db->nr_tb_records; i++)
        start[tb_key[i] + 1]++;
    for (size_t k = 0; k < db->nr_keys; k++) {
        db->keys[k].nr_tb_records = start[k + 1];
        start[k + 1] += start[k];
        db->keys[k].tb_records = &p->key_tb_records[start[k]];
    }
    for (size_t i = 0; i < db->nr_tb_records; i++) {
        struct tbdb_key *k = &db->keys[tb_key[i]];

        db->tb_records[i].key = k;
        p->key_tb_records[start[tb_key[i]]++] = &db->tb_records[i];
        k->latest = &db->tb_records[i];
        k->privilege = db->tb_records[i].privilege;
    }
    ret = 0;
out:
    if (ret == -ENOMEM)
        set_err(db, ret, "%s: out of memory", p->tbs_name);
    free(start);
    free(tb_key);
    free(slots);
    return ret;
}

static double ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

static int cmp_key_pc(const void *a, const void *b)
{
    const struct tbdb_key *x = *(const struct tbdb_key *const *)a;
    const struct tbdb_key *y = *(const struct tbdb_key *const *)b;

    if (x->guest_pc != y->guest_pc)
        return x->guest_pc < y->guest_pc ? -1 : 1;
    if (x->exec_count != y->exec_count)
        return x->exec_count > y->exec_count ? -1 : 1;
    return (x->stats_id > y->stats_id) - (x->stats_id < y->stats_id);
}

static const struct tbdb *sort_db;     /* qsort() has no context argument */

static int cmp_tb_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t cx = sort_db->tb_records[x].code_index, cy = sort_db->tb_records[y].code_index;

    if (cx != cy)
        return cx < cy ? -1 : 1;
    return (x > y) - (x < y);
}

/* Derived metrics, totals, the by-PC order and the code_index index. */
static int index_db(struct tbdb *db)
{
    struct tbdb_priv *p = db->priv;
    bool sorted = true;

    for (size_t i = 0; i < db->nr_keys; i++) {
        const struct tbdb_key *k = &db->keys[i];

        db->total_exec_count = add_sat(db->total_exec_count, k->exec_count);
        db->total_insns_executed = add_sat(db->total_insns_executed, k->insns_executed);
        if (k->exec_count > db->max_exec_count)
            db->max_exec_count = k->exec_count;
    }
    if (db->nr_keys) {
        p->keys_by_pc = malloc(db->nr_keys * sizeof(*p->keys_by_pc));
        if (!p->keys_by_pc)
            return set_err(db, -ENOMEM, "%s: out of memory", p->tbs_name);
    }
    for (size_t i = 0; i < db->nr_keys; i++) {
        struct tbdb_key *k = &db->keys[i];

        k->hg_ratio = ratio(k->host_bytes, k->guest_bytes);
        k->host_per_insn = ratio(k->host_bytes, k->guest_insns);
        k->insns_per_translation = ratio(k->guest_insns, k->translations);
        k->coverage = ratio(k->insns_executed, db->total_insns_executed);
        p->keys_by_pc[i] = k;
    }
    if (db->nr_keys)
        qsort(p->keys_by_pc, db->nr_keys, sizeof(*p->keys_by_pc), cmp_key_pc);
    db->keys_by_pc = p->keys_by_pc;

    for (size_t i = 1; i < db->nr_tb_records && sorted; i++)
        sorted = db->tb_records[i - 1].code_index < db->tb_records[i].code_index;
    if (!sorted) {
        if (db->nr_tb_records > UINT32_MAX)
            return set_err(db, -ENOMEM, "%s: too many TB records", p->tbs_name);
        p->tb_by_index = malloc(db->nr_tb_records * sizeof(*p->tb_by_index));
        if (!p->tb_by_index)
            return set_err(db, -ENOMEM, "%s: out of memory", p->tbs_name);
        for (size_t i = 0; i < db->nr_tb_records; i++)
            p->tb_by_index[i] = i;
        sort_db = db;
        qsort(p->tb_by_index, db->nr_tb_records, sizeof(*p->tb_by_index), cmp_tb_index);
        sort_db = NULL;
    }
    return 0;
}

static bool shadow_stack_before(const struct tbdb_shadow_stack *a,
                                const struct tbdb_shadow_stack *b)
{
    return a->tid < b->tid || (a->tid == b->tid && a->timestamp < b->timestamp);
}

/*
 * By tid, then timestamp, keeping file order among equals: a bottom-up
 * merge sort (stable, O(n log n) on any input) through tmp[n].
 */
static void sort_shadow_stacks(struct tbdb_shadow_stack *ss, struct tbdb_shadow_stack *tmp,
                               size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;

            while (i < mid && j < hi)
                tmp[k++] = shadow_stack_before(&ss[j], &ss[i]) ? ss[j++] : ss[i++];
            while (i < mid)
                tmp[k++] = ss[i++];
            while (j < hi)
                tmp[k++] = ss[j++];
        }
        memcpy(ss, tmp, n * sizeof(*ss));
    }
}

static int load_tbstats(struct tbdb *db, const void *buf, size_t len)
{
    struct tbdb_priv *p = db->priv;
    struct tbdb_counts c;
    int ret;

    ret = side_file_pass(db, buf, len, false, &c);
    if (ret < 0)
        return ret;
    /* calloc(0) may return NULL: allocate at least one element of each. */
    db->tb_records = malloc((c.tb_records ? c.tb_records : 1) * sizeof(*db->tb_records));
    db->keys = malloc((c.stats ? c.stats : 1) * sizeof(*db->keys));
    db->mappings = malloc((c.mappings ? c.mappings : 1) * sizeof(*db->mappings));
    db->shadow_stacks = malloc((c.shadow_stacks ? c.shadow_stacks : 1) *
                               sizeof(*db->shadow_stacks));
    p->insn_pc = malloc((c.insns ? c.insns : 1) * sizeof(*p->insn_pc));
    p->host_end = malloc((c.insns ? c.insns : 1) * sizeof(*p->host_end));
    p->guest_code = malloc(c.guest_code ? c.guest_code : 1);
    p->succ_pc = malloc((c.succ ? c.succ : 1) * sizeof(*p->succ_pc));
    p->paths = malloc(c.path_bytes ? c.path_bytes : 1);
    if (!db->tb_records || !db->keys || !db->mappings || !db->shadow_stacks || !p->insn_pc ||
        !p->host_end || !p->guest_code || !p->succ_pc || !p->paths)
        return set_err(db, -ENOMEM, "%s: out of memory", p->tbs_name);
    ret = side_file_pass(db, buf, len, true, &c);
    if (ret < 0)
        return ret;
    db->nr_tb_records = c.tb_records;
    db->nr_keys = c.stats;
    db->nr_mappings = c.mappings;
    db->nr_shadow_stacks = c.shadow_stacks;
    db->have_counters = c.stats > 0;
    if (db->nr_shadow_stacks > 1) {
        struct tbdb_shadow_stack *tmp = malloc(db->nr_shadow_stacks * sizeof(*tmp));

        if (!tmp)
            return set_err(db, -ENOMEM, "%s: out of memory", p->tbs_name);
        sort_shadow_stacks(db->shadow_stacks, tmp, db->nr_shadow_stacks);
        free(tmp);
    }

    qsort(db->keys, db->nr_keys, sizeof(*db->keys), cmp_key_id);
    for (size_t i = 0; i < db->nr_keys; i++) {
        const struct tbdb_key *k = &db->keys[i];

        if (k->stats_id == 0)
            return set_err(db, -EBADMSG, "%s: STATS record with stats_id 0 at byte offset %llu",
                           p->tbs_name, (unsigned long long)k->file_offset);
        if (i && k[-1].stats_id == k->stats_id) {
            uint64_t a = k[-1].file_offset, b = k->file_offset;

            return set_err(db, -EBADMSG, "%s: repeated stats_id at byte offset %llu "
                           "(stats_id %u also at byte offset %llu)", p->tbs_name,
                           (unsigned long long)(a > b ? a : b), k->stats_id,
                           (unsigned long long)(a > b ? b : a));
        }
    }
    ret = link_keys(db);
    if (ret < 0)
        return ret;
    return index_db(db);
}

/* --- the jitdump ------------------------------------------------------------- */

static int load_jitdump(struct tbdb *db, const void *buf, size_t len)
{
    struct tbdb_priv *p = db->priv;
    const struct jd_header *h;
    struct jd_record rec;
    struct jd_unwinding_info unwind = { 0 };
    int ret;

    ret = jd_reader_open_mem(buf, len, p->jd_name, &p->jd);
    if (ret < 0) {
        if (p->jd)
            return set_err(db, ret, "%s", jd_reader_strerror(p->jd));
        return set_err(db, ret, "%s: %s", p->jd_name, strerror(-ret));
    }
    h = jd_reader_header(p->jd);
    db->jitdump_pid = h->pid;
    db->jitdump_elf_mach = h->elf_mach;
    if (h->pid != db->header.pid)
        return set_err(db, -EBADMSG, "%s and %s are not from the same run at byte offset 0 "
                       "(pid %u in the side file, %u in the jitdump)", p->tbs_name, p->jd_name,
                       db->header.pid, h->pid);

    /*
     * Names are copied into one pool (their offsets kept until it stops
     * growing): a report touches the names of all its rows, which would
     * otherwise fault a page of the mapping back in per row.
     */
    uint64_t released = 0;
    uint64_t *name_off = db->nr_tb_records ? calloc(db->nr_tb_records, sizeof(*name_off)) : NULL;

    if (db->nr_tb_records && !name_off)
        return set_err(db, -ENOMEM, "%s: out of memory", p->jd_name);
    while ((ret = jd_reader_next(p->jd, &rec)) == 1) {
        const struct jd_code_load *l = &rec.u.load;
        struct tbdb_tb *t;

        release_pages(p->release_jd, buf, rec.offset, &released);

        /* As perf inject does: an UNWINDING_INFO describes the next CODE_LOAD. */
        if (rec.id == JITDUMP_CODE_UNWINDING_INFO) {
            unwind = rec.u.unwinding;
            continue;
        }
        if (rec.id != JITDUMP_CODE_LOAD)
            continue;
        t = (struct tbdb_tb *)tbdb_tb_by_code_index(db, l->code_index);
        if (!t) {
            db->nr_unmatched_loads++;
            continue;
        }
        if (t->host_addr != l->code_addr || t->host_size != l->code_size) {
            free(name_off);
            return set_err(db, -EBADMSG, "%s and %s are not from the same run at byte offset %llu "
                           "(code_index %llu: code at 0x%llx size %llu in the jitdump, "
                           "0x%llx size %u in the side file at byte offset %llu)",
                           p->jd_name, p->tbs_name, (unsigned long long)rec.offset,
                           (unsigned long long)l->code_index, (unsigned long long)l->code_addr,
                           (unsigned long long)l->code_size, (unsigned long long)t->host_addr,
                           t->host_size, (unsigned long long)t->file_offset);
        }
        name_off[t - db->tb_records] = p->names.len;
        if (growbuf_append(&p->names, l->name, l->name_len + 1, 65536)) {
            free(name_off);
            return set_err(db, -ENOMEM, "%s: out of memory", p->jd_name);
        }
        t->have_load = true;
        t->load_timestamp = rec.timestamp;
        t->code_addr = l->code_addr;
        t->code_size = l->code_size;
        t->name_len = l->name_len;
        t->code = l->code;
        t->unwind_data = unwind.data;
        t->unwinding_size = unwind.unwinding_size;
        t->eh_frame_hdr_size = unwind.eh_frame_hdr_size;
        unwind = (struct jd_unwinding_info){ 0 };
    }
    for (size_t i = 0; i < db->nr_tb_records; i++)
        if (db->tb_records[i].have_load)
            db->tb_records[i].name = (const char *)p->names.p + name_off[i];
    free(name_off);
    if (ret == -ENODATA) {
        db->jitdump_partial = true;
        add_warning(db, "%s", jd_reader_strerror(p->jd));
    } else if (ret < 0) {
        return set_err(db, ret, "%s", jd_reader_strerror(p->jd));
    }
    return 0;
}

/* --- open and close ------------------------------------------------------------ */

static int db_new(const char *tbs_name, const char *jd_name, struct tbdb **dbp)
{
    struct tbdb *db = calloc(1, sizeof(*db));

    *dbp = db;
    if (!db)
        return -ENOMEM;
    db->priv = calloc(1, sizeof(*db->priv));
    if (!db->priv)
        return -ENOMEM;
    db->priv->tbs_name = strdup(tbs_name ? tbs_name : "<memory>");
    if (!db->priv->tbs_name)
        return -ENOMEM;
    db->tbstats_path = db->priv->tbs_name;
    if (jd_name) {
        db->priv->jd_name = strdup(jd_name);
        if (!db->priv->jd_name)
            return -ENOMEM;
        db->jitdump_path = db->priv->jd_name;
    }
    return 0;
}

int tbdb_open_mem(const void *tbs_buf, size_t tbs_len, const char *tbs_name,
                  const void *jd_buf, size_t jd_len, const char *jd_name,
                  struct tbdb **dbp)
{
    int ret = db_new(tbs_name, jd_buf ? (jd_name ? jd_name : "<memory>") : NULL, dbp);

    if (ret < 0) {
        if (*dbp && (*dbp)->priv)
            set_err(*dbp, ret, "%s", strerror(-ret));
        return ret;
    }
    ret = load_tbstats(*dbp, tbs_buf, tbs_len);
    if (ret == 0 && jd_buf)
        ret = load_jitdump(*dbp, jd_buf, jd_len);
    return ret;
}

int tbdb_open(const char *tbstats_path, const char *jitdump_path, struct tbdb **dbp)
{
    struct tbdb *db;
    const char *what = "open";
    int ret = db_new(tbstats_path, jitdump_path, dbp);

    db = *dbp;
    if (ret < 0) {
        if (db && db->priv)
            set_err(db, ret, "%s", strerror(-ret));
        return ret;
    }
    ret = filebuf_open(tbstats_path, &db->priv->tbs_fb, &what);
    if (ret < 0)
        return set_err(db, ret, "%s: %s: %s", tbstats_path, what, strerror(-ret));
    db->priv->release_tbs = db->priv->tbs_fb.map != NULL;
    ret = load_tbstats(db, db->priv->tbs_fb.data, db->priv->tbs_fb.len);
    /* Everything the db needs from the side file is copied. */
    filebuf_close(&db->priv->tbs_fb);
    if (ret < 0 || !jitdump_path)
        return ret;
    ret = filebuf_open(jitdump_path, &db->priv->jd_fb, &what);
    if (ret < 0)
        return set_err(db, ret, "%s: %s: %s", jitdump_path, what, strerror(-ret));
    db->priv->release_jd = db->priv->jd_fb.map != NULL;
    return load_jitdump(db, db->priv->jd_fb.data, db->priv->jd_fb.len);
}

void tbdb_close(struct tbdb *db)
{
    struct tbdb_priv *p;

    if (!db)
        return;
    p = db->priv;
    if (p) {
        free(p->tb_by_index);
        free(p->keys_by_pc);
        free(p->key_tb_records);
        free(p->paths);
        free(p->names.p);
        free(p->succ_pc);
        free(p->guest_code);
        free(p->host_end);
        free(p->insn_pc);
        jd_reader_close(p->jd);
        filebuf_close(&p->jd_fb);
        filebuf_close(&p->tbs_fb);
        free(p->jd_name);
        free(p->tbs_name);
        free(p);
    }
    free(db->shadow_stacks);
    free(db->mappings);
    free(db->keys);
    free(db->tb_records);
    free(db);
}

/* --- lookups --------------------------------------------------------------------- */

const struct tbdb_key *tbdb_key_by_id(const struct tbdb *db, uint32_t stats_id)
{
    size_t lo = PARTITION_POINT(db->nr_keys, mid, db->keys[mid].stats_id < stats_id);

    return lo < db->nr_keys && db->keys[lo].stats_id == stats_id ? &db->keys[lo] : NULL;
}

const struct tbdb_key *tbdb_key_by_pc(const struct tbdb *db, uint64_t guest_pc)
{
    size_t lo;

    if (!db->keys_by_pc)
        return NULL;
    lo = PARTITION_POINT(db->nr_keys, mid, db->keys_by_pc[mid]->guest_pc < guest_pc);
    return lo < db->nr_keys && db->keys_by_pc[lo]->guest_pc == guest_pc ? db->keys_by_pc[lo]
                                                                         : NULL;
}

const struct tbdb_tb *tbdb_tb_by_code_index(const struct tbdb *db, uint64_t code_index)
{
    const uint32_t *idx = db->priv->tb_by_index;
    size_t lo = PARTITION_POINT(db->nr_tb_records, mid,
                                db->tb_records[idx ? idx[mid] : mid].code_index < code_index);

    if (lo < db->nr_tb_records && db->tb_records[idx ? idx[lo] : lo].code_index == code_index)
        return &db->tb_records[idx ? idx[lo] : lo];
    return NULL;
}

long tbdb_tb_insn_at(const struct tbdb_tb *tb, uint64_t addr)
{
    uint64_t base = tb->have_load ? tb->code_addr : tb->host_addr;
    uint64_t size = tb->have_load ? tb->code_size : tb->host_size;
    uint64_t off;
    size_t lo;

    if (!tb->icount || addr < base || addr - base >= size)
        return -1;
    off = addr - base;
    lo = PARTITION_POINT(tb->icount, mid, tb->host_end[mid] <= off);
    return lo < tb->icount ? (long)lo : (long)tb->icount - 1;
}

const struct tbdb_shadow_stack *tbdb_shadow_stack_at(const struct tbdb *db, uint32_t tid,
                                                     uint64_t time)
{
    const struct tbdb_shadow_stack *ss = db->shadow_stacks;
    /* The first entry after (tid, time); the one before it is the answer if it is tid's. */
    size_t lo = PARTITION_POINT(db->nr_shadow_stacks, mid,
                                ss[mid].tid < tid ||
                                (ss[mid].tid == tid && ss[mid].timestamp <= time));

    return lo > 0 && ss[lo - 1].tid == tid ? &ss[lo - 1] : NULL;
}

/* --- finding the files ------------------------------------------------------------- */

/* Whether a was modified after b; of two at the same time, the greater PID. */
static bool newer_side(const struct run_side *a, const struct run_side *b)
{
    if (a->mtime.tv_sec != b->mtime.tv_sec)
        return a->mtime.tv_sec > b->mtime.tv_sec;
    if (a->mtime.tv_nsec != b->mtime.tv_nsec)
        return a->mtime.tv_nsec > b->mtime.tv_nsec;
    return a->pid > b->pid;
}

int tbdb_find_files(const char *dir, uint32_t pid, char **tbstats_pathp, char **jitdump_pathp)
{
    const struct run_side *best = NULL;
    struct run_side *sides;
    struct stat st;
    char *tp = NULL, *jd = NULL;
    int nr;

    *tbstats_pathp = NULL;
    *jitdump_pathp = NULL;
    nr = run_side_files(dir, &sides);
    if (nr < 0)
        return nr;
    for (int i = 0; i < nr; i++)
        if ((!pid || sides[i].pid == pid) && (!best || newer_side(&sides[i], best)))
            best = &sides[i];
    if (!best) {
        run_sides_free(sides, nr);
        return -ENOENT;
    }
    if (asprintf(&tp, "%s/%s", dir, best->name) < 0)
        tp = NULL;
    jd = run_file_path(dir, RUN_FILE_JITDUMP, best->pid);
    run_sides_free(sides, nr);
    if (!tp || !jd) {
        free(tp);
        free(jd);
        return -ENOMEM;
    }
    if (stat(jd, &st) < 0) {
        free(jd);
        jd = NULL;
    }
    *tbstats_pathp = tp;
    *jitdump_pathp = jd;
    return 0;
}
