/*
 * tbdb.h: one QEMU run in memory: its side file (jit-PID.tbstats,
 * or jit-PID.tbstats.part) and optionally its jitdump (jit-PID.dump), joined
 * and indexed for the symbolizer's views (tb-list, tb, coverset, cfg, report).
 *
 * The model
 *   keys   one struct tbdb_key per statistics key (guest_pc, cs_base, flags,
 *          phys_pc): a TBS_REC_STATS record with all its counters.  A file
 *          without STATS records (-tb-stats none, a .part file of a killed
 *          QEMU, a 1.0 file) still loads: its keys are synthesised from the
 *          TB records, one per distinct (guest_pc, cs_base, flags, phys_pc),
 *          with zero counters, and db->have_counters is false.  A TB whose
 *          stats_id names no STATS record (stats_id 0 included) gets a
 *          synthesised key too.  Synthesised keys are numbered after the
 *          highest stats_id of the file, in order of first appearance.
 *   tb_records  one struct tbdb_tb per TBS_REC_TB (one translation), in file
 *          order, with its instruction arrays decoded to host byte order and
 *          copied, joined to its key and, when a jitdump is given, to the
 *          CODE_LOAD of the same code_index (its name and host code bytes).
 *   shadow_stacks  one struct tbdb_shadow_stack per TBS_REC_SHADOW_STACK
 *          (version 1.2): where a vCPU thread keeps its shadow call stack
 *          from a time on; tbdb_shadow_stack_at() finds a sample's.
 *
 * Both files are read completely at open; the db then needs no file.  The
 * arrays are allocated once each, sized by a first pass over the records, so
 * memory is proportional to the files (the jitdump stays mapped: names and
 * host code point into it).
 *
 * Errors are negative errno values:
 *   -EBADMSG   corrupt input (as the readers report it: tbstats.h,
 *              jitdump.h), a STATS record with stats_id 0 or a repeated
 *              one, a stats_id so high that the synthesised keys numbered
 *              after it would pass 2^32 - 1, or two files that are not from the same run (their
 *              pids differ, or a CODE_LOAD and a TB of the same code_index
 *              disagree on the host address): the message names both files
 *   -ENOTSUP   a format version the readers do not know
 *   -ENODATA   a file that ends inside its header (nothing to load)
 * plus -ENOMEM and the errno of open(), mmap(), read().  A file truncated
 * inside a record (a .part side file, a jitdump still being written) is not an
 * error: what precedes the cut is loaded and tbdb_warning() says so.
 * tbdb_strerror() says what went wrong, "FILE: WHAT at byte offset N (DETAIL)".
 *
 * Thread safety: loading is not synchronised; a loaded db is read-only and
 * may be read by any number of threads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TBDB_H
#define TBDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tbstats.h"

struct tbdb_tb;

/*
 * The structs below hold the fields of their side-file record under the
 * names of its view (tbstats.h), declared by the same lists of
 * tbstats-records.h.
 */

/*
 * One statistics key.  Everything is in host byte order.  A synthesised
 * key's stats_id comes after the file's highest.
 */
struct tbdb_key {
    TBS_STATS_KEY_FIELDS(TBS_FIELD_MEMBER, )
    uint8_t privilege;         /* TBS_PRIV_* of its TB records (they agree: the
                                  privilege level is CPU state, part of flags);
                                  the latest one's if a corrupt file has them
                                  disagree; TBS_PRIV_NONE when it has none */
    bool synthesised;          /* made from TB records: all counters below are 0 */
    uint64_t file_offset;      /* of the STATS record; synthesised: of its first TB */
    /* The counters of the STATS record (tbstats-fields.h). */
#define X(name, bits, level) uint##bits##_t name;
    TBS_STATS_COUNTERS(X)
#undef X
    TBS_STATS_SUCC_FIELDS(TBS_FIELD_MEMBER, )
    const uint64_t *succ_pc;   /* [nr_succ], guest PCs */
    /* Derived metrics: 0 where the denominator is 0. */
    double hg_ratio;           /* host_bytes / guest_bytes */
    double host_per_insn;      /* host_bytes / guest_insns (QEMU's "h/g") */
    double insns_per_translation; /* guest_insns / translations */
    double coverage;           /* insns_executed / db->total_insns_executed, 0..1 */
    /* The TB records of this key (its translations found in the side file), in file order. */
    const struct tbdb_tb *const *tb_records;
    uint32_t nr_tb_records;
    /* tb_records[nr_tb_records - 1], or NULL when nr_tb_records is 0 */
    const struct tbdb_tb *latest;
};

