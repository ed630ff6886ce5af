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
        view_usage_error(v, "unknown option or missing argument: %s", a);
        return -1;
    }
    val = argv[++*i];
    if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
        po->perf_data = val;
    } else if (!strcmp(a, "--tbstats")) {
        po->tbstats = val;
    } else if (!strcmp(a, "--jitdump")) {
        po->jitdump = val;
    } else if (!strcmp(a, "--debug-dir")) {
        po->debug_dir = val;
    } else if (!view_parse_pid(val, &po->pid)) {
        view_usage_error(v, "bad --pid: %s", val);
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
