/*
 * cmd_dump.c: "tbsym dump", print every record of a file as text or JSON.
 *
 * The file type is recognised by its first bytes; each type is one entry
 * of dump_formats[]: a probe and a function that prints the file through
 * struct out (so text and JSON come from the same code).  The types are a
 * jitdump (jit-PID.dump), qemu-jitdump's side file (jit-PID.tbstats) and
 * perf's perf.data (its header then holds the attrs and the features).
 * The output is
 *
 *   header   the file header
 *   records  one per record, in file order, with its byte offset and type
 *   summary  the number of records of each type, totals of the type's
 *            contents, and how the file ended: "clean", "truncated"
 *            (--partial) or "error"
 *
 * in JSON one object {"header":{...},"records":[...],"summary":{...}}.
 * When the file is bad, the records before the bad spot are printed, the
 * summary says so, stdout stays a complete document, and one line
 * "tbsym: FILE: WHAT at byte offset N (DETAIL)" goes to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitdump.h"
#include "out.h"
#include "perfdata.h"
#include "tbstats.h"
#include "tbsym.h"

const char cmd_dump_usage[] =
    "usage: tbsym dump [--format text|json] [--partial] [--ordered] FILE\n"
    "\n"
    "Print the header, every record and a summary of FILE: a jitdump\n"
    "(jit-PID.dump), a side file (jit-PID.tbstats, jit-PID.tbstats.part) or\n"
    "a perf.data (zstd-compressed records included), recognised by its first\n"
    "bytes.  For a side file the summary adds the totals of its STATS records\n"
    "and the exit code of its END record; for a perf.data the counts per event\n"
    "type.\n"
    "  --format text   one line per record, key=value fields (default)\n"
    "  --format json   one JSON object {\"header\", \"records\", \"summary\"}\n"
    "  --partial       accept a file whose last record is cut short (a file\n"
    "                  still being written): print what precedes it, note it\n"
    "                  on stderr and exit 0 instead of 2\n"
    "  --ordered       perf.data: events sorted by time between FINISHED_ROUND\n"
    "                  records, as perf report sees them (default: file order)\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input (FILE missing, a directory,\n"
    "of another type, corrupt or truncated), 3 I/O error\n";

struct dump_opts {
    enum out_format format;
    bool partial;
    bool ordered;       /* perf.data: by time within rounds (--ordered) */
};

/* One file type that tbsym dump understands. */
struct dump_format {
    const char *name;
    /* Does a file starting with head[0..len) (len <= 16) have this type? */
    bool (*probe)(const unsigned char *head, size_t len);
    /*
     * Print path, or when buf is not NULL its len bytes already read from
     * path (a pipe cannot be opened a second time); returns a TBSYM_EXIT_*
     * code after any message.
     */
    int (*dump)(const char *path, const uint8_t *buf, size_t len,
                const struct dump_opts *opts);
};

/* --- what both formats share --------------------------------------------------- */

/* Is err about the input (exit 2) rather than about reading it (exit 3)? */
static bool input_error(int err)
{
    return err == -ENODATA || err == -EBADMSG || err == -ENOTSUP;
}

/* A reader could not even be opened: nothing usable, not even with --partial. */
static int dump_open_failed(int err, const char *msg)
{
    fprintf(stderr, "tbsym: %s\n", msg ? msg : strerror(-err));
    return input_error(err) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
}

/* The summary's last fields: the bytes read and how the file ended. */
static void dump_summary_end(struct out *o, int ret, const struct dump_opts *opts,
                             uint64_t valid_bytes, const char *errmsg)
{
    out_u64(o, "valid_bytes", valid_bytes);
    out_word(o, "end", ret == 0 ? "clean" : ret == -ENODATA && opts->partial ? "truncated"
                                                                              : "error");
    if (ret < 0)
        out_str(o, "error", errmsg, strlen(errmsg));
}

/*
 * After the document: the exit code for the reader's final result ret (0 or
 * a negative errno) and its message; total is the number of records printed.
 */
