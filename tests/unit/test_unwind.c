/*
 * test_unwind.c: unit tests of the perf user-stack unwinder (unwind.h).
 *
 * - own stack: the test captures its own registers and a copy of its stack
 *   inside a known chain of noinline functions (built -O2 -g like the rest:
 *   frame pointers may be absent, the unwinder must use .eh_frame), unwinds
 *   it with ELF modules from /proc/self/maps (executable mappings only, as
 *   perf records them), and compares the return addresses with glibc's
 *   backtrace() at the same point;
 * - JIT: a QEMU translation block's frame, described by the .eh_frame that
 *   QEMU -perf writes in JIT_CODE_UNWINDING_INFO on an x86-64 host, with a
 *   hand-built stack: the unwinder must find the return address into the
 *   caller of the TCG prologue (cpu_tb_exec);
 * - garbage: random registers and stacks (with real code addresses mixed
 *   in) never crash and give bounded chains; an IP in no module gives one
 *   frame; bad arguments give errors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "unwind.h"
#include "unwind_selfstack.h"

static __attribute__((noinline)) int chain_leaf(struct snap *s)
{
    SNAP_REGS(s->regs);
    copy_stack(s);
    s->n_bt = backtrace(s->bt, MAX_BT);
    return s->n_bt;
}

/* The calls are not tail calls: each caller still works after the call. */
static __attribute__((noinline)) int chain_c(struct snap *s, int x)
{
    int r = chain_leaf(s);
    __asm__ volatile("" : "+r"(r));
    return r + x;
}

static __attribute__((noinline)) int chain_b(struct snap *s, int x)
{
    int r = chain_c(s, x * 3);
    __asm__ volatile("" : "+r"(r));
    return r + x;
}

static __attribute__((noinline)) int chain_a(struct snap *s, int x)
{
    int r = chain_b(s, x + 1);
    __asm__ volatile("" : "+r"(r));
    return r ^ x;
}

static void test_own_stack(void)
{
    struct uw_callbacks cb = {.find_module = find_elf};
    struct snap s = {0};
    uint64_t packed[UW_X86_NREGS], ips[MAX_BT];
    struct uw *uw = NULL;
    int n, common, k = 0;

    chain_a(&s, 1);
    maps_read();
    CHECK(n_maps > 0);
    CHECK(s.stack_size > 1024);
    /*
     * bt[k] is the return address into chain_leaf from backtrace(), its
     * callers follow.  k is 0, or 1 under ASan, whose interceptor of
     * backtrace() is a frame of its own.
     */
    while (k < s.n_bt && ((uintptr_t)s.bt[k] < (uintptr_t)chain_leaf ||
                          (uintptr_t)s.bt[k] - (uintptr_t)chain_leaf > 4096))
        k++;
    CHECK(k <= 1);
    CHECK(s.n_bt - k >= 5);
    pack_regs(s.regs, UW_X86_64_REGS_MASK, packed);
    CHECK_EQ_I64(uw_new(&cb, NULL, &uw), 0);
    /* Twice: the second run goes through libunwind's cache and ours. */
    for (int pass = 0; pass < 2; pass++) {
        n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, s.stack_size,
                      ips, MAX_BT);
        CHECK(n >= 5);
        CHECK_EQ_U64(ips[0], s.regs[UW_X86_IP]);
        common = n < s.n_bt - k ? n : s.n_bt - k;
        CHECK_EQ_I64(n, s.n_bt - k);
        for (int i = 1; i < common; i++)
            if (!CHECK_EQ_U64(ips[i], (uintptr_t)s.bt[k + i]))
                fprintf(stderr, "  frame %d of %d (backtrace: %d)\n", i, n, s.n_bt);
        if (pass == 0)
            printf("own stack: %d frames unwound, backtrace() has %d from chain_leaf on, "
                   "%zu stack bytes\n", n, s.n_bt - k, s.stack_size);
    }

    /*
     * Without RBP, .eh_frame alone gives the same chain: the plain build
     * omits frame pointers.  (The ASan build keeps them, -fno-omit-frame-pointer,
     * and its CFA rules then use RBP.)
     */
