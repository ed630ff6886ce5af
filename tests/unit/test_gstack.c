/*
 * test_gstack.c: unit tests of the shadow-stack decoder (gstack.h).
 *
 * Each test lays out a host stack dump by hand: the sampled stack pointer
 * SP is the address of dump[0], the block (struct tbs_shadow_stack, then
 * frames[0..capacity]) sits at SP + BLOCK_OFF, written in either byte
 * order, and checks what gstack_decode() returns: the frames innermost
 * first, stale frames skipped, signal frames flagged, truncation by lost
 * calls, by the dump size and by the caller's room, and GSTACK_NONE for
 * every kind of garbage.  A last test feeds random blocks and never reads
 * outside the dump (ASan build: the dump is malloc()ed to its exact size).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gstack.h"
#include "tbstats-format.h"
#include "unit.h"

#define SP 0x7ffc00001000ull
#define BLOCK_OFF 0x200u
#define ADDR (SP + BLOCK_OFF)
#define HDR 48u
#define FR 16u
#define DUMP 4096u
#define TOP TBS_SHADOW_KEY_TOP

static const bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

/* A host stack dump holding a block, and what decode() made of it. */
struct fx {
    uint8_t dump[DUMP];
    bool big;
    struct gstack g;
    uint64_t ret[8];
    uint8_t fl[8];
};

static void put(struct fx *f, uint64_t addr, uint64_t v)
{
    uint64_t off = addr - SP;

    for (int b = 0; b < 8; b++)
        f->dump[off + b] = (uint8_t)(v >> (f->big ? 56 - 8 * b : 8 * b));
}

/* A block with frames[1..n] = {ret[i], key[i]}, outermost first. */
static void block(struct fx *f, bool big, uint32_t capacity, uint64_t lost, unsigned n,
                  const uint64_t *ret, const uint64_t *key)
{
    uint64_t base = ADDR + HDR;

    memset(f->dump, 0xee, sizeof(f->dump));
    f->big = big;
    put(f, ADDR, TBS_SHADOW_MAGIC);
    put(f, ADDR + 8, base + FR * (n + 1));
    put(f, ADDR + 16, base + FR * (capacity + 1));
    put(f, ADDR + 24, lost);
    put(f, ADDR + 32, 0x401000);
    put(f, ADDR + 40, 0);
    put(f, base, 0);
    put(f, base + 8, TOP);
    for (unsigned i = 0; i < n; i++) {
        put(f, base + FR * (i + 1), ret[i]);
        put(f, base + FR * (i + 1) + 8, key[i]);
    }
}

/*
 * gstack_decode() of f's block at ADDR, of the given capacity, in f's byte
 * order, from the whole dump: room frames into f->ret and f->fl, the rest
 * into f->g.
 */
static enum gstack_status decode(struct fx *f, uint32_t capacity, size_t room)
{
    return gstack_decode(ADDR, capacity, SP, f->dump, DUMP, f->big, f->ret, f->fl, room, &f->g);
}

static const uint64_t rets[] = { 0x400194, 0x40016f, 0x4000d7 };
static const uint64_t keys[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0 };

static void test_simple(void)
{
    for (int big = 0; big < 2; big++) {
        struct fx f;

        block(&f, big, 16, 0, 3, rets, keys);
        CHECK_EQ_U64(decode(&f, 16, 8), GSTACK_OK);
        CHECK_EQ_U64(f.g.nr_frames, 3);
        CHECK_EQ_U64(f.ret[0], 0x4000d7);
        CHECK_EQ_U64(f.ret[1], 0x40016f);
        CHECK_EQ_U64(f.ret[2], 0x400194);
        CHECK_EQ_U64(f.fl[0] | f.fl[1] | f.fl[2], 0);
        CHECK_EQ_U64(f.g.depth, 3);
        CHECK_EQ_U64(f.g.nr_read, 3);
        CHECK_EQ_U64(f.g.nr_stale, 0);
        CHECK_EQ_U64(f.g.lost, 0);
        CHECK_EQ_U64(f.g.guest_pc, 0x401000);
        CHECK_EQ_U64(f.g.dump_needed, BLOCK_OFF + HDR + FR * 4);
        CHECK_EQ_U64(f.g.why, GSTACK_WHY_NONE);
        /* The other byte order is no shadow stack. */
        CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, f.dump, DUMP, !big, f.ret, f.fl, 8, &f.g),
                     GSTACK_NONE);
        CHECK_EQ_U64(f.g.why, GSTACK_WHY_BAD_MAGIC);
        CHECK_EQ_U64(f.g.nr_frames, 0);
    }
    (void)host_big;
}

