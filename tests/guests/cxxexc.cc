/*
 * cxxexc: C++ exceptions thrown through guest frames, for the guest call
 * stack tests (tests/integration/test_guest_stacks.sh).  The unwinder
 * leaves the frames between the throw and the catch without returning
 * through them; the calls that follow must still have the right stack.
 * Built without frame pointers, like callpaths.c:
 *   g++ -g -O2 -fomit-frame-pointer cxxexc.cc -o cxxexc
 *   aarch64-linux-gnu-g++ -g -O2 -fomit-frame-pointer cxxexc.cc -o cxxexc
 *
 * usage: cxxexc [ROUNDS]
 *
 * The time is spent in leaf() and leaf2() (callpaths.h, shared with
 * callpaths.c: UNIT iterations of its loop per call).  The functions have C
 * linkage so that their symbols are plain names.  One round:
 *   main;run_exc;catcher;mid;leaf   5 units  50 %   each unit after 20 throws
 *                                                    from a 30-deep recursion,
 *                                                    caught in catcher; every
 *                                                    other unit is run inside
 *                                                    the catch block
 *   main;run_b;mid;leaf             3 units  30 %
 *   main;run_c;leaf2                2 units  20 %
 */
#include <cstdio>
#include <cstdlib>

#include "callpaths.h"

struct boom {
    unsigned long depth;
};

extern "C" {

NOIPA unsigned long dive(unsigned depth)
{
    if (depth == 0)
        throw boom{sink};
    if (depth > 1000)         /* never: a way out that -Winfinite-recursion sees */
        return 0;
    unsigned long r = dive(depth - 1);

    sink = r;                 /* after the call: no tail recursion */
    return r + 1;
}

NOIPA unsigned long catcher(unsigned inside)
{
    unsigned long caught = 0;

    for (int i = 0; i < 20; i++) {
        try {
            sink += dive(30);
        } catch (const boom &b) {
            caught++;
            if (inside && i == 19)
                return mid(UNIT) + caught + (b.depth & 1);
        }
    }
    return mid(UNIT) + caught;
}

NOIPA unsigned long run_exc(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += catcher(i & 1);
    return s + 5;
}

NOIPA unsigned long run_b(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += mid(UNIT);
    return s + 2;
}

NOIPA unsigned long run_c(unsigned units)
{
    unsigned long s = 0;

    for (unsigned i = 0; i < units; i++)
        s += leaf2(UNIT);
    return s + 3;
}

}  /* extern "C" */

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 10;
    unsigned long s = 0;

    for (unsigned r = 0; r < rounds; r++) {
        s += run_exc(5);
        s += run_b(3);
        s += run_c(2);
    }
    printf("cxxexc: %u rounds, sink %lu\n", rounds, s);
    return 0;
}