#ifndef __SANITIZE_ADDRESS__
    {
        uint64_t no_bp[UW_X86_NREGS];

        memcpy(no_bp, s.regs, sizeof(no_bp));
        no_bp[UW_X86_BP] = 0;
        pack_regs(no_bp, UW_X86_64_REGS_MASK, packed);
        n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, s.stack_size,
                      ips, MAX_BT);
        CHECK_EQ_I64(n, s.n_bt - k);
        CHECK_EQ_U64(ips[n - 1], (uintptr_t)s.bt[k + n - 1]);
        pack_regs(s.regs, UW_X86_64_REGS_MASK, packed);
    }
#endif

    /* Only the 4 innermost frames, then no room at all. */
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, s.stack_size, ips, 4);
    CHECK_EQ_I64(n, 4);
    CHECK_EQ_U64(ips[3], (uintptr_t)s.bt[k + 3]);
    CHECK_EQ_I64(uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack,
                           s.stack_size, ips, 0), 0);

    /* A stack cut after 64 bytes: chain_leaf's frame alone may not be enough. */
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, 64, ips, MAX_BT);
    CHECK(n >= 1 && n < s.n_bt - k);

    uw_flush_cache(uw);
    uw_free(uw);
    free(s.stack);
}

/* ------------------------------------------------------------------------ */
/* QEMU's translated code                                                    */

/*
 * The JIT_CODE_UNWINDING_INFO data QEMU -perf writes on an x86-64 host
 * (qemu-jitdump/patches/0002, eh_frame_build() from tcg/i386's
 * .debug_frame), copied from the first such record of a recording
 * (/work/rec/dwarf/jit-17197.dump, a TB of 112 bytes):
 *   CIE "zR", code align 1, data align -8, RA column 16, FDE pointers
 *   pcrel|sdata4;  FDE: DW_CFA_def_cfa rsp+1216 (FRAME_SIZE), RA at cfa-8,
 *   rbp cfa-16, rbx cfa-24, r12..r15 cfa-32..cfa-56;
 *   .eh_frame_hdr: one entry.
 * The code-relative fields (FDE pc_begin at 32, pc_range at 36, the table's
 * initial location at 64 + 12) are patched per TB by tb_unwind_info().
 */
static const uint8_t tcg_x86_64_unwind[84] = {
    /* CIE */
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7a, 0x52, 0x00,
    0x01, 0x78, 0x10, 0x01, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* FDE */
    0x24, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x70, 0xff, 0xff, 0xff,
    0x70, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x07, 0xc0, 0x09, 0x90, 0x01, 0x86,
    0x02, 0x83, 0x03, 0x8c, 0x04, 0x8d, 0x05, 0x8e, 0x06, 0x8f, 0x07, 0x00,
    0x00, 0x00, 0x00, 0x00,
    /* .eh_frame_hdr */
    0x01, 0x1b, 0x03, 0x3b, 0xbc, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
    0x50, 0xff, 0xff, 0xff, 0xd8, 0xff, 0xff, 0xff,
};
#define TCG_FRAME_SIZE 1216
#define TCG_HDR_SIZE 20

static void put32(uint8_t *p, int32_t v)
{
    memcpy(p, &v, 4);
}

/* The data for a TB of code_size bytes, as write_unwinding_info() patches it. */
static void tb_unwind_info(uint8_t *d, uint32_t code_size)
{
    int32_t code_to_eh = (int32_t)((code_size + 7) & ~7u);
    size_t e = sizeof(tcg_x86_64_unwind) - TCG_HDR_SIZE;

    memcpy(d, tcg_x86_64_unwind, sizeof(tcg_x86_64_unwind));
    put32(d + 32, -(code_to_eh + 32));
    put32(d + 36, (int32_t)code_size);
    put32(d + e + 12, -(code_to_eh + (int32_t)e));
}

/* Two fake TBs and, for everything else, no module. */
#define TB1_ADDR 0x7f0000001000ull
#define TB1_SIZE 0x6dull      /* not a multiple of 8 */
#define TB2_ADDR 0x7f0000001100ull
#define TB2_SIZE 0x1e0ull
#define CPU_TB_EXEC_RA 0x5555deadbe00ull

struct jit_ctx {
    uint8_t tb1[sizeof(tcg_x86_64_unwind)], tb2[sizeof(tcg_x86_64_unwind)];
    int calls;
};

