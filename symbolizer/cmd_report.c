/*
 * cmd_report.c: "tbsym report", perf samples and TBStatistics in one table.
 *
 * The samples come resolved from lib/profile.h (raw perf.data + jitdump +
 * side file, or perf inject's output + side file); this file only counts them per
 * TBStatistics key, guest function or symbol, sorts and prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "disasm.h"
#include "gstack_view.h"
#include "guestsym.h"
#include "keys.h"
#include "out.h"
#include "profile.h"
#include "profile_opts.h"
#include "report_table.h"
#include "str_index.h"
#include "table.h"
#include "tally.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_report_usage[] =
    "usage: tbsym report [RUN | -i perf.data] [--by tb|function|sym] [--sort COL] [-n N] [--all]\n"
    "                    [--format text|json|csv] [--tbstats FILE] [--jitdump FILE]\n"
    "                    [--pid PID] [--debug-dir DIR] [--no-callchains] [--partial]\n"
    "\n"
    "Where the host time of a QEMU run went, per guest TB, with its TBStatistics.\n"
    "Reads perf.data (default ./perf.data) as perf record -k 1 wrote it, with\n"
    "jit-PID.dump and jit-PID.tbstats next to it (or where QEMU wrote them), or\n"
    "the output of perf inject -j with the side file: both give the same report.\n"
    "RUN, recognised by content: a run directory (qemu-perf record -o DIR: its\n"
    "perf.data), a perf.data (as -i), or a side file jit-PID.tbstats (as\n"
    "--tbstats, with the perf.data and jit-PID.dump next to it).\n"
    "\n"
    "Rows (--by tb, the default: one per TBStatistics key):\n"
    "  samples       samples in the TB's host code, and its share of all samples\n"
    "  helper_samples  samples in QEMU code the TB called (helpers, softfloat, ...):\n"
    "                from call chains (perf record -g or --call-graph dwarf)\n"
    "  softmmu_samples  (system emulators) those of them in QEMU's software MMU:\n"
    "                the slow path of guest loads and stores that missed the TLB\n"
    "                fast path (TLB fill, page walk, MMIO, writes to pages of\n"
    "                translated code); docs/system-mode.md says which functions\n"
    "  exec_count    executions (-tb-stats exec), spm: samples per million of them\n"
    "  guest_insns   guest instructions translated, cov%: share of executed ones\n"
    "  host_bytes    host code bytes, h/g: host bytes per guest byte\n"
    "  host_insns    host instructions of the key's latest translation (capstone\n"
    "                on the jitdump's code up to the last guest instruction's host\n"
    "                code; slow paths not counted), hi/gi: per guest instruction\n"
    "                of that translation; - without jitdump code (perf inject\n"
    "                output without jit-PID.dump) and on --by function rows\n"
    "  spills, ops, ops_opt, translations, xlate_ns   as in tbsym tb-list\n"
    "  symbol        the guest symbol+offset, source: file:line from the guest's DWARF\n"
    "(sums over the key's translations.)  --by function adds the keys of each\n"
    "guest function, and with guest call stacks (QEMU's shadow stacks, perf record\n"
    "--call-graph dwarf) the columns of perf report --children:\n"
    "  children      samples with the function anywhere on their guest call stack\n"
    "                (once per sample, recursion or not), and their share\n"
    "  self          samples whose innermost guest function it is (helpers, system\n"
    "                calls and translation it caused included), and their share\n"
    "Without stacks a \"# no guest call stacks: WHY\" line (stderr for csv) and the\n"
    "same table as before.  --by sym counts samples per symbol over the whole\n"
    "process, TBs and QEMU's own functions alike, as perf report --sort sym does.\n"
    "\n"
    "  --sort COL    samples (default; children with guest call stacks), helper,\n"
    "                softmmu, total, exec, spm, insns, coverage, host_bytes, hg,\n"
    "                spills, ops, translations, time, host_insns, hi/gi (--by tb),\n"
    "                and with --by function self, children:\n"
    "                highest first; the printed column names work too\n"
    "                (helper_samples, softmmu_samples, exec_count, guest_insns,\n"
    "                cov%, h/g, ...)\n"
    "  -n N          the first N rows\n"
    "  --all         also rows without samples (keys executed but never sampled)\n"
    "  --format F    text (aligned columns, default), csv, json: an object with\n"
    "                total_samples, event, summary and rows (see README)\n"
    "  --no-callchains   ignore call chains: helpers and translation by name\n"
    "  --partial     accept truncated files (QEMU or perf killed), with a warning\n"
    "\n"
    RUN_ARG_USAGE_EXIT;


enum sort_col {
    SORT_SAMPLES, SORT_HELPER, SORT_TOTAL, SORT_EXEC, SORT_SPM, SORT_INSNS, SORT_COVERAGE,
    SORT_HOST_BYTES, SORT_HG, SORT_SPILLS, SORT_OPS, SORT_TRANSLATIONS, SORT_TIME,
    SORT_SELF, SORT_CHILDREN, SORT_HOST_INSNS, SORT_HI_GI, SORT_SOFTMMU,
    SORT_DEFAULT,              /* children with guest call stacks, else samples */
};

