/*
 * views.h: what tbsym's subcommands share.  The offline views of one run
 * (tb-list, tb, coverset, cfg): finding and loading the run (lib/tbdb.h)
 * from the common options, naming keys.  The commands that read a perf
 * recording (report, annotate, flame, html, diff): their input options
 * and errors, and tbsym report's TB table, which tbsym html shows too.
 * All: a table that prints as aligned text, JSON (through out.h), CSV or
 * HTML cells, and capstone set up for an ELF machine.
 *
 * The run: a positional RUN (run_arg.h: a run directory, a perf.data, a
 * side file; view_take_run()), or the common options, parsed by
 * view_parse_option():
 *   --dir DIR          the directory holding jit-PID.tbstats and jit-PID.dump (default .)
 *   --pid PID          which run in DIR (default: the only or newest one)
 *   --tbstats FILE     the side file, instead of looking in DIR
 *   --jitdump FILE     its jitdump (with --tbstats; optional)
 *   --format FMT       text, json or csv (each command says which it takes)
 */
#ifndef TBSYM_VIEWS_H
#define TBSYM_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <capstone/capstone.h>

#include "out.h"
#include "profile.h"
#include "run_arg.h"
#include "tally.h"
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
    struct run_arg run;         /* view_take_run()'s storage */
};

/*
 * view_parse_option - if argv[*i] is a common option, consume it (and its
 * argument) and return 1; return 0 if it is not one; on a bad option
 * argument print the usage error and return -1 (exit TBSYM_EXIT_INPUT).
 */
int view_parse_option(struct view_opts *v, int argc, char **argv, int *i);

/*
 * view_take_run - RUN (run_arg.h) as the run of an offline view: a
 * directory as --dir, a perf.data as --dir of its directory, a side file as
 * --tbstats with the jit-PID.dump next to it as --jitdump (unless given).
 * Refuses RUN with --dir or --tbstats.  0 or an exit code after a message.
 */
int view_take_run(struct view_opts *v, const char *path);

/*
 * view_split_run - the positional arguments pos[0..n) of a command taking
 * "[RUN] ARG" (run_arg.h's order): *run receives RUN or NULL, *arg ARG;
 * none: usage error "missing"; more than two: usage error.  When the one
 * argument given names an existing path and is not what ARG looks like
 * (is_arg false), the usage error says ARG is missing.  0 or
 * TBSYM_EXIT_INPUT after the message.
 */
int view_split_run(const struct view_opts *v, int n, char **pos, bool is_arg,
                   const char **run, const char **arg, const char *missing);

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

/* view_looks_like_key - whether s has the form of a stats_id or 0xGUESTPC. */
bool view_looks_like_key(const char *s);

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
/* table_none - a cell without a value: "-" in text, empty in CSV, left out of JSON. */
void table_none(struct table *t);
/* table_ok - false if an allocation failed since table_new(). */
bool table_ok(const struct table *t);

/* table_print_text - a header line and the rows, in aligned columns. */
void table_print_text(const struct table *t, FILE *f);
/* table_print_csv - RFC 4180: a header line and the rows. */
void table_print_csv(const struct table *t, FILE *f);
/* table_print_json - the rows as an array named key of objects, into an open document. */
void table_print_json(const struct table *t, struct out *o, const char *key);
/*
 * What a command prints around its table; any member may be NULL.  JSON:
 * one object with json_before's members, the rows, then json_after's.
 */
struct view_doc {
    void (*text_before)(void *arg, FILE *f);
    void (*text_after)(void *arg, FILE *f);
    void (*json_before)(void *arg, struct out *o);
    void (*json_after)(void *arg, struct out *o);
};

/*
 * view_print_table - t on stdout as format: text (doc's text parts around
 * the aligned table), CSV (the rows only) or JSON (rows as rows_key).
 */
void view_print_table(const struct table *t, enum view_format format, const char *rows_key,
                      const struct view_doc *doc, void *arg);

/* table_nr_rows - the number of complete rows. */
size_t table_nr_rows(const struct table *t);
/*
 * table_print_html_head - the header cells, <th class="num|str" data-col="NAME">,
 * sorted_col (or -1) marked data-dir="desc".  table_print_html_row - the <td>
 * cells of one row, numbers with their value in data-v for sorting (-1 for
 * a ratio without denominator).  The caller writes <tr> and </tr>.
 */
void table_print_html_head(const struct table *t, FILE *f, int sorted_col);
void table_print_html_row(const struct table *t, size_t row, FILE *f);

/* --- rows of keys (cmd_tb_list.c), shared by tb-list and coverset ----------------- */

struct view_host_insns;

/* view_key_table - an empty table with tb-list's columns. */
struct table *view_key_table(void);
/* view_key_row - one key as a row of view_key_table(); hi counts host_insns (NULL: empty). */
void view_key_row(struct table *t, const struct tbdb *db, const struct tbdb_key *k,
                  struct view_host_insns *hi);
/* view_percent - a cell: a as a percentage of b, two decimals ("-" if b is 0). */
void view_percent(struct table *t, uint64_t a, uint64_t b);
/* view_percent_str - the same as a string in buf ("-" if b is 0); returns buf. */
char *view_percent_str(char *buf, size_t size, uint64_t a, uint64_t b);

/* --- disassembly ------------------------------------------------------------------ */