static int dump_finish(int ret, const struct dump_opts *opts, const char *errmsg,
                       uint64_t total)
{
    /* stdout complete before the diagnostic, so the two never interleave. */
    int out_rc = tbsym_finish_stdout(TBSYM_EXIT_OK);

    if (ret == -ENODATA && opts->partial) {
        fprintf(stderr, "tbsym: note: %s; printed the %llu records before it (--partial)\n",
                errmsg, (unsigned long long)total);
        ret = TBSYM_EXIT_OK;
    } else if (ret < 0) {
        fprintf(stderr, "tbsym: %s\n", errmsg);
        ret = input_error(ret) ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    } else {
        ret = TBSYM_EXIT_OK;
    }
    return out_rc != TBSYM_EXIT_OK ? out_rc : ret;
}

static const char *elf_machine_name(uint32_t mach)
{
    switch (mach) {
    case 3:   return "i386";
    case 8:   return "mips";
    case 20:  return "ppc";
    case 21:  return "ppc64";
    case 22:  return "s390";
    case 40:  return "arm";
    case 62:  return "x86_64";
    case 183: return "aarch64";
    case 243: return "riscv";
    case 258: return "loongarch";
    default:  return "unknown";
    }
}

/* --- jitdump ----------------------------------------------------------------- */

static bool probe_jitdump(const unsigned char *head, size_t len)
{
    static const unsigned char le[4] = { 0x44, 0x54, 0x69, 0x4A };
    static const unsigned char be[4] = { 0x4A, 0x69, 0x54, 0x44 };

    return len >= 4 && (!memcmp(head, le, 4) || !memcmp(head, be, 4));
}

static void dump_jitdump_header(struct out *o, const struct jd_header *h)
{
    out_object_begin(o, "header", "header");
    out_word(o, "format", "jitdump");
    out_u64(o, "version", h->version);
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "size", h->total_size);
    out_u64(o, "elf_mach", h->elf_mach);
    out_word(o, "machine", elf_machine_name(h->elf_mach));
    out_u64(o, "pid", h->pid);
    out_u64(o, "timestamp", h->timestamp);
    out_hex(o, "flags", h->flags);
    out_object_end(o);
}

static void dump_jitdump_record(struct out *o, const struct jd_record *rec,
                                uint64_t *nr_entries)
{
    const char *type = jd_record_name(rec->id);

    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", rec->offset);
    out_word(o, "type", type ? type : "UNKNOWN");
    if (!type)
        out_u64(o, "id", rec->id);
    out_u64(o, "size", rec->size);
    out_u64(o, "timestamp", rec->timestamp);

    switch (rec->id) {
    case JITDUMP_CODE_LOAD: {
        const struct jd_code_load *l = &rec->u.load;

        out_u64(o, "pid", l->pid);
        out_u64(o, "tid", l->tid);
        out_hex(o, "vma", l->vma);
        out_hex(o, "code_addr", l->code_addr);
        out_u64(o, "code_size", l->code_size);
        out_u64(o, "code_index", l->code_index);
        out_str(o, "name", l->name, l->name_len);
        break;
    }
    case JITDUMP_CODE_MOVE: {
        const struct jd_code_move *m = &rec->u.move;

        out_u64(o, "pid", m->pid);
        out_u64(o, "tid", m->tid);
        out_hex(o, "vma", m->vma);
        out_hex(o, "old_code_addr", m->old_code_addr);
        out_hex(o, "new_code_addr", m->new_code_addr);
        out_u64(o, "code_size", m->code_size);
        out_u64(o, "code_index", m->code_index);
        break;
    }
    case JITDUMP_CODE_DEBUG_INFO: {
        const struct jd_debug_info *d = &rec->u.debug_info;
        struct jd_debug_iter it;
        struct jd_debug_entry e;

        out_hex(o, "code_addr", d->code_addr);
        out_u64(o, "nr_entry", d->nr_entry);
        out_array_begin(o, "entries");
        jd_debug_iter_init(&it, d);
        /* Cannot fail: jd_reader_next() checked every entry. */
        while (jd_debug_iter_next(&it, &e) == 1) {
            out_object_begin(o, NULL, "entry");
            out_hex(o, "addr", e.addr);
            out_i64(o, "lineno", e.lineno);
            out_i64(o, "discrim", e.discrim);
            out_str(o, "name", e.name, e.name_len);
            out_flag(o, "name_repeated", e.name_repeated);
            out_object_end(o);
            (*nr_entries)++;
        }
        out_array_end(o);
        break;
    }
    case JITDUMP_CODE_UNWINDING_INFO: {
        const struct jd_unwinding_info *u = &rec->u.unwinding;

        out_u64(o, "unwinding_size", u->unwinding_size);
        out_u64(o, "eh_frame_hdr_size", u->eh_frame_hdr_size);
        out_u64(o, "mapped_size", u->mapped_size);
        break;
    }
    default:
        break;
    }
    out_object_end(o);
}