static const char *const sort_names[] = {
    "samples", "helper", "total", "exec", "spm", "insns", "coverage", "host_bytes", "hg",
    "spills", "ops", "translations", "time", "self", "children", "host_insns", "hi/gi",
    "softmmu",
};

/* The names the columns print under sort by them too. */
static const struct {
    const char *name;
    enum sort_col col;
} sort_columns[] = {
    { "%", SORT_SAMPLES }, { "helper_samples", SORT_HELPER }, { "exec_count", SORT_EXEC },
    { "softmmu_samples", SORT_SOFTMMU },
    { "guest_insns", SORT_INSNS }, { "cov%", SORT_COVERAGE }, { "h/g", SORT_HG },
    { "xlate_ns", SORT_TIME }, { "self%", SORT_SELF }, { "children%", SORT_CHILDREN },
};

/* parse_sort - COL as --sort takes it: a short name or a column's printed name. */
static bool parse_sort(const char *v, enum sort_col *col)
{
    for (size_t k = 0; k < sizeof(sort_names) / sizeof(sort_names[0]); k++)
        if (!strcmp(v, sort_names[k])) {
            *col = (enum sort_col)k;
            return true;
        }
    for (size_t k = 0; k < sizeof(sort_columns) / sizeof(sort_columns[0]); k++)
        if (!strcmp(v, sort_columns[k].name)) {
            *col = sort_columns[k].col;
            return true;
        }
    return false;
}

/* One row: a key, a guest function or a symbol. */
struct row {
    char *name;                /* owned */
    uint64_t guest_pc;
    const struct tbdb_key *key;  /* VIEW_BY_TB */
    const char *dso;           /* VIEW_BY_SYM: the object, not owned */
    struct tally_sums sum;     /* VIEW_BY_SYM: only sum.samples */
    struct view_inclusive incl;  /* VIEW_BY_FUNCTION */
    double counted;            /* VIEW_BY_TB, --sort host_insns or hi/gi: its value, -1 none */
};

struct report {
    struct profile *p;
    const struct tbdb *db;
    enum view_by by;
    struct tally t;
    /* VIEW_BY_SYM: a hash of names. */
    struct row *rows;
    size_t nr_rows, cap_rows;
    struct str_index index;    /* rows by (name, dso) */
    bool nomem;
    /* VIEW_BY_FUNCTION: guest call stacks, counted per interned frame id. */
    struct gstack_view *gv;
    uint64_t *children, *self, *stamp;  /* [cap_ids]; stamp: last sample counted */
    size_t cap_ids;
    uint64_t nr_stacks;        /* samples with a guest stack, the stamp */
    bool stacks;               /* the recording has them (after the run) */
    struct view_host_insns hi; /* host_insns of the TB rows */
    const char *no_stacks;     /* else why not */
    char no_stacks_buf[512];
};

