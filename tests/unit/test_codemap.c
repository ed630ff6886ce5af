/*
 * test_codemap.c: the time-aware code map against a brute-force oracle, and
 * its speed and size on a million entries.
 *
 * The oracle is the rule of codemap.h, written the slow way: among the
 * entries with time <= t containing addr, the greatest (time, insertion
 * order).  Workloads: random overlapping entries with many equal times,
 * QEMU-like code-buffer reuse after flushes, huge entries up to the top of
 * the address space, and rebuilds after more entries were added.
 *
 * The last test prints "codemap bench: N entries + N lookups in S s, B
 * bytes/entry"; run build/tests/test_codemap to see it.
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "codemap.h"
#include "unit.h"

struct oracle_entry {
    uint64_t time, start, size, cookie;
};

static struct oracle_entry *oracle;
static size_t nr_oracle, cap_oracle;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so a failure can be replayed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static void oracle_reset(void)
{
    nr_oracle = 0;
}

/* Add to both the map and the oracle; the cookie is the insertion number. */
static void add(struct codemap *cm, uint64_t time, uint64_t start, uint64_t size)
{
    if (nr_oracle == cap_oracle) {
        cap_oracle = cap_oracle ? 2 * cap_oracle : 1024;
        oracle = realloc(oracle, cap_oracle * sizeof(*oracle));
        if (!oracle)
            abort();
    }
    oracle[nr_oracle] = (struct oracle_entry){ time, start, size, nr_oracle };
    CHECK_EQ_I64(codemap_add(cm, time, start, size, nr_oracle), 0);
    nr_oracle++;
}

/* The oracle's answer: index of the winning entry, or -1. */
static long oracle_lookup(uint64_t addr, uint64_t t)
{
    long best = -1;

    for (size_t i = 0; i < nr_oracle; i++) {
        const struct oracle_entry *e = &oracle[i];

        if (e->time > t || addr < e->start || addr - e->start >= e->size)
            continue;
        /* Later insertion wins at equal time: >= with ascending i. */
        if (best < 0 || e->time >= oracle[best].time)
            best = (long)i;
    }
    return best;
}

/* Compare one lookup with the oracle; returns 1 when equal. */
static int check_lookup(const struct codemap *cm, uint64_t addr, uint64_t t, bool latest)
{
    uint64_t cookie = ~0ull, start = ~0ull;
    long want = oracle_lookup(addr, latest ? UINT64_MAX : t);
    int got = latest ? codemap_lookup_latest(cm, addr, &cookie, &start)
                     : codemap_lookup(cm, addr, t, &cookie, &start);

    if (want < 0) {
        if (got != 0)
            fprintf(stderr, "  addr 0x%" PRIx64 " t %" PRIu64 ": want miss, got %d cookie %"
                    PRIu64 "\n", addr, t, got, cookie);
        return CHECK_EQ_I64(got, 0);
    }
    if (got != 1 || cookie != (uint64_t)want || start != oracle[want].start) {
        fprintf(stderr, "  addr 0x%" PRIx64 " t %" PRIu64 ": want %ld, got %d cookie %"
                PRIu64 "\n", addr, t, want, got, cookie);
        return CHECK(0);
    }
    unit_checks++;
    return 1;
}

/* An address near a random entry (inside, at its edges or just outside). */
static uint64_t probe_addr(void)
{
    const struct oracle_entry *e = &oracle[rnd_below(nr_oracle)];

    switch (rnd_below(5)) {
    case 0:  return e->start;
    case 1:  return e->start + (e->size - 1);
    case 2:  return e->start - 1;
    case 3:  return e->start + e->size;  /* may wrap to 0: fine */
    default: return e->start + rnd_below(e->size);
    }
}

/* Many random probes at random times; stop after a few mismatches. */
static void check_many(const struct codemap *cm, size_t n, uint64_t max_time)
{
    unsigned long failed0 = unit_failed;

    for (size_t i = 0; i < n && unit_failed - failed0 < 5; i++) {
        uint64_t t = rnd_below(max_time + 2);

        check_lookup(cm, probe_addr(), t, (i & 7) == 0);
    }
}

static void test_random_overlaps(void)
{
    for (int round = 0; round < 20; round++) {
        struct codemap *cm;
        size_t n = 1 + rnd_below(600);
        uint64_t base = rnd_below(2) ? 0x7f0000000000ull : 0;

        CHECK_EQ_I64(codemap_new(&cm), 0);
        oracle_reset();
        for (size_t i = 0; i < n; i++) {
            /* Few distinct times: many ties.  Sizes across page boundaries. */
            uint64_t size = 1 + (rnd_below(4) == 0 ? rnd_below(20000) : rnd_below(300));

            add(cm, rnd_below(30), base + rnd_below(64 * 1024), size);
        }
        CHECK_EQ_I64(codemap_build(cm), 0);
        CHECK_EQ_U64(codemap_count(cm), n);
        check_many(cm, 4000, 30);
        codemap_free(cm);
    }
}

