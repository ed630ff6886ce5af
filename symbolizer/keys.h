/*
 * keys.h: the statistics keys of a run (lib/tbdb.h) as the offline views
 * show them: the key an argument names, a key's name, and tb-list's row of
 * a key, which coverset prints too.
 */
#ifndef TBSYM_KEYS_H
#define TBSYM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "disasm.h"
#include "out.h"
#include "table.h"
#include "tbdb.h"
#include "view_opts.h"

/* What a command-line argument naming a TB is (view_key_arg()). */
enum key_arg {
    KEY_ARG_ID,                /* decimal digits only, at most UINT32_MAX: a stats_id */
    KEY_ARG_PC,                /* 0x or 0X, then hex digits, at most 64 bits: a guest PC */
    KEY_ARG_BAD,               /* one of the two forms, out of range or not hex */
    KEY_ARG_OTHER,             /* anything else (annotate: a guest symbol) */
};

/*
 * view_key_arg - the one rule for "ID, 0xPC or symbol" arguments, with the
 * value in *id or *pc.  No sign, no blanks: "+5" and " 5" are KEY_ARG_OTHER.
 */
enum key_arg view_key_arg(const char *s, uint32_t *id, uint64_t *pc);

/*
 * view_find_key - the key named by arg: a decimal stats_id or 0xGUESTPC.
 * Prints the error and returns NULL if there is none.
 */
const struct tbdb_key *view_find_key(const struct view_opts *v, const struct tbdb *db,
                                     const char *arg);

/* view_looks_like_key - whether s has the form of a stats_id or 0xGUESTPC. */
bool view_looks_like_key(const char *s);

/*
 * view_key_name - the key's name: its latest translation's CODE_LOAD name
 * when the jitdump gave one, else guestsym_unmapped_name() by the key's
 * privilege ("guest-0xPC", "[kernel] 0xPC").  Returns buf or a pointer
 * into the db; *lenp receives its length.
 */
const char *view_key_name(const struct tbdb_key *k, char *buf, size_t size, size_t *lenp);

/* view_key_xlate_ns - the key's translation time: gen + opt + liveness + code (saturated). */
uint64_t view_key_xlate_ns(const struct tbdb_key *k);

/*
 * view_run_notes - the "# " lines about the run as a whole that tbsym
 * report and tb-list print above their tables: that the side file is a
 * snapshot of a running QEMU (its END record's TBS_END_SNAPSHOT: the
 * counters are the statistics so far), and, for a system emulator
 * (TBS_FLAG_SYSTEM) whose END record is there, its TLB flushes, or that
 * the record has no counts (written by a QEMU from before them).  Nothing
 * for a user-mode run that is not a snapshot.
 * view_run_notes_json - the same facts as fields of the current JSON
 * object: "snapshot": true, "tlb_flushes": {"full", "partial", "elided"}
 * (absent when there are none to give).
 */
void view_run_notes(FILE *f, const struct tbdb *db);
void view_run_notes_json(struct out *o, const struct tbdb *db);

/*
 * struct view_key_list - tb-list's listing of a run's keys, which coverset
 * prints too: every key of db in rows[], in db's order, for the command to
 * sort; the table t with tb-list's columns, filled by view_key_list_add();
 * hi, the counts of its host_insns column.
 */
struct view_key_list {
    const struct tbdb *db;
    const struct tbdb_key **rows;   /* [db->nr_keys] (at least one element) */
    struct table *t;
    struct view_host_insns hi;
};

/*
 * view_key_list_open - l for db: 0, or the exit code after "out of memory".
 * view_key_list_close() it either way.
 */
int view_key_list_open(struct view_key_list *l, const struct tbdb *db);

/* view_key_list_add - the key rows[i] as the table's next row. */
void view_key_list_add(struct view_key_list *l, size_t i);

/*
 * view_key_list_print - the table on stdout (view_print_table(), rows as
 * "keys") and the command's exit code (tbsym_finish_stdout()); the exit
 * code after "out of memory" when a row could not be stored.
 */
int view_key_list_print(const struct view_key_list *l, enum view_format format,
                        const struct view_doc *doc, void *arg);

/* view_key_list_close - release what l holds (not db). */
void view_key_list_close(struct view_key_list *l);

#endif /* TBSYM_KEYS_H */
