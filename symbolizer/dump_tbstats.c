/*
 * dump_tbstats.c: tbsym dump of a side file (jit-PID.tbstats,
 * lib/tbstats.h): its header, every record, the counts per record type and
 * the totals of its STATS records (see dump.h).
 */
#include <inttypes.h>
#include <string.h>

#include "dump.h"
#include "tbstats.h"

bool dump_tbstats_probe(const unsigned char *head, size_t len)
{
    /* TBS_MAGIC as a little-endian and as a big-endian writer stores it. */
    return len >= 4 && (!memcmp(head, "QTBS", 4) || !memcmp(head, "SBTQ", 4));
}

static const struct {
    uint32_t flag;
    const char *name;
} tbstats_flag_names[] = {
    { TBS_FLAG_GUEST_BIG_ENDIAN, "GUEST_BIG_ENDIAN" },
    { TBS_FLAG_GUEST_LISTING,    "GUEST_LISTING" },
    { TBS_FLAG_STATS,            "STATS" },
    { TBS_FLAG_STATS_JIT,        "STATS_JIT" },
    { TBS_FLAG_STATS_EXEC,       "STATS_EXEC" },
    { TBS_FLAG_STATS_TIME,       "STATS_TIME" },
    { TBS_FLAG_NO_TB_RECORDS,    "NO_TB_RECORDS" },
    { TBS_FLAG_SHADOW_STACK,     "SHADOW_STACK" },
    { TBS_FLAG_SYSTEM,           "SYSTEM" },
};

static void dump_tbstats_header(struct out *o, const struct tbs_header *h)
{
    uint32_t unknown = h->flags;

    out_object_begin(o, "header", "header");
    out_word(o, "format", "tbstats");
    out_u64(o, "version_major", h->version_major);
    out_u64(o, "version_minor", h->version_minor);
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "header_size", h->header_size);
    out_u64(o, "pid", h->pid);
    out_u64(o, "timestamp", h->timestamp);
    out_u64(o, "guest_machine", h->guest_machine);
    out_word(o, "guest", dump_elf_machine_name(h->guest_machine));
    out_u64(o, "host_machine", h->host_machine);
    out_word(o, "host", dump_elf_machine_name(h->host_machine));
    out_hex(o, "flags", h->flags);
    out_array_begin(o, "flag_names");
    for (size_t i = 0; i < sizeof(tbstats_flag_names) / sizeof(tbstats_flag_names[0]); i++)
        if (h->flags & tbstats_flag_names[i].flag) {
            out_word(o, NULL, tbstats_flag_names[i].name);
            unknown &= ~tbstats_flag_names[i].flag;
        }
    if (unknown) {
        /* A newer writer's flags: shown, as a number, rather than dropped. */
        char hex[16];

        snprintf(hex, sizeof(hex), "0x%x", unknown);
        out_word(o, NULL, hex);
    }
    out_array_end(o);
    out_u64(o, "guest_page_size", h->guest_page_size);
    out_u64(o, "guest_addr_bits", h->guest_addr_bits);
    out_str(o, "guest_arch", h->guest_arch, strlen(h->guest_arch));
    out_str(o, "qemu_version", h->qemu_version, strlen(h->qemu_version));
    out_object_end(o);
}

static void dump_tbstats_mapping(struct out *o, const struct tbs_mapping_view *m)
{
    out_u64(o, "timestamp", m->timestamp);
    out_hex(o, "start", m->start);
    out_hex(o, "end", m->end);
    out_hex(o, "file_offset", m->offset);     /* "offset" is the record's */
    out_hex(o, "bias", m->bias);
    out_hex(o, "prot", m->prot);
    out_u64(o, "kind", m->kind);      /* TBS_MAPPING_*: 0 ELF, 1 symbol list */
    if (m->build_id_size) {
        char hex[2 * 20 + 1];

        for (unsigned i = 0; i < m->build_id_size; i++)
            snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
        out_word(o, "build_id", hex);
    }
    out_str(o, "path", m->path, m->path_len);
}

/*
 * A TB's instruction arrays are summarised, not listed (up to 65535 each):
 * the first and last guest instruction and where the last one's host code
 * ends (host code after it, up to host_size, is out-of-line code).
 */
