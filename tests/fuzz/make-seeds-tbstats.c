/*
 * make-seeds-tbstats.c: writes the seed corpus of fuzz_tbstats
 * (tests/fuzz/corpus/tbstats/).
 *
 * The seeds are committed; rerun this only to change them:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds-tbstats.c build/lib/libqjd.a \
 *      -o build/make-seeds-tbstats && build/make-seeds-tbstats tests/fuzz/corpus/tbstats
 *
 * Small valid files in both byte orders covering every record type, and one
 * invalid file per check of the reader, so the fuzzer starts next to every
 * branch.  Deterministic: fixed values, byte orders fixed whatever the host.
 *   valid-*, the unprefixed variants   a 1.0 file (no STATS, stats_id 0)
 *   stats-*                            a 1.1 file with TBStatistics
 *   shadow-*                           a 1.2 file with SHADOW_STACK records
 *   ir-valid-le, ir-valid-be           a 1.3 file with TB_IR records (one of them
 *                                      TBS_IR_RETRANSLATED, one with empty text)
 *   ir-ops-len-over, ir-nul-in-text    the same with ops_len past the record,
 *                                      and with a NUL inside ops_opt
 *   system-end-le, system-end-be       a 1.4 file of a system emulator whose
 *                                      END has the TLB flush counts and the
 *                                      snapshot flag (64 bytes)
 *   system-end-size-mid                the same with an END of 48 bytes
 * Files before 1.4 end with the 40-byte END record of the QEMUs of their time.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tbstats_writer.h"

#include "../tools/fixture.h"

#define HDR sizeof(struct tbs_file_header)

static const char *dir;
static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

/*
 * Version 1.0: header, MAPPING, TB (3 instructions), UNMAP, FLUSH, unknown
 * type 42, END; little-endian unless big.  *tb_off receives the TB's offset.
 */
