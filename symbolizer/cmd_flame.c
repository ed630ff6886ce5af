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

/* What flame's command line sets besides its inputs. */
struct flame_args {
    const char *svg, *title;    /* NULL: folded stacks; the default title */
    unsigned flags;             /* FLAME_GUEST */
};

/* flame's own options (struct view_cmdline's own()). */
static int flame_option(const struct view_opts *vo, void *ctx, const char *a, const char *val)
{
    struct flame_args *args = ctx;

    (void)vo;
    if (!strcmp(a, "--guest")) {
        args->flags |= FLAME_GUEST;
        return 1;
    }
    if (!strcmp(a, "--folded")) {
        args->svg = NULL;
        return 1;
    }
    if (!val)
        return 0;
    if (!strcmp(a, "--svg"))
        args->svg = val;
    else if (!strcmp(a, "--title"))
        args->title = val;
    else
        return 0;
    return 2;
}

int cmd_flame(int argc, char **argv)
{
    struct flame_args args = { .svg = NULL };
    struct view_cmdline cl = {
        .v = { .cmd = "flame", .usage = cmd_flame_usage },
        .take_run = true, .own = flame_option, .ctx = &args,
    };
    struct profile *p = NULL;
    struct flame *f = NULL;
    int rc, ret = TBSYM_EXIT_OK;

    ret = view_cmdline_load(&cl, argc, argv, &p);
    if (ret)
        goto out;
    if (profile_info(p)->chains == PROFILE_CHAINS_NONE && !(args.flags & FLAME_GUEST))
        fprintf(stderr, "tbsym flame: %s has no call chains%s: one frame per sample "
                "(record with -g or --call-graph dwarf)\n", profile_info(p)->perf_data,
                cl.po.no_callchains ? " used (--no-callchains)" : "");
    rc = flame_new(p, args.flags, &f);
    if (rc < 0)
        goto done;
    rc = view_profile_read(p, on_sample, f);
    if (rc < 0)
        goto done;
    if (args.flags & FLAME_GUEST) {
        char why[512];

        if (gstack_missing_reason(profile_info(p), why, sizeof(why)))
            fprintf(stderr, "tbsym flame: %s; guest function and TB frames only\n", why);
    }
    if (args.svg) {
        char buf[512];

        if (!args.title) {
            snprintf(buf, sizeof(buf), "%s stacks of %s (%" PRIu64 " samples of %s)",
                     args.flags & FLAME_GUEST ? "Guest" : "Host", profile_info(p)->perf_data,
                     flame_total(f), profile_info(p)->event ? profile_info(p)->event : "?");
            args.title = buf;
        }
        ret = write_svg(f, args.svg, args.title);
        goto out;
    }
    rc = flame_print_folded(f, stdout);
done:
    ret = view_profile_done(p, rc);
out:
    flame_free(f);
    profile_close(p);
    return ret;
}
