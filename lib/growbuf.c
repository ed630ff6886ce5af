/*
 * growbuf.c: a byte buffer that grows by doubling (see growbuf.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "growbuf.h"

#include <errno.h>
#include <stdlib.h>

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
