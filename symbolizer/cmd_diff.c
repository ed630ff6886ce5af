/*
 * cmd_diff.c: "tbsym diff A B", where the time of one QEMU recording moved
 * to in another: regression triage between two builds of QEMU, two builds
 * of the guest program or two runs.
 *
 * Each recording is read as tbsym report reads it (lib/profile.h) and
 * counted per TBStatistics key (tally.h); the keys are then named by guest
 * function, or by function and offset, so that rows of the two runs align
 * even when the guest was relinked at other addresses.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "guestsym.h"
#include "out.h"
#include "profile.h"
#include "profile_opts.h"
#include "str_index.h"
#include "table.h"
#include "tally.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_diff_usage[] =
    "usage: tbsym diff [--by function|tb] [-n N] [--all] [--fail-above PCT]\n"
    "                  [--format text|json|csv] [--debug-dir DIR] [--no-callchains]\n"
    "                  [--partial] [--tbstats-a FILE] [--jitdump-a FILE]\n"
    "                  [--tbstats-b FILE] [--jitdump-b FILE] A B\n"
    "\n"
    "Where the host time of QEMU moved between two recordings A (before) and B\n"
    "(after): two QEMU builds on one guest program, two builds of the guest\n"
    "(-O2 and -O0), or two runs.  A and B are each a RUN: a run directory\n"
    "(qemu-perf record -o DIR), a perf.data or a side file jit-PID.tbstats (the\n"
    "perf.data next to it), recognised by content, recorded as for tbsym report\n"
    "(perf record -k 1 of qemu -perf -tb-stats all; raw with jit-PID.dump and\n"
    "jit-PID.tbstats next to it, or perf inject -j output with the side file).\n"
    "\n"
    "Rows align by name, not by address, so a relinked guest still aligns:\n"
    "  --by function  (default) the guest symbol of each key; code without a\n"
    "                 symbol by its own name, OBJECT+0xVADDR or guest-0xPC\n"
    "  --by tb        the key's name SYMBOL+0xOFFSET (offset from the function\n"
    "                 start), else OBJECT+0xVADDR or guest-0xPC; keys of one\n"
    "                 guest PC (other flags) are one row\n"
    "Columns, each for A (_a) and B (_b):\n"
    "  pct           the row's share of the run's samples: its JIT code and the\n"
    "                helpers its TBs called (call chains), samples weighted by\n"
    "                their period as perf report's Overhead is\n"
    "  change        pct_b - pct_a, in percentage points; rows are ranked by its\n"
    "                absolute value: each run is normalised by its own total, so\n"
    "                runs of other lengths or sampling rates compare\n"
    "  samples       JIT + helper samples (counts)\n"
    "  spm           samples per million executions; spm_ratio = spm_b / spm_a\n"
    "  hg            host code bytes per guest code byte\n"
    "  spills, host_bytes, exec   TBStatistics sums (exec: exec_count)\n"
    "  status        new: no key of the row in A; vanished: none in B\n"
    "The summary gives both runs' totals and the split into jit, helpers,\n"
    "translation, qemu and kernel (period-weighted %) with its change.\n"
    "\n"
    "  -n N              the first N rows\n"
    "  --all             also rows without samples in either run\n"
    "  --fail-above PCT  exit status 1 when a row's change exceeds +PCT points\n"
    "                    (as printed, two decimals), naming it on stderr: for CI\n"
    "  --format F        text (aligned, default), csv (the rows), json: an object\n"
    "                    with a, b (inputs and totals), classes and rows\n"
    "  --no-callchains   ignore call chains: helpers by name, not per TB\n"
    "  --tbstats-a F, --jitdump-a F, --tbstats-b F, --jitdump-b F\n"
    "                    A's or B's side file and jitdump, where they are not next\n"
    "                    to its perf.data under QEMU's names\n"
    "  --partial         accept truncated files, with a warning\n"
    "\n"
    "exit status: 0 success, 1 a row above --fail-above, 2 bad usage or bad\n"
    "input (A or B missing, or not a run directory, perf.data or side file),\n"
    "3 I/O error\n";


/* One recording. */
struct side {
    const char *arg;           /* as given */
    const char *tbstats, *jitdump; /* --tbstats-a ..., or NULL */
    char *perf_data;           /* the file read */
    struct run_arg run;        /* arg, recognised */
    struct profile *p;
    struct tally t;
};

/* One aligned row. */
struct drow {
    char *name;                /* owned: the alignment key, shown as is */
    struct tally_sums sum[2];
    bool in[2];                /* some key of the row in A, B */
    double share[2];           /* of the run's total period, 0..1 */
    double change;             /* share[1] - share[0] */
};

