/*
 * codemap.h: a time-aware map from host code addresses to the code load
 * that was live there at a given moment.
 *
 * QEMU reuses its code buffer after every flush, so one host address holds
 * many TBs over a run.  Entries come from jitdump CODE_LOAD records (or from
 * the MMAP2 records perf inject writes for jitted-*.so); each carries an
 * opaque 64-bit cookie (a record index, a pointer) that the map hands back.
 *
 * The semantics are perf's when it resolves a sample against the MMAP2
 * events of perf inject: among the entries whose time is <= the sample's
 * time and whose [start, start + size) contains the address, the one with
 * the greatest time wins; at equal times the one added last wins.  A later
 * entry hides only the part of an older one it overlaps (perf's
 * maps__fixup_overlappings keeps the rest), and nothing is "unloaded".  No
 * such entry: a miss.
 *
 * Usage: codemap_new(), any number of codemap_add() in any order,
 * codemap_build(), then lookups.  Adding after a build is allowed; the next
 * lookup fails with -EAGAIN until codemap_build() is called again.
 *
 * Cost: codemap_build() sorts one 32-byte record per 4 KiB page an entry
 * covers, plus 12 bytes per distinct page (~34 bytes per QEMU TB);
 * a lookup is two binary searches and a backward scan over the entries of
 * one page.  Entries larger than CODEMAP_BIG_SIZE are kept aside in a
 * list scanned linearly (QEMU's TBs are a few KiB at most).
 *
 * Thread safety: none while adding or building; after codemap_build(),
 * lookups may run concurrently from any number of threads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CODEMAP_H
#define CODEMAP_H

#include <stddef.h>
#include <stdint.h>

/* Entries larger than this are not indexed by page (see above). */
#define CODEMAP_BIG_SIZE (1u << 20)

struct codemap;

/*
 * codemap_new - an empty map.
 * Returns 0 and sets *cmp, or -ENOMEM.  Release it with codemap_free().
 */
int codemap_new(struct codemap **cmp);

/* codemap_free - release the map and everything in it.  Accepts NULL. */
void codemap_free(struct codemap *cm);

/*
 * codemap_add - add the code load [start, start + size) made at time, with
 * the caller's cookie.  Entries may be added in any order.
 *
 * Returns 0; -EINVAL when size is 0 or start + size overflows (the last
 * byte may be UINT64_MAX: start + size == 2^64 is accepted); -E2BIG past
 * UINT32_MAX entries; -ENOMEM.
 */
int codemap_add(struct codemap *cm, uint64_t time, uint64_t start, uint64_t size,
                uint64_t cookie);

/*
 * codemap_build - index what was added, for the lookups.  May be called
 * again after more codemap_add() calls (it re-sorts everything).
 * Returns 0, -E2BIG when the index would need more than UINT32_MAX
 * page copies, or -ENOMEM; after an error the map stays unbuilt.
 */
int codemap_build(struct codemap *cm);

/*
 * codemap_lookup - the entry live at addr at time: see the top of this file.
 * @cookiep: receives the entry's cookie (may be NULL).
 * @startp: receives the entry's start (may be NULL).
 *
 * Returns 1 when found, 0 on a miss, -EAGAIN when entries were added since
 * the last codemap_build().
 */
int codemap_lookup(const struct codemap *cm, uint64_t addr, uint64_t time,
                   uint64_t *cookiep, uint64_t *startp);

/*
 * codemap_lookup_latest - as codemap_lookup() ignoring time: the entry with
 * the greatest time (the last added among equals) containing addr, for
 * callers without timestamps.  Same return values.
 */
int codemap_lookup_latest(const struct codemap *cm, uint64_t addr,
                          uint64_t *cookiep, uint64_t *startp);

/* codemap_count - the number of entries added. */
size_t codemap_count(const struct codemap *cm);

/*
 * codemap_memory - bytes of heap the built map holds (entries and index,
 * not the allocator's overhead); for measuring.
 */
size_t codemap_memory(const struct codemap *cm);

#endif /* CODEMAP_H */