static int find_jit(void *arg, uint64_t addr, struct uw_module *out)
{
    struct jit_ctx *j = arg;

    j->calls++;
    if (addr >= TB1_ADDR && addr < TB1_ADDR + TB1_SIZE)
        return uw_module_from_jitdump(TB1_ADDR, TB1_SIZE, j->tb1, sizeof(j->tb1),
                                      TCG_HDR_SIZE, out) == 0;
    if (addr >= TB2_ADDR && addr < TB2_ADDR + TB2_SIZE)
        return uw_module_from_jitdump(TB2_ADDR, TB2_SIZE, j->tb2, sizeof(j->tb2),
                                      TCG_HDR_SIZE, out) == 0;
    return 0;
}

static void test_jit(void)
{
    struct jit_ctx j = {0};
    struct uw_callbacks cb = {.find_module = find_jit};
    struct uw *uw = NULL;
    uint64_t regs[UW_X86_NREGS] = {0}, packed[UW_X86_NREGS], ips[16];
    uint64_t stack[TCG_FRAME_SIZE / 8 + 4];
    const uint64_t sp = 0x7ffc00010000ull;
    uint64_t cfa = sp + TCG_FRAME_SIZE;
    int n;

    tb_unwind_info(j.tb1, TB1_SIZE);
    tb_unwind_info(j.tb2, TB2_SIZE);
    /* The first TB of the recording: our patching gives QEMU's bytes. */
    {
        uint8_t rec[sizeof(tcg_x86_64_unwind)];
        tb_unwind_info(rec, 0x70);
        CHECK_MEM_EQ(rec, tcg_x86_64_unwind, sizeof(rec));
    }

    /* The prologue's frame: RA, then rbp, rbx, r12..r15 below the CFA. */
    memset(stack, 0xcc, sizeof(stack));
    stack[(cfa - 8 - sp) / 8] = CPU_TB_EXEC_RA;
    stack[(cfa - 16 - sp) / 8] = 0x1111;   /* rbp */
    stack[(cfa - 24 - sp) / 8] = 0x2222;   /* rbx */
    stack[(cfa - 32 - sp) / 8] = 0x3333;   /* r12 */
    regs[UW_X86_SP] = sp;
    regs[UW_X86_BP] = 0xbadbad;            /* TB code uses rbp for other things */
    CHECK_EQ_I64(uw_new(&cb, &j, &uw), 0);

    /* In both TBs, at the first and last byte. */
    const uint64_t pcs[] = {TB1_ADDR, TB1_ADDR + TB1_SIZE - 1, TB2_ADDR + 0x40,
                            TB2_ADDR + TB2_SIZE - 1};
    for (size_t i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++) {
        regs[UW_X86_IP] = pcs[i];
        pack_regs(regs, UW_X86_64_REGS_MASK, packed);
        n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                      sizeof(stack), ips, 16);
        if (!CHECK(n >= 2))
            fprintf(stderr, "  pc 0x%" PRIx64 ": %d frames\n", pcs[i], n);
        CHECK_EQ_U64(ips[0], pcs[i]);
        if (n >= 2)
            CHECK_EQ_U64(ips[1], CPU_TB_EXEC_RA);
    }

    /* Past the end of TB1's code (in its padding): no FDE covers it. */
    regs[UW_X86_IP] = TB1_ADDR + TB1_SIZE;
    pack_regs(regs, UW_X86_64_REGS_MASK, packed);
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                  sizeof(stack), ips, 16);
    CHECK(n >= 1);
    CHECK(n < 2 || ips[1] != CPU_TB_EXEC_RA);

    /* A stack copy that ends before the return address. */
    regs[UW_X86_IP] = TB1_ADDR;
    pack_regs(regs, UW_X86_64_REGS_MASK, packed);
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                  TCG_FRAME_SIZE - 8, ips, 16);
    CHECK_EQ_I64(n, 1);

    /*
     * CFI that libunwind would trust blindly: a DW_CFA_register to register
     * 0x3310 (crashed libunwind, found by fuzz_unwind), a DWARF expression.
     * The blob is refused: no DWARF step, no crash.
     */
    static const uint8_t bad_cfi[][4] = {{0x09, 0x02, 0x90, 0x66}, {0x0f, 0x01, 0x96, 0x00}};
    for (size_t i = 0; i < sizeof(bad_cfi) / sizeof(bad_cfi[0]); i++) {
        tb_unwind_info(j.tb1, TB1_SIZE);
        memcpy(j.tb1 + 45, bad_cfi[i], 4);  /* after DW_CFA_def_cfa rsp, 1216 */
        uw_flush_cache(uw);
        n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                      sizeof(stack), ips, 16);
        CHECK(n >= 1);
        CHECK(n < 2 || ips[1] != CPU_TB_EXEC_RA);
    }
    tb_unwind_info(j.tb1, TB1_SIZE);

    /* A corrupt header (table encoding) means no table, hence no DWARF step. */
    j.tb1[sizeof(j.tb1) - TCG_HDR_SIZE + 3] = 0x1b;
    uw_flush_cache(uw);
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                  sizeof(stack), ips, 16);
    CHECK(n >= 1);
    CHECK(n < 2 || ips[1] != CPU_TB_EXEC_RA);
    uw_free(uw);

    /* uw_module_from_jitdump()'s arithmetic. */
    struct uw_module m;
    CHECK_EQ_I64(uw_module_from_jitdump(TB1_ADDR, TB1_SIZE, j.tb1, 84, 20, &m), 0);
    CHECK_EQ_U64(m.eh_frame_vaddr, TB1_ADDR + 0x70);
    CHECK_EQ_U64(m.eh_frame_size, 64);
    CHECK(m.eh_frame_hdr == j.tb1 + 64);
    CHECK_EQ_I64(uw_module_from_jitdump(TB1_ADDR, TB1_SIZE, j.tb1, 20, 84, &m), -EINVAL);
    CHECK_EQ_I64(uw_module_from_jitdump(UINT64_MAX - 4, 16, j.tb1, 84, 20, &m), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Garbage                                                                   */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    return unit_xorshift(&rng_state);
}

