/*
 * cmd_tb.c: "tbsym tb ID|0xGUESTPC", one key in detail.
 *
 * The key's counters, its successors, then its latest translation as QEMU's
 * -d in_asm,out_asm would show it: each guest instruction (capstone on the
 * side file's guest bytes, guest arch from the header) followed by the host
 * instructions generated for it (capstone on the jitdump's code bytes,
 * split at the side file's host_end offsets), then the out-of-line host code
 * after the last instruction's (slow paths and constants: the bytes after
 * the last real instruction may disassemble as nonsense).
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "keys.h"
#include "table.h"
#include "tbstats.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_tb_usage[] =
    "usage: tbsym tb [RUN] ID|0xGUESTPC [--ir] [--format text|json]\n"
    "                [--dir DIR [--pid PID] | --tbstats FILE [--jitdump FILE]]\n"
    "\n"
    "One TBStatistics key, by stats_id (tb-list's id) or guest PC (the hottest\n"
    "key of that PC): its counters (host_insns, hi/gi: host instructions of\n"
    "the latest translation and per guest instruction, as in tb-list),\n"
    "successors (with their ids where they are keys), and its latest\n"
    "translation: guest instructions (in_asm) each followed by the host\n"
    "instructions generated for it (out_asm, needs the jitdump), then the\n"
    "out-of-line host code.\n"
    "  --ir          instead of the code, the TCG ops of the translation as -d op\n"
    "                and -d op_opt print them, from the side file's TB_IR record\n"
    "                (QEMU -perf-ir 0xPC, qemu-perf record --ir 0xPC): the\n"
    "                latest translation's, else the key's translated again at\n"
    "                exit, else an earlier translation's (a \"#\" line says\n"
    "                which), with the ops counted next to the STATS ops/ops_opt\n"
    "  RUN           a run directory (qemu-perf record -o DIR), a perf.data (the\n"
    "                run in its directory) or a side file jit-PID.tbstats (with\n"
    "                jit-PID.dump next to it), recognised by content; with two\n"
    "                arguments the first is RUN, with one it is the ID\n"
    VIEW_USAGE_RUN_OPTIONS
    "\n"
    "exit status: 0 success, 2 bad usage or bad input (RUN missing, or not a run\n"
    "directory, perf.data or side file; no such key; --ir and no TB_IR record of\n"
    "the key), 3 I/O error\n";

static void out_bytes(struct out *o, const char *key, const uint8_t *p, size_t n)
{
    char buf[3 * 16 + 4];
    size_t len = 0;

    for (size_t i = 0; i < n && i < 16; i++)
        len += snprintf(buf + len, sizeof(buf) - len, "%s%02x", i ? " " : "", p[i]);
    if (n > 16)
        snprintf(buf + len, sizeof(buf) - len, " ..");
    out_str(o, key, buf, strlen(buf));
}

static void out_insn(struct out *o, const cs_insn *in)
{
    char text[256];

    snprintf(text, sizeof(text), "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
    out_str(o, "asm", text, strlen(text));
}

/*
 * The host instructions of code[start, end) at host address base + start,
 * as objects labelled label; bytes capstone cannot decode end the range as
 * one ".byte" object.
 */
static void out_host_range(struct out *o, bool have_cs, csh cs, const char *label,
                           const uint8_t *code, uint64_t base, uint64_t start, uint64_t end)
{
    while (start < end) {
        cs_insn *in = NULL;

        out_object_begin(o, NULL, label);
        out_hex(o, "addr", base + start);
        if (have_cs && cs_disasm(cs, code + start, end - start, base + start, 1, &in) == 1) {
            out_bytes(o, "bytes", code + start, in->size);
            out_insn(o, in);
            start += in->size;
            cs_free(in, 1);
        } else {
            out_bytes(o, "bytes", code + start, end - start);
            out_str(o, "asm", ".byte", 5);
            start = end;
        }
        out_object_end(o);
    }
}

/*
 * What follows counter c in the key's object: its share of the run's
 * executed instructions after insns_executed; host bytes per guest byte and
 * per guest instruction, and the host instructions, after host_bytes.
 */
