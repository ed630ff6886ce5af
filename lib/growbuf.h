/*
 * growbuf.h: a byte buffer that grows by doubling, shared by the jitdump,
 * side-file and perf.data writers, the perf.data reader's queue of
 * compressed events and the tbdb's name pool.  Internal to the library.
 * Arrays appended one element at a time use array.h instead.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef GROWBUF_H
#define GROWBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct growbuf {
    uint8_t *p;             /* malloc()ed, or NULL while cap is 0 */
    size_t len, cap;
};

/*
 * growbuf_reserve - make room for @more bytes after @g->len: the capacity
 * starts at @first and doubles until they fit.  Returns 0, or -ENOMEM (also
 * when the capacity would overflow a size_t) with @g unchanged.  The
 * caller appends and advances @g->len; free(@g->p) releases the buffer.
 */
int growbuf_reserve(struct growbuf *g, size_t more, size_t first);

/*
 * growbuf_append - append @n bytes from @p, or @n zero bytes when @p is
 * NULL, reserving as growbuf_reserve() does.  Returns 0, or -ENOMEM with
 * @g unchanged.  The bytes start at @g->len - @n after the call.
 */
int growbuf_append(struct growbuf *g, const void *p, size_t n, size_t first);

/*
 * growbuf_append_uint - append the low @size bytes (1, 2, 4 or 8) of @v,
 * byte-swapped when @swapped (bytes.h's bytes_store()), as
 * growbuf_append().
 */
int growbuf_append_uint(struct growbuf *g, bool swapped, uint64_t v, unsigned size,
                        size_t first);

#endif /* GROWBUF_H */
