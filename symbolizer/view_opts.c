/*
 * view_opts.c: the offline views' options, RUN and the loading of the run
 * (see view_opts.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tbsym.h"
#include "view_opts.h"

int view_usage_error(const struct view_opts *v, const char *fmt, const char *arg)
{
    return tbsym_usage_error(v->cmd, v->usage, fmt, arg);
}

int view_unknown_arg(const struct view_opts *v, const char *a)
{
    bool option = a[0] == '-' && a[1];

    return view_usage_error(v, option ? "unknown option: %s" : "unexpected argument: %s", a);
}

int view_missing_value(const struct view_opts *v, const char *opt)
{
    return view_usage_error(v, "%s needs an argument", opt);
}

int view_take_value(const struct view_opts *v, const char *name, int argc, char **argv, int *i,
                    const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (!strncmp(a, "--", 2) && !strncmp(a, name, n) && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, name))
        return 0;
    if (*i + 1 >= argc) {
        view_missing_value(v, a);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int view_bad_value(const struct view_opts *v, const char *opt, const char *val,
                   const char *range)
{
    char fmt[160];

    /* opt and range are the program's own words, not the user's: no % in them. */
    snprintf(fmt, sizeof(fmt), "bad %s: %%s%s%s%s", opt, range ? " (" : "", range ? range : "",
             range ? ")" : "");
    return view_usage_error(v, fmt, val);
}

bool view_store_path_option(const struct view_path_option *table, void *opts,
                            const char *opt, const char *val)
{
    for (; table->name; table++)
        if (!strcmp(opt, table->name)) {
            *(const char **)((char *)opts + table->offset) = val;
            return true;
        }
    return false;
}

bool view_parse_pid(const char *s, uint32_t *pid)
{
    char *end;
    unsigned long p;

    errno = 0;
    p = strtoul(s, &end, 10);
    if (errno || !*s || *end || p == 0 || p > UINT32_MAX)
        return false;
    *pid = (uint32_t)p;
    return true;
}

/* The positional arguments pos[0..n): view_split_run(), then view_take_run() for the RUN. */
static int take_positionals(struct view_opts *v, int n, char **pos,
                            bool (*looks_like_arg)(const char *), const char **arg,
                            const char *missing)
{
    const char *run;
    int rc = view_split_run(v, n, pos, n == 1 && looks_like_arg(pos[0]), &run, arg, missing);

    if (rc == 0 && run)
        rc = view_take_run(v, run);
    return rc;
}

int view_parse_single(struct view_opts *v, const struct view_single *s, int argc, char **argv,
                      const char **arg)
{
    char *pos[2];
    int n = 0, max = arg ? 2 : 1;

    if (arg)
        *arg = NULL;
    for (int i = 1; i < argc; i++) {
        int r = view_parse_option(v, argc, argv, &i);

        if (r == 0 && s->own)
            r = s->own(v, s->ctx, argc, argv, &i);
        if (r < 0)
            return TBSYM_EXIT_INPUT;
        if (r)
            continue;
        if (argv[i][0] == '-' || n == max)
            return view_unknown_arg(v, argv[i]);
        pos[n++] = argv[i];
    }
    if (!arg)
        return n ? view_take_run(v, pos[0]) : 0;
    return take_positionals(v, n, pos, s->looks_like_arg, arg, s->missing);
}

int view_split_run(const struct view_opts *v, int n, char **pos, bool is_arg,
                   const char **run, const char **arg, const char *missing)
{
    *run = NULL;
    *arg = NULL;
    if (n == 0)
        return view_usage_error(v, "%s", missing);
    if (n > 2)
        return view_unknown_arg(v, pos[2]);
    if (n == 1) {
        if (!is_arg && run_arg_exists(pos[0])) {
            fprintf(stderr, "tbsym %s: '%s' is a path, taken as RUN, but %s: "
                    "give RUN first, then the argument\n", v->cmd, pos[0], missing);
            fputs(v->usage, stderr);
            return TBSYM_EXIT_INPUT;
        }
        *arg = pos[0];
        return 0;
    }
    if (!run_arg_exists(pos[0]) && run_arg_exists(pos[1])) {
        fprintf(stderr, "tbsym %s: RUN comes first: tbsym %s %s %s\n", v->cmd, v->cmd,
                pos[1], pos[0]);
        fputs(v->usage, stderr);
        return TBSYM_EXIT_INPUT;
    }
    *run = pos[0];
    *arg = pos[1];
    return 0;
}

int view_take_run(struct view_opts *v, const char *path)
{
    int rc;

    if (v->dir || v->tbstats)
        return view_usage_error(v, "RUN '%s' and --dir or --tbstats both given: give one", path);
    rc = run_arg_classify(&v->run, path);
    if (rc)
        return rc;
    switch (v->run.kind) {
    case RUN_ARG_DIR:
    case RUN_ARG_PERF_DATA:
        v->dir = v->run.dir;
        break;
    case RUN_ARG_SIDE_FILE:
        v->tbstats = path;
        if (!v->jitdump && v->run.jitdump[0])
            v->jitdump = v->run.jitdump;
        break;
    }
    return 0;
}