static void key_derived(struct out *o, const struct tbdb *db, const struct tbdb_key *k,
                        int64_t host_insns, enum tbs_stats_counter c)
{
    if (c == TBS_STATS_C_insns_executed && db->total_insns_executed)
        out_percent(o, "cov%", k->insns_executed, db->total_insns_executed);
    if (c != TBS_STATS_C_host_bytes)
        return;
    if (k->guest_bytes)
        out_ratio(o, "h/g", k->host_bytes, k->guest_bytes);
    if (k->guest_insns)
        out_ratio(o, "h/insn", k->host_bytes, k->guest_insns);
    if (host_insns >= 0) {
        out_u64(o, "host_insns", (uint64_t)host_insns);
        out_ratio(o, "hi/gi", (uint64_t)host_insns, k->latest->icount);
    }
}

static void out_key(struct out *o, const struct tbdb *db, const struct tbdb_key *k,
                    struct view_host_insns *hi)
{
    int64_t host_insns = view_host_insns_count(hi, k->latest);
    char buf[32];
    size_t len;
    const char *name = view_key_name(k, buf, sizeof(buf), &len);

    out_object_begin(o, "key", "key");
    out_u64(o, "id", k->stats_id);
    out_hex(o, "guest_pc", k->guest_pc);
    out_hex(o, "cs_base", k->cs_base);
    out_hex(o, "phys_pc", k->phys_pc);
    out_hex(o, "flags", k->flags);
    out_str(o, "name", name, len);
    out_flag(o, "synthesised", k->synthesised);
    /* Every counter, each followed by what is derived from it. */
#define X(name, bits, level) \
    out_u64(o, #name, k->name); \
    key_derived(o, db, k, host_insns, TBS_STATS_C_##name);
    TBS_STATS_COUNTERS(X)
#undef X
    out_u64(o, "translations_in_side_file", k->nr_tb_records);
    out_object_end(o);

    out_array_begin(o, "successors");
    for (uint32_t i = 0; i < k->nr_succ; i++) {
        const struct tbdb_key *s = tbdb_key_by_pc(db, k->succ_pc[i]);

        out_object_begin(o, NULL, "successor");
        out_hex(o, "guest_pc", k->succ_pc[i]);
        if (s) {
            name = view_key_name(s, buf, sizeof(buf), &len);
            out_u64(o, "id", s->stats_id);
            out_u64(o, "exec_count", s->exec_count);
            out_str(o, "name", name, len);
        }
        out_object_end(o);
    }
    out_array_end(o);
    if (k->succ_dropped)
        out_u64(o, "successors_dropped", k->succ_dropped);
}

static void out_translation(struct out *o, const struct tbdb *db, const struct tbdb_tb *t)
{
    csh gcs = 0, hcs = 0;
    bool have_gcs = view_disasm_open(db->header.guest_machine, &gcs);
    bool have_hcs = t->have_load && view_disasm_open(db->header.host_machine, &hcs);
    uint64_t host_pos = 0, code_size = t->have_load ? t->code_size : 0;

    if (have_gcs)
        view_disasm_guest_mode(gcs, &db->header, t->flags);
    out_object_begin(o, "translation", "translation");
    out_u64(o, "code_index", t->code_index);
    out_u64(o, "timestamp", t->timestamp);
    out_hex(o, "host_addr", t->host_addr);
    out_u64(o, "host_size", t->host_size);
    out_hex(o, "guest_pc", t->guest_pc);
    out_u64(o, "guest_size", t->guest_size);
    out_u64(o, "icount", t->icount);
    out_flag(o, "host_code", t->have_load);
    out_object_end(o);

    out_array_begin(o, "code");
    for (uint32_t i = 0; i < t->icount; i++) {
        uint64_t pc = t->insn_pc[i];
        uint64_t next = i + 1 < t->icount ? t->insn_pc[i + 1] : t->guest_pc + t->guest_size;
        uint64_t off = pc - t->guest_pc, n = next - pc;
        uint64_t hend = t->host_end[i];
        cs_insn *in = NULL;

        out_object_begin(o, NULL, "in_asm");
        out_hex(o, "pc", pc);
        /* The side file's values are not trusted: the bytes must lie in guest_code. */
        if (pc >= t->guest_pc && next > pc && off < t->guest_code_size &&
            n <= t->guest_code_size - off) {
            out_bytes(o, "bytes", t->guest_code + off, n);
            if (have_gcs && cs_disasm(gcs, t->guest_code + off, n, pc, 1, &in) == 1) {
                out_insn(o, in);
                cs_free(in, 1);
            } else {
                out_str(o, "asm", ".byte", 5);
            }
        }
        if (t->have_load) {
            out_array_begin(o, "out_asm");
            if (hend > code_size)
                hend = code_size;
            if (hend > host_pos) {
                out_host_range(o, have_hcs, hcs, "out_asm", t->code, t->code_addr, host_pos, hend);
                host_pos = hend;
            }
            out_array_end(o);
        }
        out_object_end(o);
    }
    out_array_end(o);
    if (t->have_load) {
        out_array_begin(o, "out_of_line");
        out_host_range(o, have_hcs, hcs, "out_of_line", t->code, t->code_addr, host_pos, code_size);
        out_array_end(o);
    }
    if (have_gcs)
        cs_close(&gcs);
    if (have_hcs)
        cs_close(&hcs);
}

/* --- --ir: the TCG ops of a TB_IR record ------------------------------------------ */

/* Which TB_IR record was found for the key, and how it relates to it. */
enum ir_match {
    IR_LATEST,                 /* of the translation shown (the key's latest) */
    IR_RETRANSLATED,           /* TBS_IR_RETRANSLATED of the key */
    IR_EARLIER,                /* of another translation of the key in the side file */
};

struct ir_found {
    struct tbs_reader *reader; /* holds ir's text */
    struct tbs_tb_ir_view ir;
    enum ir_match match;
};

static bool ir_of_key(const struct tbs_tb_ir_view *ir, const struct tbdb_key *k)
{
    return ir->guest_pc == k->guest_pc && ir->cs_base == k->cs_base && ir->flags == k->flags;
}

/*
 * The TB_IR record for key k: the one of its latest translation's
 * code_index, else its last TBS_IR_RETRANSLATED one, else the last one
 * of another translation of k.  Rereads the side file (tbdb keeps no IR).
 * 0, or an exit code after the message.
 */
static int find_ir(const struct tbdb *db, const struct tbdb_key *k, struct ir_found *f)
{
    struct tbs_record_view rec;
    bool found = false;
    int rc;

    rc = tbs_reader_open(db->tbstats_path, &f->reader);
    if (rc < 0) {
        fprintf(stderr, "tbsym: %s\n", f->reader ? tbs_reader_strerror(f->reader)
                                                : strerror(-rc));
        return rc == -ENOMEM || rc == -EIO ? TBSYM_EXIT_IO : TBSYM_EXIT_INPUT;
    }
    /* An error after some records was reported by view_open(): use what precedes it. */
    while (tbs_reader_next(f->reader, &rec) == 1) {
        const struct tbs_tb_ir_view *ir = &rec.u.tb_ir;
        enum ir_match m;

        if (rec.type != TBS_REC_TB_IR || !ir_of_key(ir, k))
            continue;
        if (k->latest && ir->code_index == k->latest->code_index)
            m = IR_LATEST;
        else if (ir->code_index == TBS_IR_RETRANSLATED)
            m = IR_RETRANSLATED;
        else if (tbdb_tb_by_code_index(db, ir->code_index) &&
                 tbdb_tb_by_code_index(db, ir->code_index)->key == k)
            m = IR_EARLIER;
        else
            continue;
        if (!found || m <= f->match) {
            f->ir = *ir;
            f->match = m;
            found = true;
        }
    }
    if (!found) {
        fprintf(stderr, "tbsym: %s: no TCG ops (TB_IR record) of key %" PRIu32 " at guest_pc "
                "0x%" PRIx64 ": record with qemu-perf record --ir 0x%" PRIx64 " (QEMU: "
                "-perf-ir 0x%" PRIx64 ")\n", db->tbstats_path, k->stats_id, k->guest_pc,
                k->guest_pc, k->guest_pc);
        return TBSYM_EXIT_INPUT;
    }
    return 0;
}

/*
 * The ops of a listing as -d op prints them: one op per line, indented by
 * a space (" ---- PC ..." is an insn_start op, QEMU counts it too); header
 * lines ("OP:") and blank lines are not ops.
 */
static uint64_t count_ops(const char *s, size_t len)
{
    uint64_t n = 0;

    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len, j = i;

        if (s[i] == ' ') {
            while (j < end && (s[j] == ' ' || s[j] == '\t'))
                j++;
            n += j < end;
        }
        i = end + 1;
    }
    return n;
}

static void out_ir(struct out *o, const struct tbdb_key *k, const struct ir_found *f)
{
    static const char *const match_names[] = { "translation", "retranslated", "earlier" };
    const struct tbs_tb_ir_view *ir = &f->ir;

    out_object_begin(o, "ir", "ir");
    out_word(o, "source", match_names[f->match]);
    if (ir->code_index != TBS_IR_RETRANSLATED)
        out_u64(o, "code_index", ir->code_index);
    out_u64(o, "timestamp", ir->timestamp);
    out_u64(o, "ops_listed", count_ops(ir->ops, ir->ops_len));
    out_u64(o, "ops_opt_listed", count_ops(ir->ops_opt, ir->ops_opt_len));
    /* The key's STATS sums over its translations: their mean is comparable. */
    out_u64(o, "stats_ops", k->ops);
    out_u64(o, "stats_ops_opt", k->ops_opt);
    out_u64(o, "stats_translations", k->translations);
    if (k->translations) {
        out_ratio(o, "stats_ops_mean", k->ops, k->translations);
        out_ratio(o, "stats_ops_opt_mean", k->ops_opt, k->translations);
    }
    if (o->format == OUT_JSON) {
        out_str(o, "ops", ir->ops, ir->ops_len);
        out_str(o, "ops_opt", ir->ops_opt, ir->ops_opt_len);
    }
    out_object_end(o);
}

/* Text: the listings as QEMU prints them, control bytes but newlines and tabs as '?'. */
static void put_listing(const char *title, const char *s, size_t len)
{
    printf("%s\n", title);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];