/* An address in executable code of this process. */
static uint64_t some_code(void)
{
    const struct map *m = &maps[rng() % n_maps];
    return m->start + rng() % (m->end - m->start);
}

/* A JIT blob whose .eh_frame_hdr ends inside its eh_frame_ptr field. */
struct short_hdr {
    const uint8_t *blob;
    size_t size, hdr_size;
};

static int find_short_hdr(void *arg, uint64_t addr, struct uw_module *out)
{
    const struct short_hdr *s = arg;

    if (addr < TB1_ADDR || addr >= TB1_ADDR + TB1_SIZE)
        return 0;
    return uw_module_from_jitdump(TB1_ADDR, TB1_SIZE, s->blob, s->size, s->hdr_size, out) == 0;
}

/*
 * .eh_frame_hdr of 6 bytes whose eh_frame_ptr is udata8: the check that
 * the fde_count fits computed 6 - 12 in size_t, which wrapped, and read
 * past the blob (found by fuzz_unwind).  Now: no table, one frame.
 */
static void test_short_eh_frame_hdr(void)
{
    static const uint8_t hdr[] = { 0x01, 0x04, 0x03, 0x3b, 0x00, 0x00 };
    const size_t e = sizeof(tcg_x86_64_unwind) - TCG_HDR_SIZE;
    uint8_t full[sizeof(tcg_x86_64_unwind)];
    struct uw_callbacks cb = {.find_module = find_short_hdr};
    uint64_t regs[UW_X86_NREGS] = {0}, packed[UW_X86_NREGS], ips[16], stack[16] = {0};
    uint8_t *blob = malloc(e + sizeof(hdr));   /* exact size: ASan sees a read past it */
    struct short_hdr s = { blob, e + sizeof(hdr), sizeof(hdr) };
    struct uw *uw = NULL;

    tb_unwind_info(full, TB1_SIZE);
    memcpy(blob, full, e);
    memcpy(blob + e, hdr, sizeof(hdr));
    regs[UW_X86_IP] = TB1_ADDR;
    regs[UW_X86_SP] = 0x7ffc00010000ull;
    pack_regs(regs, UW_X86_64_REGS_MASK, packed);
    CHECK_EQ_I64(uw_new(&cb, &s, &uw), 0);
    CHECK_EQ_I64(uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                           sizeof(stack), ips, 16), 1);
    CHECK_EQ_U64(ips[0], TB1_ADDR);
    uw_free(uw);
    free(blob);
}

