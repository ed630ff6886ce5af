/*
 * make-seeds-gstack.c: writes the seed corpus of fuzz_gstack
 * (tests/fuzz/corpus/gstack/), in fuzz_gstack.c's input format.
 *
 * The seeds are committed; rerun this only to change them:
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds-gstack.c -o build/make-seeds-gstack &&
 *   build/make-seeds-gstack tests/fuzz/corpus/gstack
 *
 * Valid blocks in both byte orders (plain, with a stale frame, with signal
 * frames, with lost calls, cut by the dump, more frames than room), and one
 * input per check of the decoder (header outside the dump, bad magic, bad
 * sentinel, top and limit out of range or misaligned, a block at the top
 * of the address space).  Deterministic, whatever the host.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tbstats-format.h"

#include "../tools/fixture.h"

#define PREFIX 32
#define SP 0x7ffc00001000ull
#define OFF 0x40u                 /* the block's offset in the dump */
#define HDR 48u
#define FR 16u

static const char *dir;

struct seed {
    uint8_t buf[PREFIX + 1024];
    size_t len;
    bool big;
};

static void st(uint8_t *p, uint64_t v, int n, bool big)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (big ? 8 * (n - 1 - i) : 8 * i));
}

/* The dump's u64 at block offset o. */
static void put(struct seed *s, uint64_t o, uint64_t v)
{
    st(s->buf + PREFIX + OFF + o, v, 8, s->big);
}

/* A block of capacity cap with frames[1..n] = {ret[i], key[i]}, dump of len bytes. */
static void make(struct seed *s, bool big, uint32_t cap, uint32_t room, uint64_t lost,
                 unsigned n, const uint64_t *ret, const uint64_t *key, size_t dump)
{
    memset(s, 0, sizeof(*s));
    s->big = big;
    st(s->buf, SP, 8, false);
    st(s->buf + 8, OFF, 8, false);
    st(s->buf + 16, cap, 4, false);
    st(s->buf + 20, room, 4, false);
    s->buf[24] = big;
    put(s, 0, TBS_SHADOW_MAGIC);
    put(s, 8, SP + OFF + HDR + FR * (n + 1));
    put(s, 16, SP + OFF + HDR + FR * (cap + 1));
    put(s, 24, lost);
    put(s, 32, 0x401000);
    put(s, HDR + 8, TBS_SHADOW_KEY_TOP);
    for (unsigned i = 0; i < n; i++) {
        put(s, HDR + FR * (i + 1), ret[i]);
        put(s, HDR + FR * (i + 1) + 8, key[i]);
    }
    s->len = PREFIX + dump;
}

static void save(const struct seed *s, const char *name)
{
    fixture_save(dir, name, s->buf, s->len);
}

int main(int argc, char **argv)
{
    static const uint64_t ret[] = { 0x400194, 0x40016f, 0x40017b, 0x4000d7, 0x4000f3, 0x400200 };
    static const uint64_t key[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, 0x7fffdfa0,
                                    0x7fffdf90 | 1, 0x7fffdf80 };
    static const uint64_t stale[] = { 0x7fffe000, 0x7fffd000, 0x7fffdfc0, 0x7fffdfa0 };
    static const uint64_t alt[] = { 0x7fffe000, 0x7fffdfe0, 0x7fffdfc0, 0x7fffdfa0,
                                    TBS_SHADOW_KEY_TOP, 0x90000000 };
    const size_t full = OFF + HDR + FR * 17;
    struct seed s;

    /* The valid seeds, each in both byte orders ("NAME-le", "NAME-be"). */
    const struct {
        const char *name;
        uint32_t cap, room;
        uint64_t lost;
        unsigned n;
        const uint64_t *key;
        size_t dump;
    } valid[] = {
        { "valid",           16, 16, 0, 4, key,   full },
        { "empty",           16, 16, 0, 0, key,   full },
        { "stale",           16, 16, 0, 4, stale, full },
        { "signal",          16, 16, 0, 6, key,   full },
        { "signal-altstack", 16, 16, 0, 6, alt,   full },
        { "lost",             4, 16, 7, 4, key,   full },
        { "cut",             16, 16, 0, 6, key,   OFF + HDR + FR * 4 - 3 },
        { "room",            16,  2, 0, 6, key,   full },
    };

    dir = fixture_dir(argc, argv);
    for (int big = 0; big < 2; big++) {
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
            char name[64];

            make(&s, big, valid[i].cap, valid[i].room, valid[i].lost, valid[i].n, ret,
                 valid[i].key, valid[i].dump);
            snprintf(name, sizeof(name), "%s-%s", valid[i].name, big ? "be" : "le");
            save(&s, name);
        }
    }
    /* One per check, little-endian. */
    make(&s, false, 16, 16, 0, 4, ret, key, OFF + HDR - 1);
    save(&s, "bad-header-cut");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    st(s.buf + 8, (uint64_t)-8, 8, false);
    save(&s, "bad-below-sp");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    put(&s, 0, 0);
    save(&s, "bad-magic");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    put(&s, HDR + 8, 0);
    save(&s, "bad-sentinel");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    put(&s, 8, SP + OFF + HDR + 8);
    save(&s, "bad-top-misaligned");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    put(&s, 8, SP + OFF + HDR + FR * 18);
    save(&s, "bad-top-above-limit");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    put(&s, 16, SP + OFF + HDR + FR * 40);
    save(&s, "bad-limit-beyond-capacity");
    make(&s, false, 16, 16, 0, 4, ret, key, full);
    st(s.buf + 8, OFF + 4, 8, false);
    save(&s, "bad-addr-misaligned");
    make(&s, false, UINT32_MAX, 16, 0, 4, ret, key, full);
    st(s.buf, UINT64_MAX - (OFF + 200), 8, false);
    save(&s, "wrap");
    return 0;
}