/* QEMU's code buffer: TBs packed from its start, then a flush and again. */
static void test_flush_reuse(void)
{
    struct codemap *cm;
    uint64_t t = 1000;

    CHECK_EQ_I64(codemap_new(&cm), 0);
    oracle_reset();
    for (int epoch = 0; epoch < 8; epoch++) {
        uint64_t p = 0x7f1234560000ull, end = p + 40000 + rnd_below(40000);

        while (p < end) {
            uint64_t size = 16 + rnd_below(700);

            add(cm, t, p, size);
            /* Gaps (alignment, prologue) between TBs; some TBs at equal times. */
            p += size + rnd_below(3) * 16;
            t += rnd_below(3);
        }
        t += 10;    /* the flush */
    }
    CHECK_EQ_I64(codemap_build(cm), 0);
    check_many(cm, 20000, t);
    /* Before the first load: a miss everywhere. */
    CHECK_EQ_I64(codemap_lookup(cm, 0x7f1234560000ull, 999, NULL, NULL), 0);
    codemap_free(cm);
}

static void test_huge(void)
{
    struct codemap *cm;
    uint64_t top = UINT64_MAX;

    CHECK_EQ_I64(codemap_new(&cm), 0);
    CHECK_EQ_I64(codemap_add(cm, 1, 0, 0, 0), -EINVAL);
    CHECK_EQ_I64(codemap_add(cm, 1, top, 2, 0), -EINVAL);
    CHECK_EQ_I64(codemap_add(cm, 1, 1, top, 0), 0);        /* ends exactly at 2^64 */
    CHECK_EQ_I64(codemap_add(cm, 1, 2, top, 0), -EINVAL);
    CHECK_EQ_I64(codemap_add(cm, 1, top, 1, 0), 0);
    codemap_free(cm);

    for (int round = 0; round < 10; round++) {
        CHECK_EQ_I64(codemap_new(&cm), 0);
        oracle_reset();
        for (int i = 0; i < 300; i++) {
            uint64_t start, size;

            switch (rnd_below(4)) {
            case 0:     /* up to the very top */
                start = top - rnd_below(3 * 4096);
                size = top - start + 1 - rnd_below(2);
                if (size == 0)
                    size = 1;
                break;
            case 1:     /* huge, from low addresses */
                start = rnd_below(1u << 20);
                size = top - start - rnd_below(1u << 20) + 1;
                break;
            case 2:     /* big but indexed by page, or just above the limit */
                start = top - rnd_below(1ull << 24) - (1ull << 22);
                size = CODEMAP_BIG_SIZE - 2 + rnd_below(5);
                break;
            default:    /* small, somewhere near the top or the bottom */
                start = rnd_below(2) ? top - rnd_below(1ull << 24) : rnd_below(1u << 20);
                size = 1 + rnd_below(5000);
                if (size - 1 > top - start)
                    size = top - start + 1;
                break;
            }
            add(cm, rnd_below(20), start, size);
        }
        CHECK_EQ_I64(codemap_build(cm), 0);
        check_many(cm, 3000, 20);
        CHECK(check_lookup(cm, top, 19, false));
        CHECK(check_lookup(cm, 0, 19, false));
        codemap_free(cm);
    }
}

static void test_rebuild(void)
{
    struct codemap *cm;

    CHECK_EQ_I64(codemap_new(&cm), 0);
    oracle_reset();
    CHECK_EQ_I64(codemap_build(cm), 0);
    CHECK_EQ_I64(codemap_lookup(cm, 0, 0, NULL, NULL), 0);     /* empty */
    for (int step = 0; step < 5; step++) {
        for (int i = 0; i < 200; i++)
            add(cm, rnd_below(50), 0x10000 + rnd_below(30000),
                1 + (rnd_below(10) ? rnd_below(500) : CODEMAP_BIG_SIZE + rnd_below(9)));
        CHECK_EQ_I64(codemap_lookup(cm, 0x10000, 10, NULL, NULL), -EAGAIN);
        CHECK_EQ_I64(codemap_build(cm), 0);
        CHECK_EQ_U64(codemap_count(cm), nr_oracle);
        check_many(cm, 3000, 50);
    }
    codemap_free(cm);
    codemap_free(NULL);
}

/*
 * A million QEMU-like TBs (12 flushes of a 32 MiB buffer, ~300 bytes each)
 * and a million lookups of random addresses at random times.
 */
static void test_bench(void)
{
    const size_t n = 1000000;
    const uint64_t base = 0x7f0000000000ull, buf = 32ull << 20;
    struct codemap *cm;
    uint64_t p = base, t = 1, hits = 0;
    double t0, t1, t2;

    CHECK_EQ_I64(codemap_new(&cm), 0);
    t0 = unit_now();
    for (size_t i = 0; i < n; i++) {
        uint64_t size = 64 + rnd_below(480);

        if (p + size > base + buf) {
            p = base;
            t += 1000;
        }
        codemap_add(cm, t, p, size, i);
        p += size;
        t++;
    }
    CHECK_EQ_I64(codemap_build(cm), 0);
    t1 = unit_now();
    for (size_t i = 0; i < n; i++) {
        uint64_t cookie;

        hits += codemap_lookup(cm, base + rnd_below(buf), rnd_below(t + 1), &cookie, NULL) == 1;
    }
    t2 = unit_now();
    CHECK(hits > n / 2);
    printf("codemap bench: %zu entries (add+build %.3f s) + %zu lookups (%.3f s, %" PRIu64
           " hits) = %.3f s, %.1f bytes/entry\n", n, t1 - t0, n, t2 - t1, hits, t2 - t0,
           (double)codemap_memory(cm) / n);
    codemap_free(cm);
}

int main(void)
{
    RUN_TEST(test_random_overlaps);
    RUN_TEST(test_flush_reuse);
    RUN_TEST(test_huge);
    RUN_TEST(test_rebuild);
    RUN_TEST(test_bench);
    free(oracle);
    return unit_finish("test_codemap");
}