static enum sort_col sort_col;

/* --- VIEW_BY_SYM: rows by name ------------------------------------------------------- */

/* A VIEW_BY_SYM row's key: a name and its dso. */
struct sym_key {
    const char *name;
    const char *dso;           /* NULL: none */
};

static uint64_t sym_hash(const char *name, const char *dso)
{
    return str_index_hash(str_index_hash(STR_INDEX_HASH_INIT, name), dso);
}

static uint64_t row_hash(const void *ctx, size_t i)
{
    const struct report *r = ctx;

    return sym_hash(r->rows[i].name, r->rows[i].dso);
}

static bool row_is(const void *ctx, size_t i, const void *key)
{
    const struct row *row = &((const struct report *)ctx)->rows[i];
    const struct sym_key *k = key;

    return !strcmp(row->name, k->name) &&
           (row->dso == k->dso || (row->dso && k->dso && !strcmp(row->dso, k->dso)));
}

static struct row *row_push(struct report *r)
{
    struct row *rows = array_reserve(r->rows, r->nr_rows, &r->cap_rows, sizeof(*rows), 256);

    if (!rows)
        return NULL;
    r->rows = rows;
    memset(&r->rows[r->nr_rows], 0, sizeof(r->rows[0]));
    return &r->rows[r->nr_rows++];
}

/* The row of (name, dso), created on first use; dso must outlive the report. */
static struct row *row_by_name(struct report *r, const char *name, const char *dso)
{
    const struct sym_key key = { name, dso };
    size_t *slot;
    struct row *row;

    if (str_index_reserve(&r->index, r->nr_rows, row_hash, r) < 0)
        return NULL;
    slot = str_index_find(&r->index, sym_hash(name, dso), row_is, r, &key);
    if (*slot)
        return &r->rows[*slot - 1];
    row = row_push(r);
    if (!row)
        return NULL;
    row->name = strdup(name);
    row->dso = dso;
    if (!row->name) {
        r->nr_rows--;
        return NULL;
    }
    *slot = r->nr_rows;
    return row;
}

static void count_sym(struct report *r, const struct profile_sample *s)
{
    char buf[64];
    const char *name, *dso;
    struct row *row;

    if (s->cls == PROFILE_JIT) {
        name = view_tb_name(r->p, s->tb, buf, sizeof(buf));
        dso = "[jit]";
    } else if (s->host && s->host->symbol) {
        name = s->host->symbol;
        dso = s->host->dso_name;
    } else {
        /* As perf prints an address without symbol: relative to its map's file. */
        struct hostsym_map map;
        uint64_t addr = s->ip;

        if (s->host && s->host->found && !s->host->kernel &&
            hostsym_find_map(profile_hostsym(r->p), s->pid, s->ip, s->time, &map) == 1)
            addr = s->ip - map.start + map.pgoff;
        snprintf(buf, sizeof(buf), "0x%016" PRIx64, addr);
        name = buf;
        dso = s->host && s->host->found ? s->host->dso_name : "[unknown]";
    }
    row = row_by_name(r, name, dso);
    if (!row) {
        r->nomem = true;
        return;
    }
    row->sum.samples++;
}

/* --- VIEW_BY_FUNCTION: self and children from guest call stacks ---------------------- */

static int ids_grow(struct report *r, size_t n)
{
    uint64_t **arrays[] = { &r->children, &r->self, &r->stamp };
    size_t cap = r->cap_ids ? r->cap_ids : 256;

    while (cap < n)
        cap *= 2;
    for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++) {
        uint64_t *p = realloc(*arrays[k], cap * sizeof(*p));

        if (!p)
            return -ENOMEM;
        memset(p + r->cap_ids, 0, (cap - r->cap_ids) * sizeof(*p));
        *arrays[k] = p;
    }
    r->cap_ids = cap;
    return 0;
}