struct diff {
    enum view_by by;
    struct side s[2];
    struct drow *rows;
    size_t nr_rows, cap_rows;
    struct str_index index;    /* rows by name */
};

/* --- rows by name -------------------------------------------------------------------- */

static struct drow *row_by_name(struct diff *d, const char *name)
{
    struct drow *rows, *row;
    size_t *slot;

    slot = str_index_find_name(&d->index, d->rows, d->nr_rows, sizeof(*d->rows),
                               offsetof(struct drow, name), name);
    if (!slot)
        return NULL;
    if (*slot)
        return &d->rows[*slot - 1];
    rows = array_reserve(d->rows, d->nr_rows, &d->cap_rows, sizeof(*rows), 256);
    if (!rows)
        return NULL;
    d->rows = rows;
    row = &d->rows[d->nr_rows];
    memset(row, 0, sizeof(*row));
    row->name = strdup(name);
    if (!row->name)
        return NULL;
    *slot = ++d->nr_rows;
    return row;
}

/*
 * The name a key aligns by.  Guest symbols are the same in a relinked or
 * rebuilt guest where addresses are not; OBJECT+0xVADDR survives a load at
 * another base (PIE, ASLR), guest-0xPC ("[kernel] 0xPC" in system mode) is
 * all there is outside mappings.
 */
static const char *align_name(struct diff *d, struct profile *p, const struct tbdb_key *k,
                              char *buf, size_t size)
{
    struct guestsym *gs = profile_guestsym(p);
    const struct guestsym_loc *loc;

    if (!gs || guestsym_lookup_flags(gs, k->guest_pc, GUESTSYM_NO_SOURCE, &loc) < 0 ||
        !loc->mapped || !loc->name) {
        guestsym_unmapped_name(buf, size, k->guest_pc, k->privilege);
        return buf;
    }
    if (d->by == VIEW_BY_FUNCTION && loc->symbol)
        return loc->symbol;
    return loc->name;
}

static int add_side(struct diff *d, int i)
{
    struct side *s = &d->s[i];
    const struct tbdb *db = s->t.db;
    char buf[64];

    for (size_t k = 0; k < db->nr_keys; k++) {
        const struct tbdb_key *key = &db->keys[k];
        struct drow *row = row_by_name(d, align_name(d, s->p, key, buf, sizeof(buf)));

        if (!row)
            return -ENOMEM;
        tally_sums_add_key(&row->sum[i], &s->t, key);
        row->in[i] = true;
    }
    return 0;
}

