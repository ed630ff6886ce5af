/*
 * callpaths: guest call paths whose shares are known by construction, for
 * the guest call stack tests (tests/integration/test_guest_stacks.sh).
 * Built WITHOUT frame pointers on purpose: a profiler that names these
 * paths must get them from QEMU's shadow call stacks (or, natively, from
 * perf's DWARF unwinding), not from a frame-pointer walk.
 *   gcc -g -O2 -fomit-frame-pointer callpaths.c -o callpaths -lpthread
 *   aarch64-linux-gnu-gcc -g -O2 -fomit-frame-pointer callpaths.c -o callpaths -lpthread
 *
 * usage: callpaths MODE [ROUNDS]
 *
 * All the time is spent in two leaves, leaf() and leaf2() (callpaths.h): the
 * same integer loop, UNIT iterations per call, so a path's share of the
 * leaf samples is its share of the units.  Every function is noipa (no
 * inlining, cloning or identical-code folding, so the names stay) and does
 * work after each call (so no call becomes a tail call).  One round:
 *
 *   plain     main;run_a;mid;leaf              5 units  50 %
 *             main;run_b;mid;leaf              3 units  30 %
 *             main;run_c;leaf2                 2 units  20 %
 *   longjmp   main;run_lj;catcher;mid;leaf     5 units  50 %   each unit after
 *             run_b, run_c as in plain                         20 setjmp/longjmp out
 *                                                              of a 50-deep recursion
 *   longjmp-inline
 *             main;run_lji;catcher_inline      5 units  50 %   the same 20 longjmps,
 *             run_b, run_c as in plain                         then the unit's loop
 *                                                              inline in catcher_inline:
 *                                                              no call or return after
 *                                                              the longjmp
 *   signal    main;run_sig;trap_point;[signal];handler;sig_work;leaf
 *                                              5 units  50 %   trap_point executes an
 *             run_b, run_c as in plain                         undefined instruction;
 *                                                              the SIGILL handler does
 *                                                              the unit and skips it
 *   sigalt    as signal, the handler on an alternate signal stack (sigaltstack)
 *   threads   4 threads, each running the whole mix rooted at worker:
 *             worker;run_a;mid;leaf            4 units  40 %
 *             worker;run_b;mid;leaf            3 units  30 %
 *             worker;run_c;leaf2               2 units  20 %
 *             worker;run_d;leaf                1 unit   10 %
 *   flush     as plain, and before every unit run_* calls churn(), which runs
 *             the next slice of NCOLD distinct functions: with qemu -tb-size 1
 *             the translations fill the code buffer and QEMU flushes it while
 *             main;run_* are in progress
 *   deep      main;run_deep;rec_ok x DEPTH_OK;leaf            1 unit   50 %
 *             main;run_deep;rec_deep x DEPTH_DEEP;leaf        1 unit   50 %
 *             DEPTH_OK (100) fits a shadow stack, DEPTH_DEEP (600) does not:
 *             those samples are truncated, their outer frames still right
 *
 * It prints "callpaths MODE: ROUNDS rounds, sink S" at the end; S depends only
 * on MODE and ROUNDS (the same natively and under QEMU).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "callpaths.h"

static int flush_mode;

/* --- flush: many distinct functions, each its own translation blocks ---- */
#define NCOLD 4096
#define COLD(n) NOIPA static unsigned long cold_##n(unsigned long x) \
    { x ^= x >> ((n) % 17 + 1); x *= (n) * 2 + 1; x += (n) ^ 0x5bd1; \
      x ^= x << ((n) % 13 + 1); x -= (n) * 7; x ^= x >> ((n) % 11 + 3); \
      return x + (n); }
