/*
 * bytes.h: unaligned loads and stores of file fields in either byte order,
 * shared by the readers and the writers of the jitdump, the side file and
 * perf.data.  Internal to the library.
 *
 * Fields are read and written with memcpy(): records need not be aligned
 * and a reader's *_open_mem() takes any buffer.  When swapped is true the
 * file is (to be) in the other byte order: a loaded value is byte-swapped
 * into host order, a stored one out of it.  The caller has checked that
 * the bytes at p are in bounds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BYTES_H
#define BYTES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t bytes_load16(bool swapped, const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return swapped ? __builtin_bswap16(v) : v;
}

static inline uint32_t bytes_load32(bool swapped, const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return swapped ? __builtin_bswap32(v) : v;
}

static inline uint64_t bytes_load64(bool swapped, const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return swapped ? __builtin_bswap64(v) : v;
}

static inline void bytes_store8(bool swapped, uint8_t *p, uint8_t v)
{
    (void)swapped;
    *p = v;
}

static inline void bytes_store16(bool swapped, uint8_t *p, uint16_t v)
{
    v = swapped ? __builtin_bswap16(v) : v;
    memcpy(p, &v, sizeof(v));
}

static inline void bytes_store32(bool swapped, uint8_t *p, uint32_t v)
{
    v = swapped ? __builtin_bswap32(v) : v;
    memcpy(p, &v, sizeof(v));
}

static inline void bytes_store64(bool swapped, uint8_t *p, uint64_t v)
{
    v = swapped ? __builtin_bswap64(v) : v;
    memcpy(p, &v, sizeof(v));
}

/* bytes_store - the low size bytes of v (size 1, 2, 4 or 8) at p. */
static inline void bytes_store(bool swapped, uint8_t *p, uint64_t v, unsigned size)
{
    switch (size) {
    case 1:
        bytes_store8(swapped, p, (uint8_t)v);
        break;
    case 2:
        bytes_store16(swapped, p, (uint16_t)v);
        break;
    case 4:
        bytes_store32(swapped, p, (uint32_t)v);
        break;
    default:
        bytes_store64(swapped, p, v);
        break;
    }
}

#endif /* BYTES_H */
