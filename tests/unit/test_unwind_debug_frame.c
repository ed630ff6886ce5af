/*
 * test_unwind_debug_frame.c: the unwinder's .debug_frame fallback.
 *
 * This file's call frame information goes to .debug_frame instead of
 * .eh_frame (the .cfi_sections directive below, as for code built with
 * -fno-asynchronous-unwind-tables -g), so its functions are in no
 * .eh_frame_hdr table.  A chain of them captures its registers and stack
 * like a perf sample; each function records its own return address, and
 * uw_unwind() must find the same return addresses, then go on through
 * main's caller in libc (whose .eh_frame it uses again).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
__asm__(".cfi_sections .debug_frame");

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "unwind.h"
#include "unwind_selfstack.h"

/* ret[i]: the return address of the function i levels above df_leaf. */
static uint64_t ret[3];

static __attribute__((noinline)) int df_leaf(struct snap *s)
{
    SNAP_REGS(s->regs);
    copy_stack(s);
    ret[0] = (uintptr_t)__builtin_return_address(0);
    return (int)s->stack_size;
}

static __attribute__((noinline)) int df_b(struct snap *s, int x)
{
    int r = df_leaf(s);
    __asm__ volatile("" : "+r"(r));
    ret[1] = (uintptr_t)__builtin_return_address(0);
    return r + x;
}

static __attribute__((noinline)) int df_a(struct snap *s, int x)
{
    int r = df_b(s, x * 5);
    __asm__ volatile("" : "+r"(r));
    ret[2] = (uintptr_t)__builtin_return_address(0);
    return r ^ x;
}

static void test_debug_frame(void)
{
    struct uw_callbacks cb = {.find_module = find_elf};
    struct snap s = {0};
    uint64_t packed[UW_X86_NREGS], ips[64];
    struct uw *uw = NULL;
    int n;

    df_a(&s, 3);
    maps_read();
    CHECK(s.stack_size > 1024);
    pack_regs(s.regs, UW_X86_64_REGS_MASK, packed);
    CHECK_EQ_I64(uw_new(&cb, NULL, &uw), 0);
    for (int pass = 0; pass < 2; pass++) {
        n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, s.stack_size,
                      ips, 64);
        /* df_leaf, df_b, df_a, test_debug_frame, main, libc's caller of main */
        CHECK(n >= 6);
        CHECK_EQ_U64(ips[0], s.regs[UW_X86_IP]);
        for (int i = 0; i < 3 && i + 1 < n; i++)
            CHECK_EQ_U64(ips[i + 1], ret[i]);
        if (pass == 0)
            printf("debug_frame: %d frames unwound\n", n);
    }
    /* Without RBP too (the ASan build keeps frame pointers, its CFA needs RBP). */
#ifndef __SANITIZE_ADDRESS__
    s.regs[UW_X86_BP] = 0;
    pack_regs(s.regs, UW_X86_64_REGS_MASK, packed);
    uw_flush_cache(uw);
    n = uw_unwind(uw, UW_ABI_64, packed, UW_X86_64_REGS_MASK, s.stack, s.stack_size, ips, 64);
    CHECK(n >= 6);
    CHECK(n >= 4 && ips[3] == ret[2]);
#endif
    uw_free(uw);
    free(s.stack);
}

int main(void)
{
    RUN_TEST(test_debug_frame);
    return unit_finish("test_unwind_debug_frame");
}
