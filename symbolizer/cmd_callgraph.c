/*
 * cmd_callgraph.c: "tbsym callgraph FUNC", one guest function's callers
 * and callees over the guest call stacks of a perf recording of QEMU, as
 * gprof's call graph or perf report -g caller show them.
 *
 * The stacks come as function frames from gstack_view.h (the expansion
 * tbsym report --by function and flame --guest use); this file only counts
 * the frames next to FUNC's, once per sample per edge.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gstack_view.h"
#include "out.h"
#include "profile.h"
#include "profile_opts.h"
#include "table.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_callgraph_usage[] =
    "usage: tbsym callgraph [RUN | -i perf.data] FUNC [-n N] [--format text|json]\n"
    "                       [--tbstats FILE] [--jitdump FILE] [--pid PID]\n"
    "                       [--debug-dir DIR] [--no-callchains] [--partial]\n"
    "\n"
    "The callers and callees of guest function FUNC over the guest call stacks of\n"
    "a recording (QEMU's shadow stacks, perf record --call-graph dwarf), as\n"
    "gprof's call graph or perf report -g caller show them:\n"
    "  FUNC          children: samples with FUNC on their guest stack (once per\n"
    "                sample), self: samples with FUNC the innermost guest function\n"
    "  callers       per caller, the samples where it called FUNC; [root] when\n"
    "                FUNC is the outermost frame, [signal] when a signal handler\n"
    "  callees       per function FUNC called, the samples under that call\n"
    "  self          FUNC's self samples by leaf: [guest code] (its translated\n"
    "                code), or QEMU's work for it: [helper] SYM, [syscall] SYM,\n"
    "                [translate], [kernel], [qemu] SYM\n"
    "Each with its share of all samples (%) and of FUNC's children or self\n"
    "(share%).  An edge counts once per sample, recursion or not.\n"
    "  -n N          the first N rows of each list\n"
    "  --format F    text (default) or json\n"
    "RUN and input options as for tbsym report; with two arguments the first\n"
    "is RUN, with one it is FUNC.\n"
    "\n"
    "exit status: 0 success, 2 bad usage, bad input, FUNC on no guest stack or no\n"
    "guest call stacks in the recording, 3 I/O error\n";

/* Counts per interned frame id (gstack_view.h), grown with the ids. */
struct callgraph {
    struct profile *p;
    struct gstack_view *gv;
    uint32_t fid;              /* FUNC */
    uint32_t id_root, id_guest_code;
    uint64_t total;            /* samples of the QEMU process */
    uint64_t nr_stacks;        /* of those with a guest stack; the stamp */
    uint64_t children, self;
    uint64_t *callers, *callees, *leaves;
    uint64_t *caller_stamp, *callee_stamp;
    size_t cap_ids;
};

enum { NR_ARRAYS = 5 };

static uint64_t **array_at(struct callgraph *cg, int k)
{
    uint64_t **a[NR_ARRAYS] = { &cg->callers, &cg->callees, &cg->leaves, &cg->caller_stamp,
                                &cg->callee_stamp };

    return a[k];
}

static int ids_grow(struct callgraph *cg, size_t n)
{
    size_t cap = cg->cap_ids ? cg->cap_ids : 256;

    while (cap < n)
        cap *= 2;
    for (int k = 0; k < NR_ARRAYS; k++) {
        uint64_t **a = array_at(cg, k);
        uint64_t *p = realloc(*a, cap * sizeof(*p));

        if (!p)
            return -ENOMEM;
        memset(p + cg->cap_ids, 0, (cap - cg->cap_ids) * sizeof(*p));
        *a = p;
    }
    cg->cap_ids = cap;
    return 0;
}

/* Count id in counts once for this sample (stamp[id] says if it was). */
static void count_once(struct callgraph *cg, uint64_t *counts, uint64_t *stamp, uint32_t id)
{
    if (stamp[id] != cg->nr_stacks) {
        stamp[id] = cg->nr_stacks;
        counts[id]++;
    }
}

