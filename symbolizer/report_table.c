/*
 * report_table.c: tbsym report's TB table, which tbsym html shows too:
 * columns, rows, summary (see report_table.h).
 */
#include <inttypes.h>
#include <string.h>

#include "guestsym.h"
#include "keys.h"
#include "report_table.h"

const char *view_tb_name(struct profile *p, const struct tbdb_tb *tb, char *buf, size_t size)
{
    struct guestsym *gs;
    const struct guestsym_loc *loc;

    if (tb->have_load)
        return tb->name;
    gs = profile_guestsym(p);
    if (gs && guestsym_lookup_flags(gs, tb->guest_pc, GUESTSYM_NO_SOURCE, &loc) == 0 &&
        loc->mapped && loc->name)
        return loc->name;
    guestsym_unmapped_name(buf, size, tb->guest_pc, tb->privilege);
    return buf;
}

/* The columns after guest_pc (and the inclusive ones) in every list: SOFTMMU is empty or one. */
#define REPORT_COLS_TAIL(SOFTMMU) \
    { "samples", false }, { "%", false }, { "helper_samples", false }, SOFTMMU \
    { "exec_count", false }, { "spm", false }, { "guest_insns", false }, { "cov%", false }, \
    { "host_bytes", false }, { "h/g", false }, { "host_insns", false }, { "hi/gi", false }, \
    { "spills", false }, { "ops", false }, \
    { "ops_opt", false }, { "translations", false }, { "xlate_ns", false }, \
    { "symbol", true }, { "source", true }
#define REPORT_COLS_INCL \
    { "children", false }, { "children%", false }, { "self", false }, { "self%", false },
#define REPORT_COL_SOFTMMU { "softmmu_samples", false },

static const struct table_col cols[] = {
    { "guest_pc", false }, REPORT_COLS_TAIL(),
};
static const struct table_col cols_incl[] = {
    { "guest_pc", false }, REPORT_COLS_INCL REPORT_COLS_TAIL(),
};
static const struct table_col cols_softmmu[] = {
    { "guest_pc", false }, REPORT_COLS_TAIL(REPORT_COL_SOFTMMU),
};
static const struct table_col cols_incl_softmmu[] = {
    { "guest_pc", false }, REPORT_COLS_INCL REPORT_COLS_TAIL(REPORT_COL_SOFTMMU),
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

const struct table_col *view_report_columns(bool incl, bool softmmu, size_t *ncols)
{
    if (incl) {
        *ncols = softmmu ? NCOLS(cols_incl_softmmu) : NCOLS(cols_incl);
        return softmmu ? cols_incl_softmmu : cols_incl;
    }
    *ncols = softmmu ? NCOLS(cols_softmmu) : NCOLS(cols);
    return softmmu ? cols_softmmu : cols;
}

bool view_report_softmmu(const struct tbdb *db)
{
    return db->header.flags & TBS_FLAG_SYSTEM;
}

/* "file:line" of the guest PC's source, basename only; "" when unknown. */
static void source_of(struct profile *p, uint64_t pc, char *buf, size_t size)
{
    struct guestsym *gs = profile_guestsym(p);
    const struct guestsym_loc *loc;
    const char *f;

    buf[0] = '\0';
    if (!gs || guestsym_lookup_flags(gs, pc, 0, &loc) < 0 || !loc->src_file || !loc->src_line)
        return;
    f = strrchr(loc->src_file, '/');
    snprintf(buf, size, "%s:%d", f ? f + 1 : loc->src_file, loc->src_line);
}

void view_report_row(struct table *t, struct profile *p, const struct tally_sums *sum,
                     uint64_t guest_pc, const struct tbdb_key *key, const char *name,
                     uint64_t total, const struct view_inclusive *incl,
                     struct view_host_insns *hi)
{
    const struct tbdb *db = profile_tbdb(p);
    char buf[64], src[512];

    table_hex(t, guest_pc);
    if (incl) {
        table_u64(t, incl->children);
        view_percent(t, incl->children, total);
        table_u64(t, incl->self);
        view_percent(t, incl->self, total);
    }
    table_u64(t, sum->samples);
    view_percent(t, sum->samples, total);
    table_u64(t, sum->helper);
    if (view_report_softmmu(db))
        table_u64(t, sum->softmmu);
    table_u64(t, sum->exec_count);
    table_ratio(t, sum->samples * 1000000ull, sum->exec_count);
    table_u64(t, sum->guest_insns);
    view_percent(t, sum->insns_executed, db->total_insns_executed);
    table_u64(t, sum->host_bytes);
    table_ratio(t, sum->host_bytes, sum->guest_bytes);
    view_host_insns_cells(t, hi, key);
    table_u64(t, sum->spills);
    table_u64(t, sum->ops);
    table_u64(t, sum->ops_opt);
    table_u64(t, sum->translations);
    table_u64(t, sum->time_ns);
    if (key) {
        name = key->latest ? view_tb_name(p, key->latest, buf, sizeof(buf)) : NULL;
        name = guestsym_load_name(profile_guestsym(p), guest_pc, name);
        if (!name) {
            guestsym_unmapped_name(buf, sizeof(buf), guest_pc, key->privilege);
            name = buf;
        }
    }
    table_str(t, name, strlen(name));
    source_of(p, guest_pc, src, sizeof(src));
    table_str(t, src, strlen(src));
}

void view_report_summary(FILE *f, struct profile *p, const struct tally *t)
{
    const struct profile_info *in = profile_info(p);
    const uint64_t total = t->total, *by_class = t->by_class;
    static const char *const chains[] = { "none", "frame pointers (-g)", "dwarf (libunwind)" };
    char pct[32];

    fprintf(f, "# %s: %s input, QEMU pid %" PRIu32 ", %zu code loads%s\n", in->perf_data,
            in->injected ? "perf inject -j" : "raw", in->pid, in->nr_code_loads,
            in->injected ? " (jitted-*.so)" : "");
    fprintf(f, "# side file %s%s%s\n", in->tbstats, in->jitdump ? ", jitdump " : "",
            in->jitdump ? in->jitdump : "");
    fprintf(f, "# %" PRIu64 " samples of %s%s, call chains: %s\n", total,
            in->event ? in->event : "?",
            in->event && !strcmp(in->event, "cpu-clock") ? " (no hardware cycles counter)" : "",
            chains[in->chains]);
    fputs("#", f);
    for (int c = 0; c < PROFILE_OTHER; c++)
        fprintf(f, " %s %s%%%s", profile_class_name(c),
                view_percent_str(pct, sizeof(pct), by_class[c], total),
                c + 1 < PROFILE_OTHER ? "," : "");
    fputs("\n", f);
    if (view_report_softmmu(profile_tbdb(p)))
        fprintf(f, "# softmmu %s%%: %" PRIu64 " helper samples in the software MMU (TLB misses, "
                "page walks, MMIO), %" PRIu64 " of them charged to TBs\n",
                view_percent_str(pct, sizeof(pct), t->softmmu, total), t->softmmu,
                t->softmmu_charged);
    view_run_notes(f, profile_tbdb(p));
}