/*
 * view_disasm_open - a capstone handle for code of an ELF machine (EM_X86_64,
 * EM_386, EM_AARCH64), x86 in AT&T syntax as perf annotate shows it.
 * Returns false if capstone does not know the machine here; else close
 * *cs with cs_close().
 */
bool view_disasm_open(uint32_t machine, csh *cs);

/*
 * Host instructions of a translation (tbsym report, tb-list, tb: the
 * host_insns column): the instructions capstone decodes, one after the
 * other, in the host code generated for its guest instructions, that is
 * the jitdump CODE_LOAD's code from its start to the last guest
 * instruction's host_end (TB prologue included; the out-of-line slow paths
 * and constants after it not).  Decoding stops at the first bytes capstone
 * does not know.  A key's value is its latest translation's, and hi/gi is
 * that count per guest instruction of the same translation (icount).
 *
 * view_host_insns_open - set h up for the translations of db (its host
 * machine); always succeeds, counting nothing when capstone does not know
 * the machine.  Counts are cached per translation.
 * view_host_insns_close - release it (accepts NULL).
 * view_host_insns_count - the count of tb, or -1 when there is none: no
 * jitdump code (side file alone, perf inject output), no instructions, or
 * no capstone for the host.  Costs one linear disassembly of the bytes.
 * view_host_insns_cells - the two cells host_insns, hi/gi of key (NULL, or
 * no count: two empty cells).
 */
struct view_host_insns {
    const struct tbdb *db;
    csh cs;
    bool have_cs;
    cs_insn *insn;             /* cs_disasm_iter()'s buffer */
    int64_t *cache;            /* [db->nr_tbs] count + 1 per translation, 0: not yet */
};
void view_host_insns_open(struct view_host_insns *h, const struct tbdb *db);
void view_host_insns_close(struct view_host_insns *h);
int64_t view_host_insns_count(struct view_host_insns *h, const struct tbdb_tb *tb);
void view_host_insns_cells(struct table *t, struct view_host_insns *h, const struct tbdb_key *k);

/*
 * view_parse_single - the whole command line of a command that takes the
 * common options and "[RUN] ARG" (view_split_run(); looks_like_arg says
 * whether a lone argument is an ARG rather than a RUN without one) into
 * *arg, the RUN through view_take_run(); "no ..." (@missing) when ARG is
 * absent.  0, or an exit code after the message.
 */
int view_parse_single(struct view_opts *v, int argc, char **argv, const char **arg,
                      bool (*looks_like_arg)(const char *), const char *missing);

/*
 * view_take_positionals - the positional arguments pos[0..n) of a command
 * that parses its own options, as view_parse_single() takes them:
 * view_split_run(), then view_take_run() for the RUN.  0, or an exit code
 * after the message.
 */
int view_take_positionals(struct view_opts *v, int n, char **pos,
                          bool (*looks_like_arg)(const char *), const char **arg,
                          const char *missing);

/*
 * view_parse_format - a --format argument: "text", "json", or "csv" when
 * csv is true, into *f; false for anything else (the caller says so).
 */
bool view_parse_format(const char *s, bool csv, enum view_format *f);

/* view_parse_count - a -n argument: a decimal count, 0 or more. */
bool view_parse_count(const char *s, unsigned long long *n);

/* --- commands that read a perf recording (lib/profile.h) ---------------------------- */

/* Which input options view_profile_option() takes. */
enum {
    VIEW_PROFILE_FILES = 1,    /* -i/--input FILE, --tbstats FILE, --jitdump FILE, --pid PID */
    VIEW_PROFILE_COMMON = 2,   /* --debug-dir DIR, --no-callchains, --partial */
};

/*
 * view_profile_option - if argv[*i] is one of the input options in which,
 * store it in po, consume it (and its argument) and return 1; return 0 if
 * it is not one; print the usage error (v->cmd, v->usage) and return -1 on
 * a missing or bad argument (exit TBSYM_EXIT_INPUT).  po keeps pointers
 * into argv.
 */
int view_profile_option(const struct view_opts *v, struct profile_opts *po, unsigned which,
                        int argc, char **argv, int *i);

/*
 * view_profile_run - RUN (run_arg.h; NULL: none given) as the inputs of a
 * command that reads samples (run_arg_profile()); ra is the storage po
 * points into.  0 or an exit code after the message.
 */
int view_profile_run(const struct view_opts *v, struct profile_opts *po, struct run_arg *ra,
                     const char *run);

/*
 * view_profile_error - the message of a failed profile_open(), profile_run()
 * or allocation (rc, a negative errno) on stderr, "tbsym: ..." (p may be
 * NULL); returns the exit code: TBSYM_EXIT_INPUT for bad or missing input,
 * else TBSYM_EXIT_IO.
 */
int view_profile_error(struct profile *p, int rc);

/*
 * view_tb_name - the name perf gives a translation: its CODE_LOAD name,
 * else QEMU's rule on the guest PC (its guest symbol), else "guest-0xPC"
 * in buf.  Returns a string owned by tb, p or buf.
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
 * view_report_summary - tbsym report's four "# " lines: input, export,
 * samples and event, share of each class; by_class: [PROFILE_NR_CLASSES].
 */
void view_report_summary(FILE *f, struct profile *p, uint64_t total, const uint64_t *by_class);

#endif /* TBSYM_VIEWS_H */