static int on_sample(void *arg, const struct profile_sample *s)
{
    struct callgraph *cg = arg;
    const struct gstack_view_frame *fr;
    size_t n, leaf = SIZE_MAX;
    bool on_stack = false, leaf_only = false;
    int rc;

    if (s->cls == PROFILE_OTHER)
        return 0;
    cg->total++;
    rc = gstack_view_expand(cg->gv, s, &fr, &n);
    if (rc == 0 && !n) {
        /* No stack, but its leaf: self and children as tbsym report counts them, no edges. */
        rc = gstack_view_expand_leaf(cg->gv, s, &fr, &n);
        leaf_only = true;
    }
    if (rc < 0 || !n)
        return rc;
    if (gstack_view_nr_ids(cg->gv) > cg->cap_ids && ids_grow(cg, gstack_view_nr_ids(cg->gv)) < 0)
        return -ENOMEM;
    if (!leaf_only)
        cg->nr_stacks++;
    for (size_t i = 0; i < n; i++) {
        if (fr[i].kind != GSTACK_VIEW_FUNCTION)
            continue;
        leaf = i;
        if (fr[i].id != cg->fid)
            continue;
        on_stack = true;
        if (leaf_only)
            continue;
        count_once(cg, cg->callers, cg->caller_stamp, i ? fr[i - 1].id : cg->id_root);
        /* The QEMU leaf is part of self, not a call. */
        if (i + 1 < n && fr[i + 1].kind != GSTACK_VIEW_QEMU)
            count_once(cg, cg->callees, cg->callee_stamp, fr[i + 1].id);
    }
    if (on_stack)
        cg->children++;
    if (leaf != SIZE_MAX && fr[leaf].id == cg->fid) {
        cg->self++;
        cg->leaves[fr[n - 1].kind == GSTACK_VIEW_QEMU ? fr[n - 1].id : cg->id_guest_code]++;
    }
    return 0;
}

/* --- output ------------------------------------------------------------------------ */

struct entry {
    uint32_t id;
    uint64_t samples;
};

static const struct gstack_view *sort_gv;

static int cmp_entries(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;

    if (a->samples != b->samples)
        return a->samples > b->samples ? -1 : 1;
    return strcmp(gstack_view_name(sort_gv, a->id), gstack_view_name(sort_gv, b->id));
}

/* The rows of counts, most samples first: samples, %, share% of whole, name. */
static struct table *list_table(struct callgraph *cg, const uint64_t *counts, uint64_t whole,
                                const struct table_col *cols, size_t limit)
{
    struct table *t = table_new(cols, 4);
    struct entry *e = calloc(cg->cap_ids + 1, sizeof(*e));
    size_t n = 0;

    if (!t || !e) {
        table_free(t);
        free(e);
        return NULL;
    }
    for (uint32_t id = 0; id < cg->cap_ids && id < gstack_view_nr_ids(cg->gv); id++)
        if (counts[id])
            e[n++] = (struct entry){ .id = id, .samples = counts[id] };
    sort_gv = cg->gv;
    qsort(e, n, sizeof(*e), cmp_entries);
    for (size_t i = 0; i < n && (!limit || i < limit); i++) {
        const char *name = gstack_view_name(cg->gv, e[i].id);

        table_u64(t, e[i].samples);
        view_percent(t, e[i].samples, cg->total);
        view_percent(t, e[i].samples, whole);
        table_str(t, name, strlen(name));
    }
    free(e);
    if (!table_ok(t)) {
        table_free(t);
        return NULL;
    }
    return t;
}

static const struct table_col caller_cols[] = {
    { "samples", false }, { "%", false }, { "share%", false }, { "caller", true },
};
static const struct table_col callee_cols[] = {
    { "samples", false }, { "%", false }, { "share%", false }, { "callee", true },
};
static const struct table_col leaf_cols[] = {
    { "samples", false }, { "%", false }, { "share%", false }, { "leaf", true },
};

