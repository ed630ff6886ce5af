/*
 * make-views-fixtures.c: writes the fixtures of the golden tests of the
 * offline views (tbsym tb-list, tb, coverset, cfg).
 *
 * The fixtures are committed; rerun this only to change them, then refresh
 * the expected outputs (see run.sh):
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-views-fixtures.c build/lib/libqjd.a \
 *      -o build/make-views-fixtures && build/make-views-fixtures tests/golden
 *
 * Deterministic, little-endian whatever the host (the views do not care
 * about byte order: the readers' tests cover it).  One run of pid 4242,
 * x86-64 guest on an x86-64 host, real instruction bytes on both sides:
 *   views.tbs / views.jitdump  key 1 at 0x401000 (4 insns, exec 1000,
 *                              successors keys 2 and 3), key 2 at 0x401100
 *                              (2 insns, exec 5000, successors key 1 and
 *                              0x401300 which is no key), key 3 at 0x401200
 *                              (2 insns, exec 10, translated twice around a
 *                              FLUSH: code_index 3 and 4), STATS, END.  Each
 *                              guest insn became "add $-8,%rbx; mov
 *                              %rsp,%rbp" on the host, then "jmp; ret" out of
 *                              line.
 *   views-nostats.tbs          the same TBs without STATS (-tb-stats none)
 *   views-part.tbs             views.tbs cut inside its second STATS record
 *                              (a .part file: STATS 2 and 3 and END missing)
 *   views-other.jitdump        views.jitdump of pid 4343 (another run)
 *   views-ir.tbs               views.tbs (version 1.3) with TB_IR records,
 *                              -d op / -d op_opt text written by hand in
 *                              QEMU's format: key 2's translation (before
 *                              its TB, code_index 2), key 3's first
 *                              translation (code_index 3, not its latest),
 *                              and key 1 retranslated at exit
 *                              (TBS_IR_RETRANSLATED, before STATS)
 * (run.sh copies views-ir.tbs and views.jitdump into a run directory
 * @GEN@/views-run under QEMU's names, which .gitignore keeps out of git.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "tbstats_writer.h"

#include "../tools/fixture_run.h"

static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
static const char *dir;

struct run {
    struct tbs_writer *tw;
    struct jd_writer *jw;
};

static void start(struct run *r, uint32_t flags, uint32_t jd_pid)
{
    const struct tbs_header h = {
        .pid = 4242, .timestamp = 100, .guest_machine = 62, .host_machine = 62,
        .flags = flags, .guest_page_size = 4096, .guest_addr_bits = 64,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = jd_pid, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .prot = 5, .path = "/nonexistent/demo", .path_len = 17,
    };

    fixture_run_open(host_is_big, &h, &m, &jh, &r->tw, &r->jw);
}

/* One translation of guest code with instructions of the given sizes, and its LOAD. */
static void tb(struct run *r, uint64_t ts, uint64_t idx, uint64_t pc, uint32_t stats_id,
               const uint8_t *code, const unsigned *sizes, unsigned icount, const char *name)
{
    fixture_tb(r->tw, r->jw, 4242, ts, idx, pc, stats_id, code, sizes, icount, name);
}

/* A TB_IR record of key (pc, flags 0xb3) with -d op and -d op_opt text. */
static void tb_ir(struct run *r, uint64_t ts, uint64_t idx, uint64_t pc, uint32_t stats_id)
{
    static const char ops[] =
        "OP:\n"
        " ld_i32 loc9,env,$0xfffffffffffffff8\n"
        " brcond_i32 loc9,$0x0,lt,$L0\n"
        "\n"
        " ---- 0000000000401100 0000000000000000\n"
        " add_i64 tmp0,rdi,$0x8\n"
        " mov_i64 rax,tmp0\n"
        "\n"
        " ---- 0000000000401104 0000000000000000\n"
        " qemu_ld_a64_i64 tmp0,rsp,noat+leq+al,0\n"
        " add_i64 rsp,rsp,$0x8\n"
        " mov_i64 rip,tmp0\n"
        " call lookup_tb_ptr,$0x6,$1,tmp11,env\n"
        " goto_ptr tmp11\n"
        " set_label $L0\n"
        " exit_tb $0x7f0000001203\n";
    static const char ops_opt[] =
        "OP after optimization and liveness analysis:\n"
        " ld_i32 loc9,env,$0xfffffffffffffff8          pref=0xffff\n"
        " brcond_i32 loc9,$0x0,lt,$L0                  dead: 0 1\n"
        "\n"
        " ---- 0000000000401100 0000000000000000\n"
        " add_i64 rax,rdi,$0x8                         sync: 0  dead: 1  pref=0xffff\n"
        "\n"
        " ---- 0000000000401104 0000000000000000\n"
        " qemu_ld_a64_i64 tmp0,rsp,noat+leq+al,0       pref=0xffff\n"
        " add_i64 rsp,rsp,$0x8                         sync: 0  dead: 1 2  pref=0xffff\n"
        " mov_i64 rip,tmp0                             sync: 0  dead: 0 1  pref=0xffff\n"
        " call lookup_tb_ptr,$0x6,$1,tmp11,env         dead: 1  pref=none\n"
        " goto_ptr tmp11                               dead: 0\n"
        " set_label $L0\n"
        " exit_tb $0x7f0000001203\n";
    const struct tbs_tb_ir_view ir = {
        .timestamp = ts, .code_index = idx, .guest_pc = pc, .flags = 0xb3,
        .stats_id = stats_id, .ops_len = sizeof(ops) - 1, .ops_opt_len = sizeof(ops_opt) - 1,
        .ops = ops, .ops_opt = ops_opt,
    };

    fixture_check(tbs_writer_write_tb_ir(r->tw, &ir), "tb_ir");
}

