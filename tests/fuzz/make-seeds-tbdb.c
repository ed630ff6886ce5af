/*
 * make-seeds-tbdb.c: writes the seed corpus of fuzz_tbdb
 * (tests/fuzz/corpus/tbdb/).
 *
 * The seeds are committed; rerun this only to change them:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds-tbdb.c build/lib/libqjd.a \
 *      -o build/make-seeds-tbdb && build/make-seeds-tbdb tests/fuzz/corpus/tbdb
 *
 * Each seed is fuzz_tbdb's input: u32 little-endian side file length, the
 * side file, the jitdump.  One run written by the writers, as QEMU -perf
 * writes it: MAPPING, three TBs (two of key 1 around a FLUSH), each with
 * its UNWINDING_INFO + CODE_LOAD, STATS, END.  Then the variants tbdb must
 * refuse or load partially.  Deterministic: fixed values and byte orders.
 *   valid            side file 1.1 + jitdump
 *   no-jitdump       the side file alone
 *   no-stats         side file 1.0 (keys synthesised from the TBs)
 *   big-endian       both files big-endian
 *   other-pid        the jitdump of another pid (-EBADMSG)
 *   host-addr-differs a CODE_LOAD at another address than its TB (-EBADMSG)
 *   export-part      the side file cut inside its last STATS record (a .part)
 *   jitdump-cut      the jitdump cut inside its last CODE_LOAD
 *   repeated-stats-id two STATS records with stats_id 1 (-EBADMSG)
 *   stats-id-max     STATS 2 numbered 2^32 - 1: no id left for the key
 *                    synthesised for TB 3 (-EBADMSG; it was an ambiguous id)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "tbstats_writer.h"

#include "../tools/fixture.h"

#define PID 1234

static const char *dir;
static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

struct variant {
    bool big, no_stats, repeat_stats;
    uint32_t top_id;                    /* the second STATS record's stats_id (0: 2) */
    uint32_t jd_pid;
    uint64_t load_addr_delta;
};

