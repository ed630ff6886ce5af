/*
 * report_table.h: tbsym report's TB table, which tbsym html shows too: its
 * columns, one row of a key or a function, the name perf gives a
 * translation, and the "# " summary lines above the table.
 */
#ifndef TBSYM_REPORT_TABLE_H
#define TBSYM_REPORT_TABLE_H

#include <stdbool.h>
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
 * view_report_columns - the columns of tbsym report --by tb|function
 * (guest_pc ... symbol, source): with incl, children, children%, self and
 * self% after guest_pc (--by function with guest call stacks); for a system
 * emulator's run (softmmu: view_report_softmmu()) softmmu_samples after
 * helper_samples.  *ncols receives their number.
 * view_report_row() fills one row of those columns (incl and softmmu as
 * for them): the sums of a key or of a function's keys, named by key's
 * latest translation when key is given, else by name; total: all samples
 * of the run, for %; incl: the inclusive counts, or NULL without them; hi:
 * the host_insns counter (NULL: host_insns and hi/gi empty, as for
 * functions).
 */
struct view_inclusive {
    uint64_t children;         /* samples with the function on their guest stack */
    uint64_t self;             /* samples with it the innermost guest function */
};
const struct table_col *view_report_columns(bool incl, bool softmmu, size_t *ncols);
void view_report_row(struct table *t, struct profile *p, const struct tally_sums *sum,
                     uint64_t guest_pc, const struct tbdb_key *key, const char *name,
                     uint64_t total, const struct view_inclusive *incl,
                     struct view_host_insns *hi);

/* view_report_softmmu - whether the run has the softmmu_samples column: a system emulator's. */
bool view_report_softmmu(const struct tbdb *db);

/*
 * view_report_summary - tbsym report's "# " lines: input, side file,
 * samples and event, share of each class (of t), then for a system
 * emulator the software MMU's share (helper samples in it, and how many of
 * them were charged to a TB) and view_run_notes().
 */
void view_report_summary(FILE *f, struct profile *p, const struct tally *t);

#endif /* TBSYM_REPORT_TABLE_H */
