/*
 * keys.c: a run's keys: found by argument, named, and as tb-list's rows (see
 * keys.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guestsym.h"
#include "keys.h"
#include "tbsym.h"
#include "view_opts.h"

enum key_arg view_key_arg(const char *s, uint32_t *id, uint64_t *pc)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    unsigned long long v;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        /* strspn first: strtoull would take a sign or blanks after 0x. */
        if (!s[2] || strspn(s + 2, hex) != strlen(s + 2))
            return KEY_ARG_BAD;
        errno = 0;
        v = strtoull(s + 2, NULL, 16);
        if (errno)
            return KEY_ARG_BAD;
        *pc = v;
        return KEY_ARG_PC;
    }
    if (!s[0] || strspn(s, "0123456789") != strlen(s))
        return KEY_ARG_OTHER;
    errno = 0;
    v = strtoull(s, NULL, 10);
    if (errno || v > UINT32_MAX)
        return KEY_ARG_BAD;
    *id = (uint32_t)v;
    return KEY_ARG_ID;
}

bool view_looks_like_key(const char *s)
{
    uint32_t id;
    uint64_t pc;

    return view_key_arg(s, &id, &pc) != KEY_ARG_OTHER;
}

const struct tbdb_key *view_find_key(const struct view_opts *v, const struct tbdb *db,
                                     const char *arg)
{
    const struct tbdb_key *k;
    uint32_t id = 0;
    uint64_t pc = 0;

    switch (view_key_arg(arg, &id, &pc)) {
    case KEY_ARG_PC:
        k = tbdb_key_by_pc(db, pc);
        break;
    case KEY_ARG_ID:
        k = tbdb_key_by_id(db, id);
        break;
    default:
        view_usage_error(v, "'%s' is neither a stats_id nor 0xGUESTPC", arg);
        return NULL;
    }
    if (!k)
        fprintf(stderr, "tbsym: %s: no key %s %s\n", db->tbstats_path,
                arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X') ? "at guest_pc" : "with stats_id",
                arg);
    return k;
}

const char *view_key_name(const struct tbdb_key *k, char *buf, size_t size, size_t *lenp)
{
    if (k->latest && k->latest->have_load) {
        *lenp = k->latest->name_len;
        return k->latest->name;
    }
    guestsym_unmapped_name(buf, size, k->guest_pc, k->privilege);
    *lenp = strlen(buf);
    return buf;
}

uint64_t view_key_xlate_ns(const struct tbdb_key *k)
{
    uint64_t t = k->time_gen_ns, parts[] = { k->time_opt_ns, k->time_la_ns, k->time_code_ns };

    for (size_t i = 0; i < 3; i++)
        t = __builtin_add_overflow(t, parts[i], &t) ? UINT64_MAX : t;
    return t;
}

static const struct table_col tb_list_cols[] = {
    { "id", false }, { "guest_pc", false }, { "exec_count", false }, { "guest_insns", false },
    { "insns_exec", false }, { "cov%", false }, { "host_bytes", false }, { "h/g", false },
    { "h/insn", false }, { "host_insns", false }, { "hi/gi", false }, { "spills", false }, { "ops", false }, { "ops_opt", false },
    { "translations", false }, { "xlate_ns", false }, { "name", true },
};

/* One key as a row of tb-list's table; hi counts host_insns. */
static void key_row(struct table *t, const struct tbdb *db, const struct tbdb_key *k,
                    struct view_host_insns *hi)
{
    char buf[32];
    const char *name;
    size_t len;

    table_u64(t, k->stats_id);
    table_hex(t, k->guest_pc);
    table_u64(t, k->exec_count);
    table_u64(t, k->guest_insns);
    table_u64(t, k->insns_executed);
    view_percent(t, k->insns_executed, db->total_insns_executed);
    table_u64(t, k->host_bytes);
    table_ratio(t, k->host_bytes, k->guest_bytes);
    table_ratio(t, k->host_bytes, k->guest_insns);
    view_host_insns_cells(t, hi, k);
    table_u64(t, k->spills);
    table_u64(t, k->ops);
    table_u64(t, k->ops_opt);
    table_u64(t, k->translations);
    table_u64(t, view_key_xlate_ns(k));
    name = view_key_name(k, buf, sizeof(buf), &len);
    table_str(t, name, len);
}

int view_key_list_open(struct view_key_list *l, const struct tbdb *db)
{
    l->db = db;
    l->rows = malloc((db->nr_keys ? db->nr_keys : 1) * sizeof(*l->rows));
    l->t = table_new(tb_list_cols, sizeof(tb_list_cols) / sizeof(tb_list_cols[0]));
    view_host_insns_open(&l->hi, db);
    if (!l->rows || !l->t)
        return tbsym_out_of_memory();
    for (size_t i = 0; i < db->nr_keys; i++)
        l->rows[i] = &db->keys[i];
    return 0;
}

void view_key_list_add(struct view_key_list *l, size_t i)
{
    key_row(l->t, l->db, l->rows[i], &l->hi);
}

int view_key_list_print(const struct view_key_list *l, enum view_format format,
                        const struct view_doc *doc, void *arg)
{
    if (!table_ok(l->t))
        return tbsym_out_of_memory();
    view_print_table(l->t, format, "keys", doc, arg);
    return tbsym_finish_stdout(TBSYM_EXIT_OK);
}

void view_key_list_close(struct view_key_list *l)
{
    view_host_insns_close(&l->hi);
    table_free(l->t);
    free(l->rows);
}

void view_run_notes(FILE *f, const struct tbdb *db)
{
    if (db->snapshot)
        fprintf(f, "# %s is a snapshot of a running QEMU (tb-stats write): its counters are "
                "the statistics so far\n", db->tbstats_path);
    if (!(db->header.flags & TBS_FLAG_SYSTEM) || !db->have_end)
        return;
    if (db->have_tlb_flushes)
        fprintf(f, "# TLB flushes: %" PRIu64 " full, %" PRIu64 " partial, %" PRIu64 " elided\n",
                db->tlb_flush_full, db->tlb_flush_part, db->tlb_flush_elided);
    else
        fprintf(f, "# TLB flushes: not in the side file (its QEMU predates the counts)\n");
}

void view_run_notes_json(struct out *o, const struct tbdb *db)
{
    if (db->snapshot)
        out_flag(o, "snapshot", true);
    if (!(db->header.flags & TBS_FLAG_SYSTEM) || !db->have_tlb_flushes)
        return;
    out_object_begin(o, "tlb_flushes", NULL);
    out_u64(o, "full", db->tlb_flush_full);
    out_u64(o, "partial", db->tlb_flush_part);
    out_u64(o, "elided", db->tlb_flush_elided);
    out_object_end(o);
}
