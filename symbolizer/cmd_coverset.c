/*
 * cmd_coverset.c: "tbsym coverset PCT", the smallest set of keys whose
 * executed guest instructions cover PCT % of all executed ones, as the
 * TBStatistics series' "info coverset" chose it: keys by insns_executed,
 * highest first, until the running sum reaches PCT % of the total.
 */
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "keys.h"
#include "table.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_coverset_usage[] =
    "usage: tbsym coverset [RUN] PCT [--format text|json|csv]\n"
    "                      [--dir DIR [--pid PID] | --tbstats FILE [--jitdump FILE]]\n"
    "\n"
    "The fewest keys, hottest first by guest instructions executed, that cover\n"
    "PCT % (0 < PCT <= 100, up to two decimals) of all executed guest\n"
    "instructions; one row per key with tb-list's columns (see tbsym help\n"
    "tb-list), then a summary.  Needs execution counts (-tb-stats\n"
    "exec or all; -perf alone counts translations only).\n"
    RUN_ARG_USAGE
    VIEW_USAGE_RUN_OPTIONS
    "\n"
    RUN_ARG_USAGE_EXIT;

static int cmp_insns(const void *pa, const void *pb)
{
    const struct tbdb_key *a = *(const struct tbdb_key *const *)pa;
    const struct tbdb_key *b = *(const struct tbdb_key *const *)pb;

    if (a->insns_executed != b->insns_executed)
        return a->insns_executed > b->insns_executed ? -1 : 1;
    return (a->stats_id > b->stats_id) - (a->stats_id < b->stats_id);
}

/* "90", "99.5", "12.25" as hundredths of a percent; -1 if not in (0, 100]. */
static long parse_pct(const char *s)
{
    long whole = 0, frac = 0;
    int digits = 0;

    if (!*s)
        return -1;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((whole = whole * 10 + (*s - '0')) > 100)
            return -1;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++) {
            if (++digits > 2)
                return -1;
            frac = frac * 10 + (*s - '0');
        }
        if (digits == 1)
            frac *= 10;
    }
    if (*s || whole * 100 + frac == 0 || whole * 100 + frac > 10000)
        return -1;
    return whole * 100 + frac;
}

static bool looks_like_pct(const char *s)
{
    return parse_pct(s) >= 0;
}

/* What the summary after the rows says. */
struct coverset_sum {
    const struct tbdb *db;
    const char *pct_arg;
    long pct;
    size_t n;
    uint64_t covered;
};

static void print_sum_text(void *arg, FILE *f)
{
    const struct coverset_sum *c = arg;
    char covered_pct[48], keys_pct[48];

    view_percent_str(covered_pct, sizeof(covered_pct), c->covered, c->db->total_insns_executed);
    view_percent_str(keys_pct, sizeof(keys_pct), c->n, c->db->nr_keys);
    fprintf(f, "coverset %s%%: %zu of %zu keys (%s%%) cover %llu of %llu executed guest "
            "instructions (%s%%)\n", c->pct_arg, c->n, c->db->nr_keys, keys_pct,
            (unsigned long long)c->covered, (unsigned long long)c->db->total_insns_executed,
            covered_pct);
}

static void print_sum_json(void *arg, struct out *o)
{
    const struct coverset_sum *c = arg;
    uint64_t covered = c->covered, total = c->db->total_insns_executed;

    out_object_begin(o, "summary", NULL);
    out_ratio(o, "target_pct", c->pct, 100);
    out_u64(o, "keys", c->n);
    out_u64(o, "total_keys", c->db->nr_keys);
    out_u64(o, "insns_executed", covered);
    out_u64(o, "total_insns_executed", total);
    out_percent(o, "covered_pct", covered, total);
    out_object_end(o);
}

static const struct view_doc coverset_doc = {
    .text_after = print_sum_text,
    .json_after = print_sum_json,
};

int cmd_coverset(int argc, char **argv)
{
    struct view_opts v = { .cmd = "coverset", .usage = cmd_coverset_usage };
    const struct view_single cl = { looks_like_pct, "no PCT given", NULL, NULL };
    struct view_key_list l = { .rows = NULL };
    const char *pct_arg = NULL;
    struct tbdb *db = NULL;
    unsigned __int128 cum = 0, target;
    uint64_t covered;
    struct coverset_sum sum;
    size_t n = 0;
    long pct;
    int rc;

    rc = view_parse_single(&v, &cl, argc, argv, &pct_arg);
    if (rc)
        return rc;
    pct = parse_pct(pct_arg);
    if (pct < 0)
        return view_usage_error(&v, "bad PCT '%s' (0 < PCT <= 100, two decimals at most)",
                                pct_arg);

    rc = view_open(&v, &db);
    if (rc)
        return rc;
    if (!db->total_insns_executed) {
        fprintf(stderr, "tbsym: %s: no executed instructions counted (run QEMU with "
                "-tb-stats exec or all)\n", db->tbstats_path);
        rc = TBSYM_EXIT_INPUT;
        goto out;
    }
    rc = view_key_list_open(&l, db);
    if (rc)
        goto out;
    qsort(l.rows, db->nr_keys, sizeof(*l.rows), cmp_insns);
    /* cum / total >= pct / 10000, in integers. */
    target = (unsigned __int128)db->total_insns_executed * pct;
    while (n < db->nr_keys && cum * 10000 < target) {
        view_key_list_add(&l, n);
        cum += l.rows[n]->insns_executed;
        n++;
    }
    covered = cum > UINT64_MAX ? UINT64_MAX : (uint64_t)cum;
    sum = (struct coverset_sum){ db, pct_arg, pct, n, covered };
    rc = view_key_list_print(&l, v.format, &coverset_doc, &sum);
out:
    view_key_list_close(&l);
    tbdb_close(db);
    return rc;
}
