/*
 * codemap.c: a time-aware map of host code loads (see codemap.h).
 *
 * The index holds one 32-byte copy of an entry for every 4 KiB page it
 * covers, sorted by (page, time, insertion order), and a directory of the distinct
 * pages with the first copy of each.  A lookup finds addr's page, the last
 * copy of that page with time <= t, and scans backwards to the first copy
 * that contains addr: the newest load there, by perf's rule.  Entries
 * larger than CODEMAP_BIG_SIZE would need too many copies; they live in a
 * separate array sorted by (time, insertion order) that is scanned the
 * same way, and the newer of the two candidates wins.
 *
 * Between builds, new entries wait in a pending array.  A build gathers the
 * indexed entries back (from the copy on each entry's first page, and the
 * big array) with the pending ones and sorts everything again, so the
 * original entries need not be kept beside the index.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codemap.h"
#include "sorted.h"

#define PAGE_SHIFT 12

struct cm_entry {
    uint64_t start;
    uint64_t size;
    uint64_t time;
    uint64_t cookie;
};

/*
 * An entry's copy in the page index: entries there are at most
 * CODEMAP_BIG_SIZE bytes, so the size fits 32 bits and the insertion
 * number fits beside it, in 32 bytes.
 */
struct cm_copy {
    uint64_t start;
    uint64_t time;
    uint64_t cookie;
    uint32_t size;
    uint32_t seq;
};
_Static_assert(sizeof(struct cm_copy) == 32, "a page copy is 32 bytes");
_Static_assert(CODEMAP_BIG_SIZE <= UINT32_MAX, "indexed sizes fit 32 bits");

struct codemap {
    /* added since the last build, with their insertion numbers */
    struct cm_entry *pending;
    uint32_t *pending_seq;
    size_t nr_pending, cap_pending;
    uint32_t next_seq;
    bool full;                  /* UINT32_MAX entries were added */

    /* the index: copies per page, sorted by (page, time, seq) */
    struct cm_copy *copies;
    size_t nr_copies;
    uint64_t *pages;            /* the distinct pages, ascending */
    uint32_t *page_first;       /* [nr_pages + 1]: first copy of each page */
    size_t nr_pages;

    /* entries larger than CODEMAP_BIG_SIZE, sorted by (time, seq) */
    struct cm_entry *big;
    uint32_t *big_seq;
    size_t nr_big;

    size_t nr_entries;          /* indexed + pending */
};

/* A sort record while building. */
struct cm_key {
    uint64_t page;
    uint64_t time;
    uint32_t seq;
    uint32_t idx;               /* into the gathered entries */
};

int codemap_new(struct codemap **cmp)
{
    *cmp = calloc(1, sizeof(**cmp));
    return *cmp ? 0 : -ENOMEM;
}

static void index_free(struct codemap *cm)
{
    free(cm->copies);
    free(cm->pages);
    free(cm->page_first);
    free(cm->big);
    free(cm->big_seq);
    cm->copies = NULL;
    cm->big = NULL;
    cm->page_first = cm->big_seq = NULL;
    cm->pages = NULL;
    cm->nr_copies = cm->nr_pages = cm->nr_big = 0;
}

void codemap_free(struct codemap *cm)
{
    if (!cm)
        return;
    index_free(cm);
    free(cm->pending);
    free(cm->pending_seq);
    free(cm);
}

static bool entry_valid(uint64_t start, uint64_t size)
{
    /* The last byte, start + size - 1, must not wrap. */
    return size != 0 && size - 1 <= UINT64_MAX - start;
}

