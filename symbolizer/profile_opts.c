/*
 * profile_opts.c: the input options and errors of the commands that read a
 * perf recording (see profile_opts.h).
 */
#include <errno.h>
#include <string.h>

#include "profile_opts.h"
#include "tbsym.h"

int view_profile_option(const struct view_opts *v, struct profile_opts *po, unsigned which,
                        int argc, char **argv, int *i)
{
    static const char *const files[] = { "-i", "--input", "--tbstats", "--jitdump", "--pid" };
    static const struct view_path_option paths[] = {
        { "-i", offsetof(struct profile_opts, perf_data) },
        { "--input", offsetof(struct profile_opts, perf_data) },
        { "--tbstats", offsetof(struct profile_opts, tbstats) },
        { "--jitdump", offsetof(struct profile_opts, jitdump) },
        { "--debug-dir", offsetof(struct profile_opts, debug_dir) },
        { NULL, 0 },
    };
    const char *a = argv[*i], *val;
    bool known = false;

    if (which & VIEW_PROFILE_COMMON) {
        if (!strcmp(a, "--no-callchains")) {
            po->no_callchains = true;
            return 1;
        }
        if (!strcmp(a, "--partial")) {
            po->partial = true;
            return 1;
        }
        known = !strcmp(a, "--debug-dir");
    }
    for (size_t j = 0; !known && (which & VIEW_PROFILE_FILES) && j < sizeof(files) / sizeof(files[0]); j++)
        known = !strcmp(a, files[j]);
    if (!known)
        return 0;
    if (*i + 1 >= argc) {
        view_missing_value(v, a);
        return -1;
    }
    val = argv[++*i];
    if (!view_store_path_option(paths, po, a, val) && !view_parse_pid(val, &po->pid)) {
        view_bad_value(v, a, val, NULL);
        return -1;
    }
    return 1;
}

int view_profile_run(const struct view_opts *v, struct profile_opts *po, struct run_arg *ra,
                     const char *run)
{
    int rc;

    if (!run)
        return 0;
    rc = run_arg_classify(ra, run);
    return rc ? rc : run_arg_profile(ra, v->cmd, po);
}

int view_profile_error(struct profile *p, int rc)
{
    if (rc == -ENOMEM)
        fprintf(stderr, "tbsym: out of memory\n");
    else
        fprintf(stderr, "tbsym: %s\n", p ? profile_strerror(p) : strerror(-rc));
    switch (rc) {
    case -EBADMSG: case -ENODATA: case -ENOTSUP: case -ENOENT: case -ENOTDIR: case -ESRCH:
    case -EXDEV: case -EINVAL:
        return TBSYM_EXIT_INPUT;
    default:
        return TBSYM_EXIT_IO;
    }
}

int view_profile_arg(const struct view_opts *v, struct profile_opts *po, const char **run,
                     int argc, char **argv, int *i)
{
    int rc = view_profile_option(v, po, VIEW_PROFILE_FILES | VIEW_PROFILE_COMMON, argc, argv, i);

    if (rc)
        return rc;
    if (argv[*i][0] != '-' && !*run) {
        *run = argv[*i];
        return 1;
    }
    return 0;
}

int view_own_error(const struct view_opts *v, const char *fmt, const char *arg)
{
    view_usage_error(v, fmt, arg);
    return -1;
}

/* An output option of c's at argv[*i], as view_profile_option() takes its input options. */
static int output_option(const struct view_cmdline *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    bool file = c->output && (!strcmp(a, "-o") || !strcmp(a, "--output"));

    if (!file && !(c->limit && !strcmp(a, "-n")) && !(c->format && !strcmp(a, "--format")))
        return 0;
    if (*i + 1 >= argc) {
        view_missing_value(&c->v, a);
        return -1;
    }
    if (file) {
        *c->output = argv[++*i];
        return 1;
    }
    return view_output_option(&c->v, a, argv[++*i], c->limit, c->csv, c->format);
}

/* A positional argument at argv[*i] (or "--" and the one after it) into pos[0..*n). */
static int positional(const struct view_cmdline *c, char **pos, int *n, int argc, char **argv,
                      int *i)
{
    if (!c->arg || (argv[*i][0] == '-' && strcmp(argv[*i], "--")))
        return 0;
    if (!strcmp(argv[*i], "--") && ++*i == argc)
        return 1;
    if (*n == 2)
        return view_own_error(&c->v, c->too_many, argv[*i]);
    pos[(*n)++] = argv[*i];
    return 1;
}

/*
 * argv[*i] (and the argument after it) as the parsers of c take it: > 0
 * taken, 0 taken by none, < 0 after a usage error.
 */
