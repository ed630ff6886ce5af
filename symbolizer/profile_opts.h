/*
 * profile_opts.h: the input options, RUN and errors of the commands that
 * read a perf recording through lib/profile.h (report, annotate, flame,
 * callgraph, html, export, diff).
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
 * view_profile_open - profile_open() with its error reported: 0, or the
 * exit code after view_profile_error()'s message.  *pp is to be closed
 * with profile_close() either way (it may be NULL).
 */
int view_profile_open(const struct profile_opts *po, struct profile **pp);

/* view_profile_warn - the recording's warning (profile_warning()), if any, on stderr. */
void view_profile_warn(const struct profile *p);

#endif /* TBSYM_PROFILE_OPTS_H */