static int dump_jitdump(const char *path, const uint8_t *buf, size_t len,
                        const struct dump_opts *opts)
{
    uint64_t counts[JITDUMP_CODE_MAX] = { 0 }, unknown = 0, total = 0, nr_entries = 0;
    struct jd_reader *r;
    struct jd_record rec;
    struct out o;
    int ret;

    ret = buf ? jd_reader_open_mem(buf, len, path, &r) : jd_reader_open(path, &r);
    if (ret < 0) {
        ret = dump_open_failed(ret, r ? jd_reader_strerror(r) : NULL);
        jd_reader_close(r);
        return ret;
    }

    out_init(&o, stdout, opts->format);
    dump_jitdump_header(&o, jd_reader_header(r));
    out_array_begin(&o, "records");
    while ((ret = jd_reader_next(r, &rec)) == 1) {
        dump_jitdump_record(&o, &rec, &nr_entries);
        if (rec.id < JITDUMP_CODE_MAX)
            counts[rec.id]++;
        else
            unknown++;
        total++;
    }
    out_array_end(&o);

    out_object_begin(&o, "summary", "summary");
    out_u64(&o, "records", total);
    for (uint32_t id = 0; id < JITDUMP_CODE_MAX; id++)
        out_u64(&o, jd_record_name(id), counts[id]);
    out_u64(&o, "unknown", unknown);
    out_u64(&o, "debug_entries", nr_entries);
    dump_summary_end(&o, ret, opts, jd_reader_offset(r), jd_reader_strerror(r));
    out_object_end(&o);
    out_finish(&o);

    ret = dump_finish(ret, opts, jd_reader_strerror(r), total);
    jd_reader_close(r);
    return ret;
}

/* --- tbstats side file ------------------------------------------------------- */

static bool probe_tbstats(const unsigned char *head, size_t len)
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
    out_word(o, "guest", elf_machine_name(h->guest_machine));
    out_u64(o, "host_machine", h->host_machine);
    out_word(o, "host", elf_machine_name(h->host_machine));
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
    out_u64(o, "exec_count", st->exec_count);
    out_u64(o, "exec_atomic", st->exec_atomic);
    out_u64(o, "insns_executed", st->insns_executed);
    out_u64(o, "translations", st->translations);
    out_u64(o, "translations_spanning", st->translations_spanning);
    out_u64(o, "translations_uncached", st->translations_uncached);
    out_u64(o, "restores", st->restores);
    out_u64(o, "guest_insns", st->guest_insns);
    out_u64(o, "guest_bytes", st->guest_bytes);
    out_u64(o, "host_bytes", st->host_bytes);
    /* Host code bytes per guest instruction, as QEMU's "info tb" shows it. */
    if (st->guest_insns)
        out_ratio(o, "h/insn", st->host_bytes, st->guest_insns);
    out_u64(o, "ops", st->ops);
    out_u64(o, "ops_opt", st->ops_opt);
    out_u64(o, "spills", st->spills);
    out_u64(o, "time_gen_ns", st->time_gen_ns);
    out_u64(o, "time_opt_ns", st->time_opt_ns);
    out_u64(o, "time_la_ns", st->time_la_ns);
    out_u64(o, "time_code_ns", st->time_code_ns);
    out_u64(o, "time_restore_ns", st->time_restore_ns);
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

/* The highest record type this dump knows. */
#define TBS_REC_LAST TBS_REC_TB_IR

/* What the summary adds up over a side file's records. */
struct tbstats_totals {
    uint64_t counts[TBS_REC_LAST + 1];      /* by known type */
    uint64_t unknown;
    uint64_t records;
    uint64_t executions;        /* sum of STATS exec_count */
    uint64_t insns_executed;    /* sum of STATS insns_executed */
    uint64_t translations;      /* sum of STATS translations */
    bool have_end;
    int32_t exit_code;          /* of the (last) END record */
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

    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", rec->offset);
    out_word(o, "type", type ? type : "UNKNOWN");
    if (!type)
        out_u64(o, "id", rec->type);
    out_u64(o, "size", rec->size);

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
        out_u64(o, "timestamp", rec->u.end.timestamp);
        out_i64(o, "exit_code", rec->u.end.exit_code);
        out_u64(o, "nr_tbs", rec->u.end.nr_tbs);
        out_u64(o, "nr_flushes", rec->u.end.nr_flushes);
        t->have_end = true;
        t->exit_code = rec->u.end.exit_code;
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
    t->records++;
}