/* No call in progress, and a block full to its capacity. */
static void test_empty_and_full(void)
{
    struct fx f;

    block(&f, false, 16, 0, 0, NULL, NULL);
    CHECK_EQ_U64(decode(&f, 16, 4), GSTACK_OK);
    CHECK_EQ_U64(f.g.nr_frames, 0);
    CHECK_EQ_U64(f.g.depth, 0);
    block(&f, false, 3, 0, 3, rets, keys);
    CHECK_EQ_U64(decode(&f, 3, 4), GSTACK_OK);
    CHECK_EQ_U64(f.g.nr_frames, 3);
    /* The record says capacity 2: top beyond the limit it allows. */
    CHECK_EQ_U64(decode(&f, 2, 4), GSTACK_NONE);
    CHECK_EQ_U64(f.g.why, GSTACK_WHY_BAD_BOUNDS);
}

static void test_not_in_dump(void)
{
    struct fx f;

    block(&f, false, 16, 0, 3, rets, keys);
    /* The block below the stack pointer, or not whole in the dump. */
    CHECK_EQ_U64(gstack_decode(SP - 8, 16, SP, f.dump, DUMP, false, f.ret, NULL, 4, &f.g),
                 GSTACK_NONE);
    CHECK_EQ_U64(f.g.why, GSTACK_WHY_NOT_IN_DUMP);
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, f.dump, BLOCK_OFF + HDR - 1, false, f.ret, NULL, 4,
                               &f.g), GSTACK_NONE);
    CHECK_EQ_U64(f.g.why, GSTACK_WHY_NOT_IN_DUMP);
    CHECK_EQ_U64(gstack_decode(SP + DUMP, 16, SP, f.dump, DUMP, false, f.ret, NULL, 4, &f.g),
                 GSTACK_NONE);
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, NULL, 0, false, f.ret, NULL, 4, &f.g), GSTACK_NONE);
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, NULL, DUMP, false, f.ret, NULL, 4, &f.g), GSTACK_NONE);
    CHECK_STR_EQ(gstack_why_name(f.g.why), "not in dump");
}

/* The header in the dump, the frames cut: the outermost ones, truncated. */
static void test_cut_by_dump(void)
{
    struct fx f;

    block(&f, false, 16, 0, 3, rets, keys);
    /* frames[0..2] whole, frames[3] one byte short. */
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, f.dump, BLOCK_OFF + HDR + 4 * FR - 1, false,
                               f.ret, NULL, 4, &f.g), GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.g.nr_read, 2);
    CHECK_EQ_U64(f.g.nr_frames, 2);
    CHECK_EQ_U64(f.ret[0], 0x40016f);
    CHECK_EQ_U64(f.ret[1], 0x400194);
    CHECK_EQ_U64(f.g.dump_needed, BLOCK_OFF + HDR + 4 * FR);
    /* Only the header: no frame, and the sentinel is not checked. */
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, f.dump, BLOCK_OFF + HDR, false, f.ret, NULL, 4, &f.g),
                 GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.g.nr_frames, 0);
    CHECK_EQ_U64(f.g.depth, 3);
}

static void test_lost_and_room(void)
{
    struct fx f;

    block(&f, false, 3, 5, 3, rets, keys);
    CHECK_EQ_U64(decode(&f, 3, 4), GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.g.lost, 5);
    CHECK_EQ_U64(f.g.nr_frames, 3);
    /* Room for 2: the outermost 2. */
    block(&f, false, 16, 0, 3, rets, keys);
    CHECK_EQ_U64(decode(&f, 16, 2), GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.g.nr_frames, 2);
    CHECK_EQ_U64(f.ret[0], 0x40016f);
    CHECK_EQ_U64(f.ret[1], 0x400194);
    /* No room at all. */
    CHECK_EQ_U64(gstack_decode(ADDR, 16, SP, f.dump, DUMP, false, NULL, NULL, 4, &f.g),
                 GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.g.nr_frames, 0);
}

