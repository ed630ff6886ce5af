/*
 * sorted.h: the one binary search of the library's sorted tables (symbols,
 * code map pages and copies, TB indexes, CIE offsets).  Internal to the
 * library.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SORTED_H
#define SORTED_H

#include <stddef.h>

/*
 * PARTITION_POINT - the first index I in [0, N) for which the expression
 * BELOW, written in terms of I, is false, or N if there is none; BELOW must
 * be true for a prefix of the indices and false after it (as C++'s
 * std::partition_point).  For a table sorted by key k: with "t[I].k < key"
 * the first entry >= key (a lower bound), with "t[I].k <= key" the number
 * of entries <= key (an upper bound).  I is a size_t declared here; BELOW
 * is evaluated O(log N) times.  A GNU C statement expression.
 */
#define PARTITION_POINT(N, I, BELOW) ({                 \
    size_t lo_ = 0, hi_ = (N);                          \
                                                        \
    while (lo_ < hi_) {                                 \
        size_t I = lo_ + (hi_ - lo_) / 2;               \
                                                        \
        if (BELOW)                                      \
            lo_ = I + 1;                                \
        else                                            \
            hi_ = I;                                    \
    }                                                   \
    lo_;                                                \
})

#endif /* SORTED_H */