#define COLD4(n)   COLD(n##0) COLD(n##1) COLD(n##2) COLD(n##3)
#define COLD16(n)  COLD4(n##0) COLD4(n##1) COLD4(n##2) COLD4(n##3)
#define COLD64(n)  COLD16(n##0) COLD16(n##1) COLD16(n##2) COLD16(n##3)
#define COLD256(n) COLD64(n##0) COLD64(n##1) COLD64(n##2) COLD64(n##3)
#define COLD1K(n)  COLD256(n##0) COLD256(n##1) COLD256(n##2) COLD256(n##3)
COLD1K(10) COLD1K(11) COLD1K(12) COLD1K(13)
#define REF(n) cold_##n,
#define REF4(n)   REF(n##0) REF(n##1) REF(n##2) REF(n##3)
#define REF16(n)  REF4(n##0) REF4(n##1) REF4(n##2) REF4(n##3)
#define REF64(n)  REF16(n##0) REF16(n##1) REF16(n##2) REF16(n##3)
#define REF256(n) REF64(n##0) REF64(n##1) REF64(n##2) REF64(n##3)
#define REF1K(n)  REF256(n##0) REF256(n##1) REF256(n##2) REF256(n##3)
static unsigned long (*const cold_fns[NCOLD])(unsigned long) = {
    REF1K(10) REF1K(11) REF1K(12) REF1K(13)
};

/* Run the next tenth of the cold functions (all of them every round). */
NOIPA static unsigned long churn(void)
{
    static unsigned next;
    unsigned long x = next;

    for (unsigned i = 0; i < NCOLD / 10 + 1; i++, next = (next + 1) % NCOLD)
        x = cold_fns[next](x);
    return x;
}

/* --- plain ---------------------------------------------------------------- */
/*
 * The loop of run_a, run_b and run_c: units calls of work(UNIT), each
 * after churn() in flush mode; the value is the sum of their results.  A
 * macro, as UNIT_LOOP (callpaths.h) is: each run_* is one frame, calling
 * work directly.
 */
#define RUN_UNITS(work, units) ({                               \
    unsigned long s_ = 0;                                       \
                                                                \
    for (unsigned i_ = 0; i_ < (units); i_++) {                 \
        if (flush_mode)                                         \
            s_ += churn() & 1;                                  \
        s_ += work(UNIT);                                       \
    }                                                           \
    s_;                                                         \
})

NOIPA unsigned long run_a(unsigned units)
{
    return RUN_UNITS(mid, units) + 1;
}

NOIPA unsigned long run_b(unsigned units)
{
    return RUN_UNITS(mid, units) + 2;
}

NOIPA unsigned long run_c(unsigned units)
{
    return RUN_UNITS(leaf2, units) + 3;
}

NOIPA unsigned long run_d(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += leaf(UNIT);
    return s + 4;
}

/* --- longjmp -------------------------------------------------------------- */
static jmp_buf lj_env;

NOIPA static unsigned long dive(unsigned depth)
{
    if (depth == 0)
        longjmp(lj_env, 1);
    if (depth > 1000)         /* never: a way out that -Winfinite-recursion sees */
        return 0;
    return kept(dive(depth - 1)) + 1;
}

/*
 * Count in jumps (a volatile unsigned, 0) 20 setjmp()s, each left by a
 * longjmp out of a 50-deep recursion.  A macro, not a function: setjmp()
 * must be called in the frame that the longjmp() comes back to.
 */
#define LONGJMP_20_TIMES(jumps)                 \
    while ((jumps) < 20) {                      \
        if (setjmp(lj_env) == 0)                \
            sink += dive(50);                   \
        (jumps)++;                              \
    }

NOIPA unsigned long catcher(void)
{
    volatile unsigned jumps = 0;

    LONGJMP_20_TIMES(jumps);
    return mid(UNIT) + jumps;
}

/*
 * longjmp-inline: the unit's loop inline in catcher_inline, right after the
 * last longjmp, with no call or return between: the frames the longjmp left
 * are still on the shadow stack while it runs.
 */
NOIPA unsigned long catcher_inline(void)
{
    volatile unsigned jumps = 0;

    LONGJMP_20_TIMES(jumps);
    return UNIT_LOOP(UNIT + jumps - 20, UNIT);  /* leaf()'s loop, inline */
}

NOIPA unsigned long run_lj(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += catcher();
    return s + 5;
}

NOIPA unsigned long run_lji(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += catcher_inline();
    return s + 8;
}

/* --- signal, sigalt --------------------------------------------------------- */
NOIPA unsigned long sig_work(void)
{
    return leaf(UNIT) + 6;
}

NOIPA static void handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)sig, (void)si;
    sink += sig_work();
    /* resume after the undefined instruction */
