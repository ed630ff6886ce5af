/*
 * softmmu.h: which of QEMU's own functions are its software MMU, the slow
 * path a system emulator's guest load or store takes when it misses the
 * TLB fast path that TCG inlines into translated code (or needs more than
 * it: MMIO, a page holding translated code, a watchpoint).
 *
 * The rule, in docs/system-mode.md too:
 *   1. Where the file has DWARF for the function, its compilation unit's
 *      source file decides.  Software MMU are accel/tcg/cputlb.c (the TLB
 *      and its slow path: helper_ld*_mmu / helper_st*_mmu, do_ld* / do_st*,
 *      mmu_lookup*, tlb_fill*, probe_access*, io_readx / io_writex,
 *      tlb_set_page*, victim_tlb_hit, the TLB flushes; cpu_ld* / cpu_st*
 *      and the atomic helpers, which it includes), and the targets'
 *      TLB-fill hooks and page-table walks: target/.../ptw.c (Arm),
 *      target/...tlb_helper.c (Arm, MIPS, LoongArch),
 *      target/...mmu*.c (PowerPC, s390x, SPARC, ...),
 *      target/i386/tcg/system/excp_helper.c (x86; tcg/sysemu/ before QEMU 9.2).
 *      A path matches when one of these patterns (fnmatch, '*' crossing
 *      '/') matches it from the start or from just after one of its '/'.
 *   2. Otherwise (no DWARF: a stripped QEMU without its debug file, or an
 *      address no compilation unit covers) the function's name: the
 *      patterns of softmmu_name_is().
 * Both apply to QEMU's executable: a shared library (a file with a
 * DT_SONAME: the C library, GLib, a TCG plugin) holds no software MMU, and
 * its DWARF is never opened (a distribution's compressed debug file of the
 * C library would cost more to read than the whole report).
 * A caller that walks a sample's call chain counts the sample as software
 * MMU when any function between it and the translated code that called
 * (itself included) is: what runs under helper_ldq_mmu, a device's MMIO
 * handler or the invalidation of a page of translated code included.
 *
 * DWARF is found as libdwfl finds it: in the file, or in its separate
 * debug file (build ID, .gnu_debuglink) under the caller's debug directory
 * and /usr/lib/debug.  Each file is opened once, on first use, and each
 * function classified once (cached by file and address), so the cost is
 * per distinct function, not per sample.  A file whose DWARF strings are
 * not NUL-terminated (elffile.h) is classified by names.
 *
 * Thread safety: none; one softmmu per thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SOFTMMU_H
#define SOFTMMU_H

#include <stdbool.h>
#include <stdint.h>

struct softmmu;

/* How softmmu_classify() decided. */
enum softmmu_rule {
    SOFTMMU_BY_SOURCE,         /* the DWARF compilation unit's source file */
    SOFTMMU_BY_NAME,           /* the function's name */
    SOFTMMU_BY_FILE,           /* a shared library's: never */
};

/*
 * softmmu_new - an empty classifier.
 * @debug_dir: a directory searched before /usr/lib/debug for separate debug
 *             files, or NULL.  Copied.
 * Returns 0 and sets *smp, or -ENOMEM.  Release with softmmu_free().
 */
int softmmu_new(const char *debug_dir, struct softmmu **smp);

/* softmmu_free - release everything, close every file.  Accepts NULL. */
void softmmu_free(struct softmmu *sm);

/*
 * softmmu_classify - whether the host function holding ELF virtual address
 * addr of the file dso_path, named symbol, is QEMU's software MMU.
 * @dso_path: the file as a recording names it ("[vdso]", "//anon" and
 *            other non-files are classified by name).  Compared by address,
 *            not by content: pass the same string for the same file
 *            (hostsym_loc's dso_path), valid as long as sm.
 * @addr: an address inside the function (its start: one lookup per function).
 * @symbol: its name, or NULL when unknown (then only DWARF can say yes).
 * @rule: receives how it was decided, or NULL.
 * Returns 1 (software MMU), 0 (not), or -ENOMEM.
 */
int softmmu_classify(struct softmmu *sm, const char *dso_path, uint64_t addr,
                     const char *symbol, enum softmmu_rule *rule);

/* softmmu_source_is - rule 1 alone: whether a compilation unit's source path is. */
bool softmmu_source_is(const char *path);

/*
 * softmmu_name_is - rule 2 alone: whether a function name is, by the
 * patterns helper_ld*_mmu, helper_st*_mmu, helper_atomic_*, cpu_ld[bsuwlq1]*,
 * cpu_st[bwlq1]*, do_ld[0-9_]*, do_st[0-9_]*, mmu_lookup*, tlb_*,
 * probe_access*, io_readx, io_writex, io_prepare, notdirty_write,
 * victim_tlb_hit, atomic_mmu_lookup, get_page_addr_code*, *_cpu_tlb_fill*,
 * get_physical_address*, get_phys_addr*, mmu_translate*, *ptw* (QEMU's
 * names of the functions rule 1 covers; a GCC clone's suffix ".isra.0",
 * ".constprop.0", ... is ignored).
 */
bool softmmu_name_is(const char *name);

#endif /* SOFTMMU_H */
