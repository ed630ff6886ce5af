/*
 * view_opts.h: the command line of the offline views of one run (tb-list,
 * tb, coverset, cfg) and the loading of that run (lib/tbdb.h); the usage
 * errors and the option arguments (--format, -n, --pid) all commands share.
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
#ifndef TBSYM_VIEW_OPTS_H
#define TBSYM_VIEW_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run_arg.h"
#include "table.h"
#include "tbdb.h"

/* The usage text of --dir, --pid, --tbstats and --jitdump, as option lines. */
#define VIEW_USAGE_RUN_OPTIONS \
    "  --dir DIR     find jit-PID.tbstats and jit-PID.dump in DIR (default .);\n" \
    "                --pid PID picks a run (default: the only or newest one)\n" \
    "  --tbstats FILE [--jitdump FILE]   the files themselves\n"

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
 * The usage errors of every command's parser, in one wording (each
 * returns TBSYM_EXIT_INPUT):
 *   view_unknown_arg    "unknown option: A" for an option the command does
 *                       not take, "unexpected argument: A" for a positional
 *                       argument it has no place for
 *   view_missing_value  "OPT needs an argument": OPT came last
 *   view_bad_value      "bad OPT: VAL", then " (RANGE)" unless RANGE is NULL
 */
int view_unknown_arg(const struct view_opts *v, const char *a);
int view_missing_value(const struct view_opts *v, const char *opt);
int view_bad_value(const struct view_opts *v, const char *opt, const char *val,
                   const char *range);

/*
 * view_take_value - if argv[*i] is the option @name with its argument, as
 * "NAME VALUE" or "--NAME=VALUE", point *val at VALUE, leave *i on the last
 * argument used and return 1; 0 if it is not @name; -1 after
 * view_missing_value() when NAME comes last.
 */
int view_take_value(const struct view_opts *v, const char *name, int argc, char **argv, int *i,
                    const char **val);

/*
 * view_open - find and load the run; on failure print one line to stderr
 * and return a TBSYM_EXIT_* code (> 0); a warning (truncated file) is
 * printed as "tbsym: warning: ..." and the load succeeds (0).
 */
int view_open(const struct view_opts *v, struct tbdb **dbp);

/*
 * struct view_single - the command line of a command that takes the common
 * options, options of its own and "[RUN] ARG" (view_split_run()):
 *   looks_like_arg  whether a lone argument is an ARG rather than a RUN
 *                   without one
 *   missing         the usage error when ARG is absent ("no ...")
 *   own             NULL, or the command's options: argv[*i] (and what
 *                   follows, *i left on the last used) into ctx; returns 1
 *                   taken, 0 not its own, -1 after a usage error
 */
struct view_single {
    bool (*looks_like_arg)(const char *);
    const char *missing;
    int (*own)(struct view_opts *v, void *ctx, int argc, char **argv, int *i);
    void *ctx;
};

/*
 * view_parse_single - the whole command line as s says: ARG into *arg, the
 * RUN through view_take_run(); with arg NULL, the command takes "[RUN]"
 * alone (s's looks_like_arg and missing unused).  0, or an exit code after
 * the message.
 */
int view_parse_single(struct view_opts *v, const struct view_single *s, int argc, char **argv,
                      const char **arg);

/*
 * view_parse_format - a --format argument: "text", "json", or "csv" when
 * csv is true, into *f; false for anything else (the caller says so).
 */
bool view_parse_format(const char *s, bool csv, enum view_format *f);

/*
 * view_output_option - if opt, an option of a command's own with its
 * argument val, is one of the output options the command takes, store
 * val and return 1: "-n" (limit not NULL) a count (view_parse_count())
 * into *limit, "--format" (format not NULL) text, json or, when csv, csv
 * into *format.  0 if it is not one of them; -1 after the usage error
 * "bad -n: VAL" or "bad --format: VAL (text, json or csv)" (or "(text or
 * json)"), exit TBSYM_EXIT_INPUT.
 */
int view_output_option(const struct view_opts *v, const char *opt, const char *val,
                       unsigned long long *limit, bool csv, enum view_format *format);

/*
 * struct view_path_option - an option whose argument is stored as it is,
 * a pointer into argv: its name and the offset of its const char * in the
 * options struct.  Tables of them end with a NULL name.
 */
struct view_path_option {
    const char *name;
    size_t offset;
};

/*
 * view_store_path_option - if opt is one of table's options, store val
 * in its field of opts (the struct the table's offsets are in) and
 * return true; false if it is not one of them.
 */
bool view_store_path_option(const struct view_path_option *table, void *opts,
                            const char *opt, const char *val);

/* view_parse_count - a -n argument: a decimal count, 0 or more. */
bool view_parse_count(const char *s, unsigned long long *n);

/* view_parse_pid - a --pid argument: a process id, decimal, 1 to UINT32_MAX. */
bool view_parse_pid(const char *s, uint32_t *pid);

#endif /* TBSYM_VIEW_OPTS_H */
