/*
 * hostsym.h: symbols of host code addresses (QEMU itself, its libraries,
 * the kernel) from the MMAP/MMAP2 records of a perf.data file.
 *
 * The caller feeds every MMAP/MMAP2 record (hostsym_add_mmap()) and then
 * looks up sample addresses.  Per pid, the map live at a sample's time is
 * the one perf would use: the latest mmap at or before that time covering
 * the address (the same rule as codemap.h, which implements it).
 *
 * An address in a file map becomes a file offset (addr - start + pgoff),
 * then an ELF virtual address through the file's PT_LOAD program headers,
 * then a function symbol (STT_FUNC, STT_GNU_IFUNC): from the file's
 * .symtab, else from the .symtab of its separate debug file found by
 * build-id (the MMAP2 record's, else the file's own note) under the
 * caller's debug directory or /usr/lib/debug (.build-id/xx/rest.debug),
 * else from the file's .dynsym.  Like perf, a symbol covers [st_value,
 * st_value + st_size); one of size 0 covers up to the next symbol; of
 * aliases, perf's choose_best_symbol() picks one.  DSOs are read lazily
 * with libelf, once per path, and closed again (symbols are copied).
 *
 * Kernel addresses (HOSTSYM_KERNEL, from the sample's cpumode, or an
 * address with the top bit set) resolve to dso "[kernel.kallsyms]" with a
 * symbol from /proc/kallsyms when it is readable (and not all zeroes),
 * else symbol NULL.
 *
 * Missing or unreadable files are not errors: the dso is known, the symbol
 * is NULL.  Only -ENOMEM and -EINVAL are returned.
 *
 * Thread safety: none; use one hostsym per thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HOSTSYM_H
#define HOSTSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostsym;

/* hostsym_lookup() flags */
#define HOSTSYM_KERNEL 1u      /* the sample was taken in kernel mode */

/*
 * The result of a lookup.  Pointers are owned by the hostsym and valid
 * until hostsym_free().
 */
struct hostsym_loc {
    bool found;                /* a map (or the kernel) covers the address */
    bool kernel;
    const char *dso_path;      /* the map's file name as perf recorded it,
                                  "[kernel.kallsyms]"; NULL when !found */
    const char *dso_name;      /* its last component */
    uint64_t map_start;        /* the map's start address (0 for the kernel) */
    uint64_t elf_addr;         /* ELF vaddr of the address (kernel: the address) */
    const char *symbol;        /* NULL if unknown */
    uint64_t sym_start;        /* ELF vaddr of the symbol */
    uint64_t sym_size;         /* 0: extends to the next symbol */
    uint64_t offset;           /* elf_addr - sym_start, else elf_addr */
};

/*
 * hostsym_new - an empty symbolizer.
 * @debug_dir: an extra root searched before /usr/lib/debug for
 *             ".build-id/xx/rest.debug", or NULL.  Copied.
 * Returns 0 and sets *hsp, or -ENOMEM.  Release with hostsym_free().
 */
int hostsym_new(const char *debug_dir, struct hostsym **hsp);

/* hostsym_free - release everything, close every file.  Accepts NULL. */
void hostsym_free(struct hostsym *hs);

/*
 * hostsym_add_mmap - one MMAP or MMAP2 record: pid mapped len bytes of
 * path at start, from file offset pgoff, at time.
 * @path: copied.  "[vdso]", "//anon" and the like are kept as dso names
 *        with no symbols.
 * @build_id, @build_id_size: the MMAP2 build-id (<= 20 bytes) or NULL/0;
 *        used to find a separate debug file.  Copied.
 * Returns 0; -EINVAL for len 0 or start + len overflowing; -ENOMEM.
 */
int hostsym_add_mmap(struct hostsym *hs, uint32_t pid, uint64_t time, uint64_t start,
                     uint64_t len, uint64_t pgoff, const char *path,
                     const uint8_t *build_id, size_t build_id_size);

/*
 * hostsym_lookup - symbolize addr of a sample of pid at time.
 * @flags: HOSTSYM_KERNEL or 0.
 * @loc: filled in; loc->found is false when nothing covers addr.
 * Returns 0 or -ENOMEM.
 */
int hostsym_lookup(struct hostsym *hs, uint32_t pid, uint64_t addr, uint64_t time,
                   unsigned flags, struct hostsym_loc *loc);

/*
 * hostsym_set_kallsyms - read kernel symbols from path instead of
 * /proc/kallsyms (for tests and for recordings made on another machine);
 * NULL: no kernel symbols at all.  Call before the first kernel lookup.
 * Returns 0 or -ENOMEM.
 */
int hostsym_set_kallsyms(struct hostsym *hs, const char *path);

/* A file mapping of a process, as hostsym_find_map() returns it. */
struct hostsym_map {
    uint64_t start, end;       /* [start, end) */
    uint64_t pgoff;            /* file offset of start */
    const char *path;          /* as perf recorded it; owned by the hostsym */
};

/*
 * hostsym_find_map - the mapping of pid holding addr at time (perf's rule,
 * as hostsym_lookup()), for an unwinder that reads the mapped file.
 * Returns 1 with *out filled, 0 when none, or a negative errno.
 */
int hostsym_find_map(struct hostsym *hs, uint32_t pid, uint64_t addr, uint64_t time,
                     struct hostsym_map *out);

#endif /* HOSTSYM_H */