static int dump_tbstats(const char *path, const uint8_t *buf, size_t len,
                        const struct dump_opts *opts)
{
    struct tbstats_totals t = { .records = 0 };
    struct tbs_reader *r;
    struct tbs_record_view rec;
    struct out o;
    int ret;

    ret = buf ? tbs_reader_open_mem(buf, len, path, &r) : tbs_reader_open(path, &r);
    if (ret < 0) {
        ret = dump_open_failed(ret, r ? tbs_reader_strerror(r) : NULL);
        tbs_reader_close(r);
        return ret;
    }

    out_init(&o, stdout, opts->format);
    dump_tbstats_header(&o, tbs_reader_header(r));
    out_array_begin(&o, "records");
    while ((ret = tbs_reader_next(r, &rec)) == 1)
        dump_tbstats_record(&o, &rec, &t);
    out_array_end(&o);

    out_object_begin(&o, "summary", "summary");
    out_u64(&o, "records", t.records);
    for (uint32_t type = TBS_REC_MAPPING; type <= TBS_REC_LAST; type++)
        out_u64(&o, tbs_record_name(type), t.counts[type]);
    out_u64(&o, "unknown", t.unknown);
    out_u64(&o, "stats_entries", t.counts[TBS_REC_STATS]);
    out_u64(&o, "total_executions", t.executions);
    out_u64(&o, "total_insns_executed", t.insns_executed);
    out_u64(&o, "total_translations", t.translations);
    if (t.have_end)
        out_i64(&o, "exit_code", t.exit_code);
    dump_summary_end(&o, ret, opts, tbs_reader_offset(r), tbs_reader_strerror(r));
    out_object_end(&o);
    out_finish(&o);

    ret = dump_finish(ret, opts, tbs_reader_strerror(r), t.records);
    tbs_reader_close(r);
    return ret;
}

/* --- perf.data ------------------------------------------------------------------- */

static bool probe_perfdata(const unsigned char *head, size_t len)
{
    return len >= 8 && (!memcmp(head, "PERFILE2", 8) || !memcmp(head, "2ELIFREP", 8));
}

static void dump_perfdata_attr(struct out *o, size_t i, const struct pd_attr *pa)
{
    const struct perf_event_attr *a = &pa->attr;

    out_object_begin(o, NULL, "attr");
    out_u64(o, "index", i);
    if (pa->name)
        out_str(o, "name", pa->name, strlen(pa->name));
    out_u64(o, "type", a->type);
    out_hex(o, "config", a->config);
    out_u64(o, "size", pa->file_attr_size);
    out_hex(o, "sample_type", a->sample_type);
    out_hex(o, "read_format", a->read_format);
    if (a->freq)
        out_u64(o, "sample_freq", a->sample_freq);
    else
        out_u64(o, "sample_period", a->sample_period);
    out_hex(o, "branch_sample_type", a->branch_sample_type);
    out_hex(o, "sample_regs_user", a->sample_regs_user);
    out_u64(o, "sample_stack_user", a->sample_stack_user);
    out_u64(o, "precise_ip", a->precise_ip);
    out_flag(o, "freq", a->freq);
    out_flag(o, "sample_id_all", a->sample_id_all);
    out_flag(o, "exclude_kernel", a->exclude_kernel);
    out_flag(o, "exclude_user", a->exclude_user);
    if (a->use_clockid)
        out_i64(o, "clockid", a->clockid);
    out_array_begin(o, "ids");
    for (size_t k = 0; k < pa->nr_ids; k++)
        out_u64(o, NULL, pa->ids[k]);
    out_array_end(o);
    out_object_end(o);
}

