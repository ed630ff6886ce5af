/*
 * str_index.c: an index by name of the items of an array (see str_index.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "str_index.h"

uint64_t str_index_hash_mem(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

uint64_t str_index_hash(uint64_t h, const char *s)
{
    return str_index_hash_mem(h, s, s ? strlen(s) : 0);
}

int str_index_reserve(struct str_index *x, size_t nr,
                      uint64_t (*hash_of)(const void *ctx, size_t i), const void *ctx)
{
    size_t size, *slot;

    if ((nr + 1) * 2 <= x->size)
        return 0;
    size = x->size ? x->size * 2 : 1024;
    slot = calloc(size, sizeof(*slot));
    if (!slot)
        return -ENOMEM;
    for (size_t i = 0; i < nr; i++) {
        size_t j = hash_of(ctx, i) & (size - 1);

        while (slot[j])
            j = (j + 1) & (size - 1);
        slot[j] = i + 1;
    }
    free(x->slot);
    x->slot = slot;
    x->size = size;
    return 0;
}

size_t *str_index_find(const struct str_index *x, uint64_t hash,
                       bool (*is_key)(const void *ctx, size_t i, const void *key),
                       const void *ctx, const void *key)
{
    size_t j = hash & (x->size - 1);

    while (x->slot[j] && !is_key(ctx, x->slot[j] - 1, key))
        j = (j + 1) & (x->size - 1);
    return &x->slot[j];
}

void str_index_clear(struct str_index *x)
{
    free(x->slot);
    x->slot = NULL;
    x->size = 0;
}

/* The items of str_index_find_name(), for its callbacks. */
struct named_items {
    const char *base;
    size_t item_size, name_off;
};

static const char *item_name(const struct named_items *n, size_t i)
{
    const char *name;

    memcpy(&name, n->base + i * n->item_size + n->name_off, sizeof(name));
    return name;
}

static uint64_t named_hash(const void *ctx, size_t i)
{
    return str_index_hash(STR_INDEX_HASH_INIT, item_name(ctx, i));
}

static bool named_is(const void *ctx, size_t i, const void *name)
{
    return !strcmp(item_name(ctx, i), name);
}

size_t *str_index_find_name(struct str_index *x, const void *items, size_t nr, size_t item_size,
                            size_t name_off, const char *name)
{
    const struct named_items n = { items, item_size, name_off };

    if (str_index_reserve(x, nr, named_hash, &n) < 0)
        return NULL;
    return str_index_find(x, str_index_hash(STR_INDEX_HASH_INIT, name), named_is, &n, name);
}
