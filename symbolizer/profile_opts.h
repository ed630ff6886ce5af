/*
 * profile_opts.h: the command line (view_parse_cmdline()), input options,
 * RUN and errors of the commands that read a perf recording through
 * lib/profile.h (report, annotate, flame, callgraph, html, export, diff).
 */
#ifndef TBSYM_PROFILE_OPTS_H
#define TBSYM_PROFILE_OPTS_H

#include "profile.h"
#include "run_arg.h"
#include "view_opts.h"

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
 * view_profile_arg - view_profile_option() with all the input options, and
 * the first positional argument as RUN into *run (when *run is NULL): 1 if
 * argv[*i] was one of them (consumed), 0 if not, -1 after a usage error.
 */
int view_profile_arg(const struct view_opts *v, struct profile_opts *po, const char **run,
                     int argc, char **argv, int *i);

/*
 * struct view_cmdline - the command line of a command that reads a
 * recording, for view_parse_cmdline(): which of the options these commands
 * share it takes, where they go, the command's own arguments, and what
 * view_cmdline_open() opens.  The command sets v, the options it takes and
 * own; view_parse_cmdline() fills in po, run and ra.
 */
struct view_cmdline {
    struct view_opts v;         /* the command, for usage errors */
    struct profile_opts po;     /* receives the input options */
    const char *run;            /* RUN, or NULL */
    struct run_arg ra;          /* view_cmdline_open()'s storage for RUN */
    unsigned which;             /* the input options taken (VIEW_PROFILE_*) */
    bool take_run;              /* view_profile_arg(): all input options and
                                 * the first positional argument as RUN */
    unsigned long long *limit;  /* -n (view_output_option()); NULL: not taken */
    enum view_format *format;   /* --format; NULL: not taken */
    bool csv;                   /* --format csv is allowed */
    const char **output;        /* -o/--output FILE; NULL: not taken */
    const char **arg;           /* not NULL: the positional arguments are
                                 * "[RUN] ARG" (view_split_run()), ARG into
                                 * *arg; "--" quotes one that starts with '-' */
    const char *missing;        /* the usage error when ARG is missing */
    const char *too_many;       /* the usage error for a third one, "...: %s" */
    /*
     * own - an argument none of the above takes: a, and val the one after
     * it (NULL: a is the last).  Returns how many it consumed, 1 (a) or 2
     * (a and val); 0 if a is not the command's (the usage error is
     * view_parse_cmdline()'s); -1 after a usage error of its own.
     */
    int (*own)(const struct view_opts *v, void *ctx, const char *a, const char *val);
    void *ctx;                  /* own()'s */
};

/*
 * view_own_error - view_usage_error(), returning -1: what own() and the
 * *_option() parsers return after a usage error.
 */
int view_own_error(const struct view_opts *v, const char *fmt, const char *arg);

/* What a row of report or diff stands for (--by): bits, to say which a command takes. */
enum view_by {
    VIEW_BY_TB = 1,             /* a translation block */
    VIEW_BY_FUNCTION = 2,       /* a guest function */
    VIEW_BY_SYM = 4,            /* a host or guest symbol */
};

/*
 * view_by_option - a --by argument, "tb", "function" or "sym", into *by if
 * it is one of @allowed (VIEW_BY_* ORed): 0; else -1 after the usage error
 * "bad --by: VAL (tb, function or sym)", naming those allowed.
 */
int view_by_option(const struct view_opts *v, const char *val, unsigned allowed,
                   enum view_by *by);

/*
 * view_parse_cmdline - argv[1..argc) as c says: the shared options, then
 * c->own() (NULL: none) for the rest.  An option's argument may also be
 * given as --NAME=VALUE.  An argument that neither takes is the usage error
 * of view_unknown_arg(), or "unknown option or missing argument: A" for an
 * option that comes last.  0, or TBSYM_EXIT_INPUT after the message.  What
 * it stores points into argv.
 */
int view_parse_cmdline(struct view_cmdline *c, int argc, char **argv);

/*
 * view_cmdline_open - the recording c names: its RUN (view_profile_run()),
 * then view_profile_open().  0, or the exit code after the message; *pp
 * is to be closed with profile_close() either way (it may be NULL).
 */
int view_cmdline_open(struct view_cmdline *c, struct profile **pp);

/*
 * view_cmdline_load - view_parse_cmdline(), then view_cmdline_open(): the
 * start of a command that checks nothing between the two.  0, or the exit
 * code after the message; *pp is to be closed with profile_close() either
 * way (it may be NULL).
 */
int view_cmdline_load(struct view_cmdline *c, int argc, char **argv, struct profile **pp);

/*
 * view_profile_open - profile_open() with its error reported: 0, or the
 * exit code after view_profile_error()'s message.  *pp is to be closed
 * with profile_close() either way (it may be NULL).
 */
int view_profile_open(const struct profile_opts *po, struct profile **pp);

/* view_profile_warn - the recording's warning (profile_warning()), if any, on stderr. */
void view_profile_warn(const struct profile *p);

/*
 * view_profile_done - the exit code of a command that printed its result
 * on stdout: after rc < 0 (a negative errno), view_profile_error()'s;
 * else tbsym_finish_stdout()'s.
 */
int view_profile_done(struct profile *p, int rc);

/*
 * view_profile_read - profile_run(p, cb, arg), and the recording's warning
 * (view_profile_warn()) unless it failed.  Returns profile_run()'s result.
 */
int view_profile_read(struct profile *p, int (*cb)(void *arg, const struct profile_sample *s),
                      void *arg);

#endif /* TBSYM_PROFILE_OPTS_H */
