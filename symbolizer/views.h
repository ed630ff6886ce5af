/*
 * views.h: what the offline views of one run share (tb-list, tb, coverset,
 * cfg): finding and loading the run (lib/tbdb.h) from the common options,
 * naming keys, and a table that prints as aligned text, JSON (through
 * out.h) or CSV.
 *
 * Common options, parsed by view_parse_option():
 *   --dir DIR          the directory holding jit-PID.tbstats and jit-PID.dump (default .)
 *   --pid PID          which run in DIR (default: the only or newest one)
 *   --tbstats FILE     the export, instead of looking in DIR
 *   --jitdump FILE     its jitdump (with --tbstats; optional)
 *   --format FMT       text, json or csv (each command says which it takes)
 */
#ifndef TBSYM_VIEWS_H
#define TBSYM_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "out.h"
#include "tbdb.h"

enum view_format {
    VIEW_TEXT,
    VIEW_JSON,
    VIEW_CSV,
};

struct view_opts {
    const char *cmd;            /* the subcommand, for messages */
    const char *usage;          /* its usage text */
    const char *dir;
    const char *tbstats;
    const char *jitdump;
    uint32_t pid;
    enum view_format format;
};

/*
 * view_parse_option - if argv[*i] is a common option, consume it (and its
 * argument) and return 1; return 0 if it is not one; on a bad option
 * argument print the usage error and return -1 (exit TBSYM_EXIT_INPUT).
 */
int view_parse_option(struct view_opts *v, int argc, char **argv, int *i);

/* view_usage_error - "tbsym CMD: MESSAGE" and the usage on stderr; TBSYM_EXIT_INPUT. */
int view_usage_error(const struct view_opts *v, const char *fmt, const char *arg);

/*
 * view_open - find and load the run; on failure print one line to stderr
 * and return a TBSYM_EXIT_* code (> 0); a warning (truncated file) is
 * printed as "tbsym: warning: ..." and the load succeeds (0).
 */
int view_open(const struct view_opts *v, struct tbdb **dbp);

/*
 * view_find_key - the key named by arg: a decimal stats_id or 0xGUESTPC.
 * Prints the error and returns NULL if there is none.
 */
const struct tbdb_key *view_find_key(const struct view_opts *v, const struct tbdb *db,
                                     const char *arg);

/*
 * view_key_name - the key's name: its latest translation's CODE_LOAD name
 * when the jitdump gave one, else "guest-0xPC".  Returns buf or a pointer
 * into the db; *lenp receives its length.
 */
const char *view_key_name(const struct tbdb_key *k, char *buf, size_t size, size_t *lenp);

/* --- tables -------------------------------------------------------------------- */

struct table_col {
    const char *name;           /* header and JSON/CSV key */
    bool left;                  /* text: left-aligned (strings) */
};

struct table;

/* table_new - a table of ncols columns (cols must outlive it); NULL on ENOMEM. */
struct table *table_new(const struct table_col *cols, size_t ncols);
void table_free(struct table *t);

/* Append one cell to the current row; a row ends after ncols cells. */
void table_u64(struct table *t, uint64_t v);
void table_hex(struct table *t, uint64_t v);
void table_str(struct table *t, const char *s, size_t len);   /* copied */
/* num / den with two decimals (out_ratio's rounding); den 0: "-" (JSON: omitted). */
void table_ratio(struct table *t, uint64_t num, uint64_t den);
/*
 * table_cents - a signed number given in hundredths, with two decimals
 * ("-1.50"); plus: positive values get a "+" in text and CSV ("+1.50").
 * JSON: a number.
 */
void table_cents(struct table *t, int64_t cents, bool plus);
/* table_ok - false if an allocation failed since table_new(). */
bool table_ok(const struct table *t);

/* table_print_text - a header line and the rows, in aligned columns. */
void table_print_text(const struct table *t, FILE *f);
/* table_print_csv - RFC 4180: a header line and the rows. */
void table_print_csv(const struct table *t, FILE *f);
/* table_print_json - the rows as an array named key of objects, into an open document. */
void table_print_json(const struct table *t, struct out *o, const char *key);

/* --- rows of keys (cmd_tb_list.c), shared by tb-list and coverset ----------------- */

/* view_key_table - an empty table with tb-list's columns. */
struct table *view_key_table(void);
/* view_key_row - one key as a row of view_key_table(). */
void view_key_row(struct table *t, const struct tbdb *db, const struct tbdb_key *k);
/* view_percent - a cell: a as a percentage of b, two decimals ("-" if b is 0). */
void view_percent(struct table *t, uint64_t a, uint64_t b);
/* view_percent_str - the same as a string in buf ("-" if b is 0); returns buf. */
char *view_percent_str(char *buf, size_t size, uint64_t a, uint64_t b);

#endif /* TBSYM_VIEWS_H */
