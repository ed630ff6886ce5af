/*
 * unwind_selfstack.h: for the unwinder's unit tests, a perf-like sample of
 * the test's own registers and stack, and ELF modules from /proc/self/maps.
 * Included by test_unwind.c and test_unwind_debug_frame.c only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef UNWIND_SELFSTACK_H
#define UNWIND_SELFSTACK_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind.h"

/* ------------------------------------------------------------------------ */
/* Modules from /proc/self/maps                                              */

struct map {
    uint64_t start, end, pgoff;
    char path[256];
};

static struct map maps[512];
static size_t n_maps;

static void maps_read(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512], perms[8];

    n_maps = 0;
    if (!f)
        return;
    while (fgets(line, sizeof(line), f) && n_maps < sizeof(maps) / sizeof(maps[0])) {
        struct map *m = &maps[n_maps];
        unsigned long long s, e, off;
        int pos = 0;

        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &s, &e, perms, &off, &pos) < 4 ||
            !pos || perms[2] != 'x' || line[pos] != '/')
            continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(m->path, sizeof(m->path), "%s", line + pos);
        m->start = s;
        m->end = e;
        m->pgoff = off;
        n_maps++;
    }
    fclose(f);
}

static int find_elf(void *arg, uint64_t addr, struct uw_module *out)
{
    (void)arg;
    for (size_t i = 0; i < n_maps; i++) {
        if (addr >= maps[i].start && addr < maps[i].end) {
            memset(out, 0, sizeof(*out));
            out->kind = UW_MODULE_ELF;
            out->start = maps[i].start;
            out->end = maps[i].end;
            out->pgoff = maps[i].pgoff;
            out->path = maps[i].path;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Own stack                                                                 */

#define STACK_COPY 16384
#define MAX_BT 64

struct snap {
    uint64_t regs[UW_X86_NREGS];    /* indexed by perf register number */
    uint8_t *stack;
    size_t stack_size;
    void *bt[MAX_BT];
    int n_bt;
};

/*
 * Store the registers in perf's numbering, IP being the label right after
 * RSP was stored, so IP, SP and the stack agree as in a perf sample.
 */
#define SNAP_REGS(r)                                                        \
    __asm__ volatile("movq %%rax, 0(%0)\n\t"                               \
                     "movq %%rbx, 8(%0)\n\t"                               \
                     "movq %%rcx, 16(%0)\n\t"                              \
                     "movq %%rdx, 24(%0)\n\t"                              \
                     "movq %%rsi, 32(%0)\n\t"                              \
                     "movq %%rdi, 40(%0)\n\t"                              \
                     "movq %%rbp, 48(%0)\n\t"                              \
                     "movq %%rsp, 56(%0)\n\t"                              \
                     "leaq 1f(%%rip), %%rax\n\t"                           \
                     "movq %%rax, 64(%0)\n"                                \
                     "1:\n\t"                                              \
                     "movq %%r8, 128(%0)\n\t"                              \
                     "movq %%r9, 136(%0)\n\t"                              \
                     "movq %%r10, 144(%0)\n\t"                             \
                     "movq %%r11, 152(%0)\n\t"                             \
                     "movq %%r12, 160(%0)\n\t"                             \
                     "movq %%r13, 168(%0)\n\t"                             \
                     "movq %%r14, 176(%0)\n\t"                             \
                     "movq %%r15, 184(%0)\n\t"                             \
                     : : "r"(r) : "rax", "memory")

/*
 * Copy the stack from SP the way the kernel does for perf: up to
 * STACK_COPY bytes, fewer at the top of the stack.  Through /proc/self/mem
 * so that ASan does not see the reads of other frames' redzones.
 */
static void copy_stack(struct snap *s)
{
    int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    ssize_t n = -1;

    s->stack = malloc(STACK_COPY);
    if (fd >= 0 && s->stack)
        n = pread(fd, s->stack, STACK_COPY, (off_t)s->regs[UW_X86_SP]);
    s->stack_size = n > 0 ? (size_t)n : 0;
    if (fd >= 0)
        close(fd);
}

/* Pack the registers of mask in perf's sample order. */
static size_t pack_regs(const uint64_t *all, uint64_t mask, uint64_t *packed)
{
    size_t n = 0;

    for (int i = 0; i < UW_X86_NREGS; i++)
        if (mask & (1ull << i))
            packed[n++] = all[i];
    return n;
}

#endif /* UNWIND_SELFSTACK_H */
