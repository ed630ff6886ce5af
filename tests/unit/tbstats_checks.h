/*
 * tbstats_checks.h: the field checks that the tests of the side-file
 * reader (test_tbstats.c) and of tbdb (test_tbdb.c) share: what was read,
 * a reader's view or tbdb's struct, which hold the record's fields under
 * the same names, against the view written, field by field through the
 * lists of lib/tbstats-records.h and lib/tbstats-fields.h.  Header only,
 * on unit.h.
 *
 * The lists are the reader's too: that a field missing from a list is
 * caught all the same is the dump golden files' job (tbsym dump prints
 * every field by name).
 */
#ifndef TBSTATS_CHECKS_H
#define TBSTATS_CHECKS_H

#include "tbstats.h"
#include "tbstats-records.h"
#include "unit.h"

/* Every field of a STATS record (got_) but the successor array. */
#define CHECK_STATS_FIELDS(got_, want_) do {                                     \
    __typeof__(got_) got = (got_);                                               \
    const struct tbs_stats_view *want = (want_);                                 \
    TBS_STATS_KEY_FIELDS(CHECK_FIELD, want)                                      \
    TBS_STATS_COUNTERS(CHECK_COUNTER)                                            \
    TBS_STATS_SUCC_FIELDS(CHECK_FIELD, want)                                     \
} while (0)

/* Every numeric field of a TB record (got_); the arrays are the caller's. */
#define CHECK_TB_FIELDS(got_, want_) do {                                        \
    __typeof__(got_) got = (got_);                                               \
    TBS_TB_FIELDS(CHECK_FIELD, (want_))                                          \
} while (0)

#endif /* TBSTATS_CHECKS_H */