/*
 * One translation (TBS_REC_TB), joined to its key and jitdump CODE_LOAD.
 * privilege is the guest CPU's when it was translated (1.4).
 */
struct tbdb_tb {
    TBS_TB_FIELDS(TBS_FIELD_MEMBER, )
    uint64_t file_offset;      /* of the TB record */
    const uint64_t *insn_pc;   /* [icount] guest address of each instruction */
    const uint32_t *host_end;  /* [icount] end of its host code, offset from host_addr */
    const uint8_t *guest_code; /* [guest_code_size] */
    const struct tbdb_key *key; /* never NULL */
    /* From the jitdump's CODE_LOAD of the same code_index; all 0/NULL without one. */
    bool have_load;
    uint64_t load_timestamp;
    uint64_t code_addr;
    uint64_t code_size;
    const char *name;          /* NUL-terminated at name[name_len] */
    size_t name_len;
    const uint8_t *code;       /* [code_size] host code */
    /* The UNWINDING_INFO record before that CODE_LOAD (perf's rule); NULL/0 without one. */
    const uint8_t *unwind_data; /* [unwinding_size]: .eh_frame, then .eh_frame_hdr */
    uint64_t unwinding_size;
    uint64_t eh_frame_hdr_size;
};

/*
 * A TBS_REC_MAPPING (or, with unmap set, a TBS_REC_UNMAP: only timestamp,
 * start and end are set, path is ""), in file order.
 */
struct tbdb_mapping {
    bool unmap;
    TBS_MAPPING_FIELDS(TBS_FIELD_MEMBER, )
    uint8_t build_id_size;
    uint8_t build_id[20];
    const char *path;          /* NUL-terminated */
};

/*
 * A TBS_REC_SHADOW_STACK: from timestamp on, host thread tid keeps its
 * shadow call stack (tbstats-format.h, struct tbs_shadow_stack) at host
 * address addr, with room for capacity frames after the sentinel.
 */
struct tbdb_shadow_stack {
    TBS_SHADOW_STACK_FIELDS(TBS_FIELD_MEMBER, )
};

/*
 * A loaded run.  Read-only for the caller; the fields below are stable API,
 * the ones after "private" are not.
 */
struct tbdb {
    struct tbs_header header;  /* the side file's header */
    const char *tbstats_path;  /* as given (or the name given to tbdb_open_mem) */
    const char *jitdump_path;  /* NULL: no jitdump */
    uint32_t jitdump_pid;      /* the jitdump header's pid (0 without one) */
    uint32_t jitdump_elf_mach; /* the jitdump header's elf_mach (0 without one) */
    bool have_counters;        /* the side file has STATS records */
    bool tbstats_partial;      /* cut inside a record, or no END record */
    bool jitdump_partial;      /* cut inside a record */
    bool have_end;             /* the side file's END record */
    int32_t exit_code;         /* of END */
    uint64_t nr_flushes;       /* FLUSH records */
    /*
     * From END: snapshot, the file is a copy of a running QEMU's side file
     * (the monitor's tb-stats write, TBS_END_SNAPSHOT): its counters are the
     * statistics so far.  have_tlb_flushes, the END record has the TLB
     * flush counts (a 64-byte record; an older QEMU's 40-byte one has not):
     * full, partial and elided flushes summed over the vCPUs, 0 in user mode.
     */
    bool snapshot;
    bool have_tlb_flushes;
    uint64_t tlb_flush_full, tlb_flush_part, tlb_flush_elided;
    uint64_t nr_unmatched_loads; /* CODE_LOADs of no TB of the side file */

    struct tbdb_key *keys;     /* [nr_keys], by ascending stats_id */
    size_t nr_keys;
    struct tbdb_tb *tb_records; /* [nr_tb_records], in file order */
    size_t nr_tb_records;
    struct tbdb_mapping *mappings; /* [nr_mappings], in file order */
    size_t nr_mappings;
    /* [nr_shadow_stacks], by ascending tid, then timestamp, then file order. */
    struct tbdb_shadow_stack *shadow_stacks;
    size_t nr_shadow_stacks;
    /* Keys by ascending guest_pc, then descending exec_count, then stats_id. */
    const struct tbdb_key *const *keys_by_pc;

    uint64_t total_exec_count;     /* sums over the keys (saturating) */
    uint64_t total_insns_executed;
    uint64_t max_exec_count;

