/*
 * unwind.h: offline unwinding of the user stacks perf copies with
 * `perf record --call-graph dwarf`, through ELF files and through QEMU's
 * translated code.
 *
 * A sample of such a recording holds the user registers
 * (PERF_SAMPLE_REGS_USER: the registers selected by attr.sample_regs_user,
 * numbered as in the kernel's <asm/perf_regs.h>) and a copy of the user stack
 * from the stack pointer up (PERF_SAMPLE_STACK_USER).  uw_unwind() turns
 * them into a call chain with libunwind's remote API, as perf's
 * util/unwind-libunwind-local.c does: the unwinding tables are the
 * .eh_frame_hdr/.eh_frame of the ELF files the IPs fall in (opened with
 * libelf, cached per path), or, for JIT code, an .eh_frame + .eh_frame_hdr
 * blob in memory, such as the one a jitdump JIT_CODE_UNWINDING_INFO record
 * carries for each of QEMU's translation blocks (jitdump.h, struct
 * jd_unwinding_info).  Where a frame has no unwinding table, libunwind falls
 * back to following the frame-pointer chain.
 *
 * Which module an address belongs to is the caller's business (its
 * mmap records, its jitdump): it answers through struct uw_callbacks.
 *
 * Code that no .eh_frame_hdr table covers is looked up, as perf does, in
 * the file's .debug_frame, or in that of its separate debug file
 * /usr/lib/debug/.build-id/xx/yyyy.debug; without either, libunwind follows
 * frame pointers.
 *
 * Only x86-64 user stacks are supported (the QEMU host backend we support):
 * anything else gives -ENOTSUP.
 *
 * Garbage in (random registers, random stack bytes, corrupt unwinding
 * blobs) gives a short chain, never a crash or a hang: memory outside the
 * stack copy is only read from the ELF files' loadable segments and the
 * unwinding blobs, and the chain stops at the first word that cannot be
 * read.  libunwind trusts the CFI it interprets, so a JIT blob is only used
 * if its CIEs and FDEs pass a strict check (plain CFA instructions on
 * registers 0..16, no DWARF expressions, augmentation "" or "zR", a search
 * table pointing at its FDEs); otherwise its code unwinds through frame
 * pointers only.  ELF files are trusted as perf trusts them: they are this
 * machine's files, named by the caller.
 *
 * Thread safety: a struct uw is not synchronised; use one per thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef UNWIND_H
#define UNWIND_H

#include <stddef.h>
#include <stdint.h>

/* PERF_SAMPLE_REGS_USER's abi field (enum perf_sample_regs_abi). */
#define UW_ABI_NONE 0
#define UW_ABI_32   1
#define UW_ABI_64   2

/* Register numbers of <asm/perf_regs.h> on x86 (enum perf_event_x86_regs). */
enum uw_x86_reg {
    UW_X86_AX, UW_X86_BX, UW_X86_CX, UW_X86_DX, UW_X86_SI, UW_X86_DI,
    UW_X86_BP, UW_X86_SP, UW_X86_IP, UW_X86_FLAGS, UW_X86_CS, UW_X86_SS,
    UW_X86_DS, UW_X86_ES, UW_X86_FS, UW_X86_GS,
    UW_X86_R8, UW_X86_R9, UW_X86_R10, UW_X86_R11, UW_X86_R12, UW_X86_R13,
    UW_X86_R14, UW_X86_R15,
    UW_X86_NREGS
};

/*
 * The registers DWARF unwinding uses on x86-64 (what perf's
 * PERF_REGS_MASK selects, minus the segment registers and flags).
 */
#define UW_X86_64_REGS_MASK \
    (((1ull << UW_X86_NREGS) - 1) & ~((1ull << UW_X86_FLAGS) | (1ull << UW_X86_CS) | \
     (1ull << UW_X86_SS) | (1ull << UW_X86_DS) | (1ull << UW_X86_ES) | \
     (1ull << UW_X86_FS) | (1ull << UW_X86_GS)))

enum uw_module_kind {
    UW_MODULE_ELF = 1,  /* code of an ELF file mapped from the file */
    UW_MODULE_JIT,      /* generated code with an in-memory .eh_frame */
};

