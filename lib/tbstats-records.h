/*
 * tbstats-records.h - the fixed numeric fields of the side-file records,
 * listed once: a record's view in tbstats.h is made of them
 * (TBS_FIELD_MEMBER), the library's reader (tbstats.c) decodes them and its
 * writer (tbstats_writer.c) encodes them.
 *
 * Each list names, in the order of the record in tbstats-format.h, the
 * fields that a record's view (tbstats.h) holds under the same name and
 * that are stored as a plain 8-, 16-, 32- or 64-bit integer:
 *
 *   X(V, TYPE, NAME, BITS)   V the view pointer passed to the list, TYPE
 *                            the format struct (without "struct"), NAME the
 *                            field, BITS 8, 16, 32 or 64
 *
 * tbdb.h's structs are made of the same lists, and tbdb.c copies the
 * fields from a view into them by name.  What a record holds besides
 * (MAPPING's build ID and path, TB's arrays and guest code, STATS' counters
 * from tbstats-fields.h and successors, TB_IR's texts) stays with the code
 * that reads or writes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBSTATS_RECORDS_H
#define TBSTATS_RECORDS_H

/* A field of a list as a member of a struct that holds it decoded. */
#define TBS_FIELD_MEMBER(V, TYPE, NAME, BITS) uint##BITS##_t NAME;

/*
 * Then build_id_size, build_id and the path.  kind (1.4) was zero padding
 * before: the reader returns 0 (TBS_MAPPING_ELF) for older files.
 */
#define TBS_MAPPING_FIELDS(X, V) \
    X(V, tbs_mapping, timestamp, 64) \
    X(V, tbs_mapping, start, 64) \
    X(V, tbs_mapping, end, 64) \
    X(V, tbs_mapping, offset, 64) \
    X(V, tbs_mapping, bias, 64)     /* guest address = ELF vaddr + bias */ \
    X(V, tbs_mapping, prot, 32) \
    X(V, tbs_mapping, kind, 8)      /* TBS_MAPPING_* */

#define TBS_UNMAP_FIELDS(X, V) \
    X(V, tbs_unmap, timestamp, 64) \
    X(V, tbs_unmap, start, 64) \
    X(V, tbs_unmap, end, 64)

/*
 * Then insn_pc[icount], host_end[icount] and the guest code.  privilege
 * (1.4) was zero padding before: the reader returns 0 (TBS_PRIV_NONE) for
 * older files.
 */
#define TBS_TB_FIELDS(X, V) \
    X(V, tbs_tb, timestamp, 64) \
    X(V, tbs_tb, code_index, 64) \
    X(V, tbs_tb, host_addr, 64) \
    X(V, tbs_tb, guest_pc, 64) \
    X(V, tbs_tb, cs_base, 64) \
    X(V, tbs_tb, phys_pc, 64) \
    X(V, tbs_tb, flags, 32) \
    X(V, tbs_tb, cflags, 32) \
    X(V, tbs_tb, host_size, 32) \
    X(V, tbs_tb, guest_size, 32) \
    X(V, tbs_tb, guest_code_size, 32) \
    X(V, tbs_tb, icount, 16) \
    X(V, tbs_tb, privilege, 8)      /* TBS_PRIV_*, as found */ \
    X(V, tbs_tb, listing_line, 32)  /* 0: none */ \
    X(V, tbs_tb, stats_id, 32)      /* its key's STATS; 0: none (1.0's zero padding too) */

#define TBS_FLUSH_FIELDS(X, V) \
    X(V, tbs_flush, timestamp, 64)

/* The key; then the counters (TBS_STATS_COUNTERS) and TBS_STATS_SUCC_FIELDS. */
#define TBS_STATS_KEY_FIELDS(X, V) \
    X(V, tbs_stats, stats_id, 32)   /* 1-based; TB records refer to it */ \
    X(V, tbs_stats, flags, 32)      /* key: TranslationBlock flags */ \
    X(V, tbs_stats, guest_pc, 64)   /* key */ \
    X(V, tbs_stats, cs_base, 64)    /* key */ \
    X(V, tbs_stats, phys_pc, 64)    /* key; -1: not in guest RAM */

/* Then succ_pc[nr_succ]. */
#define TBS_STATS_SUCC_FIELDS(X, V) \
    X(V, tbs_stats, nr_succ, 32)    /* entries of succ_pc */ \
    X(V, tbs_stats, succ_dropped, 32)

#define TBS_SHADOW_STACK_FIELDS(X, V) \
    X(V, tbs_shadow_stack_loc, timestamp, 64) \
    X(V, tbs_shadow_stack_loc, addr, 64) \
    X(V, tbs_shadow_stack_loc, tid, 32) \
    X(V, tbs_shadow_stack_loc, capacity, 32)

/* Then the ops and ops_opt texts. */
#define TBS_TB_IR_FIELDS(X, V) \
    X(V, tbs_tb_ir, timestamp, 64) \
    X(V, tbs_tb_ir, code_index, 64) \
    X(V, tbs_tb_ir, guest_pc, 64) \
    X(V, tbs_tb_ir, cs_base, 64) \
    X(V, tbs_tb_ir, flags, 32) \
    X(V, tbs_tb_ir, stats_id, 32)   /* 0: none */ \
    X(V, tbs_tb_ir, ops_len, 32) \
    X(V, tbs_tb_ir, ops_opt_len, 32)

/*
 * END's exit_code is signed in the view (int32_t), stored as 32 bits.
 * end_flags (1.4) was zero padding in the 40-byte record of older writers
 * (TBS_END_SIZE_NO_TLB, tbstats.h), which ends after nr_flushes: the reader
 * returns 0 for it then, and reads TBS_END_TLB_FIELDS only from a record of
 * TBS_END_SIZE bytes or more.
 */
#define TBS_END_FIELDS(X, V) \
    X(V, tbs_end, timestamp, 64) \
    X(V, tbs_end, exit_code, 32) \
    X(V, tbs_end, end_flags, 32) \
    X(V, tbs_end, nr_tbs, 64) \
    X(V, tbs_end, nr_flushes, 64)

#define TBS_END_TLB_FIELDS(X, V) \
    X(V, tbs_end, tlb_flush_full, 64) \
    X(V, tbs_end, tlb_flush_part, 64) \
    X(V, tbs_end, tlb_flush_elided, 64)

#endif /* TBSTATS_RECORDS_H */