/*
 * children: once per sample for every function on the stack (the stamp
 * says whether this sample counted it already); self: the innermost one.
 */
static int count_stack(struct report *r, const struct profile_sample *s)
{
    const struct gstack_view_frame *fr;
    size_t n;
    uint32_t leaf = UINT32_MAX;
    int rc = gstack_view_expand(r->gv, s, &fr, &n);

    /* No stack but a known leaf: self and children of the leaf alone, as perf. */
    if (rc == 0 && !n)
        rc = gstack_view_expand_leaf(r->gv, s, &fr, &n);
    if (rc < 0 || !n)
        return rc;
    if (gstack_view_nr_ids(r->gv) > r->cap_ids && ids_grow(r, gstack_view_nr_ids(r->gv)) < 0)
        return -ENOMEM;
    r->nr_stacks++;
    for (size_t i = 0; i < n; i++) {
        if (fr[i].kind != GSTACK_VIEW_FUNCTION)
            continue;
        if (r->stamp[fr[i].id] != r->nr_stacks) {
            r->stamp[fr[i].id] = r->nr_stacks;
            r->children[fr[i].id]++;
        }
        leaf = fr[i].id;
    }
    if (leaf != UINT32_MAX)
        r->self[leaf]++;
    return 0;
}

static int on_sample(void *arg, const struct profile_sample *s)
{
    struct report *r = arg;

    if (s->cls == PROFILE_OTHER)
        return 0;
    tally_sample(&r->t, s);
    if (r->by == VIEW_BY_SYM)
        count_sym(r, s);
    else if (r->gv && count_stack(r, s) < 0)
        r->nomem = true;
    return r->nomem ? -ENOMEM : 0;
}

/* --- VIEW_BY_TB and VIEW_BY_FUNCTION rows -------------------------------------------- */

static int rows_by_tb(struct report *r, bool all)
{
    for (size_t i = 0; i < r->db->nr_keys; i++) {
        const struct tbdb_key *k = &r->db->keys[i];
        struct row *row;

        if (!all && !r->t.key_samples[i] && !r->t.key_helper[i])
            continue;
        row = row_push(r);
        if (!row)
            return -ENOMEM;
        row->key = k;
        row->guest_pc = k->guest_pc;
        tally_sums_add_key(&row->sum, &r->t, k);
        if (sort_col == SORT_HOST_INSNS || sort_col == SORT_HI_GI) {
            /* Counted here once per row, for sorting; else only for the rows printed. */
            int64_t n = view_host_insns_count(&r->hi, k->latest);

            row->counted = n < 0 ? -1 : sort_col == SORT_HOST_INSNS ? (double)n
                           : (double)n / (double)k->latest->icount;
        }
    }
    return 0;
}

/*
 * One row per guest function (gstack_function_name(): the same names as
 * the frames of guest stacks) with the sums of its keys, plus, with guest
 * call stacks, a row for every function on a stack (callers without
 * samples of their own, inlined functions).  Without stacks self is the
 * keys' samples and helper samples and children equals it.
 */
static int rows_by_function(struct report *r, bool all)
{
    struct guestsym *gs = profile_guestsym(r->p);

    for (size_t i = 0; i < r->db->nr_keys; i++) {
        const struct tbdb_key *k = &r->db->keys[i];
        struct row *row = row_by_name(r, gstack_function_name(gs, k->guest_pc), NULL);

        if (!row)
            return -ENOMEM;
        if (!row->sum.nr_keys || k->guest_pc < row->guest_pc)
            row->guest_pc = k->guest_pc;
        tally_sums_add_key(&row->sum, &r->t, k);
    }
    for (uint32_t id = 0; r->stacks && id < r->cap_ids && id < gstack_view_nr_ids(r->gv); id++) {
        struct row *row;

        if (!r->children[id])
            continue;
        row = row_by_name(r, gstack_view_name(r->gv, id), NULL);
        if (!row)
            return -ENOMEM;
        if (!row->sum.nr_keys)
            row->guest_pc = gstack_view_function_pc(r->gv, id);
        row->incl = (struct view_inclusive){ .children = r->children[id], .self = r->self[id] };
    }
    for (size_t i = 0; !r->stacks && i < r->nr_rows; i++) {
        struct row *row = &r->rows[i];

        row->incl.self = tally_sat_add(row->sum.samples, row->sum.helper);
        row->incl.children = row->incl.self;
    }
    if (!all) {
        size_t n = 0;

        for (size_t i = 0; i < r->nr_rows; i++) {
            if (r->rows[i].sum.samples || r->rows[i].sum.helper || r->rows[i].incl.children)
                r->rows[n++] = r->rows[i];
            else
                free(r->rows[i].name);
        }
        r->nr_rows = n;
    }
    return 0;
}

