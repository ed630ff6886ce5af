/*
 * callpaths.h: what the guests of the guest call stack tests whose paths
 * are known by construction share (callpaths.c, cxxexc.cc): the unit of
 * work, UNIT iterations of one integer loop, and the functions their paths
 * end in, leaf(), leaf2() and mid().  Included by the one source file of
 * each program; the functions have C linkage so that their symbols are
 * plain names in the C++ one too.
 *
 * Every function is noipa (no inlining, cloning or identical-code folding,
 * so the names stay) and does work after each call (so no call becomes a
 * tail call).
 */
#ifndef GUESTS_CALLPATHS_H
#define GUESTS_CALLPATHS_H

#define NOIPA __attribute__((noipa))
#define UNIT 2000000ul

static volatile unsigned long sink;

/*
 * The value of a call, stored before it is used: gcc turns "return f(n - 1) + 1"
 * into a loop (tail recursion with an accumulator) unless something follows
 * the call that it cannot move.
 */
static inline unsigned long kept(unsigned long v)
{
    sink = v;
    return v;
}

/*
 * The unit's loop, n rounds from x0; the result goes to sink, and the
 * statement expression's value is its low bit.  A macro, not an inline
 * function: tbsym and perf show a function inlined into a frame as a frame
 * of its own (from the DWARF), and the paths must end in leaf() itself.
 */
#define UNIT_LOOP(x0, n) ({                                     \
    unsigned long x_ = (x0);                                    \
                                                                \
    for (unsigned long i_ = 0; i_ < (n); i_++) {                \
        x_ = x_ * 6364136223846793005ul + i_;                   \
        x_ ^= x_ >> 29;                                         \
    }                                                           \
    sink = x_;                                                  \
    x_ & 1;                                                     \
})

#ifdef __cplusplus
extern "C" {
#endif

NOIPA unsigned long leaf(unsigned long n)
{
    return UNIT_LOOP(n, n);
}

/* leaf's loop, a second copy so that run_c's path ends in its own leaf */
NOIPA unsigned long leaf2(unsigned long n)
{
    return UNIT_LOOP(n, n);
}

NOIPA unsigned long mid(unsigned long n)
{
    return leaf(n) + 1;
}

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* GUESTS_CALLPATHS_H */