        putchar((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : c);
    }
    if (len && s[len - 1] != '\n')
        putchar('\n');
}

static void print_ir_text(const struct ir_found *f)
{
    const struct tbs_tb_ir_view *ir = &f->ir;

    if (f->match == IR_RETRANSLATED)
        printf("# not the translation profiled: QEMU translated the key again at exit for "
               "its TCG ops\n");
    else if (f->match == IR_EARLIER)
        printf("# the TCG ops of an earlier translation of the key (code_index %" PRIu64
               "), not of its latest\n", ir->code_index);
    put_listing("## ops (-d op)", ir->ops, ir->ops_len);
    put_listing("## ops_opt (-d op_opt)", ir->ops_opt, ir->ops_opt_len);
}

/* tb's own option (struct view_single's own()): --ir into the bool at ctx. */
static int tb_option(struct view_opts *v, void *ctx, int argc, char **argv, int *i)
{
    (void)v;
    (void)argc;
    if (strcmp(argv[*i], "--ir"))
        return 0;
    *(bool *)ctx = true;
    return 1;
}

int cmd_tb(int argc, char **argv)
{
    struct view_opts v = { .cmd = "tb", .usage = cmd_tb_usage };
    bool ir = false;
    const struct view_single cl = {
        view_looks_like_key, "no ID or 0xGUESTPC given", tb_option, &ir,
    };
    const struct tbdb_key *k;
    const char *which = NULL;
    struct tbdb *db = NULL;
    struct view_host_insns hi;
    struct ir_found irf = { .reader = NULL };
    struct out o;
    int rc;

    rc = view_parse_single(&v, &cl, argc, argv, &which);
    if (rc)
        return rc;
    if (v.format == VIEW_CSV)
        return view_usage_error(&v, "%s", "csv is not a format of tb (text or json)");

    rc = view_open(&v, &db);
    if (rc)
        return rc;
    k = view_find_key(&v, db, which);
    if (!k) {
        tbdb_close(db);
        return TBSYM_EXIT_INPUT;
    }
    if (ir) {
        rc = find_ir(db, k, &irf);
        if (rc)
            goto out;
    }
    view_host_insns_open(&hi, db);
    out_init(&o, stdout, view_out_format(v.format));
    out_key(&o, db, k, &hi);
    if (ir)
        out_ir(&o, k, &irf);
    else if (k->latest)
        out_translation(&o, db, k->latest);
    out_finish(&o);
    if (ir && v.format == VIEW_TEXT)
        print_ir_text(&irf);
    rc = tbsym_finish_stdout(TBSYM_EXIT_OK);
    view_host_insns_close(&hi);
out:
    tbs_reader_close(irf.reader);
    tbdb_close(db);
    return rc;
}
