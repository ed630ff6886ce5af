/*
 * callweb: an irregular call graph with several hot functions, run both
 * natively and under QEMU by tests/integration/test_gstack_native.sh: the
 * caller -> callee edges among its hottest functions must be the same in
 * perf's own DWARF unwinding of the native run and in tbsym's guest call
 * stacks of the QEMU run.  Built without frame pointers:
 *   gcc -g -O2 -fomit-frame-pointer callweb.c -o callweb
 *
 * usage: callweb [ROUNDS]
 *
 * Every function is noipa (no inlining, cloning or identical-code folding)
 * and does work after each call (no tail calls).  The graph:
 *   main -> interp -> dispatch -> {op_hash, op_sum, op_mix}   (indirect calls)
 *           op_hash -> mix, op_mix -> mix
 *   main -> parse -> lex, parse -> expr -> expr (recursion), expr -> term,
 *           term -> lex
 *   main -> walk -> even <-> odd (mutual recursion) -> visit -> mix
 * with the work split so that every edge between functions of 5 % or more
 * inclusive carries 3 % or more of the samples natively.
 */
#include <stdio.h>
#include <stdlib.h>

#define NOIPA __attribute__((noipa))

static volatile unsigned long sink;

/* The value of a call, stored before it is used: so that no call becomes a
 * tail call and no recursion a loop. */
static inline unsigned long kept(unsigned long v)
{
    sink = v;
    return v;
}

/* k rounds of a multiply-xorshift hash */
NOIPA unsigned long mix(unsigned long x, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        x = x * 0x9e3779b97f4a7c15ul + i;
        x ^= x >> 31;
    }
    return x;
}

NOIPA unsigned long op_hash(unsigned long x)
{
    return mix(x, 3000) ^ (mix(x + 1, 1000) + 1);
}

NOIPA unsigned long op_sum(unsigned long x)
{
    unsigned long s = x;

    for (unsigned i = 0; i < 3000; i++)
        s += (s >> 3) + i;
    return s;
}

NOIPA unsigned long op_mix(unsigned long x)
{
    return mix(x ^ 0x55, 2500) + 1;
}

static unsigned long (*const ops[3])(unsigned long) = { op_hash, op_sum, op_mix };

NOIPA unsigned long dispatch(unsigned long x, unsigned i)
{
    return ops[i % 3](x) + 1;
}

NOIPA unsigned long interp(unsigned n)
{
    unsigned long s = 1;

    for (unsigned i = 0; i < n; i++)
        s += dispatch(s, i);
    return s;
}

NOIPA unsigned long lex(unsigned n)
{
    unsigned long t = n;

    for (unsigned i = 0; i < n; i++)
        t = (t << 1) ^ (t >> 7) ^ i;
    return t;
}

NOIPA unsigned long term(unsigned n)
{
    unsigned long s = lex(n / 2);

    for (unsigned i = 0; i < n; i++)
        s = s * 3 + (i ^ (s >> 11));
    return s;
}

NOIPA unsigned long expr(unsigned depth, unsigned n)
{
    if (depth == 0)
        return kept(term(n)) + 1;
    return kept(expr(depth - 1, n)) + term(n / 2);
}

NOIPA unsigned long parse(unsigned n)
{
    unsigned long s = lex(n);

    return s + expr(3, n);
}

NOIPA unsigned long visit(unsigned long x)
{
    return mix(x, 4000) + 1;
}

NOIPA unsigned long odd(unsigned depth, unsigned long x);

NOIPA unsigned long even(unsigned depth, unsigned long x)
{
    if (depth == 0)
        return kept(visit(x)) + 1;
    return kept(odd(depth - 1, x + 1)) + 1;
}

NOIPA unsigned long odd(unsigned depth, unsigned long x)
{
    return kept(even(depth - 1, x * 3)) + 2;
}

NOIPA unsigned long walk(unsigned n)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < n; i++)
        s += even(6, s + i);
    return s;
}

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 10;
    unsigned long s = 0;

    for (unsigned r = 0; r < rounds; r++) {
        s += interp(1500);
        s += parse(1800000);
        s += walk(800);
    }
    sink = s;
    printf("callweb: %u rounds, sink %lu\n", rounds, s);
    return 0;
}
