/*
 * perfdata_swap.h: byte-swapping a struct perf_event_attr between the two
 * byte orders, shared by the perf.data reader and writer.  Internal.
 *
 * Every field is swapped by its width; the u64 of bitfields (disabled,
 * inherit, ... after read_format) is also bit-reversed within each byte,
 * since a big-endian compiler allocates bitfields from the most significant
 * bit (perf's swap_bitfield()).  The operation is its own inverse.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PERFDATA_SWAP_H
#define PERFDATA_SWAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Swap the first n bytes (n <= 136) of an attr in buf, field by field. */
static inline void perf_attr_bswap(uint8_t *buf, size_t n)
{
    /* offset << 8 | width of every field up to config3 */
    static const uint16_t fields[] = {
        0 << 8 | 4, 4 << 8 | 4, 8 << 8 | 8, 16 << 8 | 8, 24 << 8 | 8, 32 << 8 | 8,
        40 << 8 | 0x80 | 8, 48 << 8 | 4, 52 << 8 | 4, 56 << 8 | 8, 64 << 8 | 8,
        72 << 8 | 8, 80 << 8 | 8, 88 << 8 | 4, 92 << 8 | 4, 96 << 8 | 8,
        104 << 8 | 4, 108 << 8 | 2, 110 << 8 | 2, 112 << 8 | 4, 116 << 8 | 4,
        120 << 8 | 8, 128 << 8 | 8,
    };

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        size_t off = fields[i] >> 8, w = fields[i] & 0xf;
        uint8_t *p = buf + off;

        if (off + w > n)
            break;
        for (size_t a = 0, b = w - 1; a < b; a++, b--) {
            uint8_t t = p[a];

            p[a] = p[b];
            p[b] = t;
        }
        if (fields[i] & 0x80)
            for (size_t k = 0; k < w; k++) {
                uint8_t v = p[k], r = 0;

                for (int bit = 0; bit < 8; bit++)
                    r |= ((v >> bit) & 1) << (7 - bit);
                p[k] = r;
            }
    }
}

#endif /* PERFDATA_SWAP_H */