/*
 * What the caller knows about the code (or data) at an address.
 * Pointers need only stay valid until the uw_unwind() call that asked
 * returns.
 *
 * UW_MODULE_ELF: [start, end) maps path from file offset pgoff (an mmap
 * record).  The file is opened by path and cached under it: a path must
 * name the same file for the life of the struct uw.
 *
 * UW_MODULE_JIT: [start, end) is generated code described by an .eh_frame
 * (eh_frame, eh_frame_size) loaded at address eh_frame_vaddr, followed
 * directly by its .eh_frame_hdr (eh_frame_hdr, eh_frame_hdr_size): the
 * addresses in the tables are relative to those positions.  For a jitdump
 * record, see uw_module_from_jitdump().
 */
struct uw_module {
    enum uw_module_kind kind;
    uint64_t start, end;
    /* UW_MODULE_ELF */
    const char *path;
    uint64_t pgoff;
    /* UW_MODULE_JIT */
    const uint8_t *eh_frame;
    size_t eh_frame_size;
    const uint8_t *eh_frame_hdr;
    size_t eh_frame_hdr_size;
    uint64_t eh_frame_vaddr;
};

struct uw_callbacks {
    /*
     * find_module - fill *out for the module holding addr (code, or the
     * data libunwind rarely needs).  Returns 1 if found, 0 if not.
     * Called from uw_unwind() only.
     */
    int (*find_module)(void *arg, uint64_t addr, struct uw_module *out);
};

struct uw;

/*
 * uw_new - an unwinder calling cb (copied) with arg.
 * Returns 0 with *out set, or -ENOMEM.  Free with uw_free().
 */
int uw_new(const struct uw_callbacks *cb, void *arg, struct uw **out);

/* uw_free - release an unwinder and its cached ELF files; accepts NULL. */
void uw_free(struct uw *uw);

/*
 * uw_flush_cache - forget libunwind's cache of unwinding rules by address.
 * Call it when the code at an address may have changed meaning (another
 * process, a library unmapped and another mapped there).  The ELF files
 * stay open.  Generated code needs no flush as long as it shares one frame
 * rule, as all of QEMU's translation blocks do.
 */
void uw_flush_cache(struct uw *uw);

/*
 * uw_unwind - the call chain of one sample.
 * @abi: the sample's PERF_SAMPLE_REGS_USER abi; only UW_ABI_64.
 * @regs, @regs_mask: the registers in the sample's order, that is one
 *        uint64_t per bit set in regs_mask, lowest bit first (enum
 *        uw_x86_reg numbers the bits).  IP and SP are required.
 * @stack, @stack_size: the stack copy, whose first byte was at SP; give
 *        PERF_SAMPLE_STACK_USER's dyn_size, not its size.
 * @ips, @max_ips: receive the chain: ips[0] is the sample's IP, the next
 *        ones the return addresses of the callers (subtract 1 before
 *        looking a caller up in line tables, as perf does).  max_ips also
 *        bounds the work on a garbage stack (perf's default is 127).
 *
 * Returns the number of entries stored (1 when nothing past the sample IP
 * could be unwound, 0 only if max_ips is 0), -ENOTSUP for another abi,
 * -EINVAL if regs_mask lacks IP or SP.
 */
int uw_unwind(struct uw *uw, uint64_t abi, const uint64_t *regs, uint64_t regs_mask,
              const uint8_t *stack, size_t stack_size, uint64_t *ips, size_t max_ips);

/*
 * uw_module_from_jitdump - a UW_MODULE_JIT module for the code that a
 * jitdump JIT_CODE_LOAD puts at code_addr (code_size bytes) with the
 * unwinding data of the JIT_CODE_UNWINDING_INFO that precedes it (data,
 * unwinding_size, eh_frame_hdr_size as in struct jd_unwinding_info).
 * perf places that data right after the code, at code_addr +
 * ALIGN_UP(code_size, 8), and QEMU writes its tables relative to that place.
 * Returns 0, or -EINVAL if eh_frame_hdr_size exceeds unwinding_size.
 */
int uw_module_from_jitdump(uint64_t code_addr, uint64_t code_size, const uint8_t *data,
                           uint64_t unwinding_size, uint64_t eh_frame_hdr_size,
                           struct uw_module *out);

#endif /* UNWIND_H */