    /* private */
    struct tbdb_priv *priv;
};

/*
 * tbdb_open - load a side file and, if jitdump_path is not NULL, its jitdump.
 * @tbstats_path: jit-PID.tbstats or jit-PID.tbstats.part.
 * @jitdump_path: jit-PID.dump of the same run, or NULL.
 * @dbp: receives the db.
 *
 * Returns 0 (possibly with a warning, see tbdb_warning()), or a negative
 * errno (see the top of this file).  Except on -ENOMEM, *dbp receives a db
 * even on failure so that tbdb_strerror() can say what went wrong; on
 * -ENOMEM *dbp may be NULL.  The caller always releases *dbp with
 * tbdb_close().
 */
int tbdb_open(const char *tbstats_path, const char *jitdump_path, struct tbdb **dbp);

/*
 * tbdb_open_mem - as tbdb_open(), on buffers in memory (for fuzzers and
 * tests).  The buffers are not copied and must outlive the db; jd_buf may be
 * NULL (no jitdump).  The names are used in messages (copied; NULL means
 * "<memory>").
 */
int tbdb_open_mem(const void *tbs_buf, size_t tbs_len, const char *tbs_name,
                  const void *jd_buf, size_t jd_len, const char *jd_name,
                  struct tbdb **dbp);

/* tbdb_close - release a db and everything it points to.  Accepts NULL. */
void tbdb_close(struct tbdb *db);

/*
 * tbdb_strerror - the error of a failed open as one line without newline,
 * "FILE: WHAT at byte offset N (DETAIL)", or "no error".  Owned by the db.
 */
const char *tbdb_strerror(const struct tbdb *db);

/*
 * tbdb_warning - after a successful open, what was not quite right, as one
 * line ("FILE: truncated record at byte offset N (...)", "FILE: no END
 * record (QEMU still running or killed)"), or NULL.  Owned by the db.
 */
const char *tbdb_warning(const struct tbdb *db);

/* tbdb_key_by_id - the key with this stats_id, or NULL.  O(log n). */
const struct tbdb_key *tbdb_key_by_id(const struct tbdb *db, uint32_t stats_id);

/*
 * tbdb_key_by_pc - the key of guest_pc; when several keys share it (other
 * flags or cs_base), the one with the highest exec_count.  NULL if none.
 * O(log n).
 */
const struct tbdb_key *tbdb_key_by_pc(const struct tbdb *db, uint64_t guest_pc);

/* tbdb_tb_by_code_index - the translation of a code_index, or NULL.  O(log n). */
const struct tbdb_tb *tbdb_tb_by_code_index(const struct tbdb *db, uint64_t code_index);

/*
 * tbdb_tb_insn_at - the guest instruction whose host code holds host
 * address addr: the index i (< icount) of the first instruction whose
 * host_end lies above addr's offset in the translation's code (code_addr
 * with a CODE_LOAD, else host_addr).  Host code past the last instruction's
 * end (out-of-line slow paths) counts as the last instruction's.  Returns
 * -1 when addr is outside the code or the translation has no instructions.
 * O(log icount); the arrays are not trusted to be sorted (any answer is in
 * range).
 */
long tbdb_tb_insn_at(const struct tbdb_tb *tb, uint64_t addr);

/*
 * tbdb_shadow_stack_at - where thread tid kept its shadow call stack at
 * time: the SHADOW_STACK record of that tid with the greatest timestamp
 * <= time (of two with the same timestamp, the later in the file), or NULL.
 * O(log n).
 */
const struct tbdb_shadow_stack *tbdb_shadow_stack_at(const struct tbdb *db, uint32_t tid,
                                                     uint64_t time);

/*
 * tbdb_find_files - the side file and jitdump of a run in directory dir, named
 * as QEMU names them: jit-PID.tbstats (else jit-PID.tbstats.part) and
 * jit-PID.dump, as perf finds jit-PID.dump.
 * @pid: the run's pid, or 0 for the only run in dir, or the newest one (by
 *       the side file's modification time) when there are several.
 * @tbstats_pathp: receives the side file's path (malloc()ed, caller frees).
 * @jitdump_pathp: receives the jitdump's path (malloc()ed, caller frees),
 *       or NULL when the run has none.
 * Returns 0, -ENOENT when dir holds no side file (of that pid), -ENOMEM, or the
 * errno of opendir().
 */
int tbdb_find_files(const char *dir, uint32_t pid, char **tbstats_pathp,
                    char **jitdump_pathp);

#endif /* TBDB_H */
