/*
 * array.c: an array that grows by doubling (see array.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_reserve(void *array, size_t nr, size_t *cap, size_t size, size_t first)
{
    size_t ncap;

    if (nr < *cap)
        return array;
    ncap = *cap ? 2 * *cap : first;
    if (ncap < *cap || ncap > SIZE_MAX / size)
        return NULL;
    array = realloc(array, ncap * size);
    if (array)
        *cap = ncap;
    return array;
}
