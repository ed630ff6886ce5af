/*
 * report_table.h: tbsym report's TB table, which tbsym html shows too: its
 * columns, one row of a key or a function, the name perf gives a
 * translation, and the "# " summary lines above the table.
 */
#ifndef TBSYM_REPORT_TABLE_H
#define TBSYM_REPORT_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include "disasm.h"
#include "profile.h"
#include "table.h"
#include "tally.h"

/*
 * view_tb_name - the name perf gives a translation: its CODE_LOAD name,
 * else QEMU's rule on the guest PC (its guest symbol), else, outside every
 * mapping, guestsym_unmapped_name() by the TB's privilege ("guest-0xPC",
 * "[kernel] 0xPC") in buf.  Returns a string owned by tb, p or buf.
 */
const char *view_tb_name(struct profile *p, const struct tbdb_tb *tb, char *buf, size_t size);

/*
 * view_report_cols - the columns of tbsym report --by tb|function (guest_pc
 * ... symbol, source); view_report_incl_cols the same with children,
 * children%, self and self% after guest_pc (--by function with guest call
 * stacks).  view_report_row() fills one row: the sums of a key or of a
 * function's keys, named by key's latest translation when key is given,
 * else by name; total: all samples of the run, for %; incl: the inclusive
 * counts of view_report_incl_cols, or NULL for view_report_cols; hi: the
 * host_insns counter (NULL: host_insns and hi/gi empty, as for functions).
 */
struct view_inclusive {
    uint64_t children;         /* samples with the function on their guest stack */
    uint64_t self;             /* samples with it the innermost guest function */
};
extern const struct table_col view_report_cols[];
extern const size_t view_report_ncols;
extern const struct table_col view_report_incl_cols[];
extern const size_t view_report_incl_ncols;
void view_report_row(struct table *t, struct profile *p, const struct tally_sums *sum,
                     uint64_t guest_pc, const struct tbdb_key *key, const char *name,
                     uint64_t total, const struct view_inclusive *incl,
                     struct view_host_insns *hi);

/*
 * view_report_summary - tbsym report's four "# " lines: input, side file,
 * samples and event, share of each class; by_class: [PROFILE_NR_CLASSES].
 */
void view_report_summary(FILE *f, struct profile *p, uint64_t total, const uint64_t *by_class);

#endif /* TBSYM_REPORT_TABLE_H */