static void tb_and_load(struct tbs_writer *tw, struct jd_writer *jw, uint64_t ts, uint64_t idx,
                        uint64_t pc, uint32_t stats_id, uint64_t load_addr_delta)
{
    static const uint8_t guest[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
    static const uint32_t ends[] = { 0x10, 0x20, 0x30 };
    /* .eh_frame (a CIE, terminator), then a 4-byte stand-in .eh_frame_hdr */
    static const uint8_t unwind[] = {
        0x10, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 0x10, 1, 0x1b, 0, 0, 0,
        0, 0, 0, 0, 1, 0x1b, 3, 0x3b,
    };
    uint64_t pcs[3] = { pc, pc + 1, pc + 4 };
    uint8_t host[0x30];
    char name[32];
    const struct tbs_tb_view tb = {
        .timestamp = ts, .code_index = idx, .host_addr = 0x7f0000000000 + idx * 0x100,
        .guest_pc = pc, .phys_pc = pc - 0x400000, .flags = 0xb3, .host_size = sizeof(host),
        .guest_size = 5, .guest_code_size = 5, .icount = 3, .listing_line = 6,
        .stats_id = stats_id, .guest_code = guest,
    };
    const struct jd_unwinding_info u = {
        .unwinding_size = sizeof(unwind), .eh_frame_hdr_size = 4,
        .mapped_size = sizeof(unwind), .data = unwind,
    };
    struct jd_code_load l = {
        .pid = PID, .tid = PID, .vma = tb.host_addr + load_addr_delta,
        .code_addr = tb.host_addr + load_addr_delta, .code_size = sizeof(host),
        .code_index = idx, .name = name, .code = host,
    };

    memset(host, 0xcc, sizeof(host));
    l.name_len = (size_t)snprintf(name, sizeof(name), "true+0x%llx",
                                  (unsigned long long)(pc - 0x400000));
    fixture_check(tbs_writer_write_tb(tw, &tb, pcs, ends), "tb");
    fixture_check(jd_writer_write_unwinding_info(jw, ts, &u), "unwinding");
    fixture_check(jd_writer_write_load(jw, ts, &l), "load");
}

/*
 * The run as seed bytes (malloc()ed); *tbs_len receives the side file's length,
 * *end_off the offset of its END record.
 */
static uint8_t *build(const struct variant *v, size_t *len, size_t *tbs_len, size_t *end_off)
{
    static const uint64_t succ[] = { 0x401010, 0x401000 };
    const struct tbs_header h = {
        .version_minor = v->no_stats ? 0 : 1, .pid = PID, .timestamp = 1,
        .guest_machine = 62, .host_machine = 62, .guest_page_size = 4096,
        .guest_addr_bits = 64, .guest_arch = "x86_64", .qemu_version = "10.0.2",
        .flags = TBS_FLAG_GUEST_LISTING |
                 (v->no_stats ? 0 : TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC),
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = v->jd_pid, .timestamp = 1 };
    const struct tbs_mapping_view m = {
        .timestamp = 2, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .prot = 5, .path = "/bin/true", .path_len = 9,
    };
    const struct tbs_stats_view st1 = {
        .stats_id = 1, .flags = 0xb3, .guest_pc = 0x401000, .phys_pc = 0x1000,
        .exec_count = 100, .insns_executed = 300, .translations = 2, .guest_insns = 6,
        .guest_bytes = 10, .host_bytes = 0x60, .nr_succ = 2,
    };
    struct tbs_stats_view st2 = {
        .stats_id = v->repeat_stats ? 1 : v->top_id ? v->top_id : 2, .flags = 0xb3, .guest_pc = 0x401010,
        .phys_pc = 0x1010, .exec_count = 99, .insns_executed = 297, .translations = 1,
        .guest_insns = 3, .guest_bytes = 5, .host_bytes = 0x30,
    };
    /* Format 1.0 and 1.1 files: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view e = { .timestamp = 9, .nr_tbs = 3, .nr_flushes = 1, .no_tlb = true };
    struct tbs_writer *tw;
    struct jd_writer *jw;
    const uint8_t *t, *j;
    size_t tl, jl;
    uint8_t *buf;

    fixture_check(tbs_writer_open_mem(v->big != host_is_big ? TBS_WRITER_SWAP : 0, &tw), "open");
    fixture_check(jd_writer_open_mem(v->big != host_is_big ? JD_WRITER_SWAP : 0, &jw), "open");
    fixture_check(tbs_writer_write_header(tw, &h), "header");
    fixture_check(jd_writer_write_header(jw, &jh), "jd header");
    fixture_check(tbs_writer_write_mapping(tw, &m), "mapping");
    tb_and_load(tw, jw, 3, 1, 0x401000, v->no_stats ? 0 : 1, 0);
    fixture_check(tbs_writer_write_flush(tw, 4), "flush");
    tb_and_load(tw, jw, 5, 2, 0x401000, v->no_stats ? 0 : 1, 0);
    tb_and_load(tw, jw, 6, 3, 0x401010, v->no_stats ? 0 : 2, v->load_addr_delta);
    if (!v->no_stats) {
        fixture_check(tbs_writer_write_stats(tw, &st1, succ), "stats");
        fixture_check(tbs_writer_write_stats(tw, &st2, NULL), "stats");
    }
    tbs_writer_data(tw, end_off);
    fixture_check(tbs_writer_write_end(tw, &e), "end");
    t = tbs_writer_data(tw, &tl);
    j = jd_writer_data(jw, &jl);
    buf = malloc(4 + tl + jl);
    if (!buf)
        exit(1);
    for (int i = 0; i < 4; i++)
        buf[i] = (uint8_t)(tl >> (8 * i));
    memcpy(buf + 4, t, tl);
    memcpy(buf + 4 + tl, j, jl);
    *len = 4 + tl + jl;
    *tbs_len = tl;
    tbs_writer_close(tw);
    jd_writer_close(jw);
    return buf;
}

static void seed(const char *name, struct variant v)
{
    size_t len, tl, end_off;
    uint8_t *buf;

    if (!v.jd_pid)
        v.jd_pid = PID;
    buf = build(&v, &len, &tl, &end_off);
    fixture_save(dir, name, buf, len);
    free(buf);
}

int main(int argc, char **argv)
{
    size_t len, tl, end_off, cut;
    uint8_t *buf;

    dir = fixture_dir(argc, argv);
    seed("valid", (struct variant){ 0 });
    seed("no-stats", (struct variant){ .no_stats = true });
    seed("big-endian", (struct variant){ .big = true });
    seed("other-pid", (struct variant){ .jd_pid = PID + 1 });
    seed("host-addr-differs", (struct variant){ .load_addr_delta = 0x10 });
    seed("repeated-stats-id", (struct variant){ .repeat_stats = true });
    seed("stats-id-max", (struct variant){ .top_id = UINT32_MAX });

    buf = build(&(struct variant){ .jd_pid = PID }, &len, &tl, &end_off);
    /* The side file alone: the length covers everything. */
    fixture_save(dir, "no-jitdump", buf, 4 + tl);
    /* A .part: the END record and the last 8 bytes of the last STATS record missing. */
    cut = end_off - 8;
    memmove(buf + 4 + cut, buf + 4 + tl, len - 4 - tl);
    for (int i = 0; i < 4; i++)
        buf[i] = (uint8_t)(cut >> (8 * i));
    fixture_save(dir, "export-part", buf, len - (tl - cut));
    free(buf);

    buf = build(&(struct variant){ .jd_pid = PID }, &len, &tl, &end_off);
    fixture_save(dir, "jitdump-cut", buf, len - 20);         /* inside the last CODE_LOAD's code */
    free(buf);
    return 0;
}