/* A frame whose key is not above every key inside it is skipped. */
static void test_stale(void)
{
    static const uint64_t r[] = { 0x400194, 0x40017b, 0x40016f, 0x4000d7 };
    static const uint64_t k[] = { 0x7fffe000, 0x7fffd000, 0x7fffdfe0, 0x7fffdfc0 };
    static const uint64_t k_eq[] = { 0x7fffe000, 0x7fffdfc0, 0x7fffdfe0, 0x7fffdfc0 };
    struct fx f;

    block(&f, false, 16, 0, 4, r, k);
    CHECK_EQ_U64(decode(&f, 16, 8), GSTACK_OK);
    CHECK_EQ_U64(f.g.nr_stale, 1);
    CHECK_EQ_U64(f.g.nr_frames, 3);
    CHECK_EQ_U64(f.ret[0], 0x4000d7);
    CHECK_EQ_U64(f.ret[1], 0x40016f);
    CHECK_EQ_U64(f.ret[2], 0x400194);
    /* Equal to an inner key: stale too (the frame is over). */
    block(&f, false, 16, 0, 4, r, k_eq);
    CHECK_EQ_U64(decode(&f, 16, 8), GSTACK_OK);
    CHECK_EQ_U64(f.g.nr_stale, 1);
    CHECK_EQ_U64(f.g.nr_frames, 3);
    /* Room for 2 of the 3 kept: the stale one counts for nothing. */
    block(&f, false, 16, 0, 4, r, k);
    CHECK_EQ_U64(decode(&f, 16, 2), GSTACK_TRUNCATED);
    CHECK_EQ_U64(f.ret[0], 0x40016f);
    CHECK_EQ_U64(f.ret[1], 0x400194);
}

/* Signal frames: flagged, compared by key & ~1; a TOP frame restarts the comparison. */
static void test_signal(void)
{
    static const uint64_t r[] = { 0x400194, 0x40017b, 0x400117, 0x4000f3, 0x400200 };
    static const uint64_t k[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, 0x7fffdf90 | 1,
                                  0x7fffdf80 };
    /* The handler on an alternate stack above the main one. */
    static const uint64_t k_alt[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, TOP, 0x90000000 };
    /* A signal frame whose key is below an inner one's: stale like any frame. */
    static const uint64_t k_stale[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, 0x7fffdf70 | 1,
                                        0x7fffdf80 };
    static const uint64_t k_leaf[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, 0x7fffdfc0 | 1,
                                       0x7fffdf80 };
    /*
     * Each block of the five calls r with its keys: how many frames are
     * stale and how many kept, and some kept ones (innermost first) with
     * their return address and flags.
     */
    static const struct {
        const uint64_t *key;
        uint64_t nr_stale, nr_frames;
        unsigned nr_want;
        struct {
            unsigned i;
            uint64_t ret;
            uint8_t flags;
        } want[5];
    } cases[] = {
        /* Only the signal frame is flagged. */
        { k, 0, 5, 5, { { 0, 0x400200, 0 }, { 1, 0x4000f3, GSTACK_FRAME_SIGNAL },
                        { 2, 0x400117, 0 }, { 3, 0x40017b, 0 }, { 4, 0x400194, 0 } } },
        { k_alt, 0, 5, 3, { { 0, 0x400200, 0 }, { 1, 0x4000f3, GSTACK_FRAME_SIGNAL },
                            { 4, 0x400194, 0 } } },
        /*
         * aarch64: a leaf interrupted before it moved SP; its call's key is
         * the interrupted SP, which the signal frame holds: both live.
         */
        { k_leaf, 0, 5, 2, { { 1, 0x4000f3, GSTACK_FRAME_SIGNAL }, { 2, 0x400117, 0 } } },
        { k_stale, 1, 4, 1, { { 1, 0x400117, 0 } } },
    };

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct fx f;

        block(&f, false, 16, 0, 5, r, cases[c].key);
        CHECK_EQ_U64(decode(&f, 16, 8), GSTACK_OK);
        CHECK_EQ_U64(f.g.nr_stale, cases[c].nr_stale);
        CHECK_EQ_U64(f.g.nr_frames, cases[c].nr_frames);
        for (unsigned w = 0; w < cases[c].nr_want; w++) {
            CHECK_EQ_U64(f.ret[cases[c].want[w].i], cases[c].want[w].ret);
            CHECK_EQ_U64(f.fl[cases[c].want[w].i], cases[c].want[w].flags);
        }
    }
}