/* --- sorting ------------------------------------------------------------------------- */

static double row_value(const struct row *row)
{
    const struct tally_sums *a = &row->sum;

    switch (sort_col) {
    case SORT_SAMPLES:      return (double)a->samples;
    case SORT_HELPER:       return (double)a->helper;
    case SORT_SOFTMMU:      return (double)a->softmmu;
    case SORT_TOTAL:        return (double)a->samples + (double)a->helper;
    case SORT_EXEC:         return (double)a->exec_count;
    case SORT_SPM:          return a->exec_count ? (double)a->samples * 1e6 / (double)a->exec_count : 0;
    case SORT_INSNS:        return (double)a->guest_insns;
    case SORT_COVERAGE:     return (double)a->insns_executed;
    case SORT_HOST_BYTES:   return (double)a->host_bytes;
    case SORT_HG:           return a->guest_bytes ? (double)a->host_bytes / (double)a->guest_bytes : 0;
    case SORT_SPILLS:       return (double)a->spills;
    case SORT_OPS:          return (double)a->ops;
    case SORT_TRANSLATIONS: return (double)a->translations;
    case SORT_TIME:         return (double)a->time_ns;
    case SORT_SELF:         return (double)row->incl.self;
    case SORT_CHILDREN:     return (double)row->incl.children;
    case SORT_HOST_INSNS:
    case SORT_HI_GI:        return row->counted;
    case SORT_DEFAULT:      break;
    }
    return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    double va = row_value(a), vb = row_value(b);
    int c;

    if (va != vb)
        return va > vb ? -1 : 1;
    if (sort_col == SORT_CHILDREN && a->incl.self != b->incl.self)
        return a->incl.self > b->incl.self ? -1 : 1;
    if (a->sum.samples != b->sum.samples)
        return a->sum.samples > b->sum.samples ? -1 : 1;
    if (a->guest_pc != b->guest_pc)
        return a->guest_pc < b->guest_pc ? -1 : 1;
    c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
    if (c)
        return c;
    return strcmp(a->dso ? a->dso : "", b->dso ? b->dso : "");
}

/* --- output -------------------------------------------------------------------------- */

static const struct table_col sym_cols[] = {
    { "samples", false }, { "%", false }, { "dso", true }, { "symbol", true },
};

