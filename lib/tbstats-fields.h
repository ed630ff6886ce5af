/*
 * tbstats-fields.h - the counters of a STATS record, listed once.
 *
 * struct tbs_stats (tbstats-format.h) is the record as QEMU writes it; its
 * counters, between the key (phys_pc) and nr_succ, are listed here once, in
 * the record's order:
 *
 *   X(NAME, BITS, LEVEL)   NAME the field, BITS 32 or 64, LEVEL the
 *                          TBS_FLAG_STATS_<LEVEL> that collects it
 *
 * The library's reader, writer and tbdb, and tbsym's views expand it (define
 * X, expand TBS_STATS_COUNTERS(X), undefine X), and
 * perf-scripts/tbstats_format.py reads this file to decode the record, so a
 * counter added to the format is added here and nowhere else.  The format
 * header itself stays what QEMU compiles; tests/integration/check_tbstats.py
 * keeps its own list on purpose, as an independent decoder.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBSTATS_FIELDS_H
#define TBSTATS_FIELDS_H

#define TBS_STATS_COUNTERS(X) \
    X(exec_count, 64, EXEC) \
    X(exec_atomic, 64, EXEC) \
    X(insns_executed, 64, EXEC) \
    X(translations, 32, JIT) \
    X(translations_spanning, 32, JIT) \
    X(translations_uncached, 32, JIT) \
    X(restores, 32, JIT) \
    X(guest_insns, 64, JIT) \
    X(guest_bytes, 64, JIT) \
    X(host_bytes, 64, JIT) \
    X(ops, 64, JIT) \
    X(ops_opt, 64, JIT) \
    X(spills, 64, JIT) \
    X(time_gen_ns, 64, TIME) \
    X(time_opt_ns, 64, TIME) \
    X(time_la_ns, 64, TIME) \
    X(time_code_ns, 64, TIME) \
    X(time_restore_ns, 64, TIME)

/* TBS_STATS_C_<NAME>: each counter's index, for code that prints more after one. */
enum tbs_stats_counter {
#define TBS_STATS_ENUM(name, bits, level) TBS_STATS_C_##name,
    TBS_STATS_COUNTERS(TBS_STATS_ENUM)
#undef TBS_STATS_ENUM
    TBS_STATS_NR_COUNTERS
};

#endif /* TBSTATS_FIELDS_H */
