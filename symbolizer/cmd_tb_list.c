/*
 * cmd_tb_list.c: "tbsym tb-list", one row per statistics key of a run.
 *
 * Columns: the key's stats_id and guest PC, its counters (tbstats-format.h),
 * derived ratios (lib/tbdb.h) and its name: the jitdump CODE_LOAD name of
 * its latest translation, else guest-0xPC.  Sorted by a chosen column,
 * highest first, ties by stats_id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "keys.h"
#include "table.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_tb_list_usage[] =
    "usage: tbsym tb-list [RUN] [--sort KEY] [-n N] [--format text|json|csv]\n"
    "                     [--dir DIR [--pid PID] | --tbstats FILE [--jitdump FILE]]\n"
    "\n"
    "One row per TBStatistics key (guest_pc, cs_base, flags, phys_pc) of a run:\n"
    "  id            stats_id (tbsym tb ID shows the key)\n"
    "  guest_pc      the key's guest address\n"
    "  exec_count    executions of its translations\n"
    "  guest_insns   guest instructions translated, summed over translations\n"
    "  insns_exec    guest instructions executed\n"
    "  cov%          insns_exec as a share of all keys' insns_exec\n"
    "  host_bytes    host code generated, summed over translations\n"
    "  h/g           host_bytes / guest bytes translated\n"
    "  h/insn        host_bytes / guest_insns (what QEMU's \"info tb\" calls h/g)\n"
    "  host_insns    host instructions of the latest translation: capstone on the\n"
    "                jitdump's code, from its start to the last guest instruction's\n"
    "                host code (out-of-line slow paths not counted); - without\n"
    "                the jitdump (a side file alone)\n"
    "  hi/gi         host_insns / guest instructions of that translation\n"
    "  spills, ops, ops_opt   register spills, TCG ops before and after optimisation\n"
    "  translations  times the key was translated\n"
    "  xlate_ns      translation time (gen + opt + liveness + code generation)\n"
    "  name          the jitdump's name of its latest translation, else guest-0xPC\n"
    "Files without STATS records (-tb-stats none, a .part file) list their keys\n"
    "with zero counters.\n"
    "  --sort KEY    hotness (exec_count, default), hg (h/g), spills, insns\n"
    "                (insns_exec, cov%), translations, time (xlate_ns),\n"
    "                host_insns, hi/gi: highest first (keys without a count\n"
    "                last); the names in parentheses work too\n"
    "  -n N          only the first N rows\n"
    RUN_ARG_USAGE
    VIEW_USAGE_RUN_OPTIONS
    "\n"
    RUN_ARG_USAGE_EXIT;

enum tb_list_sort {
    SORT_HOTNESS, SORT_HG, SORT_SPILLS, SORT_INSNS, SORT_TRANSLATIONS, SORT_TIME,
    SORT_HOST_INSNS, SORT_HI_GI,
};

static enum tb_list_sort sort_by;

/* The --sort keys: each name (several name one order) and its order. */
static const struct {
    const char *name;
    enum tb_list_sort sort;
} sort_keys[] = {
    { "hotness", SORT_HOTNESS }, { "exec_count", SORT_HOTNESS },
    { "hg", SORT_HG }, { "h/g", SORT_HG },
    { "spills", SORT_SPILLS },
    { "insns", SORT_INSNS }, { "insns_exec", SORT_INSNS }, { "cov%", SORT_INSNS },
    { "translations", SORT_TRANSLATIONS },
    { "time", SORT_TIME }, { "xlate_ns", SORT_TIME },
    { "host_insns", SORT_HOST_INSNS },
    { "hi/gi", SORT_HI_GI },
};

/* The order the --sort key name names, into *sort; false if none. */
static bool parse_sort_key(const char *name, enum tb_list_sort *sort)
{
    for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++) {
        if (!strcmp(name, sort_keys[i].name)) {
            *sort = sort_keys[i].sort;
            return true;
        }
    }
    return false;
}

/* For SORT_HOST_INSNS, SORT_HI_GI: one key and its counted value. */
struct counted_key {
    const struct tbdb_key *k;
    double v;                  /* host_insns or hi/gi; -1: none */
};

#define CMP_DESC(a, b) do { if ((a) != (b)) return (a) > (b) ? -1 : 1; } while (0)