static void print_summary_json(void *arg, struct out *o)
{
    struct report *r = arg;
    const struct profile_info *in = profile_info(r->p);
    static const char *const chains[] = { "none", "fp", "dwarf" };

    out_u64(o, "total_samples", r->t.total);
    out_str(o, "event", in->event ? in->event : "", in->event ? strlen(in->event) : 0);
    out_object_begin(o, "input", NULL);
    out_str(o, "perf_data", in->perf_data, strlen(in->perf_data));
    out_word(o, "kind", in->injected ? "injected" : "raw");
    out_str(o, "tbstats", in->tbstats, strlen(in->tbstats));
    if (in->jitdump)
        out_str(o, "jitdump", in->jitdump, strlen(in->jitdump));
    out_u64(o, "pid", in->pid);
    out_u64(o, "code_loads", in->nr_code_loads);
    out_word(o, "callchains", chains[in->chains]);
    out_object_end(o);
    out_object_begin(o, "summary", NULL);
    for (int c = 0; c < PROFILE_OTHER; c++)
        out_u64(o, profile_class_name(c), r->t.by_class[c]);
    out_object_end(o);
    if (view_report_softmmu(r->db)) {
        out_object_begin(o, "softmmu", NULL);
        out_u64(o, "samples", r->t.softmmu);
        out_u64(o, "charged", r->t.softmmu_charged);
        out_object_end(o);
    }
    view_run_notes_json(o, r->db);
    if (r->by != VIEW_BY_FUNCTION)
        return;
    out_object_begin(o, "guest_stacks", NULL);
    out_u64(o, "samples", in->gstack_samples);
    out_u64(o, "truncated", in->gstack_truncated);
    out_u64(o, "missing", in->gstack_missing);
    out_u64(o, "max_dump", in->gstack_max_dump);
    if (r->no_stacks)
        out_str(o, "reason", r->no_stacks, strlen(r->no_stacks));
    out_object_end(o);
}

static void print_summary_text(void *arg, FILE *f)
{
    struct report *r = arg;
    const struct profile_info *in = profile_info(r->p);

    view_report_summary(f, r->p, &r->t);
    if (r->by != VIEW_BY_FUNCTION)
        return;
    if (r->no_stacks)
        fprintf(f, "# %s\n", r->no_stacks);
    else
        fprintf(f, "# guest call stacks in %" PRIu64 " of %" PRIu64 " samples (%" PRIu64
                " truncated, %" PRIu64 " beyond the dumped user stack; dumps of up to %"
                PRIu64 " bytes used)\n", in->gstack_samples, r->t.total, in->gstack_truncated,
                in->gstack_missing, in->gstack_max_dump);
}

static const struct view_doc report_doc = {
    .text_before = print_summary_text,
    .json_before = print_summary_json,
};

static int print_report(struct report *r, enum view_format format, size_t limit)
{
    bool incl = r->by == VIEW_BY_FUNCTION && r->stacks;
    size_t ncols = sizeof(sym_cols) / sizeof(sym_cols[0]);
    const struct table_col *cols = r->by == VIEW_BY_SYM ? sym_cols
                                   : view_report_columns(incl, view_report_softmmu(r->db), &ncols);
    struct table *t = table_new(cols, ncols);
    size_t n = limit && limit < r->nr_rows ? limit : r->nr_rows;

    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct row *row = &r->rows[i];

        if (r->by == VIEW_BY_SYM) {
            table_u64(t, row->sum.samples);
            view_percent(t, row->sum.samples, r->t.total);
            table_str(t, row->dso ? row->dso : "", row->dso ? strlen(row->dso) : 0);
            table_str(t, row->name, strlen(row->name));
        } else {
            view_report_row(t, r->p, &row->sum, row->guest_pc, row->key, row->name, r->t.total,
                            incl ? &row->incl : NULL, &r->hi);
        }
    }
    if (!table_ok(t)) {
        table_free(t);
        return -ENOMEM;
    }
    view_print_table(t, format, "rows", &report_doc, r);
    table_free(t);
    return 0;
}

/* --- the command ---------------------------------------------------------------------- */

/* What report's command line sets besides its inputs and sort_col. */
struct report_args {
    enum view_by by;
    enum view_format format;
    unsigned long long limit;   /* -n; 0: all rows */
    bool all;
};

/* report's own options (struct view_cmdline's own()): into the report_args at ctx. */
static int report_option(const struct view_opts *vo, void *ctx, const char *a, const char *v)
{
    struct report_args *args = ctx;

    if (!strcmp(a, "--all")) {
        args->all = true;
        return 1;
    }
    if (!v)
        return 0;
    if (!strcmp(a, "--by")) {
        if (view_by_option(vo, v, VIEW_BY_TB | VIEW_BY_FUNCTION | VIEW_BY_SYM, &args->by))
            return -1;
    } else if (!strcmp(a, "--sort")) {
        if (!parse_sort(v, &sort_col))
            return view_own_error(vo, "bad --sort: %s", v);
    } else {
        return 0;
    }
    return 2;
}