static int take_arg(struct view_cmdline *c, char **pos, int *npos, int argc, char **argv,
                    int *i)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    int rc = c->take_run ? view_profile_arg(&c->v, &c->po, &c->run, argc, argv, i)
                         : view_profile_option(&c->v, &c->po, c->which, argc, argv, i);

    if (rc == 0)
        rc = output_option(c, argc, argv, i);
    if (rc == 0)
        rc = positional(c, pos, npos, argc, argv, i);
    if (rc == 0 && c->own) {
        rc = c->own(&c->v, c->ctx, a, val);
        *i += rc > 1;
    }
    return rc;
}

/*
 * "--name=value": taken as "--name" "value" by take_arg(), which must use
 * the value.  What the parsers store is the value, inside argv[i].
 */
static int take_name_value(struct view_cmdline *c, char **pos, int *npos, char *arg,
                           const char *eq)
{
    char name[32], *pair[2] = { name, (char *)eq + 1 };
    size_t n = eq - arg;
    int j = 0, rc;

    if (n >= sizeof(name))
        return 0;
    memcpy(name, arg, n);
    name[n] = '\0';
    rc = take_arg(c, pos, npos, 2, pair, &j);
    if (rc > 0 && j == 0)
        return view_own_error(&c->v, "%s takes no argument", name);
    return rc;
}

int view_parse_cmdline(struct view_cmdline *c, int argc, char **argv)
{
    char *pos[2];
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char *eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
        int rc;

        /* An argument quoted by "--" is taken with it, never split here. */
        if (eq)
            rc = take_name_value(c, pos, &npos, argv[i], eq);
        else
            rc = take_arg(c, pos, &npos, argc, argv, &i);
        if (rc < 0)
            return TBSYM_EXIT_INPUT;
        /* Last, an option of own()'s may be one that needs an argument. */
        if (rc == 0 && !val && !eq && a[0] == '-' && a[1])
            return view_usage_error(&c->v, "unknown option or missing argument: %s", a);
        if (rc == 0)
            return view_unknown_arg(&c->v, a);
    }
    return c->arg ? view_split_run(&c->v, npos, pos, true, &c->run, c->arg, c->missing) : 0;
}

int view_cmdline_open(struct view_cmdline *c, struct profile **pp)
{
    int rc = view_profile_run(&c->v, &c->po, &c->ra, c->run);

    *pp = NULL;
    return rc ? rc : view_profile_open(&c->po, pp);
}

int view_cmdline_load(struct view_cmdline *c, int argc, char **argv, struct profile **pp)
{
    int rc = view_parse_cmdline(c, argc, argv);

    *pp = NULL;
    return rc ? rc : view_cmdline_open(c, pp);
}

int view_profile_open(const struct profile_opts *po, struct profile **pp)
{
    int rc = profile_open(po, pp);

    return rc < 0 ? view_profile_error(*pp, rc) : 0;
}

void view_profile_warn(const struct profile *p)
{
    if (profile_warning(p))
        fprintf(stderr, "tbsym: warning: %s\n", profile_warning(p));
}

int view_profile_done(struct profile *p, int rc)
{
    return rc < 0 ? view_profile_error(p, rc) : tbsym_finish_stdout(TBSYM_EXIT_OK);
}

int view_profile_read(struct profile *p, int (*cb)(void *arg, const struct profile_sample *s),
                      void *arg)
{
    int rc = profile_run(p, cb, arg);

    if (rc >= 0)
        view_profile_warn(p);
    return rc;
}

int view_by_option(const struct view_opts *v, const char *val, unsigned allowed,
                   enum view_by *by)
{
    static const struct {
        enum view_by by;
        const char *name;
    } names[] = {
        { VIEW_BY_TB, "tb" }, { VIEW_BY_FUNCTION, "function" }, { VIEW_BY_SYM, "sym" },
    };
    const size_t nr_names = sizeof(names) / sizeof(names[0]);
    size_t len = 0, n = 0, total = __builtin_popcount(allowed);
    char range[64];

    for (size_t i = 0; i < nr_names; i++)
        if ((allowed & names[i].by) && !strcmp(val, names[i].name)) {
            *by = names[i].by;
            return 0;
        }
    /* "a", "a or b", "a, b or c" */
    range[0] = '\0';
    for (size_t i = 0; i < nr_names; i++) {
        if (!(allowed & names[i].by))
            continue;
        if (n++)
            len += (size_t)snprintf(range + len, sizeof(range) - len, "%s",
                                    n == total ? " or " : ", ");
        len += (size_t)snprintf(range + len, sizeof(range) - len, "%s", names[i].name);
    }
    view_bad_value(v, "--by", val, range);
    return -1;
}