static void dump_perfdata_features(struct out *o, struct pd_reader *r)
{
    const struct pd_header *h = pd_reader_header(r);
    const struct pd_build_id *bids;
    const char *const *argv;
    struct pd_compressed c;
    uint64_t res;
    int32_t clockid;
    size_t argc;
    ssize_t n;

    out_array_begin(o, "features");
    for (unsigned id = 0; id < PERF_HEADER_FEAT_BITS; id++) {
        const char *name = pd_feature_name(id);
        char buf[32];

        if (!(h->features[id / 64] >> (id % 64) & 1))
            continue;
        if (!name) {
            snprintf(buf, sizeof(buf), "FEATURE_%u", id);
            name = buf;
        }
        out_word(o, NULL, name);
    }
    out_array_end(o);
    if (pd_reader_cmdline(r, &argc, &argv) == 1) {
        out_array_begin(o, "cmdline");
        for (size_t i = 0; i < argc; i++)
            out_str(o, NULL, argv[i], strlen(argv[i]));
        out_array_end(o);
    }
    if (pd_reader_clockid(r, &res, &clockid) == 1) {
        out_u64(o, "clock_res_ns", res);
        out_i64(o, "clockid", clockid);
    }
    if (pd_reader_compressed(r, &c) == 1) {
        out_object_begin(o, "compressed", "compressed");
        out_u64(o, "type", c.type);
        out_u64(o, "level", c.level);
        out_u64(o, "ratio", c.ratio);
        out_u64(o, "mmap_len", c.mmap_len);
        out_object_end(o);
    }
    n = pd_reader_build_ids(r, &bids);
    if (n > 0) {
        out_array_begin(o, "build_ids");
        for (ssize_t i = 0; i < n; i++) {
            char hex[41];

            for (unsigned k = 0; k < bids[i].size; k++)
                snprintf(hex + 2 * k, 3, "%02x", bids[i].build_id[k]);
            hex[2 * bids[i].size] = '\0';
            out_object_begin(o, NULL, "build_id");
            out_i64(o, "pid", bids[i].pid);
            out_word(o, "build_id", hex);
            out_str(o, "filename", bids[i].filename, strlen(bids[i].filename));
            out_object_end(o);
        }
        out_array_end(o);
    }
}

static void dump_perfdata_header(struct out *o, struct pd_reader *r)
{
    const struct pd_header *h = pd_reader_header(r);

    out_object_begin(o, "header", "header");
    out_word(o, "format", "perf.data");
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "attr_size", h->attr_size);
    out_u64(o, "data_offset", h->data_offset);
    out_u64(o, "data_size", h->data_size);
    out_flag(o, "data_size_unset", h->data_size_unset);
    out_flag(o, "features_truncated", h->features_truncated);
    out_array_begin(o, "attrs");
    for (size_t i = 0; i < pd_reader_nr_attrs(r); i++)
        dump_perfdata_attr(o, i, pd_reader_attr(r, i));
    out_array_end(o);
    dump_perfdata_features(o, r);
    out_object_end(o);
}

static void dump_perfdata_sample_id(struct out *o, const struct pd_sample_id *id)
{
    if (!id->present)
        return;
    out_u64(o, "sid_pid", id->pid);
    out_u64(o, "sid_tid", id->tid);
    out_u64(o, "sid_id", id->id);
    out_u64(o, "sid_cpu", id->cpu);
}