/* The run; returns the offset of the second STATS record (0 without STATS). */
static size_t write_run(struct run *r, int with_stats, uint32_t jd_pid, int with_ir)
{
    static const uint64_t succ1[] = { 0x401100, 0x401200 };
    static const uint64_t succ2[] = { 0x401000, 0x401300 };
    /* Format 1.0 files: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view end = { .timestamp = 999, .exit_code = 0, .nr_tbs = 4, .nr_flushes = 1,
                                      .no_tlb = true };
    uint32_t flags = with_stats ? TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC |
                                  TBS_FLAG_STATS_TIME : 0;
    size_t second = 0;

    start(r, flags, jd_pid);
    tb(r, 200, 1, 0x401000, with_stats ? 1 : 0, fixture_main_code, fixture_main_sizes, 4,
       "demo+0x1000 main");
    if (with_ir)
        tb_ir(r, 210, 2, 0x401100, 2);
    tb(r, 210, 2, 0x401100, with_stats ? 2 : 0, fixture_fib_code, fixture_fib_sizes, 2,
       "demo+0x1100 fib");
    if (with_ir)
        tb_ir(r, 220, 3, 0x401200, 3);
    tb(r, 220, 3, 0x401200, with_stats ? 3 : 0, fixture_leaf_code, fixture_leaf_sizes, 2,
       "demo+0x1200 leaf");
    fixture_check(tbs_writer_write_flush(r->tw, 300), "flush");
    tb(r, 310, 4, 0x401200, with_stats ? 3 : 0, fixture_leaf_code, fixture_leaf_sizes, 2,
       "demo+0x1200 \"leaf\",again");
    if (with_ir)
        tb_ir(r, 990, TBS_IR_RETRANSLATED, 0x401000, 1);
    if (with_stats) {
        fixture_stats(r->tw, 1, 0x401000, 1000, 4, 1, 34, succ1, 2, 1);
        tbs_writer_data(r->tw, &second);
        fixture_stats(r->tw, 2, 0x401100, 5000, 2, 1, 20, succ2, 2, 0);
        fixture_stats(r->tw, 3, 0x401200, 10, 2, 2, 20, NULL, 0, 3);
    }
    fixture_check(tbs_writer_write_end(r->tw, &end), "end");
    return second;
}

static void close_run(struct run *r)
{
    tbs_writer_close(r->tw);
    jd_writer_close(r->jw);
}

int main(int argc, char **argv)
{
    struct run r;
    const uint8_t *data;
    size_t len, second;
    /* The runs write_run() writes and the files saved from each (NULL: none). */
    static const struct {
        int with_stats;
        uint32_t jd_pid;
        int with_ir;
        const char *side_file;
        const char *part;       /* the side file cut 50 bytes into the second STATS */
        const char *jitdump;
    } runs[] = {
        { 1, 4242, 0, "views.tbs",         "views-part.tbs", "views.jitdump" },
        { 0, 4242, 0, "views-nostats.tbs", NULL,             NULL },
        { 1, 4343, 0, NULL,                NULL,             "views-other.jitdump" },
        { 1, 4242, 1, "views-ir.tbs",      NULL,             NULL },
    };

    dir = fixture_dir(argc, argv);

    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        second = write_run(&r, runs[i].with_stats, runs[i].jd_pid, runs[i].with_ir);
        if (runs[i].side_file) {
            data = tbs_writer_data(r.tw, &len);
            fixture_save(dir, runs[i].side_file, data, len);
        }
        if (runs[i].part)
            fixture_save(dir, runs[i].part, data, second + 50);
        if (runs[i].jitdump) {
            data = jd_writer_data(r.jw, &len);
            fixture_save(dir, runs[i].jitdump, data, len);
        }
        close_run(&r);
    }
    return 0;
}