static int cmp_counted(const void *pa, const void *pb)
{
    const struct counted_key *a = pa, *b = pb;

    CMP_DESC(a->v, b->v);
    return (a->k->stats_id > b->k->stats_id) - (a->k->stats_id < b->k->stats_id);
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct tbdb_key *a = *(const struct tbdb_key *const *)pa;
    const struct tbdb_key *b = *(const struct tbdb_key *const *)pb;

    switch (sort_by) {
    case SORT_HOST_INSNS:
    case SORT_HI_GI:        break;      /* cmp_counted() */
    case SORT_HOTNESS:      CMP_DESC(a->exec_count, b->exec_count); break;
    case SORT_HG:           CMP_DESC(a->hg_ratio, b->hg_ratio); break;
    case SORT_SPILLS:       CMP_DESC(a->spills, b->spills); break;
    case SORT_INSNS:        CMP_DESC(a->insns_executed, b->insns_executed); break;
    case SORT_TRANSLATIONS: CMP_DESC(a->translations, b->translations); break;
    case SORT_TIME:         CMP_DESC(view_key_xlate_ns(a), view_key_xlate_ns(b)); break;
    }
    return (a->stats_id > b->stats_id) - (a->stats_id < b->stats_id);
}

/*
 * Sort rows by host_insns or hi/gi: counted once per key here (a linear
 * disassembly each), not in the comparison.  0 or -ENOMEM.
 */
static int sort_counted(const struct tbdb_key **rows, size_t n, struct view_host_insns *hi)
{
    struct counted_key *c = malloc((n ? n : 1) * sizeof(*c));

    if (!c)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int64_t h = view_host_insns_count(hi, rows[i]->latest);

        c[i].k = rows[i];
        c[i].v = h < 0 ? -1 : sort_by == SORT_HOST_INSNS ? (double)h
                 : (double)h / (double)rows[i]->latest->icount;
    }
    qsort(c, n, sizeof(*c), cmp_counted);
    for (size_t i = 0; i < n; i++)
        rows[i] = c[i].k;
    free(c);
    return 0;
}

static void print_note(void *arg, FILE *f)
{
    const struct tbdb *db = arg;

    if (!db->have_counters)
        fprintf(f, "# %s has no STATS records: keys from TB records, counters are 0\n",
                db->tbstats_path);
    view_run_notes(f, db);
}

static void print_run(void *arg, struct out *o)
{
    const struct tbdb *db = arg;

    out_object_begin(o, "run", NULL);
    out_u64(o, "pid", db->header.pid);
    out_u64(o, "keys", db->nr_keys);
    out_u64(o, "translations", db->nr_tb_records);
    out_u64(o, "total_exec_count", db->total_exec_count);
    out_u64(o, "total_insns_executed", db->total_insns_executed);
    out_flag(o, "counters", db->have_counters);
    view_run_notes_json(o, db);
    out_object_end(o);
}

static const struct view_doc tb_list_doc = {
    .text_before = print_note,
    .json_before = print_run,
};

/* tb-list's own options (struct view_single's own()): -n into the size_t at ctx, --sort. */
static int tb_list_option(struct view_opts *v, void *ctx, int argc, char **argv, int *i)
{
    const char *val;
    unsigned long long n;
    int r = view_take_value(v, "-n", argc, argv, i, &val);

    if (r > 0) {
        if (view_output_option(v, "-n", val, &n, false, NULL) < 0)
            return -1;
        *(size_t *)ctx = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
        return 1;
    }
    if (r == 0)
        r = view_take_value(v, "--sort", argc, argv, i, &val);
    if (r > 0 && !parse_sort_key(val, &sort_by)) {
        view_bad_value(v, "--sort", val, NULL);
        return -1;
    }
    return r;
}

int cmd_tb_list(int argc, char **argv)
{
    struct view_opts v = { .cmd = "tb-list", .usage = cmd_tb_list_usage };
    size_t limit = SIZE_MAX;
    const struct view_single cl = { NULL, NULL, tb_list_option, &limit };
    struct view_key_list l = { .rows = NULL };
    struct tbdb *db = NULL;
    int rc;

    sort_by = SORT_HOTNESS;
    rc = view_parse_single(&v, &cl, argc, argv, NULL);
    if (rc)
        return rc;

    rc = view_open(&v, &db);
    if (rc)
        return rc;
    rc = view_key_list_open(&l, db);
    if (rc)
        goto out;
    if (sort_by == SORT_HOST_INSNS || sort_by == SORT_HI_GI)
        rc = sort_counted(l.rows, db->nr_keys, &l.hi);
    else
        qsort(l.rows, db->nr_keys, sizeof(*l.rows), cmp_rows);
    if (rc) {
        rc = tbsym_out_of_memory();
        goto out;
    }
    for (size_t i = 0; i < db->nr_keys && i < limit; i++)
        view_key_list_add(&l, i);
    rc = view_key_list_print(&l, v.format, &tb_list_doc, db);
out:
    view_key_list_close(&l);
    tbdb_close(db);
    return rc;
}