static int print_callgraph(struct callgraph *cg, const char *func, enum view_format format,
                           size_t limit)
{
    const struct profile_info *in = profile_info(cg->p);
    struct table *t[3] = {
        list_table(cg, cg->callers, cg->children, caller_cols, limit),
        list_table(cg, cg->callees, cg->children, callee_cols, limit),
        list_table(cg, cg->leaves, cg->self, leaf_cols, limit),
    };
    static const char *const keys[3] = { "callers", "callees", "self_leaves" };
    static const char *const titles[3] = {
        "callers: samples where each called %s (share%%: of its children)\n",
        "callees: samples under each call %s made (share%%: of its children)\n",
        "self: %s's own samples by leaf (share%%: of its self)\n",
    };
    char pc[32], ps[32];
    struct out o;
    int rc = 0;

    if (!t[0] || !t[1] || !t[2]) {
        rc = -ENOMEM;
        goto out;
    }
    if (format == VIEW_JSON) {
        out_init(&o, stdout, OUT_JSON);
        out_str(&o, "function", func, strlen(func));
        out_str(&o, "perf_data", in->perf_data, strlen(in->perf_data));
        out_str(&o, "event", in->event ? in->event : "", in->event ? strlen(in->event) : 0);
        out_u64(&o, "total_samples", cg->total);
        out_u64(&o, "stack_samples", cg->nr_stacks);
        out_u64(&o, "children", cg->children);
        if (cg->total)
            out_ratio(&o, "children%", cg->children * 100, cg->total);
        out_u64(&o, "self", cg->self);
        if (cg->total)
            out_ratio(&o, "self%", cg->self * 100, cg->total);
        for (int k = 0; k < 3; k++)
            table_print_json(t[k], &o, keys[k]);
        out_finish(&o);
        goto out;
    }
    printf("# %s: %" PRIu64 " samples of %s, %" PRIu64 " with a guest call stack\n",
           in->perf_data, cg->total, in->event ? in->event : "?", cg->nr_stacks);
    printf("# %s: children %" PRIu64 " (%s%%), self %" PRIu64 " (%s%%)\n", func, cg->children,
           view_percent_str(pc, sizeof(pc), cg->children, cg->total), cg->self,
           view_percent_str(ps, sizeof(ps), cg->self, cg->total));
    for (int k = 0; k < 3; k++) {
        printf("\n");
        printf(titles[k], func);
        if (table_nr_rows(t[k]))
            table_print_text(t[k], stdout);
        else
            printf("  (none)\n");
    }
out:
    for (int k = 0; k < 3; k++)
        table_free(t[k]);
    return rc;
}

/* FUNC on no stack: say so, with the functions whose names contain it. */
static void print_unknown(struct callgraph *cg, const char *func)
{
    fprintf(stderr, "tbsym callgraph: no guest function '%s' on the guest call stacks of %s "
            "(%" PRIu64 " samples with one)", func, profile_info(cg->p)->perf_data,
            cg->nr_stacks);
    for (uint32_t id = 0, shown = 0; id < gstack_view_nr_ids(cg->gv) && shown < 8; id++) {
        const char *name = gstack_view_name(cg->gv, id);

        if (name[0] == '[' || id == cg->fid || !strstr(name, func))
            continue;
        fprintf(stderr, "%s%s", shown++ ? ", " : "; did you mean: ", name);
    }
    fputc('\n', stderr);
}

int cmd_callgraph(int argc, char **argv)
{
    enum view_format format = VIEW_TEXT;
    unsigned long long limit = 0;
    const char *func = NULL;
    struct view_cmdline cl = {
        .v = { .cmd = "callgraph", .usage = cmd_callgraph_usage },
        .which = VIEW_PROFILE_FILES | VIEW_PROFILE_COMMON, .limit = &limit, .format = &format,
        .arg = &func, .missing = "no function (tbsym callgraph [RUN] FUNC)",
        .too_many = "one function only: %s",
    };
    struct callgraph cg = { 0 };
    char why[512];
    int rc, ret = TBSYM_EXIT_OK;

    rc = view_parse_cmdline(&cl, argc, argv);
    if (rc == 0 && !*func)
        rc = view_usage_error(&cl.v, "%s", cl.missing);
    if (rc)
        return rc;
    ret = view_cmdline_open(&cl, &cg.p);
    if (ret)
        goto out;
    rc = gstack_view_new(cg.p, &cg.gv);
    if (rc == 0)
        rc = gstack_view_intern(cg.gv, func, strlen(func), &cg.fid);
    if (rc == 0)
        rc = gstack_view_intern(cg.gv, "[root]", 6, &cg.id_root);
    if (rc == 0)
        rc = gstack_view_intern(cg.gv, "[guest code]", 12, &cg.id_guest_code);
    if (rc == 0)
        rc = ids_grow(&cg, gstack_view_nr_ids(cg.gv));
    if (rc < 0)
        goto done;
    rc = view_profile_read(cg.p, on_sample, &cg);
    if (rc < 0)
        goto done;
    if (gstack_missing_reason(profile_info(cg.p), why, sizeof(why))) {
        fprintf(stderr, "tbsym callgraph: %s\n", why);
        ret = TBSYM_EXIT_INPUT;
        goto out;
    }
    if (!cg.children) {
        print_unknown(&cg, func);
        ret = TBSYM_EXIT_INPUT;
        goto out;
    }
    rc = print_callgraph(&cg, func, format, limit > SIZE_MAX ? SIZE_MAX : (size_t)limit);
done:
    ret = view_profile_done(cg.p, rc);
out:
    for (int k = 0; k < NR_ARRAYS; k++)
        free(*array_at(&cg, k));
    gstack_view_free(cg.gv);
    profile_close(cg.p);
    return ret;
}
