/*
 * make-tbstats-fixtures.c: writes the tbstats fixtures of the golden tests
 * of "tbsym listing" and "tbsym dump".
 *
 * The fixtures are committed; rerun this only to change them, then refresh
 * the expected outputs (see run.sh):
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-tbstats-fixtures.c build/lib/libqjd.a \
 *      -o build/make-tbstats-fixtures && build/make-tbstats-fixtures tests/golden
 *
 * Named .tbs, not .tbstats, which .gitignore keeps out of git (QEMU output).
 * Deterministic: fixed field values, fixed byte orders whatever the host.
 * The MAPPING names a file that does not exist, so the listings carry no
 * symbols or source lines and do not depend on the machine.
 *   listing-x86.tbs            little-endian x86-64: a TB at line 6, a TB
 *                              without listing line (skipped), a TB at line
 *                              20 whose guest code is cut short, a record of
 *                              unknown type, FLUSH, a TB with an invalid
 *                              instruction, END
 *   listing-aarch64-be.tbs     big-endian file of a big-endian AArch64 guest
 *                              (aarch64_be: data big-endian, instructions
 *                              still little-endian, as QEMU records them)
 *   listing-unknown-arch.tbs   a guest capstone is not asked about (RISC-V)
 *   listing-truncated.tbs      listing-x86 cut inside its last TB
 *   listing-overlap.tbs        a TB whose lines overlap the previous TB's
 *   listing-corrupt.tbs        listing-x86 with an icount of 65535
 *   dump-side.tbs              version 1.1, little-endian, as -perf writes it:
 *                              MAPPING, TBs of two keys (stats_id 1 and 2),
 *                              UNMAP, a record of unknown type, FLUSH, key 1
 *                              translated again, STATS 1 (two successors,
 *                              h/insn 257/8 rounds to 32.13), STATS 2 (none),
 *                              END with exit code 3
 *   dump-side-big-endian.tbs   version 1.1, big-endian, as -tb-stats without
 *                              -perf writes it: no TB records, execution
 *                              counts only (no h/insn), TBS_MAX_SUCC successors
 *                              and some dropped, a flag bit this tool does
 *                              not know, END with a fatal signal
 *   dump-side-truncated.tbs    dump-side cut inside STATS 1's successors
 *   dump-side-corrupt.tbs      dump-side with STATS 1's nr_succ 2^32-1
 *   dump-side-system.tbs       version 1.4, as qemu-system-x86_64 -perf
 *                              writes it: SYSTEM, a symbol-list MAPPING, a
 *                              supervisor TB and a user TB of two keys,
 *                              STATS, END with TLB flush counts (1234 full,
 *                              56 partial, 7 elided)
 *   dump-side-system-old-end.tbs  the same with the 40-byte END record of the
 *                              first 1.4 QEMUs (no TLB flush counts)
 *   dump-side-snapshot.tbs     the same as the monitor's tb-stats write makes
 *                              it: END with TBS_END_SNAPSHOT, exit code 0
 *   dump-side-end-size.tbs     dump-side-system with an END record of 48
 *                              bytes (neither size): corrupt
 * Those written before format 1.4 end with the 40-byte END record of the
 * QEMUs of their time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tbstats_writer.h"

#include "../tools/fixture.h"

static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
static const char *dir;

static struct tbs_writer *start(unsigned big, uint16_t machine, const char *arch)
{
    struct tbs_header h = {
        .pid = 4242, .timestamp = 100, .guest_machine = machine, .host_machine = 62,
        /* As QEMU sets it: the flag says the guest is big-endian. */
        .flags = TBS_FLAG_GUEST_LISTING | (big ? TBS_FLAG_GUEST_BIG_ENDIAN : 0), .guest_page_size = 4096, .guest_addr_bits = 64,
        .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .path = "/nonexistent/guest", .path_len = 18, .prot = 5,
    };
    struct tbs_writer *w;

    snprintf(h.guest_arch, sizeof(h.guest_arch), "%s", arch);
    fixture_check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    return w;
}

