/*
 * calls: a call-heavy guest for the shadow call stack's cost (bench/).
 * Almost nothing but calls and returns: naive recursive Fibonacci (deep
 * call trees of tiny functions), a loop over small noinline functions
 * through a function pointer (indirect calls), and a recursion 2000 frames
 * deep (deeper than the shadow stack holds: the overflow path).
 *   gcc -g -O2 -fno-omit-frame-pointer calls.c -o calls
 * usage: calls [N]   N scales the work (default 1000: about 1 s under QEMU)
 */
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

static volatile unsigned long sink;

NOINLINE static unsigned long fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

NOINLINE static unsigned long add1(unsigned long x) { return x + 1; }
NOINLINE static unsigned long mul3(unsigned long x) { return x * 3; }
NOINLINE static unsigned long xor5(unsigned long x) { return x ^ 5; }
NOINLINE static unsigned long shr1(unsigned long x) { return x >> 1 | x << 63; }

static unsigned long (*const ops[4])(unsigned long) = { add1, mul3, xor5, shr1 };

NOINLINE static unsigned long small_calls(unsigned long n)
{
    unsigned long x = 1;

    for (unsigned long i = 0; i < n; i++) {
        x = ops[i & 3](x);
        x = add1(x);
    }
    return x;
}

NOINLINE static unsigned long deep(unsigned depth)
{
    if (depth == 0) {
        return sink;
    }
    return deep(depth - 1) + (depth & 1);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    unsigned long r = 0;

    for (unsigned i = 0; i < n; i++) {
        r += fib(20);
        r += small_calls(20000);
        r += deep(2000);
    }
    sink = r;
    printf("calls %u: %lu\n", n, r);
    return 0;
}
