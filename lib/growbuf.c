/*
 * growbuf.c: a byte buffer that grows by doubling (see growbuf.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "growbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

int growbuf_reserve(struct growbuf *g, size_t more, size_t first)
{
    size_t ncap;
    uint8_t *np;

    if (g->cap - g->len >= more)
        return 0;
    ncap = g->cap ? g->cap : first;
    while (ncap - g->len < more) {
        if (ncap > SIZE_MAX / 2)
            return -ENOMEM;
        ncap *= 2;
    }
    np = realloc(g->p, ncap);
    if (!np)
        return -ENOMEM;
    g->p = np;
    g->cap = ncap;
    return 0;
}

int growbuf_append(struct growbuf *g, const void *p, size_t n, size_t first)
{
    if (n == 0)
        return 0;       /* g->p may still be NULL: no memcpy() from or to it */
    if (growbuf_reserve(g, n, first))
        return -ENOMEM;
    if (p)
        memcpy(g->p + g->len, p, n);
    else
        memset(g->p + g->len, 0, n);
    g->len += n;
    return 0;
}

int growbuf_append_uint(struct growbuf *g, bool swapped, uint64_t v, unsigned size,
                        size_t first)
{
    uint8_t b[8];

    bytes_store(swapped, b, v, size);
    return growbuf_append(g, b, size, first);
}
