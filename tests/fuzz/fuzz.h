/*
 * fuzz.h: what the libFuzzer targets (tests/fuzz/fuzz_*.c) share: the
 * entry point's prototype, a volatile sink and touch() so that the reads a
 * target makes cannot be optimized away (a read out of bounds must happen
 * to be caught), and a little-endian decoder for the fields of their
 * inputs.  Header only; included as "fuzz.h" by the targets next to it, so
 * their build commands stay one .c file on the library.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every target folds what it read into this, so the compiler cannot skip the reads. */
static volatile unsigned sink;

/* fuzz_touch - read each of the len bytes at p, return a hash of them. */
static inline unsigned fuzz_touch(const void *p, size_t len)
{
    const uint8_t *b = p;
    unsigned h = 0;

    for (size_t i = 0; i < len; i++)
        h = h * 31 + b[i];
    return h;
}

/* fuzz_le - the n-byte (n <= 8) little-endian unsigned number at p. */
static inline uint64_t fuzz_le(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

#endif /* TESTS_FUZZ_H */
