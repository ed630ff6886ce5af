/*
 * cmd_tb.c: "tbsym tb ID|0xGUESTPC", one key in detail.
 *
 * The key's counters, its successors, then its latest translation as QEMU's
 * -d in_asm,out_asm would show it: each guest instruction (capstone on the
 * export's guest bytes, guest arch from the header) followed by the host
 * instructions generated for it (capstone on the jitdump's code bytes,
 * split at the export's host_end offsets), then the out-of-line host code
 * after the last instruction's (slow paths and constants: the bytes after
 * the last real instruction may disassemble as nonsense).
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tbsym.h"
#include "views.h"

const char cmd_tb_usage[] =
    "usage: tbsym tb ID|0xGUESTPC [--format text|json]\n"
    "                [--dir DIR [--pid PID] | --tbstats FILE [--jitdump FILE]]\n"
    "\n"
    "One TBStatistics key, by stats_id (tb-list's id) or guest PC (the hottest\n"
    "key of that PC): its counters, successors (with their ids where they are\n"
    "keys), and its latest translation: guest instructions (in_asm) each\n"
    "followed by the host instructions generated for it (out_asm, needs the\n"
    "jitdump), then the out-of-line host code.\n"
    "  --dir DIR     find jit-PID.tbstats and jit-PID.dump in DIR (default .);\n"
    "                --pid PID picks a run (default: the only or newest one)\n"
    "  --tbstats FILE [--jitdump FILE]   the files themselves\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input, 3 I/O error\n";

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

static void out_key(struct out *o, const struct tbdb *db, const struct tbdb_key *k)
{
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
    out_u64(o, "exec_count", k->exec_count);
    out_u64(o, "exec_atomic", k->exec_atomic);
    out_u64(o, "insns_executed", k->insns_executed);
    if (db->total_insns_executed)
        out_ratio(o, "cov%", k->insns_executed > UINT64_MAX / 100 ? k->insns_executed
                                                                  : k->insns_executed * 100,
                  k->insns_executed > UINT64_MAX / 100 ? db->total_insns_executed / 100
                                                       : db->total_insns_executed);
    out_u64(o, "translations", k->translations);
    out_u64(o, "translations_spanning", k->translations_spanning);
    out_u64(o, "translations_uncached", k->translations_uncached);
    out_u64(o, "restores", k->restores);
    out_u64(o, "guest_insns", k->guest_insns);
    out_u64(o, "guest_bytes", k->guest_bytes);
    out_u64(o, "host_bytes", k->host_bytes);
    if (k->guest_bytes)
        out_ratio(o, "h/g", k->host_bytes, k->guest_bytes);
    if (k->guest_insns)
        out_ratio(o, "h/insn", k->host_bytes, k->guest_insns);
    out_u64(o, "ops", k->ops);
    out_u64(o, "ops_opt", k->ops_opt);
    out_u64(o, "spills", k->spills);
    out_u64(o, "time_gen_ns", k->time_gen_ns);
    out_u64(o, "time_opt_ns", k->time_opt_ns);
    out_u64(o, "time_la_ns", k->time_la_ns);
    out_u64(o, "time_code_ns", k->time_code_ns);
    out_u64(o, "time_restore_ns", k->time_restore_ns);
    out_u64(o, "translations_in_export", k->nr_tbs);
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
        /* The export's values are not trusted: the bytes must lie in guest_code. */
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

int cmd_tb(int argc, char **argv)
{
    struct view_opts v = { .cmd = "tb", .usage = cmd_tb_usage };
    const struct tbdb_key *k;
    const char *which = NULL;
    struct tbdb *db = NULL;
    struct out o;
    int rc;

    rc = view_parse_single(&v, argc, argv, &which, "no ID or 0xGUESTPC given");
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
    out_init(&o, stdout, v.format == VIEW_JSON ? OUT_JSON : OUT_TEXT);
    out_key(&o, db, k);
    if (k->latest)
        out_translation(&o, db, k->latest);
    out_finish(&o);
    rc = tbsym_finish_stdout(TBSYM_EXIT_OK);
    tbdb_close(db);
    return rc;
}