/* One TB at pc with its instructions' sizes; code_size bytes of code given. */
static void tb(struct tbs_writer *w, uint64_t pc, const uint8_t *code, uint32_t guest_size,
               uint32_t code_size, const unsigned *sizes, unsigned icount, uint32_t line)
{
    uint64_t pcs[16];
    uint32_t ends[16];
    struct tbs_tb_view t = {
        .timestamp = 200 + line, .code_index = line, .host_addr = 0x7f0000000000 + pc,
        .guest_pc = pc, .phys_pc = UINT64_MAX, .guest_size = guest_size,
        .guest_code_size = code_size, .icount = icount, .listing_line = line,
        .guest_code = code,
    };

    for (unsigned i = 0; i < icount; i++) {
        pcs[i] = i ? pcs[i - 1] + sizes[i - 1] : pc;
        ends[i] = 0x18 * (i + 1);
    }
    t.host_size = ends[icount - 1] + 0x20;
    fixture_check(tbs_writer_write_tb(w, &t, pcs, ends), "tb");
}

/* A TB of the dump fixtures: pc, its instructions' sizes, its key's stats_id. */
static void stats_tb(struct tbs_writer *w, uint64_t ts, uint64_t code_index, uint64_t pc,
                     const uint8_t *code, const unsigned *sizes, unsigned icount,
                     uint32_t stats_id, uint8_t privilege)
{
    uint64_t pcs[16];
    uint32_t ends[16];
    struct tbs_tb_view t = {
        .timestamp = ts, .code_index = code_index,
        .host_addr = 0x7f0000000000 + 0x100 * code_index, .guest_pc = pc,
        .phys_pc = pc - 0x400000, .flags = 0xb3, .cflags = 0x800,
        .listing_line = 10 * code_index, .stats_id = stats_id, .privilege = privilege,
        .icount = icount, .guest_code = code,
    };

    for (unsigned i = 0; i < icount; i++) {
        pcs[i] = i ? pcs[i - 1] + sizes[i - 1] : pc;
        ends[i] = 0x18 * (i + 1);
        t.guest_size += sizes[i];
    }
    t.guest_code_size = t.guest_size;
    t.host_size = ends[icount - 1] + 0x20;
    fixture_check(tbs_writer_write_tb(w, &t, pcs, ends), "tb");
}

/*
 * dump-side.tbs; *stats_off receives the offset of its first STATS record.
 * The guest code is listing-x86's (the dump does not disassemble it).
 */