static void dump_tbstats_tb(struct out *o, const struct tbs_tb_view *tb)
{
    out_u64(o, "timestamp", tb->timestamp);
    out_u64(o, "code_index", tb->code_index);
    out_hex(o, "host_addr", tb->host_addr);
    out_u64(o, "host_size", tb->host_size);
    out_hex(o, "guest_pc", tb->guest_pc);
    out_hex(o, "cs_base", tb->cs_base);
    out_hex(o, "phys_pc", tb->phys_pc);
    out_hex(o, "flags", tb->flags);
    out_hex(o, "cflags", tb->cflags);
    out_u64(o, "privilege", tb->privilege);   /* TBS_PRIV_*: 0 none, 1 user, 2 supervisor */
    out_u64(o, "guest_size", tb->guest_size);
    out_u64(o, "guest_code_size", tb->guest_code_size);
    out_u64(o, "listing_line", tb->listing_line);
    out_u64(o, "stats_id", tb->stats_id);
    out_u64(o, "icount", tb->icount);
    if (tb->icount) {
        out_hex(o, "first_insn_pc", tbs_tb_insn_pc(tb, 0));
        out_hex(o, "last_insn_pc", tbs_tb_insn_pc(tb, tb->icount - 1));
        out_u64(o, "last_host_end", tbs_tb_host_end(tb, tb->icount - 1));
    }
}