static void dump_perfdata_event(struct out *o, const struct pd_event *ev)
{
    const char *type = pd_record_name(ev->type);

    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", ev->offset);
    out_flag(o, "compressed", ev->flags & PD_EVENT_COMPRESSED);
    out_word(o, "type", type ? type : "UNKNOWN");
    if (!type)
        out_u64(o, "id", ev->type);
    out_hex(o, "misc", ev->misc);
    out_u64(o, "size", ev->size);
    if (ev->time != (uint64_t)-1)
        out_u64(o, "time", ev->time);

    switch (ev->type) {
    case PERF_RECORD_SAMPLE: {
        const struct pd_sample *s = &ev->u.sample;
        uint64_t st = s->sample_type;

        if (!ev->attr)
            break;
        if (st & (PERF_SAMPLE_ID | PERF_SAMPLE_IDENTIFIER))
            out_u64(o, "sample_id", s->id);
        if (st & PERF_SAMPLE_IP)
            out_hex(o, "ip", s->ip);
        if (st & PERF_SAMPLE_TID) {
            out_u64(o, "pid", s->pid);
            out_u64(o, "tid", s->tid);
        }
        if (st & PERF_SAMPLE_ADDR)
            out_hex(o, "addr", s->addr);
        if (st & PERF_SAMPLE_CPU)
            out_u64(o, "cpu", s->cpu);
        if (st & PERF_SAMPLE_PERIOD)
            out_u64(o, "period", s->period);
        if (st & PERF_SAMPLE_CALLCHAIN) {
            out_array_begin(o, "callchain");
            for (uint64_t i = 0; i < s->callchain_nr; i++)
                out_hex(o, NULL, s->callchain[i]);
            out_array_end(o);
        }
        if (st & PERF_SAMPLE_REGS_USER)
            out_u64(o, "user_regs", s->user_regs_nr);
        if (st & PERF_SAMPLE_STACK_USER)
            out_u64(o, "stack_user_size", s->stack_user_size);
        break;
    }
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2: {
        const struct pd_mmap *m = &ev->u.mmap;

        out_u64(o, "pid", m->pid);
        out_u64(o, "tid", m->tid);
        out_hex(o, "start", m->start);
        out_hex(o, "len", m->len);
        out_hex(o, "pgoff", m->pgoff);
        if (ev->type == PERF_RECORD_MMAP2) {
            out_u64(o, "prot", m->prot);
            out_u64(o, "flags", m->flags);
        }
        out_str(o, "filename", m->filename, strlen(m->filename));
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    }
    case PERF_RECORD_COMM:
        out_u64(o, "pid", ev->u.comm.pid);
        out_u64(o, "tid", ev->u.comm.tid);
        out_str(o, "comm", ev->u.comm.comm, strlen(ev->u.comm.comm));
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
        out_u64(o, "pid", ev->u.task.pid);
        out_u64(o, "ppid", ev->u.task.ppid);
        out_u64(o, "tid", ev->u.task.tid);
        out_u64(o, "ptid", ev->u.task.ptid);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_LOST:
        out_u64(o, "lost_id", ev->u.lost.id);
        out_u64(o, "lost", ev->u.lost.lost);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_THROTTLE:
    case PERF_RECORD_UNTHROTTLE:
        out_u64(o, "throttle_id", ev->u.throttle.id);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    default:
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    }
    out_object_end(o);
}

static int dump_perfdata(const char *path, const uint8_t *buf, size_t len,
                         const struct dump_opts *opts)
{
    /* Record types counted one by one in the summary; the rest as "other". */
    static const uint32_t counted[] = {
        PERF_RECORD_SAMPLE, PERF_RECORD_MMAP, PERF_RECORD_MMAP2, PERF_RECORD_COMM,
        PERF_RECORD_FORK, PERF_RECORD_EXIT, PERF_RECORD_LOST, PERF_RECORD_THROTTLE,
        PERF_RECORD_UNTHROTTLE, PERF_RECORD_FINISHED_ROUND,
    };
    uint64_t counts[sizeof(counted) / sizeof(counted[0])] = { 0 };
    uint64_t other = 0, total = 0, from_compressed = 0;
    struct pd_reader *r;
    struct pd_event ev;
    struct out o;
    int ret;

    ret = buf ? pd_reader_open_mem(buf, len, path, &r) : pd_reader_open(path, &r);
    if (ret < 0) {
        ret = dump_open_failed(ret, r ? pd_reader_strerror(r) : NULL);
        pd_reader_close(r);
        return ret;
    }
    pd_reader_set_ordered(r, opts->ordered);

    out_init(&o, stdout, opts->format);
    dump_perfdata_header(&o, r);
    out_array_begin(&o, "records");
    while ((ret = pd_reader_next(r, &ev)) == 1) {
        size_t i;

        dump_perfdata_event(&o, &ev);
        for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
            if (counted[i] == ev.type)
                break;
        if (i < sizeof(counted) / sizeof(counted[0]))
            counts[i]++;
        else
            other++;
        from_compressed += !!(ev.flags & PD_EVENT_COMPRESSED);
        total++;
    }
    out_array_end(&o);

    out_object_begin(&o, "summary", "summary");
    out_u64(&o, "records", total);
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
        out_u64(&o, pd_record_name(counted[i]), counts[i]);
    out_u64(&o, "other", other);
    out_u64(&o, "from_compressed", from_compressed);
    dump_summary_end(&o, ret, opts, pd_reader_offset(r), pd_reader_strerror(r));
    out_object_end(&o);
    out_finish(&o);

    ret = dump_finish(ret, opts, pd_reader_strerror(r), total);
    pd_reader_close(r);
    return ret;
}

