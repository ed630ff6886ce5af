/*
 * test_tbdb.c: lib/tbdb on side files and jitdumps made with the writers:
 * every field and lookup, the jitdump join and its mismatch errors, files
 * without STATS records, truncated files, tbdb_find_files().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitdump_writer.h"
#include "tbdb.h"
#include "tbstats_writer.h"
#include "unit.h"
#include "tbstats_checks.h"
#include "memlimit.h"

#define PID 4242

static const uint8_t code_a[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };  /* push; mov; ret */
static const uint8_t code_b[] = { 0x90, 0xc3 };                    /* nop; ret */

struct files {
    struct tbs_writer *tw;
    struct jd_writer *jw;
};

/* Writer flags of the next header(): TBS_WRITER_SWAP, JD_WRITER_SWAP. */
static unsigned tbs_writer_flags, jd_writer_flags;

static void header(struct files *f, uint32_t flags, uint32_t jd_pid)
{
    struct tbs_header h = {
        .pid = PID, .timestamp = 100, .guest_machine = 62, .host_machine = 62,
        .flags = flags, .guest_page_size = 4096, .guest_addr_bits = 64,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    struct jd_header jh = { .elf_mach = 62, .pid = jd_pid, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .bias = 0, .prot = 5, .build_id_size = 2, .build_id = (const uint8_t *)"\xab\xcd",
        .path = "/bin/demo", .path_len = 9,
    };
    const struct tbs_unmap_view u = { .timestamp = 102, .start = 0x500000, .end = 0x501000 };

    CHECK_EQ_I64(tbs_writer_open_mem(tbs_writer_flags, &f->tw), 0);
    CHECK_EQ_I64(jd_writer_open_mem(jd_writer_flags, &f->jw), 0);
    CHECK_EQ_I64(tbs_writer_write_header(f->tw, &h), 0);
    CHECK_EQ_I64(tbs_writer_write_mapping(f->tw, &m), 0);
    CHECK_EQ_I64(tbs_writer_write_unmap(f->tw, &u), 0);
    CHECK_EQ_I64(jd_writer_write_header(f->jw, &jh), 0);
}

/* The TB record tb() writes (but its arrays). */
static struct tbs_tb_view tb_view(uint64_t ts, uint64_t idx, uint64_t pc, const uint8_t *code,
                                  uint32_t size, unsigned icount, uint32_t stats_id,
                                  uint64_t host_addr)
{
    return (struct tbs_tb_view){
        .timestamp = ts, .code_index = idx, .host_addr = host_addr, .guest_pc = pc,
        .cs_base = 0, .phys_pc = pc + 0x1000, .flags = 0xb3, .cflags = 1, .host_size = 48,
        .guest_size = size, .guest_code_size = size, .icount = icount, .stats_id = stats_id,
        .guest_code = code,
    };
}

/* A TB of code (insns at the given offsets) and its LOAD with host_size bytes of 0xcc. */
static void tb(struct files *f, uint64_t ts, uint64_t idx, uint64_t pc, const uint8_t *code,
               uint32_t size, const unsigned *offs, unsigned icount, uint32_t stats_id,
               uint64_t host_addr, uint32_t load_size)
{
    uint64_t insn_pc[8];
    uint32_t host_end[8];
    uint8_t host[64];
    char name[32];
    struct tbs_tb_view v = tb_view(ts, idx, pc, code, size, icount, stats_id, host_addr);
    struct jd_code_load l = {
        .pid = PID, .tid = PID, .vma = host_addr, .code_addr = host_addr,
        .code_size = load_size, .code_index = idx, .code = host,
    };

    for (unsigned i = 0; i < icount; i++) {
        insn_pc[i] = pc + offs[i];
        host_end[i] = 10 * (i + 1);
    }
    memset(host, 0xcc, sizeof(host));
    snprintf(name, sizeof(name), "demo+0x%llx", (unsigned long long)(pc - 0x400000));
    l.name = name;
    l.name_len = strlen(name);
    CHECK_EQ_I64(tbs_writer_write_tb(f->tw, &v, insn_pc, host_end), 0);
    CHECK_EQ_I64(jd_writer_write_load(f->jw, ts, &l), 0);
}

/* The STATS record stats() writes (but its successors). */
static struct tbs_stats_view stats_view(uint32_t id, uint64_t pc, uint64_t exec, uint64_t insns,
                                        uint32_t nr_succ)
{
    return (struct tbs_stats_view){
        .stats_id = id, .flags = 0xb3, .guest_pc = pc, .cs_base = 0, .phys_pc = pc + 0x1000,
        .exec_count = exec, .exec_atomic = 1, .insns_executed = insns, .translations = 2,
        .translations_spanning = 0, .translations_uncached = 1, .restores = 3,
        .guest_insns = 6, .guest_bytes = 10, .host_bytes = 96, .ops = 40, .ops_opt = 30,
        .spills = 2, .time_gen_ns = 1000, .time_opt_ns = 200, .time_la_ns = 300,
        .time_code_ns = 400, .time_restore_ns = 50, .nr_succ = nr_succ,
    };
}

static void stats(struct files *f, uint32_t id, uint64_t pc, uint64_t exec, uint64_t insns,
                  const uint64_t *succ, uint32_t nr_succ)
{
    struct tbs_stats_view s = stats_view(id, pc, exec, insns, nr_succ);

    CHECK_EQ_I64(tbs_writer_write_stats(f->tw, &s, succ), 0);
}

static void end(struct files *f)
{
    const struct tbs_end_view e = { .timestamp = 900, .exit_code = 3, .nr_tbs = 3, .nr_flushes = 1 };

    CHECK_EQ_I64(tbs_writer_write_end(f->tw, &e), 0);
}

static const unsigned offs_a[] = { 0, 1, 4 }, offs_b[] = { 0, 1 };

/* The run of most tests: key 1 (0x401000) translated twice around a FLUSH, key 2 once. */
static void run(struct files *f, bool with_stats, uint32_t flags)
{
    static const uint64_t succ1[] = { 0x401100, 0x409999 };

    header(f, flags, PID);
    tb(f, 200, 1, 0x401000, code_a, sizeof(code_a), offs_a, 3, with_stats ? 1 : 0, 0x7f0000, 48);
    tb(f, 210, 2, 0x401100, code_b, sizeof(code_b), offs_b, 2, with_stats ? 2 : 0, 0x7f0100, 48);
    CHECK_EQ_I64(tbs_writer_write_flush(f->tw, 300), 0);
    tb(f, 310, 3, 0x401000, code_a, sizeof(code_a), offs_a, 3, with_stats ? 1 : 0, 0x7f0000, 48);
    if (with_stats) {
        /* Out of stats_id order on purpose: the db sorts them. */
        stats(f, 2, 0x401100, 100, 200, NULL, 0);
        stats(f, 1, 0x401000, 300, 900, succ1, 2);
    }
    end(f);
}

/* The run with STATS records; *t and *j: its side file and jitdump, owned by f's writers. */
static void run_stats(struct files *f, const uint8_t **t, size_t *tl, const uint8_t **j,
                      size_t *jl)
{
    run(f, true, TBS_FLAG_STATS);
    *t = tbs_writer_data(f->tw, tl);
    *j = jd_writer_data(f->jw, jl);
}

static int open_files(struct files *f, struct tbdb **db, bool with_jd)
{
    size_t tl, jl;
    const uint8_t *t = tbs_writer_data(f->tw, &tl), *j = jd_writer_data(f->jw, &jl);

    return tbdb_open_mem(t, tl, "x.tbstats", with_jd ? j : NULL, jl, "x.dump", db);
}

static void close_files(struct files *f)
{
    tbs_writer_close(f->tw);
    jd_writer_close(f->jw);
}

static void test_fields(void)
{
    struct files f;
    struct tbdb *db;
    const struct tbdb_key *k1, *k2;
    const struct tbdb_tb *t;
    /* Key 1 and the second TB record, as run() writes them. */
    const struct tbs_stats_view want_k1 = stats_view(1, 0x401000, 300, 900, 2);
    const struct tbs_tb_view want_t = tb_view(210, 2, 0x401100, code_b, sizeof(code_b), 2, 2,
                                              0x7f0100);

    run(&f, true, TBS_FLAG_STATS | TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_TIME);
    CHECK_EQ_I64(open_files(&f, &db, true), 0);
    CHECK(tbdb_warning(db) == NULL);
    CHECK_EQ_U64(db->header.pid, PID);
    CHECK_EQ_U64(db->header.guest_machine, 62);
    CHECK_EQ_U64(db->jitdump_pid, PID);
    CHECK(db->have_counters && db->have_end && !db->tbstats_partial && !db->jitdump_partial);
    CHECK_EQ_I64(db->exit_code, 3);
    CHECK_EQ_U64(db->nr_flushes, 1);
    CHECK_EQ_U64(db->nr_unmatched_loads, 0);
    CHECK_EQ_U64(db->nr_mappings, 2);
    CHECK_STR_EQ(db->mappings[0].path, "/bin/demo");
    CHECK_EQ_U64(db->mappings[0].build_id_size, 2);
    CHECK_EQ_U64(db->mappings[0].build_id[1], 0xcd);
    CHECK(!db->mappings[0].unmap && db->mappings[1].unmap);
    CHECK_EQ_U64(db->mappings[1].start, 0x500000);

    CHECK_EQ_U64(db->nr_keys, 2);
    CHECK_EQ_U64(db->nr_tb_records, 3);
    CHECK_EQ_U64(db->keys[0].stats_id, 1);
    CHECK_EQ_U64(db->total_exec_count, 400);
    CHECK_EQ_U64(db->total_insns_executed, 1100);
    CHECK_EQ_U64(db->max_exec_count, 300);

    k1 = tbdb_key_by_id(db, 1);
    k2 = tbdb_key_by_id(db, 2);
    CHECK(k1 && k2 && !tbdb_key_by_id(db, 3) && !tbdb_key_by_id(db, 0));
    if (!k1 || !k2)
        goto out;
    CHECK(!k1->synthesised);
    CHECK_STATS_FIELDS(k1, &want_k1);
    CHECK_EQ_U64(k1->succ_pc[0], 0x401100);
    CHECK_EQ_U64(k1->succ_pc[1], 0x409999);
    CHECK(k1->hg_ratio == 9.6);
    CHECK(k1->host_per_insn == 16.0);
    CHECK(k1->insns_per_translation == 3.0);
    CHECK(k1->coverage > 0.818 && k1->coverage < 0.819);
    CHECK_EQ_U64(k1->nr_tb_records, 2);
    CHECK(k1->tb_records[0] == &db->tb_records[0] && k1->tb_records[1] == &db->tb_records[2] &&
          k1->latest == &db->tb_records[2]);
    CHECK_EQ_U64(k2->nr_tb_records, 1);
    CHECK(k2->latest == &db->tb_records[1]);

    t = &db->tb_records[1];
    CHECK_TB_FIELDS(t, &want_t);
    CHECK_EQ_U64(t->insn_pc[1], 0x401101);
    CHECK_EQ_U64(t->host_end[1], 20);
    CHECK_MEM_EQ(t->guest_code, code_b, 2);
    CHECK(t->key == k2);
    CHECK(t->have_load);
    CHECK_EQ_U64(t->load_timestamp, 210);
    CHECK_EQ_U64(t->code_addr, 0x7f0100);
    CHECK_EQ_U64(t->code_size, 48);
    CHECK_STR_EQ(t->name, "demo+0x1100");
    CHECK_EQ_U64(t->name_len, 11);
    CHECK_EQ_U64(t->code[47], 0xcc);

    CHECK(tbdb_tb_by_code_index(db, 3) == &db->tb_records[2]);
    CHECK(tbdb_tb_by_code_index(db, 4) == NULL);
    CHECK(tbdb_key_by_pc(db, 0x401100) == k2);
    CHECK(tbdb_key_by_pc(db, 0x401101) == NULL);
    CHECK(db->keys_by_pc[0] == k1 && db->keys_by_pc[1] == k2);
out:
    tbdb_close(db);
    close_files(&f);
}

/* Without a jitdump: the same model, no names or host code. */
static void test_without_jitdump(void)
{
    struct files f;
    struct tbdb *db;

    run(&f, true, TBS_FLAG_STATS);
    CHECK_EQ_I64(open_files(&f, &db, false), 0);
    CHECK(db->jitdump_path == NULL);
    CHECK_EQ_U64(db->nr_tb_records, 3);
    CHECK(!db->tb_records[0].have_load && db->tb_records[0].name == NULL &&
          db->tb_records[0].code == NULL);
    tbdb_close(db);
    close_files(&f);
}

static void test_no_stats(void)
{
    struct files f;
    struct tbdb *db;
    const struct tbdb_key *k;

    run(&f, false, 0);
    CHECK_EQ_I64(open_files(&f, &db, true), 0);
    CHECK(!db->have_counters);
    CHECK_EQ_U64(db->nr_keys, 2);
    k = tbdb_key_by_pc(db, 0x401000);
    CHECK(k != NULL);
    if (k) {
        CHECK(k->synthesised);
        CHECK_EQ_U64(k->stats_id, 1);
        CHECK_EQ_U64(k->exec_count, 0);
        CHECK_EQ_U64(k->nr_tb_records, 2);
        CHECK_EQ_U64(k->phys_pc, 0x402000);
        CHECK(k->coverage == 0.0 && k->hg_ratio == 0.0);
    }
    CHECK(tbdb_key_by_id(db, 2) && tbdb_key_by_id(db, 2)->guest_pc == 0x401100);
    CHECK(db->tb_records[2].key == k);
    tbdb_close(db);
    close_files(&f);
}

/*
 * The END record's snapshot flag and TLB flush counts, from the 64-byte
 * record; the 40-byte one of an older QEMU has neither.
 */
static void test_end_record(void)
{
    const struct tbs_end_view e = {
        .timestamp = 900, .end_flags = TBS_END_SNAPSHOT, .nr_tbs = 0,
        .tlb_flush_full = 1234, .tlb_flush_part = 56, .tlb_flush_elided = 7,
    };

    for (int old = 0; old < 2; old++) {
        struct tbs_end_view v = e;
        struct files f;
        struct tbdb *db;

        v.no_tlb = old;
        header(&f, TBS_FLAG_SYSTEM, PID);
        CHECK_EQ_I64(tbs_writer_write_end(f.tw, &v), 0);
        CHECK_EQ_I64(open_files(&f, &db, true), 0);
        CHECK(db->have_end && !db->tbstats_partial);
        CHECK(db->snapshot == !old);
        CHECK(db->have_tlb_flushes == !old);
        CHECK_EQ_U64(db->tlb_flush_full, old ? 0 : 1234);
        CHECK_EQ_U64(db->tlb_flush_part, old ? 0 : 56);
        CHECK_EQ_U64(db->tlb_flush_elided, old ? 0 : 7);
        tbdb_close(db);
        close_files(&f);
    }
}

/* A .part file: cut inside the last record, so no STATS and no END. */
static void test_truncated(void)
{
    struct files f;
    struct tbdb *db;
    size_t tl, jl;
    const uint8_t *t, *j;

    run_stats(&f, &t, &tl, &j, &jl);
    /* Cut inside the second STATS record (the first is 176 bytes, then END). */
    CHECK_EQ_I64(tbdb_open_mem(t, tl - TBS_END_SIZE - 10, "x.tbstats.part", j, jl - 5, "x.dump",
                               &db), 0);
    CHECK(db->tbstats_partial && db->jitdump_partial && !db->have_end);
    CHECK(tbdb_warning(db) && strstr(tbdb_warning(db), "x.tbstats.part: truncated record at byte offset"));
    CHECK(tbdb_warning(db) && strstr(tbdb_warning(db), "x.dump: truncated"));
    CHECK(db->have_counters);
    /* STATS 2 made it, STATS 1 did not: key 1 is synthesised from its TBs. */
    CHECK_EQ_U64(db->nr_keys, 2);
    CHECK(tbdb_key_by_pc(db, 0x401000) && tbdb_key_by_pc(db, 0x401000)->synthesised);
    CHECK_EQ_U64(tbdb_key_by_pc(db, 0x401000)->stats_id, 3);
    CHECK(!db->tb_records[2].have_load);   /* its LOAD was cut */
    tbdb_close(db);

    /* Cut inside the header: nothing to load. */
    CHECK_EQ_I64(tbdb_open_mem(t, 20, "x.tbstats.part", NULL, 0, NULL, &db), -ENODATA);
    CHECK(strstr(tbdb_strerror(db), "x.tbstats.part") != NULL);
    tbdb_close(db);
    close_files(&f);
}

static void test_mismatch(void)
{
    struct files f;
    struct tbdb *db;
    size_t tl, jl;
    const uint8_t *t, *j;
    static const uint64_t none[1];

    /* Another pid. */
    header(&f, 0, PID + 1);
    end(&f);
    CHECK_EQ_I64(open_files(&f, &db, true), -EBADMSG);
    CHECK(strstr(tbdb_strerror(db), "x.tbstats and x.dump are not from the same run") != NULL);
    CHECK(strstr(tbdb_strerror(db), "pid 4242 in the side file, 4243 in the jitdump") != NULL);
    tbdb_close(db);
    close_files(&f);

    /* Same pid, a LOAD of the same code_index elsewhere. */
    header(&f, 0, PID);
    tb(&f, 200, 1, 0x401000, code_a, sizeof(code_a), offs_a, 3, 0, 0x7f0000, 48);
    t = tbs_writer_data(f.tw, &tl);
    {
        struct files g;

        header(&g, 0, PID);
        tb(&g, 200, 1, 0x401000, code_a, sizeof(code_a), offs_a, 3, 0, 0x7f8000, 48);
        j = jd_writer_data(g.jw, &jl);
        CHECK_EQ_I64(tbdb_open_mem(t, tl, "a.tbstats", j, jl, "b.dump", &db), -EBADMSG);
        CHECK(strstr(tbdb_strerror(db), "b.dump and a.tbstats are not from the same run") != NULL);
        CHECK(strstr(tbdb_strerror(db), "code_index 1") != NULL);
        tbdb_close(db);
        close_files(&g);
    }
    close_files(&f);

    /* Repeated and zero stats_id. */
    header(&f, TBS_FLAG_STATS, PID);
    stats(&f, 5, 0x401000, 1, 1, none, 0);
    stats(&f, 5, 0x401100, 1, 1, none, 0);
    CHECK_EQ_I64(open_files(&f, &db, false), -EBADMSG);
    CHECK(strstr(tbdb_strerror(db), "repeated stats_id") != NULL);
    tbdb_close(db);
    close_files(&f);
    header(&f, TBS_FLAG_STATS, PID);
    stats(&f, 0, 0x401000, 1, 1, none, 0);
    CHECK_EQ_I64(open_files(&f, &db, false), -EBADMSG);
    CHECK(strstr(tbdb_strerror(db), "stats_id 0 at byte offset") != NULL);
    tbdb_close(db);
    close_files(&f);

    /*
     * The highest stats_id leaves no room for the synthesised keys after it
     * (found by the memory test's hostile values): they would all have been
     * numbered 2^32 - 1, so tbdb_key_by_id() gave one key for several.
     */
    for (uint32_t top = UINT32_MAX - 1; top != 0; top = top == UINT32_MAX - 1 ? UINT32_MAX : 0) {
        header(&f, TBS_FLAG_STATS, PID);
        tb(&f, 200, 1, 0x401000, code_a, sizeof(code_a), offs_a, 3, 0, 0x7f0000, 48);
        tb(&f, 210, 2, 0x401100, code_b, sizeof(code_b), offs_b, 2, 0, 0x7f0100, 48);
        stats(&f, top, 0x402000, 1, 1, none, 0);
        CHECK_EQ_I64(open_files(&f, &db, false), -EBADMSG);
        CHECK(strstr(tbdb_strerror(db), "x.tbstats: stats_id ") == tbdb_strerror(db));
        CHECK(strstr(tbdb_strerror(db), "too large (the keys of TBs without a STATS record "
                                        "are numbered after it: 2 needed)") != NULL);
        tbdb_close(db);
        close_files(&f);
    }
    /* With room for exactly one: loads, ids unique. */
    header(&f, TBS_FLAG_STATS, PID);
    tb(&f, 200, 1, 0x401000, code_a, sizeof(code_a), offs_a, 3, 0, 0x7f0000, 48);
    stats(&f, UINT32_MAX - 1, 0x402000, 1, 1, none, 0);
    if (CHECK_EQ_I64(open_files(&f, &db, false), 0) && CHECK_EQ_U64(db->nr_keys, 2)) {
        CHECK_EQ_U64(db->keys[1].stats_id, UINT32_MAX);
        CHECK(db->keys[1].synthesised && tbdb_key_by_id(db, UINT32_MAX) == &db->keys[1]);
    }
    tbdb_close(db);
    close_files(&f);
}

/* Corrupt input: the reader's message comes through. */
static void test_corrupt(void)
{
    struct tbdb *db;
    static const uint8_t junk[128] = "not an export";

    CHECK_EQ_I64(tbdb_open_mem(junk, sizeof(junk), "junk", NULL, 0, NULL, &db), -EBADMSG);
    CHECK(strstr(tbdb_strerror(db), "junk:") == tbdb_strerror(db));
    CHECK(strstr(tbdb_strerror(db), "at byte offset 0") != NULL);
    tbdb_close(db);
    tbdb_close(NULL);
    CHECK_STR_EQ(tbdb_strerror(NULL), "no error");
}

static void test_files(void)
{
    char dir[] = "/tmp/test_tbdb.XXXXXX", path[256], path2[256];
    char *tp, *jp;
    struct files f;
    struct tbdb *db;
    size_t tl, jl;
    const uint8_t *t, *j;

    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    CHECK_EQ_I64(tbdb_find_files(dir, 0, &tp, &jp), -ENOENT);
    run_stats(&f, &t, &tl, &j, &jl);
    snprintf(path, sizeof(path), "%s/jit-4242.tbstats.part", dir);
    unit_write_file(path, t, tl);
    CHECK_EQ_I64(tbdb_find_files(dir, 0, &tp, &jp), 0);
    CHECK_STR_EQ(tp, path);
    CHECK(jp == NULL);
    free(tp);
    snprintf(path, sizeof(path), "%s/jit-4242.tbstats", dir);
    unit_write_file(path, t, tl);
    snprintf(path2, sizeof(path2), "%s/jit-4242.dump", dir);
    unit_write_file(path2, j, jl);
    CHECK_EQ_I64(tbdb_find_files(dir, 4242, &tp, &jp), 0);
    CHECK_STR_EQ(tp, path);
    CHECK(jp && !strcmp(jp, path2));
    CHECK_EQ_I64(tbdb_open(tp, jp, &db), 0);
    CHECK_EQ_U64(db->nr_tb_records, 3);
    CHECK(db->tb_records[0].have_load);
    CHECK_STR_EQ(db->tbstats_path, path);
    tbdb_close(db);
    free(tp);
    free(jp);
    CHECK_EQ_I64(tbdb_find_files(dir, 77, &tp, &jp), -ENOENT);
    CHECK_EQ_I64(tbdb_open("/nonexistent/x.tbstats", NULL, &db), -ENOENT);
    CHECK(strstr(tbdb_strerror(db), "/nonexistent/x.tbstats: open:") != NULL);
    tbdb_close(db);

    unlink(path2);
    unlink(path);
    snprintf(path, sizeof(path), "%s/jit-4242.tbstats.part", dir);
    unlink(path);
    rmdir(dir);
    close_files(&f);
}

/* Many TBs: the hash of synthesised keys and the counting sort at scale. */
static void test_many(void)
{
    struct files f;
    struct tbdb *db;
    enum { N = 20000 };

    header(&f, 0, PID);
    for (unsigned i = 0; i < N; i++)
        tb(&f, 200 + i, N - i, 0x401000 + (i % 5000) * 16, code_b, sizeof(code_b), offs_b, 2, 0,
           0x7f0000 + i * 64, 48);
    end(&f);
    CHECK_EQ_I64(open_files(&f, &db, true), 0);
    CHECK_EQ_U64(db->nr_tb_records, N);
    CHECK_EQ_U64(db->nr_keys, 5000);
    CHECK_EQ_U64(db->keys[4999].nr_tb_records, 4);
    /* code_index descends in the file: the db sorts an index. */
    CHECK(tbdb_tb_by_code_index(db, 1) == &db->tb_records[N - 1]);
    CHECK(tbdb_tb_by_code_index(db, N) == &db->tb_records[0]);
    CHECK(db->tb_records[N - 1].have_load);
    tbdb_close(db);
    close_files(&f);
}

/*
 * Touch everything a loaded db points to and check the invariants the views
 * rely on (as fuzz_tbdb does); returns the number of TBs with a LOAD.
 */
static size_t walk_db(const struct tbdb *db)
{
    size_t loads = 0;
    unsigned sum = 0;

    for (size_t i = 0; i < db->nr_keys; i++) {
        const struct tbdb_key *k = &db->keys[i];

        for (uint32_t j = 0; j < k->nr_succ; j++)
            sum += (unsigned)k->succ_pc[j];
        for (uint32_t j = 0; j < k->nr_tb_records; j++)
            CHECK(k->tb_records[j]->key == k);
        CHECK(tbdb_key_by_id(db, k->stats_id) == k);
        CHECK(tbdb_key_by_pc(db, k->guest_pc) != NULL);
    }
    for (size_t i = 0; i < db->nr_tb_records; i++) {
        const struct tbdb_tb *t = &db->tb_records[i];

        CHECK(t->key != NULL);
        for (uint32_t j = 0; j < t->icount; j++)
            sum += (unsigned)t->insn_pc[j] + t->host_end[j];
        for (uint32_t j = 0; j < t->guest_code_size; j++)
            sum += t->guest_code[j];
        if (t->have_load) {
            loads++;
            CHECK_EQ_U64(strlen(t->name), t->name_len);
            for (uint64_t j = 0; j < t->code_size; j++)
                sum += t->code[j];
        }
        CHECK(tbdb_tb_by_code_index(db, t->code_index) != NULL);
    }
    for (size_t i = 0; i < db->nr_mappings; i++)
        sum += (unsigned)strlen(db->mappings[i].path);
    (void)sum;
    return loads;
}

/*
 * Each file cut at every byte offset, with the other one whole: the side file
 * before its first record is -ENODATA (nothing to load), after it a db of
 * what precedes the cut (never fewer TBs than a shorter cut), partial unless
 * the cut is at the end; the same for the jitdump's CODE_LOADs.
 */
static void test_truncation_everywhere(void)
{
    struct files f;
    struct tbdb *db;
    size_t tl, jl, last_nr_tb_records = 0, last_loads = 0;
    const uint8_t *t, *j;

    run_stats(&f, &t, &tl, &j, &jl);
    for (size_t cut = 0; cut <= tl; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        int ret;

        memcpy(p, t, cut);
        ret = tbdb_open_mem(p, cut, "x.tbstats.part", j, jl, "x.dump", &db);
        if (cut < sizeof(struct tbs_file_header)) {
            CHECK_EQ_I64(ret, -ENODATA);
            CHECK(strstr(tbdb_strerror(db), "x.tbstats.part: ") == tbdb_strerror(db));
        } else if (CHECK_EQ_I64(ret, 0)) {
            CHECK(db->nr_tb_records >= last_nr_tb_records);
            last_nr_tb_records = db->nr_tb_records;
            walk_db(db);
            CHECK(db->tbstats_partial == (cut < tl));
            CHECK((tbdb_warning(db) != NULL) == (cut < tl));
        }
        tbdb_close(db);
        free(p);
    }
    CHECK_EQ_U64(last_nr_tb_records, 3);
    for (size_t cut = 0; cut <= jl; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        int ret;

        memcpy(p, j, cut);
        ret = tbdb_open_mem(t, tl, "x.tbstats", p, cut, "x.dump", &db);
        if (cut < 40) {                 /* the jitdump header */
            CHECK_EQ_I64(ret, -ENODATA);
            CHECK(strstr(tbdb_strerror(db), "x.dump: ") == tbdb_strerror(db));
        } else if (CHECK_EQ_I64(ret, 0)) {
            size_t loads = walk_db(db);

            CHECK_EQ_U64(db->nr_tb_records, 3);
            CHECK(loads >= last_loads);
            last_loads = loads;
            /* A cut at a record boundary is a complete (shorter) jitdump. */
            CHECK(!db->jitdump_partial || (cut < jl && tbdb_warning(db) != NULL));
        }
        tbdb_close(db);
        free(p);
    }
    CHECK_EQ_U64(last_loads, 3);
    close_files(&f);
}

/* Every byte of either file flipped: an error or a consistent db. */
static void test_byte_flips(void)
{
    static const uint8_t masks[] = { 0x01, 0x80, 0xff };
    struct files f;
    struct tbdb *db;
    size_t tl, jl;
    const uint8_t *t, *j;

    run_stats(&f, &t, &tl, &j, &jl);
    for (int which = 0; which < 2; which++) {
        size_t len = which ? jl : tl;

        for (size_t off = 0; off < len; off++) {
            for (size_t m = 0; m < sizeof(masks); m++) {
                uint8_t *p = malloc(len);
                int ret;

                memcpy(p, which ? j : t, len);
                p[off] ^= masks[m];
                ret = which ? tbdb_open_mem(t, tl, "x.tbstats", p, len, "x.dump", &db)
                            : tbdb_open_mem(p, len, "x.tbstats", j, jl, "x.dump", &db);
                CHECK(ret == 0 || ret == -EBADMSG || ret == -ENODATA || ret == -ENOTSUP);
                if (ret == 0)
                    walk_db(db);
                else
                    CHECK(strstr(tbdb_strerror(db), "byte offset") != NULL);
                tbdb_close(db);
                free(p);
            }
        }
    }
    close_files(&f);
}

/* Files in the other byte order (each or both) load to the same db. */
static void test_foreign_byte_order(void)
{
    struct files native, foreign;
    struct tbdb *a, *b;

    run(&native, true, TBS_FLAG_STATS);
    CHECK_EQ_I64(open_files(&native, &a, true), 0);
    for (int mix = 1; mix < 4; mix++) {
        tbs_writer_flags = mix & 1 ? TBS_WRITER_SWAP : 0;
        jd_writer_flags = mix & 2 ? JD_WRITER_SWAP : 0;
        run(&foreign, true, TBS_FLAG_STATS);
        tbs_writer_flags = jd_writer_flags = 0;
        {
            size_t tl1, tl2;
            const uint8_t *t1 = tbs_writer_data(native.tw, &tl1);
            const uint8_t *t2 = tbs_writer_data(foreign.tw, &tl2);

            CHECK(tl1 == tl2 && (memcmp(t1, t2, tl1) != 0) == !!(mix & 1));
        }
        if (CHECK_EQ_I64(open_files(&foreign, &b, true), 0) &&
            CHECK_EQ_U64(b->nr_keys, a->nr_keys) &&
            CHECK_EQ_U64(b->nr_tb_records, a->nr_tb_records)) {
            CHECK_EQ_U64(b->jitdump_pid, PID);
            CHECK_EQ_U64(b->total_exec_count, a->total_exec_count);
            for (size_t i = 0; i < a->nr_keys; i++) {
                CHECK_EQ_U64(b->keys[i].guest_pc, a->keys[i].guest_pc);
                CHECK_EQ_U64(b->keys[i].exec_count, a->keys[i].exec_count);
                CHECK_EQ_U64(b->keys[i].nr_succ, a->keys[i].nr_succ);
                for (uint32_t k = 0; k < a->keys[i].nr_succ; k++)
                    CHECK_EQ_U64(b->keys[i].succ_pc[k], a->keys[i].succ_pc[k]);
            }
            for (size_t i = 0; i < a->nr_tb_records; i++) {
                const struct tbdb_tb *x = &a->tb_records[i], *y = &b->tb_records[i];

                CHECK_EQ_U64(y->guest_pc, x->guest_pc);
                CHECK_EQ_U64(y->icount, x->icount);
                for (uint32_t k = 0; k < x->icount; k++) {
                    CHECK_EQ_U64(y->insn_pc[k], x->insn_pc[k]);
                    CHECK_EQ_U64(y->host_end[k], x->host_end[k]);
                }
                CHECK(y->have_load && x->have_load);
                CHECK_EQ_U64(y->code_addr, x->code_addr);
                CHECK_STR_EQ(y->name, x->name);
            }
        }
        tbdb_close(b);
        close_files(&foreign);
    }
    tbdb_close(a);
    close_files(&native);
}

/*
 * Every 4-byte aligned field of either file set to each of
 * unit_hostile_values (32 and 64 bits wide): an error or a db, and never an
 * allocation beyond a few MB (the child runs with RLIMIT_AS).  tbdb sizes
 * its arrays by a first pass over the records, so a count field cannot
 * make it allocate more than the records present.
 */
static int hostile_sizes(void *arg)
{
    struct files f;
    struct tbdb *db;
    size_t tl, jl;
    const uint8_t *t, *j;

    (void)arg;
    run_stats(&f, &t, &tl, &j, &jl);
    for (int which = 0; which < 2; which++) {
        size_t len = which ? jl : tl;
        uint8_t *p = malloc(len);

        for (size_t off = 0; off + 4 <= len; off += 4) {
            for (size_t v = 0; v < UNIT_NR_HOSTILE; v++) {
                for (unsigned width = 4; width <= 8 && off + width <= len; width += 4) {
                    int ret;

                    memcpy(p, which ? j : t, len);
                    unit_patch(p + off, width, unit_hostile_values[v],
                               __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
                    ret = which ? tbdb_open_mem(t, tl, "x.tbstats", p, len, "x.dump", &db)
                                : tbdb_open_mem(p, len, "x.tbstats", j, jl, "x.dump", &db);
                    if (!CHECK(ret != -ENOMEM))
                        fprintf(stderr, "  %s offset %zu value 0x%llx\n", which ? "jitdump" : "export",
                                off, (unsigned long long)unit_hostile_values[v]);
                    if (ret == 0)
                        walk_db(db);
                    tbdb_close(db);
                }
            }
        }
        free(p);
    }
    close_files(&f);
    return (int)unit_failed;
}

/* SHADOW_STACK records: kept sorted by tid and time, found by the latest rule. */
static void test_shadow_stacks(void)
{
    static const struct tbs_shadow_stack_loc_view locs[] = {
        { .timestamp = 500, .addr = 0xb000, .tid = 7, .capacity = 8 },
        { .timestamp = 150, .addr = 0xa000, .tid = 7, .capacity = 4 },
        { .timestamp = 150, .addr = 0xa100, .tid = 7, .capacity = 5 },   /* same time: later wins */
        { .timestamp = 160, .addr = 0xc000, .tid = 3, .capacity = 16 },
        { .timestamp = 10, .addr = 0xd000, .tid = 9, .capacity = 1 },
    };
    struct files f;
    struct tbdb *db;
    const struct tbdb_shadow_stack *ss;

    tbs_writer_flags = TBS_WRITER_SWAP;
    header(&f, TBS_FLAG_SHADOW_STACK, PID);
    tbs_writer_flags = 0;
    for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++)
        CHECK_EQ_I64(tbs_writer_write_shadow_stack(f.tw, &locs[i]), 0);
    end(&f);
    if (CHECK_EQ_I64(open_files(&f, &db, false), 0)) {
        CHECK_EQ_U64(db->nr_shadow_stacks, 5);
        CHECK_EQ_U64(db->shadow_stacks[0].tid, 3);
        CHECK_EQ_U64(db->shadow_stacks[1].addr, 0xa000);
        CHECK_EQ_U64(db->shadow_stacks[2].addr, 0xa100);
        CHECK_EQ_U64(db->shadow_stacks[3].addr, 0xb000);
        CHECK_EQ_U64(db->shadow_stacks[4].tid, 9);
        CHECK(tbdb_shadow_stack_at(db, 7, 149) == NULL);
        ss = tbdb_shadow_stack_at(db, 7, 150);
        CHECK(ss && ss->addr == 0xa100 && ss->capacity == 5);
        ss = tbdb_shadow_stack_at(db, 7, 499);
        CHECK(ss && ss->addr == 0xa100);
        ss = tbdb_shadow_stack_at(db, 7, UINT64_MAX);
        CHECK(ss && ss->addr == 0xb000);
        ss = tbdb_shadow_stack_at(db, 3, 1000);
        CHECK(ss && ss->addr == 0xc000);
        CHECK(tbdb_shadow_stack_at(db, 3, 159) == NULL);
        CHECK(tbdb_shadow_stack_at(db, 4, 1000) == NULL);
        CHECK(tbdb_shadow_stack_at(db, 8, 1000) == NULL);
        ss = tbdb_shadow_stack_at(db, 9, 10);
        CHECK(ss && ss->addr == 0xd000);
        CHECK(tbdb_shadow_stack_at(db, 0, 1000) == NULL);
        CHECK(tbdb_shadow_stack_at(db, UINT32_MAX, 1000) == NULL);
    }
    tbdb_close(db);
    close_files(&f);

    /* None: an empty list, and every lookup NULL. */
    run(&f, true, 0);
    if (CHECK_EQ_I64(open_files(&f, &db, false), 0)) {
        CHECK_EQ_U64(db->nr_shadow_stacks, 0);
        CHECK(tbdb_shadow_stack_at(db, PID, 1000) == NULL);
    }
    tbdb_close(db);
    close_files(&f);
}

/* tbdb_tb_insn_at: the instruction of a host address, out-of-line code to the last one. */
static void test_insn_at(void)
{
    struct files f;
    struct tbdb *db;

    run(&f, true, 0);
    if (CHECK_EQ_I64(open_files(&f, &db, true), 0)) {
        /* TB 1 at 0x7f0000, 48 bytes of code (a LOAD), host_end 10, 20, 30. */
        const struct tbdb_tb *t = &db->tb_records[0];

        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000), 0);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 9), 0);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 10), 1);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 29), 2);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 30), 2);     /* out of line */
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 47), 2);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 + 48), -1);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0x7f0000 - 1), -1);
        CHECK_EQ_I64(tbdb_tb_insn_at(t, 0), -1);
    }
    tbdb_close(db);
    close_files(&f);
}

static void test_memory_bounded(void)
{
    unit_memlimit_run(hostile_sizes, NULL, 16 << 20);
}

int main(void)
{
    RUN_TEST(test_fields);
    RUN_TEST(test_without_jitdump);
    RUN_TEST(test_no_stats);
    RUN_TEST(test_end_record);
    RUN_TEST(test_truncated);
    RUN_TEST(test_mismatch);
    RUN_TEST(test_corrupt);
    RUN_TEST(test_files);
    RUN_TEST(test_many);
    RUN_TEST(test_truncation_everywhere);
    RUN_TEST(test_byte_flips);
    RUN_TEST(test_foreign_byte_order);
    RUN_TEST(test_shadow_stacks);
    RUN_TEST(test_insn_at);
    RUN_TEST(test_memory_bounded);
    return unit_finish("test_tbdb");
}