static void test_garbage(void)
{
    struct uw_callbacks cb = {.find_module = find_elf};
    struct uw *uw = NULL;
    uint64_t regs[UW_X86_NREGS], packed[64], ips[128];
    static uint64_t stack[1024];
    unsigned long frames = 0;
    int n, bad = 0;

    maps_read();
    CHECK_EQ_I64(uw_new(&cb, NULL, &uw), 0);
    for (int it = 0; it < 1000; it++) {
        size_t words = rng() % 1025;
        uint64_t sp = (rng() & 1) ? rng() : 0x7ffd00000000ull + (rng() & 0xffff0);
        uint64_t mask = (it % 7 == 0) ? rng() | (1ull << UW_X86_IP) | (1ull << UW_X86_SP)
                                      : UW_X86_64_REGS_MASK;

        for (size_t i = 0; i < words; i++) {
            switch (rng() % 4) {
            case 0: stack[i] = some_code(); break;          /* return addresses */
            case 1: stack[i] = sp + (rng() % 8192); break;  /* frame pointers */
            default: stack[i] = rng(); break;
            }
        }
        for (int i = 0; i < UW_X86_NREGS; i++)
            regs[i] = (rng() & 1) ? sp + (rng() % 4096) : rng();
        regs[UW_X86_SP] = sp;
        regs[UW_X86_IP] = (rng() % 4) ? some_code() : rng();
        size_t np = 0;
        for (int i = 0; i < 64; i++)
            if (mask & (1ull << i))
                packed[np++] = i < UW_X86_NREGS ? regs[i] : rng();
        if (it % 10 == 9)
            uw_flush_cache(uw);
        n = uw_unwind(uw, UW_ABI_64, packed, mask,
                      (const uint8_t *)stack, words * 8, ips, 128);
        if (n < 1 || n > 128)
            bad++;
        else
            frames += (unsigned long)n;
    }
    CHECK_EQ_I64(bad, 0);
    printf("garbage: 1000 unwinds, %lu frames\n", frames);

    /* An IP in no module, no frame pointer, nothing on the stack: one frame. */
    memset(regs, 0, sizeof(regs));
    regs[UW_X86_IP] = 0x1000;
    regs[UW_X86_SP] = 0x7ffd00000000ull;
    pack_regs(regs, UW_X86_64_REGS_MASK, packed);
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, NULL, 0, ips, 128);
    CHECK_EQ_I64(n, 1);
    CHECK_EQ_U64(ips[0], 0x1000);

    /* Arguments. */
    CHECK_EQ_I64(uw_unwind(uw, UW_ABI_32, packed, UW_X86_64_REGS_MASK, NULL, 0, ips, 128),
                 -ENOTSUP);
    CHECK_EQ_I64(uw_unwind(uw, UW_ABI_NONE, packed, 0, NULL, 0, ips, 128), -ENOTSUP);
    CHECK_EQ_I64(uw_unwind(uw, UW_ABI_64, packed, 1ull << UW_X86_IP, NULL, 0, ips, 128),
                 -EINVAL);
    uw_free(uw);
    uw_free(NULL);
}

/* A module whose file cannot be read gives no table, not a failure. */
static int find_missing(void *arg, uint64_t addr, struct uw_module *out)
{
    (void)arg;
    memset(out, 0, sizeof(*out));
    out->kind = UW_MODULE_ELF;
    out->start = addr & ~0xfffull;
    out->end = out->start + 0x1000;
    out->path = (addr & 0x1000) ? "/nonexistent/libfoo.so" : "/proc/self/status";
    return 1;
}

static void test_bad_files(void)
{
    struct uw_callbacks cb = {.find_module = find_missing};
    struct uw *uw = NULL;
    uint64_t regs[UW_X86_NREGS] = {0}, packed[UW_X86_NREGS], ips[8];
    uint64_t stack[4] = {0x2000, 0x3000, 0, 0};

    CHECK_EQ_I64(uw_new(&cb, NULL, &uw), 0);
    for (uint64_t ip = 0x1000; ip < 0x3000; ip += 0x1000) {
        regs[UW_X86_IP] = ip;
        regs[UW_X86_SP] = 0x10000;
        pack_regs(regs, UW_X86_64_REGS_MASK, packed);
        int n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, (const uint8_t *)stack,
                          sizeof(stack), ips, 8);
        CHECK(n >= 1 && n <= 8);
    }
    uw_free(uw);
}

int main(void)
{
    RUN_TEST(test_own_stack);
    RUN_TEST(test_jit);
    RUN_TEST(test_short_eh_frame_hdr);
    RUN_TEST(test_garbage);
    RUN_TEST(test_bad_files);
    return unit_finish("test_unwind");
}