static void finish_rows(struct diff *d, bool all)
{
    size_t n = 0;

    for (size_t i = 0; i < d->nr_rows; i++) {
        struct drow *row = &d->rows[i];

        if (!all && !row->sum[0].samples && !row->sum[0].helper && !row->sum[1].samples &&
            !row->sum[1].helper) {
            free(row->name);
            continue;
        }
        for (int j = 0; j < 2; j++)
            row->share[j] = d->s[j].t.total_period ?
                (double)row->sum[j].period / (double)d->s[j].t.total_period : 0;
        row->change = row->share[1] - row->share[0];
        d->rows[n++] = *row;
    }
    d->nr_rows = n;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Largest absolute change first; then the heavier row; then by name. */
static int cmp_rows(const void *pa, const void *pb)
{
    const struct drow *a = pa, *b = pb;
    double ca = fabs(a->change), cb = fabs(b->change);
    uint64_t wa = max_u64(a->sum[0].period, a->sum[1].period);
    uint64_t wb = max_u64(b->sum[0].period, b->sum[1].period);

    if (ca != cb)
        return ca > cb ? -1 : 1;
    if (wa != wb)
        return wa > wb ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* A fraction as percentage points in hundredths (0.1234 -> 1234: "12.34"). */
static int64_t pct_cents(double fraction)
{
    return (int64_t)llround(fraction * 10000.0);
}

/* --- output -------------------------------------------------------------------------- */

static const struct table_col cols_function[] = {
    { "pct_a", false }, { "pct_b", false }, { "change", false },
    { "samples_a", false }, { "samples_b", false },
    { "spm_a", false }, { "spm_b", false }, { "spm_ratio", false },
    { "hg_a", false }, { "hg_b", false }, { "spills_a", false }, { "spills_b", false },
    { "host_bytes_a", false }, { "host_bytes_b", false }, { "exec_a", false }, { "exec_b", false },
    { "status", true }, { "function", true },
};

static struct table_col cols_tb[sizeof(cols_function) / sizeof(cols_function[0])];

#define NR_COLS (sizeof(cols_function) / sizeof(cols_function[0]))

static uint64_t samples_of(const struct tally_sums *s)
{
    return tally_sat_add(s->samples, s->helper);
}

/* samples * 1e6 / exec as a double, < 0 when undefined. */
static double spm_of(const struct tally_sums *s)
{
    return s->exec_count ? (double)samples_of(s) * 1e6 / (double)s->exec_count : -1;
}

static void fill_row(struct table *t, const struct drow *row)
{
    const char *status = !row->in[0] ? "new" : !row->in[1] ? "vanished" : "";
    double spm_a = spm_of(&row->sum[0]), spm_b = spm_of(&row->sum[1]);

    table_cents(t, pct_cents(row->share[0]), false);
    table_cents(t, pct_cents(row->share[1]), false);
    table_cents(t, pct_cents(row->change), true);
    for (int i = 0; i < 2; i++)
        table_u64(t, samples_of(&row->sum[i]));
    for (int i = 0; i < 2; i++)
        table_ratio(t, samples_of(&row->sum[i]) * 1000000ull, row->sum[i].exec_count);
    if (spm_a > 0 && spm_b >= 0)
        table_cents(t, (int64_t)llround(spm_b / spm_a * 100.0), false);
    else
        table_ratio(t, 0, 0);
    for (int i = 0; i < 2; i++)
        table_ratio(t, row->sum[i].host_bytes, row->sum[i].guest_bytes);
    for (int i = 0; i < 2; i++)
        table_u64(t, row->sum[i].spills);
    for (int i = 0; i < 2; i++)
        table_u64(t, row->sum[i].host_bytes);
    for (int i = 0; i < 2; i++)
        table_u64(t, row->sum[i].exec_count);
    table_str(t, status, strlen(status));
    table_str(t, row->name, strlen(row->name));
}

static void count_status(const struct diff *d, size_t *nnew, size_t *nvanished)
{
    *nnew = *nvanished = 0;
    for (size_t i = 0; i < d->nr_rows; i++) {
        *nnew += !d->rows[i].in[0];
        *nvanished += !d->rows[i].in[1];
    }
}

static double class_share(const struct side *s, int c)
{
    return s->t.total_period ? (double)s->t.period_by_class[c] / (double)s->t.total_period : 0;
}

/* Hundredths as text, as table_cents() prints them. */
static char *cents_str(char *buf, size_t size, int64_t cents, bool plus)
{
    uint64_t m = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;

    snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64,
             cents < 0 ? "-" : plus && cents > 0 ? "+" : "", m / 100, m % 100);
    return buf;
}

static void print_summary_text(void *arg, FILE *f)
{
    const struct diff *d = arg;

    size_t nnew, nvanished;
    char a[32], b[32], ch[32];

    for (int i = 0; i < 2; i++) {
        const struct profile_info *in = profile_info(d->s[i].p);

        fprintf(f, "# %s: %s: %s input, QEMU pid %" PRIu32 ", %" PRIu64 " samples of %s\n",
                i ? "B" : "A", in->perf_data, in->injected ? "perf inject -j" : "raw", in->pid,
                d->s[i].t.total, in->event ? in->event : "?");
    }
    count_status(d, &nnew, &nvanished);
    fprintf(f, "# by %s: %zu rows (%zu new, %zu vanished); %% of each run's samples weighted "
            "by period, change in points\n", d->by == VIEW_BY_TB ? "tb" : "function", d->nr_rows,
            nnew, nvanished);
    for (int c = 0; c < PROFILE_OTHER; c++) {
        double sa = class_share(&d->s[0], c), sb = class_share(&d->s[1], c);
        int64_t ca = pct_cents(sa), cb = pct_cents(sb), cc = pct_cents(sb - sa);

        cents_str(a, sizeof(a), ca, false);
        cents_str(b, sizeof(b), cb, false);
        cents_str(ch, sizeof(ch), cc, true);
        fprintf(f, "# %-12s %7s%% -> %7s%%  %8s\n", profile_class_name(c), a, b, ch);
    }
}

static void print_summary_json(void *arg, struct out *o)
{
    const struct diff *d = arg;

    static const char *const chains[] = { "none", "fp", "dwarf" };

    out_word(o, "by", d->by == VIEW_BY_TB ? "tb" : "function");
    for (int i = 0; i < 2; i++) {
        const struct profile_info *in = profile_info(d->s[i].p);
        const struct tally *t = &d->s[i].t;

        out_object_begin(o, i ? "b" : "a", NULL);
        out_str(o, "perf_data", in->perf_data, strlen(in->perf_data));
        out_word(o, "kind", in->injected ? "injected" : "raw");
        out_str(o, "tbstats", in->tbstats, strlen(in->tbstats));
        out_u64(o, "pid", in->pid);
        out_str(o, "event", in->event ? in->event : "", in->event ? strlen(in->event) : 0);
        out_word(o, "callchains", chains[in->chains]);
        out_u64(o, "total_samples", t->total);
        out_u64(o, "total_period", t->total_period);
        out_object_begin(o, "summary", NULL);
        for (int c = 0; c < PROFILE_OTHER; c++)
            out_u64(o, profile_class_name(c), t->by_class[c]);
        out_object_end(o);
        out_object_end(o);
    }
    out_array_begin(o, "classes");
    for (int c = 0; c < PROFILE_OTHER; c++) {
        double sa = class_share(&d->s[0], c), sb = class_share(&d->s[1], c);

        out_object_begin(o, NULL, NULL);
        out_word(o, "class", profile_class_name(c));
        out_cents(o, "pct_a", pct_cents(sa));
        out_cents(o, "pct_b", pct_cents(sb));
        out_cents(o, "change", pct_cents(sb - sa));
        out_object_end(o);
    }
    out_array_end(o);
}

static const struct view_doc diff_doc = {
    .text_before = print_summary_text,
    .json_before = print_summary_json,
};

static int print_diff(const struct diff *d, enum view_format format, size_t limit)
{
    const struct table_col *cols = cols_function;
    struct table *t;
    size_t n = limit && limit < d->nr_rows ? limit : d->nr_rows;

    if (d->by == VIEW_BY_TB) {
        memcpy(cols_tb, cols_function, sizeof(cols_tb));
        cols_tb[NR_COLS - 1].name = "tb";
        cols = cols_tb;
    }
    t = table_new(cols, NR_COLS);
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        fill_row(t, &d->rows[i]);
    if (!table_ok(t)) {
        table_free(t);
        return -ENOMEM;
    }
    view_print_table(t, format, "rows", &diff_doc, (void *)d);
    table_free(t);
    return 0;
}

/* --- the command ---------------------------------------------------------------------- */

/* One recording to read: its profile options, then what reading it gave. */
struct side_job {
    struct side *s;
    struct profile_opts po;
    int rc;                     /* of profile_open() or tally_run() */
};

/*
 * Find one recording's files; prints the error and returns an exit code
 * (> 0) when they are not there.
 */
static int prepare_side(struct side_job *j, const struct profile_opts *base)
{
    struct side *s = j->s;
    int rc;

    j->po = *base;
    j->po.tbstats = s->tbstats;
    j->po.jitdump = s->jitdump;
    j->po.perf_data = NULL;
    rc = run_arg_classify(&s->run, s->arg);
    if (rc == 0)
        rc = run_arg_profile(&s->run, "diff", &j->po);
    if (rc)
        return rc;
    s->perf_data = strdup(j->po.perf_data);
    if (!s->perf_data) {
        return tbsym_out_of_memory();
    }
    j->po.perf_data = s->perf_data;
    return 0;
}

/* Open and count one recording (no output: two of these run at once). */
static void *load_side(void *arg)
{
    struct side_job *j = arg;

    j->rc = profile_open(&j->po, &j->s->p);
    if (j->rc == 0)
        j->rc = tally_run(&j->s->t, j->s->p);
    return NULL;
}

/*
 * Read both recordings, B in a second thread: the two share no state, and
 * reading is most of diff's time.  Errors and warnings are printed after,
 * A's first.  Returns 0 or an exit code.
 */
static int load_sides(struct side_job jobs[2])
{
    pthread_t b;
    bool threaded = pthread_create(&b, NULL, load_side, &jobs[1]) == 0;

    load_side(&jobs[0]);
    if (threaded)
        pthread_join(b, NULL);
    else
        load_side(&jobs[1]);
    for (int i = 0; i < 2; i++) {
        struct side *s = jobs[i].s;

        if (jobs[i].rc < 0)
            return view_profile_error(s->p, jobs[i].rc);
    }
    for (int i = 0; i < 2; i++)
        view_profile_warn(jobs[i].s->p);
    return 0;
}

/* Rows whose change exceeds +fail_cents, each named on stderr; their number. */
static size_t check_fail_above(const struct diff *d, int64_t fail_cents, const char *arg)
{
    size_t n = 0;

    for (size_t i = 0; i < d->nr_rows; i++) {
        int64_t c = pct_cents(d->rows[i].change);

        if (c > fail_cents) {
            char buf[32];

            fprintf(stderr, "tbsym diff: %s: %s points, above --fail-above %s\n",
                    d->rows[i].name, cents_str(buf, sizeof(buf), c, true), arg);
            n++;
        }
    }
    return n;
}

/* What diff's command line sets besides its inputs. */
struct diff_args {
    struct diff *d;             /* receives --by and d->s[].tbstats, jitdump */
    const char *paths[2];       /* the recordings A and B */
    enum view_format format;
    unsigned long long limit;   /* -n; 0: all rows */
    const char *fail_arg;       /* --fail-above as given, or NULL */
    int64_t fail_cents;         /* --fail-above in hundredths of a point */
    bool all;
};

/* diff's own arguments (struct view_cmdline's own()): into the diff_args at ctx. */
static int diff_option(const struct view_opts *vo, void *ctx, const char *a, const char *v)
{
    struct diff_args *args = ctx;
    struct diff *d = args->d;
    char *end;

    if (a[0] != '-' || !strcmp(a, "-")) {
        if (args->paths[1])
            return view_own_error(vo, "more than two recordings: %s", a);
        args->paths[args->paths[0] ? 1 : 0] = a;
        return 1;
    }
    if (!strcmp(a, "--all")) {
        args->all = true;
        return 1;
    }
    if (!v)
        return 0;
    if (!strcmp(a, "--tbstats-a") || !strcmp(a, "--tbstats-b")) {
        d->s[a[10] == 'b'].tbstats = v;
    } else if (!strcmp(a, "--jitdump-a") || !strcmp(a, "--jitdump-b")) {
        d->s[a[10] == 'b'].jitdump = v;
    } else if (!strcmp(a, "--by")) {
        if (view_by_option(vo, v, VIEW_BY_TB | VIEW_BY_FUNCTION, &d->by))
            return -1;
    } else if (!strcmp(a, "--fail-above")) {
        double pct = strtod(v, &end);

        if (*end || !*v || !(pct >= 0 && pct <= 100))
            return view_own_error(vo, "bad --fail-above: %s (percentage points, 0 to 100)", v);
        args->fail_arg = v;
        args->fail_cents = (int64_t)llround(pct * 100.0);
    } else {
        return 0;
    }
    return 2;
}

/*
 * The command line as cl says (cl->ctx is args), and both recordings; 0 or
 * an exit code after the message.
 */
static int diff_parse_args(struct view_cmdline *cl, int argc, char **argv,
                           const struct diff_args *args)
{
    int rc;

    rc = view_parse_cmdline(cl, argc, argv);
    if (rc)
        return rc;
    if (!args->paths[1])
        return view_usage_error(&cl->v, "two recordings needed, A and B%s", "");
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    struct diff d = { .by = VIEW_BY_FUNCTION };
    struct diff_args a = { .d = &d, .format = VIEW_TEXT };
    struct view_cmdline cl = {
        .v = { .cmd = "diff", .usage = cmd_diff_usage }, .which = VIEW_PROFILE_COMMON,
        .limit = &a.limit, .format = &a.format, .csv = true, .own = diff_option, .ctx = &a,
    };
    struct side_job jobs[2];
    int rc, ret = TBSYM_EXIT_OK;

    rc = diff_parse_args(&cl, argc, argv, &a);
    if (rc)
        return rc;

    for (int i = 0; i < 2; i++) {
        d.s[i].arg = a.paths[i];
        jobs[i].s = &d.s[i];
        ret = prepare_side(&jobs[i], &cl.po);
        if (ret)
            goto out;
    }
    ret = load_sides(jobs);
    if (ret)
        goto out;
    for (int i = 0; i < 2; i++) {
        rc = add_side(&d, i);
        if (rc < 0)
            goto nomem;
    }
    finish_rows(&d, a.all);
    qsort(d.rows, d.nr_rows, sizeof(d.rows[0]), cmp_rows);
    rc = print_diff(&d, a.format, (size_t)a.limit);
    if (rc < 0)
        goto nomem;
    ret = tbsym_finish_stdout(TBSYM_EXIT_OK);
    if (ret == TBSYM_EXIT_OK && a.fail_arg && check_fail_above(&d, a.fail_cents, a.fail_arg))
        ret = TBSYM_EXIT_ABOVE;
    goto out;
nomem:
    ret = tbsym_out_of_memory();
out:
    for (size_t i = 0; i < d.nr_rows; i++)
        free(d.rows[i].name);
    free(d.rows);
    str_index_clear(&d.index);
    for (int i = 0; i < 2; i++) {
        tally_release(&d.s[i].t);
        profile_close(d.s[i].p);
        free(d.s[i].perf_data);
    }
    return ret;
}
