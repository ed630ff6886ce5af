/*
 * cmd_flame.c: "tbsym flame", the samples of a perf recording of QEMU as
 * folded stacks or as an interactive flamegraph SVG (flame.h does both).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "gstack_view.h"
#include "outfile.h"
#include "profile.h"
#include "profile_opts.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_flame_usage[] =
    "usage: tbsym flame [RUN | -i perf.data] [--guest] [--folded | --svg FILE]\n"
    "                   [--title TEXT] [--tbstats FILE] [--jitdump FILE] [--pid PID]\n"
    "                   [--debug-dir DIR] [--no-callchains] [--partial]\n"
    "\n"
    "The host stacks of a perf recording of QEMU, guest code included: JIT frames\n"
    "as \"guestfunc [TB 0xPC]\", QEMU frames by host symbol (dso when unknown),\n"
    "kernel samples with a \"[kernel]\" leaf, so time in helpers and softmmu sits\n"
    "under the guest code that called it.  Needs call chains (perf record -g or\n"
    "--call-graph dwarf); without them every sample is a one-frame stack.\n"
    "  --folded      folded stacks on stdout (the default): \"root;...;leaf COUNT\",\n"
    "                FlameGraph's format, sorted\n"
    "  --svg FILE    a self-contained interactive flamegraph (click to zoom, Search\n"
    "                or ctrl-F to highlight frames, tooltips); - for stdout\n"
    "  --guest       guest call stacks, root first, one frame per guest function\n"
    "                and QEMU's work as the leaf: \"main;parse;lex;[helper] float64_add\"\n"
    "                (shadow stacks: QEMU's -perf with them on, perf record\n"
    "                --call-graph dwarf); without them \"guestfunc;[TB 0xPC];helper\"\n"
    "  --title TEXT  the SVG's heading\n"
    "RUN and input options as for tbsym report.\n"
    "\n"
    RUN_ARG_USAGE_EXIT;

static int on_sample(void *arg, const struct profile_sample *s)
{
    return flame_add_sample(arg, s);
}

/* Write the SVG to path (- for stdout), renamed into place when complete. */
static int write_svg(struct flame *f, const char *path, const char *title)
{
    struct outfile of;
    int rc;

    if (!strcmp(path, "-")) {
        if (flame_print_svg(f, stdout, title, false) < 0) {
            return tbsym_out_of_memory();
        }
        return tbsym_finish_stdout(TBSYM_EXIT_OK);
    }
    rc = outfile_open(&of, path);
    if (rc)
        return rc;
    rc = flame_print_svg(f, of.f, title, false);
    if (rc < 0)
        fprintf(stderr, "tbsym: out of memory\n");
    return outfile_close(&of, rc == 0);
}

int cmd_flame(int argc, char **argv)
{
    const struct view_opts vo = { .cmd = "flame", .usage = cmd_flame_usage };
    struct profile_opts po = { 0 };
    struct run_arg ra;
    const char *run = NULL;
    struct profile *p = NULL;
    struct flame *f = NULL;
    const char *svg = NULL, *title = NULL;
    unsigned flags = 0;
    int rc, ret = TBSYM_EXIT_OK;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        rc = view_profile_arg(&vo, &po, &run, argc, argv, &i);
        if (rc < 0)
            return TBSYM_EXIT_INPUT;
        if (rc > 0)
            continue;
        if (!strcmp(a, "--guest")) { flags |= FLAME_GUEST; continue; }
        if (!strcmp(a, "--folded")) { svg = NULL; continue; }
        if (!v)
            return view_usage_error(&vo, "unknown option or missing argument: %s", a);
        i++;
        if (!strcmp(a, "--svg")) {
            svg = v;
        } else if (!strcmp(a, "--title")) {
            title = v;
        } else {
            return view_usage_error(&vo, "unknown option: %s", a);
        }
    }

    if ((rc = view_profile_run(&vo, &po, &ra, run)))
        return rc;
    ret = view_profile_open(&po, &p);
    if (ret)
        goto out;
    if (profile_info(p)->chains == PROFILE_CHAINS_NONE && !(flags & FLAME_GUEST))
        fprintf(stderr, "tbsym flame: %s has no call chains%s: one frame per sample "
                "(record with -g or --call-graph dwarf)\n", profile_info(p)->perf_data,
                po.no_callchains ? " used (--no-callchains)" : "");
    rc = flame_new(p, flags, &f);
    if (rc < 0)
        goto fail;
    rc = profile_run(p, on_sample, f);
    if (rc < 0)
        goto fail;
    view_profile_warn(p);
    if (flags & FLAME_GUEST) {
        char why[512];

        if (gstack_missing_reason(profile_info(p), why, sizeof(why)))
            fprintf(stderr, "tbsym flame: %s; guest function and TB frames only\n", why);
    }
    if (svg) {
        char buf[512];

        if (!title) {
            snprintf(buf, sizeof(buf), "%s stacks of %s (%" PRIu64 " samples of %s)",
                     flags & FLAME_GUEST ? "Guest" : "Host", profile_info(p)->perf_data,
                     flame_total(f), profile_info(p)->event ? profile_info(p)->event : "?");
            title = buf;
        }
        ret = write_svg(f, svg, title);
        goto out;
    } else {
        rc = flame_print_folded(f, stdout);
        if (rc < 0)
            goto fail;
    }
    ret = tbsym_finish_stdout(TBSYM_EXIT_OK);
    goto out;
fail:
    ret = view_profile_error(p, rc);
out:
    flame_free(f);
    profile_close(p);
    return ret;
}
