/*
 * array.h: an array that grows by doubling, for the tables that are
 * appended one element at a time: the library's, and tbsym's (the one
 * helper of the library's own that the tools use too).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ARRAY_H
#define ARRAY_H

#include <stddef.h>

/*
 * array_reserve - make room for one element after the @nr used of @array,
 * which has room for *@cap elements of @size bytes; the capacity starts at
 * @first and doubles.  Returns the array, moved or not, with *@cap updated;
 * or NULL when out of memory (also when the size would overflow a size_t),
 * with @array and *@cap unchanged and @array still the caller's to free.
 */
void *array_reserve(void *array, size_t nr, size_t *cap, size_t size, size_t first);

#endif /* ARRAY_H */