bool view_parse_count(const char *s, unsigned long long *n)
{
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-')
        return false;
    *n = x;
    return true;
}

int view_parse_option(struct view_opts *v, int argc, char **argv, int *i)
{
    static const char *const with_arg[] = { "--dir", "--pid", "--tbstats", "--jitdump", "--format" };
    static const struct view_path_option paths[] = {
        { "--dir", offsetof(struct view_opts, dir) },
        { "--tbstats", offsetof(struct view_opts, tbstats) },
        { "--jitdump", offsetof(struct view_opts, jitdump) },
        { NULL, 0 },
    };
    const char *val = NULL, *name = NULL;

    for (size_t j = 0; j < sizeof(with_arg) / sizeof(with_arg[0]) && !name; j++) {
        int r = view_take_value(v, with_arg[j], argc, argv, i, &val);

        if (r < 0)
            return -1;
        if (r)
            name = with_arg[j];
    }
    if (!name)
        return 0;
    if (view_store_path_option(paths, v, name, val))
        return 1;
    if (!strcmp(name, "--pid")) {
        if (!view_parse_pid(val, &v->pid)) {
            view_bad_value(v, name, val, NULL);
            return -1;
        }
        return 1;
    }
    return view_output_option(v, name, val, NULL, true, &v->format);
}

bool view_parse_format(const char *s, bool csv, enum view_format *f)
{
    if (!strcmp(s, "text"))
        *f = VIEW_TEXT;
    else if (!strcmp(s, "json"))
        *f = VIEW_JSON;
    else if (csv && !strcmp(s, "csv"))
        *f = VIEW_CSV;
    else
        return false;
    return true;
}

int view_output_option(const struct view_opts *v, const char *opt, const char *val,
                       unsigned long long *limit, bool csv, enum view_format *format)
{
    if (limit && !strcmp(opt, "-n")) {
        if (view_parse_count(val, limit))
            return 1;
        view_bad_value(v, opt, val, NULL);
        return -1;
    }
    if (format && !strcmp(opt, "--format")) {
        if (view_parse_format(val, csv, format))
            return 1;
        view_bad_value(v, opt, val, csv ? "text, json or csv" : "text or json");
        return -1;
    }
    return 0;
}

/* Missing or bad input is the user's (2); anything else is I/O (3). */
static int exit_code_of(int err)
{
    switch (err) {
    case -ENOENT:
    case -ENOTDIR:
    case -EBADMSG:
    case -ENODATA:
    case -ENOTSUP:
        return TBSYM_EXIT_INPUT;
    default:
        return TBSYM_EXIT_IO;
    }
}

int view_open(const struct view_opts *v, struct tbdb **dbp)
{
    char *tbstats_path = NULL, *jd = NULL;
    int err;

    *dbp = NULL;
    if (v->jitdump && !v->tbstats) {
        fprintf(stderr, "tbsym %s: --jitdump needs --tbstats\n", v->cmd);
        return TBSYM_EXIT_INPUT;
    }
    if (!v->tbstats) {
        const char *dir = v->dir ? v->dir : ".";
        struct stat st;

        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            err = stat(dir, &st) < 0 ? errno : ENOTDIR;
            fprintf(stderr, "tbsym: %s: %s\n", dir, strerror(err));
            return exit_code_of(-err);
        }
        err = tbdb_find_files(dir, v->pid, &tbstats_path, &jd);
        if (err == -ENOENT && v->pid) {
            fprintf(stderr, "tbsym: %s: no jit-%u.tbstats or jit-%u.tbstats.part\n",
                    dir, v->pid, v->pid);
            return TBSYM_EXIT_INPUT;
        }
        if (err == -ENOENT) {
            fprintf(stderr, "tbsym: %s: no jit-PID.tbstats or jit-PID.tbstats.part\n", dir);
            return TBSYM_EXIT_INPUT;
        }
        if (err < 0) {
            fprintf(stderr, "tbsym: %s: %s\n", dir, strerror(-err));
            return exit_code_of(err);
        }
    }
    err = tbdb_open(tbstats_path ? tbstats_path : v->tbstats, tbstats_path ? jd : v->jitdump, dbp);
    free(tbstats_path);
    free(jd);
    if (err < 0) {
        fprintf(stderr, "tbsym: %s\n", *dbp ? tbdb_strerror(*dbp) : strerror(-err));
        tbdb_close(*dbp);
        *dbp = NULL;
        return exit_code_of(err);
    }
    if (tbdb_warning(*dbp))
        fprintf(stderr, "tbsym: warning: %s; using the records before it\n", tbdb_warning(*dbp));
    return 0;
}