static void test_garbage_header(void)
{
    struct fx f;

    /* Bad magic, bad sentinel. */
    block(&f, false, 16, 0, 3, rets, keys);
    put(&f, ADDR, TBS_SHADOW_MAGIC ^ 1);
    CHECK_EQ_U64(decode(&f, 16, 4), GSTACK_NONE);
    CHECK_EQ_U64(f.g.why, GSTACK_WHY_BAD_MAGIC);
    block(&f, false, 16, 0, 3, rets, keys);
    put(&f, ADDR + HDR + 8, 0);
    CHECK_EQ_U64(decode(&f, 16, 4), GSTACK_NONE);
    CHECK_EQ_U64(f.g.why, GSTACK_WHY_BAD_MAGIC);

    /*
     * top (at ADDR + 8): below frames[1], misaligned, above limit; limit
     * (at ADDR + 16): beyond the capacity, below top, misaligned.
     */
    static const struct {
        uint64_t field, value;
    } bad_bounds[] = {
        { ADDR + 8, ADDR + HDR }, { ADDR + 8, ADDR + HDR + 8 + FR },
        { ADDR + 8, ADDR + HDR + 18 * FR }, { ADDR + 8, ADDR }, { ADDR + 8, 0 },
        { ADDR + 8, UINT64_MAX }, { ADDR + 16, ADDR + HDR + 18 * FR },
        { ADDR + 16, ADDR + HDR + 3 * FR }, { ADDR + 16, ADDR + HDR + 5 * FR + 4 },
    };
    for (size_t i = 0; i < sizeof(bad_bounds) / sizeof(bad_bounds[0]); i++) {
        block(&f, false, 16, 0, 3, rets, keys);
        put(&f, bad_bounds[i].field, bad_bounds[i].value);
        CHECK_EQ_U64(decode(&f, 16, 4), GSTACK_NONE);
        CHECK_EQ_U64(f.g.why, GSTACK_WHY_BAD_BOUNDS);
    }
    /* A misaligned block address. */
    block(&f, false, 16, 0, 3, rets, keys);
    CHECK_EQ_U64(gstack_decode(ADDR + 4, 16, SP, f.dump, DUMP, false, f.ret, NULL, 4, &f.g),
                 GSTACK_NONE);
}

/* Addresses at the top of the address space: no sum may wrap. */
static void test_wrap(void)
{
    uint8_t dump[256];
    uint64_t sp = UINT64_MAX - 255, addr = sp + 8, ret[4];
    struct gstack g;

    memset(dump, 0, sizeof(dump));
    for (int b = 0; b < 8; b++)
        dump[8 + b] = (uint8_t)(TBS_SHADOW_MAGIC >> (host_big ? 56 - 8 * b : 8 * b));
    memset(dump + 16, 0xff, 16);       /* top = limit = UINT64_MAX */
    CHECK_EQ_U64(gstack_decode(addr, UINT32_MAX, sp, dump, sizeof(dump), host_big, ret, NULL, 4,
                               &g), GSTACK_NONE);
    CHECK_EQ_U64(g.why, GSTACK_WHY_BAD_BOUNDS);
    CHECK_EQ_U64(gstack_decode(UINT64_MAX - 7, 1, sp, dump, sizeof(dump), host_big, ret, NULL, 4,
                               &g), GSTACK_NONE);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return unit_xorshift(&rng_state);
}

/* Random blocks (valid headers, random frames and sizes): bounded, consistent results. */
static void test_random(void)
{
    unsigned bad = 0;

    for (int iter = 0; iter < 20000; iter++) {
        struct fx f;
        struct gstack g;
        uint64_t ret[9];
        uint8_t fl[8];
        uint32_t cap = (uint32_t)(rnd() % 300);
        unsigned n = (unsigned)(rnd() % (cap + 1));
        size_t size = (size_t)(rnd() % (DUMP + 1)), max = (size_t)(rnd() % 9);
        uint8_t *dump;

        if (n > 200)
            n = 200;
        block(&f, iter & 1, cap, rnd() % 3 == 0 ? rnd() : 0, 0, NULL, NULL);
        put(&f, ADDR + 8, ADDR + HDR + FR * (n + 1));
        for (unsigned i = 1; i <= n; i++) {
            put(&f, ADDR + HDR + FR * i, rnd());
            put(&f, ADDR + HDR + FR * i + 8, rnd() % 4 ? rnd() % 0x1000 : TOP);
        }
        if (rnd() % 4 == 0)
            f.dump[rnd() % DUMP] ^= (uint8_t)rnd();
        dump = malloc(size ? size : 1);
        memcpy(dump, f.dump, size);
        ret[max] = 0x5a5a;
        gstack_decode(ADDR, cap, SP, dump, size, iter & 1, ret, fl, max, &g);
        if (g.nr_frames > max || ret[max] != 0x5a5a || g.nr_read > g.depth ||
            g.nr_stale > g.nr_read || (g.status == GSTACK_NONE && g.nr_frames) ||
            (g.status == GSTACK_OK && (g.lost || g.nr_read != g.depth)) ||
            g.nr_frames + g.nr_stale > g.nr_read)
            bad++;
        free(dump);
    }
    CHECK_EQ_U64(bad, 0);
}

int main(void)
{
    RUN_TEST(test_simple);
    RUN_TEST(test_empty_and_full);
    RUN_TEST(test_not_in_dump);
    RUN_TEST(test_cut_by_dump);
    RUN_TEST(test_lost_and_room);
    RUN_TEST(test_stale);
    RUN_TEST(test_signal);
    RUN_TEST(test_garbage_header);
    RUN_TEST(test_wrap);
    RUN_TEST(test_random);
    return unit_finish("test_gstack");
}