static const struct dump_format dump_formats[] = {
    { "jitdump", probe_jitdump, dump_jitdump },
    { "tbstats", probe_tbstats, dump_tbstats },
    { "perf.data", probe_perfdata, dump_perfdata },
};

/* --- the command ---------------------------------------------------------------- */

/*
 * The rest of a stream (pipe, FIFO, terminal) whose first len bytes are in
 * head: all of it in *bufp (malloc()ed), its size in *lenp.  0 or -errno.
 */
static int read_stream(int fd, const unsigned char *head, size_t len,
                       uint8_t **bufp, size_t *lenp)
{
    size_t cap = 65536;
    uint8_t *buf = malloc(cap);

    if (!buf)
        return -ENOMEM;
    memcpy(buf, head, len);
    for (;;) {
        ssize_t n;

        if (len == cap) {
            uint8_t *nbuf = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;

            if (!nbuf) {
                free(buf);
                return -ENOMEM;
            }
            buf = nbuf;
            cap *= 2;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;

            free(buf);
            return err;
        }
        if (n == 0)
            break;
        len += n;
    }
    *bufp = buf;
    *lenp = len;
    return 0;
}

static int dump_usage_error(const char *fmt, const char *arg)
{
    fputs("tbsym dump: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(cmd_dump_usage, stderr);
    return TBSYM_EXIT_INPUT;
}

int cmd_dump(int argc, char **argv)
{
    struct dump_opts opts = { .format = OUT_TEXT };
    const char *path = NULL, *format = NULL;
    unsigned char head[16];
    uint8_t *data = NULL;
    size_t data_len = 0;
    struct stat st;
    ssize_t len;
    int fd, rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--partial")) {
            opts.partial = true;
        } else if (!strcmp(a, "--ordered")) {
            opts.ordered = true;
        } else if (!strcmp(a, "--format")) {
            if (++i == argc)
                return dump_usage_error("%s needs an argument", a);
            format = argv[i];
        } else if (!strncmp(a, "--format=", 9)) {
            format = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return dump_usage_error("unknown option '%s'", a);
        } else if (path) {
            return dump_usage_error("more than one file given ('%s')", a);
        } else {
            path = a;
        }
    }
    if (format) {
        if (!strcmp(format, "json"))
            opts.format = OUT_JSON;
        else if (strcmp(format, "text"))
            return dump_usage_error("unknown format '%s' (text or json)", format);
    }
    if (!path)
        return dump_usage_error("%s", "no FILE given");

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR ? TBSYM_EXIT_INPUT : TBSYM_EXIT_IO;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "tbsym: %s: a directory: dump one of its files (perf.data, "
                "jit-PID.dump, jit-PID.tbstats)\n", path);
        close(fd);
        return TBSYM_EXIT_INPUT;
    }
    len = read(fd, head, sizeof(head));
    if (len < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "tbsym: %s: %s\n", path, strerror(errno));
        close(fd);
        return TBSYM_EXIT_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        /*
         * What was read from a pipe is gone, and one read() may return
         * fewer bytes than the probe needs: read it all now, once.
         */
        int err = read_stream(fd, head, len, &data, &data_len);

        if (err) {
            fprintf(stderr, "tbsym: %s: %s\n", path, strerror(-err));
            close(fd);
            return TBSYM_EXIT_IO;
        }
        len = data_len < sizeof(head) ? data_len : sizeof(head);
        memcpy(head, data, len);
    }
    close(fd);

    for (size_t i = 0; i < sizeof(dump_formats) / sizeof(dump_formats[0]); i++)
        if (dump_formats[i].probe(head, len)) {
            rc = dump_formats[i].dump(path, data, data_len, &opts);
            free(data);
            return rc;
        }
    free(data);

    if (len < 4)
        fprintf(stderr, "tbsym: %s: file too short to recognise (%zd bytes) at byte offset 0\n",
                path, len);
    else
        fprintf(stderr, "tbsym: %s: unknown file type (first bytes %02x %02x %02x %02x, "
                "not a jitdump, tbstats or perf.data file) at byte offset 0\n", path, head[0], head[1], head[2], head[3]);
    return TBSYM_EXIT_INPUT;
}