#if defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RIP] += 2;  /* ud2 */
#elif defined(__aarch64__)
    uc->uc_mcontext.pc += 4;              /* udf #0 */
#else
#error "callpaths: signal mode knows x86_64 and aarch64"
#endif
}

NOIPA void trap_point(void)
{
#if defined(__x86_64__)
    __asm__ volatile("ud2" ::: "memory");
#elif defined(__aarch64__)
    __asm__ volatile(".inst 0x00000000" ::: "memory");  /* udf #0 */
#endif
}

NOIPA unsigned long run_sig(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++) {
        trap_point();
        s += i;
    }
    return s + 7;
}

static void setup_signal(int alt)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    if (alt) {
        stack_t ss = { .ss_sp = malloc(1 << 16), .ss_size = 1 << 16 };

        if (!ss.ss_sp || sigaltstack(&ss, NULL)) {
            perror("sigaltstack");
            exit(1);
        }
        sa.sa_flags |= SA_ONSTACK;
    }
    if (sigaction(SIGILL, &sa, NULL)) {
        perror("sigaction");
        exit(1);
    }
}

/* --- threads -------------------------------------------------------------- */
static unsigned thread_rounds;

NOIPA static void *worker(void *arg)
{
    unsigned which = (unsigned)(unsigned long)arg;
    unsigned long s = 0;

    /*
     * Every thread runs the whole mix, each starting at another path, so
     * that a path's share of the samples is its share of the work however
     * the 4 threads share the cores: with one path per thread, the longest
     * ran alone at the end, faster per unit than under contention, and
     * its share of the CPU time fell below its share of the work.
     */
    for (unsigned r = 0; r < thread_rounds; r++) {
        for (unsigned k = 0; k < 4; k++) {
            switch ((which + k) % 4) {
            case 0: s += run_a(4); break;
            case 1: s += run_b(3); break;
            case 2: s += run_c(2); break;
            default: s += run_d(1); break;
            }
        }
    }
    return (void *)s;
}

/* --- deep ----------------------------------------------------------------- */
#define DEPTH_OK   100
#define DEPTH_DEEP 600

NOIPA unsigned long rec_ok(unsigned depth)
{
    if (depth <= 1)
        return leaf(UNIT) + 1;
    return kept(rec_ok(depth - 1)) + 1;
}

NOIPA unsigned long rec_deep(unsigned depth)
{
    if (depth <= 1)
        return leaf(UNIT) + 1;
    return kept(rec_deep(depth - 1)) + 1;
}

NOIPA unsigned long run_deep(void)
{
    return rec_ok(DEPTH_OK) + rec_deep(DEPTH_DEEP);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "plain";
    unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
    unsigned long s = 0;

    if (!strcmp(mode, "threads")) {
        pthread_t t[4];
        void *ret;

        thread_rounds = rounds;
        for (unsigned long i = 0; i < 4; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)i)) {
                perror("pthread_create");
                return 1;
            }
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], &ret);
            s += (unsigned long)ret;
        }
    } else if (!strcmp(mode, "deep")) {
        for (unsigned r = 0; r < rounds; r++)
            s += run_deep();
    } else {
        int lj = !strcmp(mode, "longjmp");
        int lji = !strcmp(mode, "longjmp-inline");
        int sig = !strcmp(mode, "signal") || !strcmp(mode, "sigalt");

        if (!lj && !lji && !sig && strcmp(mode, "plain") && strcmp(mode, "flush")) {
            fprintf(stderr, "usage: callpaths plain|longjmp|longjmp-inline|signal|sigalt|"
                    "threads|flush|deep [ROUNDS]\n");
            return 2;
        }
        flush_mode = !strcmp(mode, "flush");
        if (sig)
            setup_signal(!strcmp(mode, "sigalt"));
        for (unsigned r = 0; r < rounds; r++) {
            if (lj)
                s += run_lj(5);
            else if (lji)
                s += run_lji(5);
            else if (sig)
                s += run_sig(5);
            else
                s += run_a(5);
            s += run_b(3);
            s += run_c(2);
        }
    }
    printf("callpaths %s: %u rounds, sink %lu\n", mode, rounds, s);
    return 0;
}
