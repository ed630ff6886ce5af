/*
 * tlbpath.h: the inline TLB fast paths of a system emulator's translated
 * code, found in x86-64 host code (tbsym annotate groups each into one line).
 *
 * For every guest load and store, TCG's x86-64 backend
 * (tcg/i386/tcg-target.c.inc, prepare_host_addr()) emits when the guest
 * has a software MMU:
 *
 *     mov    ADDR, T            the guest address
 *     shr    $SHIFT, T          its page number, times the size of an entry
 *     and    -OFS1(ENV), T      & the TLB's index mask   (CPUTLBDescFast, which
 *     add    -OFS2(ENV), T      + the TLB's table         precedes the CPU state)
 *     mov    ADDR, C            (lea SIZE-1(ADDR), C: the last byte, when the
 *     and    $PAGE_MASK, C       access may cross a page) its page
 *     cmp    OFS3(T), C         the entry's comparator (addr_read, addr_write)
 *     jne    SLOW               to the out-of-line slow path, a helper call
 *     mov    OFS4(T), T         the entry's addend
 *     ACCESS (ADDR,T)           the load or store at ADDR + addend
 *
 * It is recognised by structure, not by bytes, so any registers, offsets,
 * operand sizes and order of the first six instructions match:
 *   - a jne whose target lies in the out-of-line code directly follows a
 *     cmp of a register C with memory at base register T;
 *   - the instructions before them (up to the first copy into T and the
 *     first mov or lea into C, at most 8) write no register but T, C and
 *     the flags, and among them an and and an add read memory at a
 *     negative offset from one and the same base register into T;
 *   - the instruction after the jne loads T from memory at base T;
 *   - the next one or two access memory with T as base or index (two: a
 *     128-bit access done in halves), or with R after a lea of ADDR + T
 *     into R (how a 128-bit access may address its halves).
 * User-mode code has no such sequence: guest memory is at guest_base,
 * there is no TLB, and its alignment checks (test; jne) do not match.
 * An aarch64 host's code is not looked at.
 *
 * Thread safety: none beyond capstone's (one handle per thread).
 */
#ifndef TBSYM_TLBPATH_H
#define TBSYM_TLBPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capstone/capstone.h>

/* One fast path, as offsets in the translation's host code. */
struct tlbpath {
    uint64_t start, end;       /* [start, end): from the copy into T to the access */
    uint64_t access;           /* the (first) access instruction */
    unsigned nr_insns;         /* host instructions in [start, end) */
    bool load, store;          /* the access reads, writes memory (both: rare) */
};

/*
 * tlbpath_find - the fast paths in code[start, end), the host code of one
 * guest instruction, in order.
 * @cs: a capstone handle for x86-64 host code, with CS_OPT_DETAIL on.
 * @code, @code_addr: the translation's host code and its address.
 * @start, @end: the range searched (offsets in code).
 * @ool, @size: the out-of-line code, [ool, size): where slow paths are.
 * @out, @max: room for the fast paths found; at most max are returned.
 * Returns their number (0 when capstone cannot decode the range).
 */
size_t tlbpath_find(csh cs, const uint8_t *code, uint64_t code_addr, uint64_t start,
                    uint64_t end, uint64_t ool, uint64_t size, struct tlbpath *out,
                    size_t max);

#endif /* TBSYM_TLBPATH_H */
