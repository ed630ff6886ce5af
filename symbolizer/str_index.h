/*
 * str_index.h: an index by name of the items of an array its owner keeps
 * (the rows of tbsym report --by sym and of tbsym diff, the folded stacks
 * of a flamegraph, gstack_view's interned names).  Open addressing with
 * linear probing over FNV-1a hashes; each slot holds an item's index + 1
 * (0: empty); the index is at most half full and doubles, from 1024
 * slots, as items come.  The owner says how to hash and compare item i
 * through callbacks, so items may move (realloc) between calls.  Not
 * thread safe.
 */
#ifndef TBSYM_STR_INDEX_H
#define TBSYM_STR_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str_index {
    size_t *slot;              /* [size]: item index + 1, 0: empty */
    size_t size;               /* a power of two; 0 before the first item */
};

/* The FNV-1a offset basis: the hash of no bytes. */
#define STR_INDEX_HASH_INIT 1469598103934665603ull

/* str_index_hash - h (STR_INDEX_HASH_INIT to start) continued with the bytes of s (NULL: none). */
uint64_t str_index_hash(uint64_t h, const char *s);

/* str_index_hash_mem - h continued with the len bytes at s (FNV-1a, as str_index_hash()). */
uint64_t str_index_hash_mem(uint64_t h, const char *s, size_t len);

/*
 * str_index_reserve - room for one more item when nr are indexed: if
 * (nr + 1) * 2 > size, a twice larger index with items 0..nr-1 entered
 * again at hash_of(ctx, i).  0, or -ENOMEM with the index unchanged.
 */
int str_index_reserve(struct str_index *x, size_t nr,
                      uint64_t (*hash_of)(const void *ctx, size_t i), const void *ctx);

/*
 * str_index_find - the slot of the item that is_key(ctx, i, key) accepts,
 * following the probes from hash; when none does, the empty slot (*slot
 * == 0) where the owner stores the new item's index + 1.  The index must
 * have a size (str_index_reserve()).
 */
size_t *str_index_find(const struct str_index *x, uint64_t hash,
                       bool (*is_key)(const void *ctx, size_t i, const void *key),
                       const void *ctx, const void *key);

/*
 * str_index_find_name - str_index_reserve() and str_index_find() for the
 * common case: the items are nr structs of item_size bytes at items, each
 * named by the NUL-terminated string its char * member at name_off points
 * to (offsetof()).  The slot of the item named name, or the empty slot for
 * it (as str_index_find()); NULL when out of memory.
 */
size_t *str_index_find_name(struct str_index *x, const void *items, size_t nr, size_t item_size,
                            size_t name_off, const char *name);

/* str_index_clear - free the slots and empty the index (accepts an empty one). */
void str_index_clear(struct str_index *x);

#endif /* TBSYM_STR_INDEX_H */