int codemap_add(struct codemap *cm, uint64_t time, uint64_t start, uint64_t size,
                uint64_t cookie)
{
    if (!entry_valid(start, size))
        return -EINVAL;
    if (cm->full)
        return -E2BIG;
    if (cm->nr_pending == cm->cap_pending) {
        size_t cap = cm->cap_pending ? 2 * cm->cap_pending : 256;
        struct cm_entry *e = realloc(cm->pending, cap * sizeof(*e));
        uint32_t *s;

        if (!e)
            return -ENOMEM;
        cm->pending = e;
        s = realloc(cm->pending_seq, cap * sizeof(*s));
        if (!s)
            return -ENOMEM;
        cm->pending_seq = s;
        cm->cap_pending = cap;
    }
    cm->pending[cm->nr_pending] = (struct cm_entry){ start, size, time, cookie };
    cm->pending_seq[cm->nr_pending] = cm->next_seq;
    cm->nr_pending++;
    cm->nr_entries++;
    if (cm->next_seq == UINT32_MAX)
        cm->full = true;
    else
        cm->next_seq++;
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    const struct cm_key *x = a, *y = b;

    if (x->page != y->page)
        return x->page < y->page ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool is_big(const struct cm_entry *e)
{
    return e->size > CODEMAP_BIG_SIZE;
}

static uint64_t first_page(const struct cm_entry *e)
{
    return e->start >> PAGE_SHIFT;
}

static uint64_t last_page(const struct cm_entry *e)
{
    return (e->start + (e->size - 1)) >> PAGE_SHIFT;
}

/*
 * Every entry, indexed or pending, into all and all_seq (room for
 * cm->nr_entries) with its insertion number; returns how many.
 */
static size_t gather_entries(const struct codemap *cm, struct cm_entry *all, uint32_t *all_seq)
{
    size_t nr_all = 0;

    for (size_t p = 0; p < cm->nr_pages; p++) {
        /* An indexed entry is the copy on its own first page. */
        for (size_t i = cm->page_first[p]; i < cm->page_first[p + 1]; i++) {
            const struct cm_copy *c = &cm->copies[i];

            if (c->start >> PAGE_SHIFT == cm->pages[p]) {
                all[nr_all] = (struct cm_entry){ c->start, c->size, c->time, c->cookie };
                all_seq[nr_all++] = c->seq;
            }
        }
    }
    for (size_t i = 0; i < cm->nr_big; i++) {
        all[nr_all] = cm->big[i];
        all_seq[nr_all++] = cm->big_seq[i];
    }
    memcpy(all + nr_all, cm->pending, cm->nr_pending * sizeof(*all));
    memcpy(all_seq + nr_all, cm->pending_seq, cm->nr_pending * sizeof(*all_seq));
    return nr_all + cm->nr_pending;
}

/*
 * The page table of the nr_keys copies sorted by page: *pagesp the
 * *nr_pagesp pages, *page_firstp (one more) the index of each page's first
 * copy.  Returns 0, or -ENOMEM with nothing allocated.
 */
static int index_pages(const struct cm_key *keys, size_t nr_keys, uint64_t **pagesp,
                       uint32_t **page_firstp, size_t *nr_pagesp)
{
    size_t nr_pages = 0;
    uint64_t *pages;
    uint32_t *page_first;

    for (size_t i = 0; i < nr_keys; i++)
        if (i == 0 || keys[i].page != keys[i - 1].page)
            nr_pages++;
    pages = malloc((nr_pages ? nr_pages : 1) * sizeof(*pages));
    page_first = malloc((nr_pages + 1) * sizeof(*page_first));
    if (!pages || !page_first) {
        free(pages);
        free(page_first);
        return -ENOMEM;
    }
    nr_pages = 0;
    for (size_t i = 0; i < nr_keys; i++) {
        if (i == 0 || keys[i].page != keys[i - 1].page) {
            pages[nr_pages] = keys[i].page;
            page_first[nr_pages++] = (uint32_t)i;
        }
    }
    page_first[nr_pages] = (uint32_t)nr_keys;
    *pagesp = pages;
    *page_firstp = page_first;
    *nr_pagesp = nr_pages;
    return 0;
}

/*
 * The sort keys of the gathered entries all[0..nr_all): one per page of
 * every small entry, sorted by (page, time, seq), in *keysp (*nr_keysp of
 * them), with room after them for one key per big entry, which
 * index_big() uses.  Returns 0, -E2BIG when the copies would be more than
 * a page directory indexes (UINT32_MAX), or -ENOMEM; *keysp is the
 * caller's to free either way.
 */
static int page_keys(const struct cm_entry *all, const uint32_t *all_seq, size_t nr_all,
                     struct cm_key **keysp, size_t *nr_keysp)
{
    size_t nr_keys = 0, nr_big = 0;
    struct cm_key *keys;

    *keysp = NULL;
    for (size_t i = 0; i < nr_all; i++) {
        if (is_big(&all[i]))
            nr_big++;
        else
            nr_keys += last_page(&all[i]) - first_page(&all[i]) + 1;
    }
    if (nr_keys > UINT32_MAX)
        return -E2BIG;
    keys = malloc((nr_keys + nr_big + 1) * sizeof(*keys));
    if (!keys)
        return -ENOMEM;
    nr_keys = 0;
    for (size_t i = 0; i < nr_all; i++) {
        if (is_big(&all[i]))
            continue;
        for (uint64_t p = first_page(&all[i]); p <= last_page(&all[i]); p++)
            keys[nr_keys++] = (struct cm_key){ p, all[i].time, all_seq[i], (uint32_t)i };
    }
    qsort(keys, nr_keys, sizeof(*keys), key_cmp);
    *keysp = keys;
    *nr_keysp = nr_keys;
    return 0;
}

/*
 * The big entries of all[0..nr_all), sorted by (time, seq), into *bigp and
 * their insertion numbers into *big_seqp, *nr_bigp of them; keys is
 * scratch room for one key per big entry.  Returns 0, or -ENOMEM with
 * nothing allocated.
 */
static int index_big(const struct cm_entry *all, const uint32_t *all_seq, size_t nr_all,
                     struct cm_key *keys, struct cm_entry **bigp, uint32_t **big_seqp,
                     size_t *nr_bigp)
{
    size_t nr_big = 0;
    struct cm_entry *big;
    uint32_t *big_seq;

    /* Page 0 for all of them makes key_cmp sort by (time, seq). */
    for (size_t i = 0; i < nr_all; i++)
        if (is_big(&all[i]))
            keys[nr_big++] = (struct cm_key){ 0, all[i].time, all_seq[i], (uint32_t)i };
    qsort(keys, nr_big, sizeof(*keys), key_cmp);
    big = malloc((nr_big ? nr_big : 1) * sizeof(*big));
    big_seq = malloc((nr_big ? nr_big : 1) * sizeof(*big_seq));
    if (!big || !big_seq) {
        free(big);
        free(big_seq);
        return -ENOMEM;
    }
    for (size_t i = 0; i < nr_big; i++) {
        big[i] = all[keys[i].idx];
        big_seq[i] = keys[i].seq;
    }
    *bigp = big;
    *big_seqp = big_seq;
    *nr_bigp = nr_big;
    return 0;
}

int codemap_build(struct codemap *cm)
{
    struct cm_entry *all = NULL, *big = NULL;
    struct cm_copy *copies = NULL;
    uint32_t *all_seq = NULL, *big_seq = NULL, *page_first = NULL;
    uint64_t *pages = NULL;
    struct cm_key *keys = NULL;
    size_t nr_all = 0, nr_keys = 0, nr_big = 0, nr_pages = 0;
    int err = -ENOMEM;

    if (cm->nr_pending == 0)
        return 0;       /* the index is up to date */

    /* Gather every entry with its insertion number. */
    all = malloc((cm->nr_entries ? cm->nr_entries : 1) * sizeof(*all));
    all_seq = malloc((cm->nr_entries ? cm->nr_entries : 1) * sizeof(*all_seq));
    if (!all || !all_seq)
        goto out;
    nr_all = gather_entries(cm, all, all_seq);

    err = page_keys(all, all_seq, nr_all, &keys, &nr_keys);
    if (err)
        goto out;
    err = -ENOMEM;
    copies = malloc((nr_keys ? nr_keys : 1) * sizeof(*copies));
    if (!copies)
        goto out;
    for (size_t i = 0; i < nr_keys; i++) {
        const struct cm_entry *e = &all[keys[i].idx];

        copies[i] = (struct cm_copy){ e->start, e->time, e->cookie, (uint32_t)e->size,
                                      keys[i].seq };
    }
    if (index_pages(keys, nr_keys, &pages, &page_first, &nr_pages) ||
        index_big(all, all_seq, nr_all, keys, &big, &big_seq, &nr_big))
        goto out;

    index_free(cm);
    cm->copies = copies;
    cm->nr_copies = nr_keys;
    cm->pages = pages;
    cm->page_first = page_first;
    cm->nr_pages = nr_pages;
    cm->big = big;
    cm->big_seq = big_seq;
    cm->nr_big = nr_big;
    copies = NULL;
    big = NULL;
    big_seq = page_first = NULL;
    pages = NULL;
    free(cm->pending);
    free(cm->pending_seq);
    cm->pending = NULL;
    cm->pending_seq = NULL;
    cm->nr_pending = cm->cap_pending = 0;
    err = 0;
out:
    free(big_seq);
    free(big);
    free(page_first);
    free(pages);
    free(copies);
    free(keys);
    free(all_seq);
    free(all);
    return err;
}

static bool contains(const struct cm_entry *e, uint64_t addr)
{
    return addr >= e->start && addr - e->start < e->size;
}

/*
 * Index of the first element of array[0..n) with time > t (all sorted by
 * time), for arrays of struct cm_entry and of struct cm_copy.
 */
#define UPPER_BOUND_TIME(array, n, t) PARTITION_POINT(n, i_, (array)[i_].time <= (t))

int codemap_lookup(const struct codemap *cm, uint64_t addr, uint64_t time,
                   uint64_t *cookiep, uint64_t *startp)
{
    uint64_t best_time = 0, best_cookie = 0, best_start = 0;
    uint32_t best_seq = 0;
    bool found = false;
    uint64_t page = addr >> PAGE_SHIFT;
    size_t lo;

    if (cm->nr_pending)
        return -EAGAIN;
    lo = PARTITION_POINT(cm->nr_pages, mid, cm->pages[mid] < page);
    if (lo < cm->nr_pages && cm->pages[lo] == page) {
        size_t first = cm->page_first[lo], n = cm->page_first[lo + 1] - first;
        const struct cm_copy *c = cm->copies + first;

        for (size_t i = UPPER_BOUND_TIME(c, n, time); i-- > 0; ) {
            if (addr >= c[i].start && addr - c[i].start < c[i].size) {
                best_time = c[i].time;
                best_seq = c[i].seq;
                best_cookie = c[i].cookie;
                best_start = c[i].start;
                found = true;
                break;
            }
        }
    }
    for (size_t i = UPPER_BOUND_TIME(cm->big, cm->nr_big, time); i-- > 0; ) {
        const struct cm_entry *b = &cm->big[i];

        /* Sorted by (time, seq): nothing further back can beat the page's. */
        if (found && (b->time < best_time ||
                      (b->time == best_time && cm->big_seq[i] < best_seq)))
            break;
        if (contains(b, addr)) {
            best_cookie = b->cookie;
            best_start = b->start;
            found = true;
            break;
        }
    }
    if (!found)
        return 0;
    if (cookiep)
        *cookiep = best_cookie;
    if (startp)
        *startp = best_start;
    return 1;
}

int codemap_lookup_latest(const struct codemap *cm, uint64_t addr,
                          uint64_t *cookiep, uint64_t *startp)
{
    return codemap_lookup(cm, addr, UINT64_MAX, cookiep, startp);
}

size_t codemap_count(const struct codemap *cm)
{
    return cm->nr_entries;
}

size_t codemap_memory(const struct codemap *cm)
{
    return cm->nr_copies * sizeof(struct cm_copy) +
           cm->nr_pages * (sizeof(uint64_t) + sizeof(uint32_t)) +
           cm->nr_big * (sizeof(struct cm_entry) + sizeof(uint32_t)) +
           cm->cap_pending * (sizeof(struct cm_entry) + sizeof(uint32_t));
}