/*
 * The command line as cl says (cl->ctx is args), then the checks of the
 * options together; 0 or an exit code after the message.
 */
static int report_parse_args(struct view_cmdline *cl, int argc, char **argv,
                             const struct report_args *args)
{
    const struct view_opts *vo = &cl->v;
    int rc;

    rc = view_parse_cmdline(cl, argc, argv);
    if (rc)
        return rc;
    if (args->by != VIEW_BY_TB && (sort_col == SORT_HOST_INSNS || sort_col == SORT_HI_GI))
        return view_usage_error(vo, "--sort %s needs --by tb", sort_names[sort_col]);
    if (args->by == VIEW_BY_SYM && sort_col != SORT_SAMPLES && sort_col != SORT_DEFAULT)
        return view_usage_error(vo, "--by sym sorts by samples only%s", "");
    if (args->by != VIEW_BY_FUNCTION && (sort_col == SORT_SELF || sort_col == SORT_CHILDREN))
        return view_usage_error(vo, "--sort %s needs --by function", sort_names[sort_col]);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct report_args a = { .by = VIEW_BY_TB, .format = VIEW_TEXT };
    struct view_cmdline cl = {
        .v = { .cmd = "report", .usage = cmd_report_usage }, .take_run = true,
        .limit = &a.limit, .format = &a.format, .csv = true, .own = report_option, .ctx = &a,
    };
    struct report r = { .by = VIEW_BY_TB };
    int rc, ret = TBSYM_EXIT_OK;

    sort_col = SORT_DEFAULT;
    rc = report_parse_args(&cl, argc, argv, &a);
    if (rc)
        return rc;
    r.by = a.by;

    cl.po.kernel_symbols = r.by == VIEW_BY_SYM;
    ret = view_cmdline_open(&cl, &r.p);
    if (ret)
        goto out;
    r.db = profile_tbdb(r.p);
    view_host_insns_open(&r.hi, r.db);
    rc = tally_init(&r.t, r.db);
    if (rc == 0 && r.by == VIEW_BY_FUNCTION)
        rc = gstack_view_new(r.p, &r.gv);
    if (rc < 0)
        goto done;
    rc = profile_run(r.p, on_sample, &r);
    if (rc < 0)
        goto done;
    if (r.by == VIEW_BY_FUNCTION) {
        r.no_stacks = gstack_missing_reason(profile_info(r.p), r.no_stacks_buf,
                                            sizeof(r.no_stacks_buf));
        r.stacks = !r.no_stacks;
        if (r.no_stacks && a.format == VIEW_CSV)
            fprintf(stderr, "tbsym report: %s\n", r.no_stacks);
    }
    if (sort_col == SORT_DEFAULT)
        sort_col = r.stacks ? SORT_CHILDREN : SORT_SAMPLES;
    if (r.by == VIEW_BY_TB)
        rc = rows_by_tb(&r, a.all);
    else if (r.by == VIEW_BY_FUNCTION)
        rc = rows_by_function(&r, a.all);
    if (rc < 0)
        goto done;
    view_profile_warn(r.p);
    qsort(r.rows, r.nr_rows, sizeof(r.rows[0]), cmp_rows);
    rc = print_report(&r, a.format, (size_t)a.limit);
done:
    ret = view_profile_done(r.p, rc);
out:
    for (size_t i = 0; i < r.nr_rows; i++)
        free(r.rows[i].name);
    free(r.rows);
    str_index_clear(&r.index);
    free(r.children);
    free(r.self);
    free(r.stamp);
    gstack_view_free(r.gv);
    view_host_insns_close(&r.hi);
    tally_release(&r.t);
    profile_close(r.p);
    return ret;
}
