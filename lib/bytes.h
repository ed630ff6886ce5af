/*
 * bytes.h: unaligned loads of file fields in either byte order, shared by
 * the jitdump and side-file readers.  Internal to the library.
 *
 * Fields are read with memcpy(): records need not be aligned and a reader's
 * *_open_mem() takes any buffer.  When swapped is true the file was written
 * in the other byte order and the value is byte-swapped into host order.
 * The caller has checked that the bytes at p are in bounds.
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

#endif /* BYTES_H */