static void dump_tbstats_stats(struct out *o, const struct tbs_stats_view *st)
{
    out_u64(o, "stats_id", st->stats_id);
    out_hex(o, "guest_pc", st->guest_pc);
    out_hex(o, "cs_base", st->cs_base);
    out_hex(o, "phys_pc", st->phys_pc);
    out_hex(o, "flags", st->flags);
    /*
     * Every counter; after host_bytes, host code bytes per guest
     * instruction, as QEMU's "info tb" shows it.
     */
#define X(name, bits, level) \
    out_u64(o, #name, st->name); \
    if (TBS_STATS_C_##name == TBS_STATS_C_host_bytes && st->guest_insns) \
        out_ratio(o, "h/insn", st->host_bytes, st->guest_insns);
    TBS_STATS_COUNTERS(X)
#undef X
    out_u64(o, "nr_succ", st->nr_succ);
    out_u64(o, "succ_dropped", st->succ_dropped);
    out_array_begin(o, "succ_pc");
    for (uint32_t i = 0; i < st->nr_succ; i++)
        out_hex(o, NULL, tbs_stats_succ_pc(st, i));
    out_array_end(o);
}

/*
 * A TB_IR record: its key and both listings, whole (text: as a quoted
 * string with \n escapes, one record one line).
 */
static void dump_tbstats_tb_ir(struct out *o, const struct tbs_tb_ir_view *ir)
{
    out_u64(o, "timestamp", ir->timestamp);
    out_u64(o, "code_index", ir->code_index);
    out_flag(o, "retranslated", ir->code_index == TBS_IR_RETRANSLATED);
    out_hex(o, "guest_pc", ir->guest_pc);
    out_hex(o, "cs_base", ir->cs_base);
    out_hex(o, "flags", ir->flags);
    out_u64(o, "stats_id", ir->stats_id);
    out_u64(o, "ops_len", ir->ops_len);
    out_u64(o, "ops_opt_len", ir->ops_opt_len);
    out_str(o, "ops", ir->ops, ir->ops_len);
    out_str(o, "ops_opt", ir->ops_opt, ir->ops_opt_len);
}

/*
 * END: end_flags and the TLB flush counts only where the record has them
 * (not in the 40-byte record of older writers, which had no place for them).
 */
static void dump_tbstats_end(struct out *o, const struct tbs_end_view *e)
{
    out_u64(o, "timestamp", e->timestamp);
    out_i64(o, "exit_code", e->exit_code);
    out_u64(o, "nr_tbs", e->nr_tbs);
    out_u64(o, "nr_flushes", e->nr_flushes);
    if (e->no_tlb)
        return;
    out_hex(o, "end_flags", e->end_flags);
    out_flag(o, "snapshot", e->end_flags & TBS_END_SNAPSHOT);
    out_u64(o, "tlb_flush_full", e->tlb_flush_full);
    out_u64(o, "tlb_flush_part", e->tlb_flush_part);
    out_u64(o, "tlb_flush_elided", e->tlb_flush_elided);
}

/* The highest record type this dump knows. */
#define TBS_REC_LAST TBS_REC_TB_IR

/* What the summary adds up over a side file's records. */
struct tbstats_totals {
    uint64_t counts[TBS_REC_LAST + 1];      /* by known type */
    uint64_t unknown;
    uint64_t executions;        /* sum of STATS exec_count */
    uint64_t insns_executed;    /* sum of STATS insns_executed */
    uint64_t translations;      /* sum of STATS translations */
    bool have_end;
    int32_t exit_code;          /* of the (last) END record */
    bool snapshot;              /* ... which says TBS_END_SNAPSHOT */
};

/* A sum that saturates: a hostile file must not make the total wrap. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
    uint64_t sum;

    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

static void dump_tbstats_record(struct out *o, const struct tbs_record_view *rec,
                                struct tbstats_totals *t)
{
    const char *type = tbs_record_name(rec->type);

    dump_record_begin(o, rec->offset, type, rec->type, rec->size);

    switch (rec->type) {
    case TBS_REC_MAPPING:
        dump_tbstats_mapping(o, &rec->u.mapping);
        break;
    case TBS_REC_UNMAP:
        out_u64(o, "timestamp", rec->u.unmap.timestamp);
        out_hex(o, "start", rec->u.unmap.start);
        out_hex(o, "end", rec->u.unmap.end);
        break;
    case TBS_REC_TB:
        dump_tbstats_tb(o, &rec->u.tb);
        break;
    case TBS_REC_FLUSH:
        out_u64(o, "timestamp", rec->u.flush.timestamp);
        break;
    case TBS_REC_END:
        dump_tbstats_end(o, &rec->u.end);
        t->have_end = true;
        t->exit_code = rec->u.end.exit_code;
        t->snapshot = rec->u.end.end_flags & TBS_END_SNAPSHOT;
        break;
    case TBS_REC_SHADOW_STACK:
        out_u64(o, "timestamp", rec->u.shadow_stack.timestamp);
        out_u64(o, "tid", rec->u.shadow_stack.tid);
        out_hex(o, "addr", rec->u.shadow_stack.addr);
        out_u64(o, "capacity", rec->u.shadow_stack.capacity);
        break;
    case TBS_REC_TB_IR:
        dump_tbstats_tb_ir(o, &rec->u.tb_ir);
        break;
    case TBS_REC_STATS:
        dump_tbstats_stats(o, &rec->u.stats);
        t->executions = add_sat(t->executions, rec->u.stats.exec_count);
        t->insns_executed = add_sat(t->insns_executed, rec->u.stats.insns_executed);
        t->translations = add_sat(t->translations, rec->u.stats.translations);
        break;
    default:
        break;
    }
    out_object_end(o);

    if (type)
        t->counts[rec->type]++;
    else
        t->unknown++;
}

/* What dump_run() needs of a side file: the reader and the totals of the summary. */
struct tbstats_dump {
    struct tbs_reader *r;
    const struct dump_opts *opts;
    struct tbstats_totals t;
};

static void tbstats_header(struct out *o, void *arg)
{
    const struct tbstats_dump *d = arg;

    dump_tbstats_header(o, tbs_reader_header(d->r));
}

static int tbstats_record(struct out *o, void *arg)
{
    struct tbstats_dump *d = arg;
    struct tbs_record_view rec;
    int ret = tbs_reader_next(d->r, &rec);

    if (ret == 1)
        dump_tbstats_record(o, &rec, &d->t);
    return ret;
}

static void tbstats_summary(struct out *o, void *arg)
{
    const struct tbstats_totals *t = &((const struct tbstats_dump *)arg)->t;

    for (uint32_t type = TBS_REC_MAPPING; type <= TBS_REC_LAST; type++)
        out_u64(o, tbs_record_name(type), t->counts[type]);
    out_u64(o, "unknown", t->unknown);
    out_u64(o, "stats_entries", t->counts[TBS_REC_STATS]);
    out_u64(o, "total_executions", t->executions);
    out_u64(o, "total_insns_executed", t->insns_executed);
    out_u64(o, "total_translations", t->translations);
    if (t->have_end)
        out_i64(o, "exit_code", t->exit_code);
    if (t->snapshot)
        out_flag(o, "snapshot", true);
}

DUMP_DEFINE(tbstats, tbs_reader)