static struct tbs_writer *dump_side(const uint8_t *code_a, const unsigned *sizes_a,
                                    const uint8_t *code_b, const unsigned *sizes_b,
                                    size_t *stats_off)
{
    static const uint8_t bid[8] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03 };
    static const uint64_t succ1[] = { 0x401200, 0x401109 };
    static const uint8_t unknown[8] = { 'n', 'e', 'w' };
    const struct tbs_header h = {
        .version_minor = 1, .pid = 4242, .timestamp = 100, .guest_machine = 62,
        .host_machine = 62, .guest_page_size = 4096, .guest_addr_bits = 64,
        .flags = TBS_FLAG_GUEST_LISTING | TBS_FLAG_STATS | TBS_FLAG_STATS_JIT |
                 TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_TIME,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .bias = 0, .prot = 5, .build_id_size = sizeof(bid), .build_id = bid,
        .path = "/nonexistent/guest", .path_len = 18,
    };
    const struct tbs_unmap_view u = { .timestamp = 250, .start = 0x500000, .end = 0x501000 };
    /* Two translations of key 1 (4 instructions each), one of key 2 (2). */
    const struct tbs_stats_view st1 = {
        .stats_id = 1, .flags = 0xb3, .guest_pc = 0x401100, .phys_pc = 0x1100,
        .exec_count = 1000, .exec_atomic = 1, .insns_executed = 4000,
        .translations = 2, .translations_spanning = 0, .translations_uncached = 0,
        .restores = 1, .guest_insns = 8, .guest_bytes = 18, .host_bytes = 257,
        .ops = 52, .ops_opt = 40, .spills = 3, .time_gen_ns = 12000, .time_opt_ns = 3000,
        .time_la_ns = 2500, .time_code_ns = 20000, .time_restore_ns = 700,
        .nr_succ = 2, .succ_dropped = 0,
    };
    const struct tbs_stats_view st2 = {
        .stats_id = 2, .flags = 0xb3, .guest_pc = 0x401200, .phys_pc = 0x1200,
        .exec_count = 999, .insns_executed = 1998, .translations = 1,
        .translations_uncached = 1, .guest_insns = 2, .guest_bytes = 5, .host_bytes = 81,
        .ops = 12, .ops_opt = 10, .time_gen_ns = 4000, .time_opt_ns = 1000,
        .time_la_ns = 800, .time_code_ns = 6000,
    };
    const struct tbs_end_view end = {
        .timestamp = 999, .exit_code = 3, .nr_tbs = 3, .nr_flushes = 1, .no_tlb = true,
    };
    struct tbs_writer *w;

    fixture_check(tbs_writer_open_mem(host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    stats_tb(w, 201, 1, 0x401100, code_a, sizes_a, 4, 1, TBS_PRIV_NONE);
    stats_tb(w, 202, 2, 0x401200, code_b, sizes_b, 2, 2, TBS_PRIV_NONE);
    fixture_check(tbs_writer_write_unmap(w, &u), "unmap");
    fixture_check(tbs_writer_write_raw(w, 42, unknown, sizeof(unknown)), "raw");
    fixture_check(tbs_writer_write_flush(w, 300), "flush");
    stats_tb(w, 301, 3, 0x401100, code_a, sizes_a, 4, 1, TBS_PRIV_NONE);
    tbs_writer_data(w, stats_off);
    fixture_check(tbs_writer_write_stats(w, &st1, succ1), "stats");
    fixture_check(tbs_writer_write_stats(w, &st2, NULL), "stats");
    fixture_check(tbs_writer_write_end(w, &end), "end");
    return w;
}

/* dump-side-big-endian.tbs */
static struct tbs_writer *dump_side_big_endian(void)
{
    uint64_t succ[TBS_MAX_SUCC];
    const struct tbs_header h = {
        .version_minor = 1, .pid = 77, .timestamp = 5000, .guest_machine = 183,
        .host_machine = 62, .guest_page_size = 4096, .guest_addr_bits = 64,
        .flags = TBS_FLAG_GUEST_BIG_ENDIAN | TBS_FLAG_STATS | TBS_FLAG_STATS_EXEC |
                 TBS_FLAG_NO_TB_RECORDS | (1u << 31),
        .guest_arch = "aarch64_be", .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 5001, .start = 0x400000, .end = 0x401000, .bias = 0x400000,
        .prot = 5, .path = "/nonexistent/guest-be", .path_len = 21,
    };
    const struct tbs_stats_view st = {
        .stats_id = 1, .guest_pc = 0x400100, .phys_pc = UINT64_MAX,
        .exec_count = 0x100000000ull, .exec_atomic = 0, .insns_executed = 0x300000000ull,
        .nr_succ = TBS_MAX_SUCC, .succ_dropped = 3,
    };
    const struct tbs_end_view end = { .timestamp = 6000, .exit_code = 128 + 11, .no_tlb = true };
    struct tbs_writer *w;

    for (unsigned i = 0; i < TBS_MAX_SUCC; i++)
        succ[i] = 0x400200 + 0x10 * i;
    fixture_check(tbs_writer_open_mem(host_is_big ? 0 : TBS_WRITER_SWAP, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    fixture_check(tbs_writer_write_stats(w, &st, succ), "stats");
    fixture_check(tbs_writer_write_end(w, &end), "end");
    return w;
}

/*
 * dump-side-system.tbs and its variants: end as the END record (a 64-byte
 * one, or with no_tlb the 40-byte one); end_size, when not 0, the size
 * written into that record's prefix instead.
 */
static struct tbs_writer *dump_side_system(const struct tbs_end_view *end, uint32_t end_size,
                                           const uint8_t *code_a, const unsigned *sizes_a,
                                           const uint8_t *code_b, const unsigned *sizes_b)
{
    const struct tbs_header h = {
        .version_minor = 4, .pid = 4242, .timestamp = 100, .guest_machine = 62,
        .host_machine = 62, .guest_page_size = 4096, .guest_addr_bits = 64,
        .flags = TBS_FLAG_GUEST_LISTING | TBS_FLAG_STATS | TBS_FLAG_STATS_JIT |
                 TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_TIME | TBS_FLAG_SYSTEM,
        .guest_arch = "x86_64", .qemu_version = "10.2.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .prot = 5,
        .kind = TBS_MAPPING_SYMBOL_LIST, .path = "/nonexistent/System.map", .path_len = 23,
    };
    const struct tbs_stats_view st1 = {
        .stats_id = 1, .flags = 0xb3, .guest_pc = 0x401100, .phys_pc = 0x1100,
        .exec_count = 1000, .insns_executed = 4000, .translations = 1, .guest_insns = 4,
        .guest_bytes = 9, .host_bytes = 128, .ops = 26, .ops_opt = 20,
    };
    const struct tbs_stats_view st2 = {
        .stats_id = 2, .flags = 0xb3, .guest_pc = 0x401200, .phys_pc = 0x1200,
        .exec_count = 999, .insns_executed = 1998, .translations = 1, .guest_insns = 2,
        .guest_bytes = 5, .host_bytes = 80, .ops = 12, .ops_opt = 10,
    };
    unsigned swap = host_is_big ? TBS_WRITER_SWAP : 0;
    struct tbs_writer *w, *e;
    const uint8_t *rec;
    size_t len;

    fixture_check(tbs_writer_open_mem(swap, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    stats_tb(w, 201, 1, 0x401100, code_a, sizes_a, 4, 1, TBS_PRIV_SUPERVISOR);
    stats_tb(w, 202, 2, 0x401200, code_b, sizes_b, 2, 2, TBS_PRIV_USER);
    fixture_check(tbs_writer_write_stats(w, &st1, NULL), "stats");
    fixture_check(tbs_writer_write_stats(w, &st2, NULL), "stats");
    if (!end_size) {
        fixture_check(tbs_writer_write_end(w, end), "end");
        return w;
    }
    /* The first end_size - 8 bytes of the 64-byte record's fields. */
    fixture_check(tbs_writer_open_mem(swap, &e), "open");
    fixture_check(tbs_writer_write_end(e, end), "end");
    rec = tbs_writer_data(e, &len);
    fixture_check(end_size <= len ? 0 : -1, "end size");
    fixture_check(tbs_writer_write_raw(w, TBS_REC_END, rec + 8, end_size - 8), "raw end");
    tbs_writer_close(e);
    return w;
}

static void save_writer(const char *name, struct tbs_writer *w, size_t cut)
{
    const uint8_t *data;
    size_t len;

    data = tbs_writer_data(w, &len);
    fixture_save(dir, name, data, cut ? cut : len);
}

int main(int argc, char **argv)
{
    /* push %rbp; mov %rsp,%rbp; cmp $1,%edi; jle +0x1c */
    static const uint8_t x86_a[] = { 0x55, 0x48, 0x89, 0xe5, 0x83, 0xff, 0x01, 0x7e, 0x1c };
    static const unsigned x86_a_sizes[] = { 1, 3, 3, 2 };
    /* lea 0x8(%rdi),%rax; ret */
    static const uint8_t x86_b[] = { 0x48, 0x8d, 0x47, 0x08, 0xc3 };
    static const unsigned x86_b_sizes[] = { 4, 1 };
    /* ret; movl $1,%eax (5 bytes, only 3 of them recorded) */
    static const uint8_t x86_c[] = { 0xc3, 0xb8, 0x01, 0x00 };
    static const unsigned x86_c_sizes[] = { 1, 5 };
    /* invalid in 64-bit mode (push %es); nop */
    static const uint8_t x86_d[] = { 0x06, 0x90 };
    static const unsigned x86_d_sizes[] = { 1, 1 };
    /* nop; add x0, x0, x1; ret (little-endian instructions) */
    static const uint8_t a64[] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x01, 0x8b,
                                   0xc0, 0x03, 0x5f, 0xd6 };
    static const unsigned a64_sizes[] = { 4, 4, 4 };
    static const uint8_t unknown[8] = { 'n', 'e', 'w' };
    /* Format 1.0 files: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view end = { .timestamp = 999, .nr_tbs = 4, .nr_flushes = 1,
                                      .no_tlb = true };
    struct tbs_writer *w;
    size_t last_tb, stats_off;
    const uint8_t *data;
    size_t len;

    dir = fixture_dir(argc, argv);

    w = start(0, 62, "x86_64");
    tb(w, 0x401100, x86_a, sizeof(x86_a), sizeof(x86_a), x86_a_sizes, 4, 6);
    tb(w, 0x401200, x86_b, sizeof(x86_b), sizeof(x86_b), x86_b_sizes, 2, 0);
    tb(w, 0x401300, x86_c, 6, sizeof(x86_c), x86_c_sizes, 2, 20);
    fixture_check(tbs_writer_write_raw(w, 42, unknown, sizeof(unknown)), "raw");
    fixture_check(tbs_writer_write_flush(w, 300), "flush");
    tbs_writer_data(w, &last_tb);
    tb(w, 0x401400, x86_d, sizeof(x86_d), sizeof(x86_d), x86_d_sizes, 2, 30);
    fixture_check(tbs_writer_write_end(w, &end), "end");
    save_writer("listing-x86.tbs", w, 0);
    save_writer("listing-truncated.tbs", w, last_tb + 40);
    data = tbs_writer_data(w, &len);
    fixture_save_spoiled(dir, "listing-corrupt.tbs", data, len,
                         last_tb + offsetof(struct tbs_tb, icount), 2);
    tbs_writer_close(w);

    w = start(1, 183, "aarch64");
    tb(w, 0x401000, a64, sizeof(a64), sizeof(a64), a64_sizes, 3, 6);
    fixture_check(tbs_writer_write_end(w, &end), "end");
    save_writer("listing-aarch64-be.tbs", w, 0);
    tbs_writer_close(w);

    w = start(0, 243, "riscv64");
    tb(w, 0x401000, a64, 8, 8, a64_sizes, 2, 6);
    save_writer("listing-unknown-arch.tbs", w, 0);
    tbs_writer_close(w);

    w = start(0, 62, "x86_64");
    tb(w, 0x401100, x86_a, sizeof(x86_a), sizeof(x86_a), x86_a_sizes, 4, 6);
    tb(w, 0x401200, x86_b, sizeof(x86_b), sizeof(x86_b), x86_b_sizes, 2, 10);
    save_writer("listing-overlap.tbs", w, 0);
    tbs_writer_close(w);

    w = dump_side(x86_a, x86_a_sizes, x86_b, x86_b_sizes, &stats_off);
    save_writer("dump-side.tbs", w, 0);
    save_writer("dump-side-truncated.tbs", w, stats_off + sizeof(struct tbs_stats) + 4);
    data = tbs_writer_data(w, &len);
    fixture_save_spoiled(dir, "dump-side-corrupt.tbs", data, len,
                         stats_off + offsetof(struct tbs_stats, nr_succ), 4);
    tbs_writer_close(w);

    w = dump_side_big_endian();
    save_writer("dump-side-big-endian.tbs", w, 0);
    tbs_writer_close(w);

    {
        struct tbs_end_view e = {
            .timestamp = 999, .exit_code = 1, .nr_tbs = 2, .tlb_flush_full = 1234,
            .tlb_flush_part = 56, .tlb_flush_elided = 7,
        };

        w = dump_side_system(&e, 0, x86_a, x86_a_sizes, x86_b, x86_b_sizes);
        save_writer("dump-side-system.tbs", w, 0);
        tbs_writer_close(w);
        w = dump_side_system(&e, 48, x86_a, x86_a_sizes, x86_b, x86_b_sizes);
        save_writer("dump-side-end-size.tbs", w, 0);
        tbs_writer_close(w);
        e.no_tlb = true;
        w = dump_side_system(&e, 0, x86_a, x86_a_sizes, x86_b, x86_b_sizes);
        save_writer("dump-side-system-old-end.tbs", w, 0);
        tbs_writer_close(w);
        e.no_tlb = false;
        e.exit_code = 0;
        e.end_flags = TBS_END_SNAPSHOT;
        w = dump_side_system(&e, 0, x86_a, x86_a_sizes, x86_b, x86_b_sizes);
        save_writer("dump-side-snapshot.tbs", w, 0);
        tbs_writer_close(w);
    }
    return 0;
}