static struct tbs_writer *build(unsigned big, size_t *tb_off)
{
    static const uint8_t code[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
    static const uint64_t pcs[] = { 0x401000, 0x401001, 0x401004 };
    static const uint32_t ends[] = { 0x10, 0x20, 0x30 };
    static const uint8_t bid[4] = { 1, 2, 3, 4 };
    static const uint8_t unknown[8] = { 'n', 'e', 'w' };
    const struct tbs_header h = {
        .pid = 1234, .timestamp = 1, .guest_machine = 62, .host_machine = 62,
        .flags = TBS_FLAG_GUEST_LISTING, .guest_page_size = 4096, .guest_addr_bits = 64,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 2, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .bias = 0, .prot = 5, .build_id_size = 4, .build_id = bid,
        .path = "/bin/true", .path_len = 9,
    };
    const struct tbs_tb_view tb = {
        .timestamp = 3, .code_index = 1, .host_addr = 0x7f0000000100, .guest_pc = 0x401000,
        .phys_pc = UINT64_MAX, .host_size = 0x40, .guest_size = 5, .guest_code_size = 5,
        .icount = 3, .listing_line = 6, .guest_code = code,
    };
    const struct tbs_unmap_view u = { .timestamp = 4, .start = 0x401000, .end = 0x402000 };
    /* A format 1.0 file: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view e = { .timestamp = 6, .nr_tbs = 1, .nr_flushes = 1, .no_tlb = true };
    struct tbs_writer *w;

    fixture_check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    tbs_writer_data(w, tb_off);
    fixture_check(tbs_writer_write_tb(w, &tb, pcs, ends), "tb");
    fixture_check(tbs_writer_write_unmap(w, &u), "unmap");
    fixture_check(tbs_writer_write_flush(w, 5), "flush");
    fixture_check(tbs_writer_write_raw(w, 42, unknown, sizeof(unknown)), "raw");
    fixture_check(tbs_writer_write_end(w, &e), "end");
    return w;
}

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = v >> (8 * i);
}

/*
 * Version 1.1 as QEMU writes it with -perf: header with every statistics
 * flag, MAPPING, a TB of key 1, FLUSH, the same key translated again, a TB
 * of key 2, then at exit STATS 1 (two successors), STATS 2 (none), END.
 * Without TB records (stats_only) it is what -tb-stats alone writes.
 * *stats_off receives the first STATS record's offset.
 */
static struct tbs_writer *build_stats(unsigned big, bool stats_only, size_t *stats_off)
{
    static const uint8_t code[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
    static const uint64_t pcs[] = { 0x401000, 0x401001, 0x401004 };
    static const uint32_t ends[] = { 0x10, 0x20, 0x30 };
    static const uint64_t succ[] = { 0x401010, 0x401000 };
    const struct tbs_header h = {
        .version_minor = 1, .pid = 1234, .timestamp = 1, .guest_machine = 62,
        .host_machine = 62, .guest_page_size = 4096, .guest_addr_bits = 64,
        .flags = TBS_FLAG_GUEST_LISTING | TBS_FLAG_STATS | TBS_FLAG_STATS_JIT |
                 TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_TIME |
                 (stats_only ? TBS_FLAG_NO_TB_RECORDS : 0),
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct tbs_mapping_view m = {
        .timestamp = 2, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .prot = 5, .path = "/bin/true", .path_len = 9,
    };
    struct tbs_tb_view tb = {
        .timestamp = 3, .code_index = 1, .host_addr = 0x7f0000000100, .guest_pc = 0x401000,
        .phys_pc = 0x1000, .host_size = 0x40, .guest_size = 5, .guest_code_size = 5,
        .icount = 3, .listing_line = 6, .stats_id = 1, .guest_code = code,
    };
    const struct tbs_stats_view st1 = {
        .stats_id = 1, .guest_pc = 0x401000, .phys_pc = 0x1000, .exec_count = 100,
        .exec_atomic = 1, .insns_executed = 300, .translations = 2, .restores = 1,
        .guest_insns = 6, .guest_bytes = 10, .host_bytes = 0x80, .ops = 40, .ops_opt = 30,
        .spills = 2, .time_gen_ns = 1000, .time_opt_ns = 500, .time_la_ns = 300,
        .time_code_ns = 2000, .time_restore_ns = 50, .nr_succ = 2,
    };
    const struct tbs_stats_view st2 = {
        .stats_id = 2, .guest_pc = 0x401010, .phys_pc = 0x1010, .exec_count = 99,
        .insns_executed = 99, .translations = 1, .translations_uncached = 1,
        .guest_insns = 1, .guest_bytes = 1, .host_bytes = 0x20, .ops = 5, .ops_opt = 5,
    };
    const struct tbs_end_view e = { .timestamp = 9, .nr_tbs = stats_only ? 0 : 3,
                                    .nr_flushes = stats_only ? 0 : 1, .no_tlb = true };
    struct tbs_writer *w;

    fixture_check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    fixture_check(tbs_writer_write_mapping(w, &m), "mapping");
    if (!stats_only) {
        fixture_check(tbs_writer_write_tb(w, &tb, pcs, ends), "tb");
        fixture_check(tbs_writer_write_flush(w, 4), "flush");
        tb.timestamp = 5;
        tb.code_index = 2;
        fixture_check(tbs_writer_write_tb(w, &tb, pcs, ends), "tb");
        tb.timestamp = 6;
        tb.code_index = 3;
        tb.guest_pc = 0x401010;
        tb.phys_pc = 0x1010;
        tb.guest_size = tb.guest_code_size = 1;
        tb.guest_code = code + 4;
        tb.icount = 1;
        tb.stats_id = 2;
        fixture_check(tbs_writer_write_tb(w, &tb, pcs, ends), "tb");
    }
    tbs_writer_data(w, stats_off);
    fixture_check(tbs_writer_write_stats(w, &st1, succ), "stats");
    fixture_check(tbs_writer_write_stats(w, &st2, NULL), "stats");
    fixture_check(tbs_writer_write_end(w, &e), "end");
    return w;
}

/*
 * The valid little-endian file (1.1 when stats) with one patch (NULL: none),
 * cut to len (0: all).
 */
static void variant_of(bool stats, const char *name, size_t off, const void *patch, size_t n,
                       size_t len)
{
    struct tbs_writer *w;
    const uint8_t *data;
    uint8_t *buf;
    size_t size, tb;

    w = stats ? build_stats(0, false, &tb) : build(0, &tb);
    data = tbs_writer_data(w, &size);
    buf = malloc(size);
    memcpy(buf, data, size);
    if (patch)
        memcpy(buf + off, patch, n);
    fixture_save(dir, name, buf, len ? len : size);
    free(buf);
    tbs_writer_close(w);
}

static void variant(const char *name, size_t off, const void *patch, size_t n, size_t len)
{
    variant_of(false, name, off, patch, n, len);
}

static void stats_variant(const char *name, size_t off, const void *patch, size_t n,
                          size_t len)
{
    variant_of(true, name, off, patch, n, len);
}

/*
 * A writer of the later versions' seeds (1.MINOR, FLAGS, written by QEMU
 * QEMU_VERSION), swapped when big differs from this host, its header written.
 */
static struct tbs_writer *open_seed(unsigned big, uint16_t minor, uint32_t flags,
                                    const char *qemu_version)
{
    struct tbs_header h = {
        .version_minor = minor, .pid = 4242, .timestamp = 1000, .guest_machine = 62,
        .host_machine = 62, .flags = flags, .guest_page_size = 4096,
        .guest_addr_bits = 64, .guest_arch = "x86_64",
    };
    struct tbs_writer *w;

    snprintf(h.qemu_version, sizeof(h.qemu_version), "%s", qemu_version);
    fixture_check(tbs_writer_open_mem(big != host_is_big ? TBS_WRITER_SWAP : 0, &w), "open");
    fixture_check(tbs_writer_write_header(w, &h), "header");
    return w;
}

int main(int argc, char **argv)
{
    struct tbs_writer *w;
    const uint8_t *data;
    size_t len, tb, st;
    uint8_t v[4];

    dir = fixture_dir(argc, argv);

    /* Record offsets do not depend on the byte order: tb is the same for both. */
    for (unsigned swap = 0; swap < 2; swap++) {
        w = build(swap, &tb);
        data = tbs_writer_data(w, &len);
        fixture_save(dir, swap ? "valid-be" : "valid-le", data, len);
        tbs_writer_close(w);
    }

    variant("header-truncated", 0, NULL, 0, 40);
    variant("record-truncated", 0, NULL, 0, tb + 60);
    variant("bad-magic", 0, "QTBX", 4, 0);
    variant("version-2", 4, "\2\0", 2, 0);
    put32le(v, 0xfffffff8);
    variant("header-size-huge", 8, v, 4, 0);
    variant("record-size-huge", tb + 4, v, 4, 0);
    put32le(v, 12);
    variant("record-size-unaligned", tb + 4, v, 4, 0);
    put32le(v, 0);
    variant("record-size-zero", tb + 4, v, 4, 0);
    variant("icount-huge", tb + offsetof(struct tbs_tb, icount), "\xff\xff", 2, 0);
    put32le(v, 0xffffffff);
    variant("guest-code-size-huge", tb + offsetof(struct tbs_tb, guest_code_size), v, 4, 0);
    variant("build-id-size-huge", HDR + offsetof(struct tbs_mapping, build_id_size),
            "\x15", 1, 0);
    variant("mapping-path-unterminated", HDR + sizeof(struct tbs_mapping),
            "ABCDEFGHIJKLMNOP", 16, 0);

    w = build_stats(0, false, &st);
    data = tbs_writer_data(w, &len);
    fixture_save(dir, "stats-valid-le", data, len);
    tbs_writer_close(w);
    w = build_stats(1, false, &st);
    data = tbs_writer_data(w, &len);
    fixture_save(dir, "stats-valid-be", data, len);
    tbs_writer_close(w);
    w = build_stats(0, true, &tb);
    data = tbs_writer_data(w, &len);
    fixture_save(dir, "stats-only", data, len);
    tbs_writer_close(w);

    /* Inside the successors; in the fixed part, with nr_succ too big. */
    stats_variant("stats-truncated", 0, NULL, 0, st + sizeof(struct tbs_stats) + 4);
    put32le(v, 0xffffffff);
    stats_variant("stats-nr-succ-huge", st + offsetof(struct tbs_stats, nr_succ), v, 4, 0);
    stats_variant("stats-truncated-nr-succ-huge", st + offsetof(struct tbs_stats, nr_succ),
                  v, 4, st + sizeof(struct tbs_stats));
    put32le(v, 3);
    stats_variant("stats-nr-succ-over", st + offsetof(struct tbs_stats, nr_succ), v, 4, 0);
    put32le(v, sizeof(struct tbs_stats) - 8);
    stats_variant("stats-record-size-small", st + 4, v, 4, 0);

    /* 1.2: two threads' shadow stacks; then one record too small for its fields. */
    for (unsigned big = 0; big < 2; big++) {
        const struct tbs_shadow_stack_loc_view a = {
            .timestamp = 1001, .addr = 0x7ffcf0001000ull, .tid = 4242, .capacity = 1024,
        }, b = { .timestamp = 1002, .addr = 0x7ffcf8001000ull, .tid = 4243, .capacity = 64 };
        const struct tbs_end_view e = { .timestamp = 1003, .no_tlb = true };
        static const uint8_t short_payload[16];

        w = open_seed(big, 2, TBS_FLAG_SHADOW_STACK, "10.0.2");
        fixture_check(tbs_writer_write_shadow_stack(w, &a), "shadow stack");
        fixture_check(tbs_writer_write_shadow_stack(w, &b), "shadow stack");
        if (big)
            fixture_check(tbs_writer_write_raw(w, TBS_REC_SHADOW_STACK, short_payload,
                                               sizeof(short_payload)), "short");
        else
            fixture_check(tbs_writer_write_end(w, &e), "end");
        data = tbs_writer_data(w, &len);
        fixture_save(dir, big ? "shadow-record-size-small-be" : "shadow-valid-le", data, len);
        tbs_writer_close(w);
    }

    /* 1.3: TB_IR records; then the same with bad lengths and a NUL in the text. */
    for (unsigned variant = 0; variant < 4; variant++) {
        static const char ops[] = "OP:\n ---- 0000000000401000 0000000000000000\n"
                                  " mov_i64 rax,rbx\n exit_tb $0x0\n";
        static const char opt[] = "OP after optimization and liveness analysis:\n"
                                  " mov_i64 rax,rbx  dead: 1\n exit_tb $0x0\n";
        struct tbs_tb_ir_view a = {
            .timestamp = 1001, .code_index = 1, .guest_pc = 0x401000, .flags = 0xb3,
            .stats_id = 1, .ops_len = sizeof(ops) - 1, .ops_opt_len = sizeof(opt) - 1,
            .ops = ops, .ops_opt = opt,
        }, b = { .timestamp = 1002, .code_index = TBS_IR_RETRANSLATED, .guest_pc = 0x401100 };
        static const char *const names[] = {
            "ir-valid-le", "ir-valid-be", "ir-ops-len-over", "ir-nul-in-text",
        };
        uint8_t *p;

        w = open_seed(variant == 1, 3, 0, "10.2.2");
        fixture_check(tbs_writer_write_tb_ir(w, &a), "tb_ir");
        fixture_check(tbs_writer_write_tb_ir(w, &b), "tb_ir");
        data = tbs_writer_data(w, &len);
        p = (uint8_t *)data + sizeof(struct tbs_file_header);
        if (variant == 2)   /* ops_len one byte past the room of the record */
            put32le(p + offsetof(struct tbs_tb_ir, ops_len),
                    ((sizeof(struct tbs_tb_ir) + sizeof(ops) + sizeof(opt) + 5) & ~7u) -
                    sizeof(struct tbs_tb_ir) + 1);
        if (variant == 3)
            p[sizeof(struct tbs_tb_ir) + sizeof(ops) + 3] = 0;
        fixture_save(dir, names[variant], data, len);
        tbs_writer_close(w);
    }

    /* 1.4: a system emulator's END with TLB flush counts; then one of 48 bytes. */
    for (unsigned variant = 0; variant < 3; variant++) {
        const struct tbs_end_view e = {
            .timestamp = 1001, .end_flags = TBS_END_SNAPSHOT, .tlb_flush_full = 3,
            .tlb_flush_part = 2, .tlb_flush_elided = 1,
        };
        static const char *const names[] = {
            "system-end-le", "system-end-be", "system-end-size-mid",
        };
        uint8_t *p;

        w = open_seed(variant == 1, 4, TBS_FLAG_SYSTEM, "10.2.2");
        fixture_check(tbs_writer_write_end(w, &e), "end");
        data = tbs_writer_data(w, &len);
        p = (uint8_t *)data + sizeof(struct tbs_file_header);
        if (variant == 2) {     /* a 48-byte record: 16 bytes of the counts cut off */
            put32le(p + offsetof(struct tbs_record, size), 48);
            len -= 16;
        }
        fixture_save(dir, names[variant], data, len);
        tbs_writer_close(w);
    }
    return 0;
}
