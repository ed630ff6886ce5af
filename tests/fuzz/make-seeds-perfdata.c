/*
 * make-seeds-perfdata.c: writes the seed corpus of fuzz_perfdata
 * (tests/fuzz/corpus/perfdata/).
 *
 * The seeds are committed; rerun this only to change them:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/fuzz/make-seeds-perfdata.c build/lib/libqjd.a -lzstd \
 *      -o build/make-seeds-perfdata && build/make-seeds-perfdata tests/fuzz/corpus/perfdata
 *
 * Small valid files from pd_writer: little- and big-endian, plain,
 * COMPRESSED with 64-byte chunks (events split across records) and
 * COMPRESSED2, two attrs with ids and every sample field, rounds; then one
 * invalid file per check of the reader.  Files the fuzzer finds are added
 * next to these under their libFuzzer names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata_writer.h"

#include "../tools/fixture.h"

static const char *dir;

static const uint64_t chain[] = { 0xfffffffffffffe00ull, 0x401000 };
static const uint64_t regs[] = { 1, 2 };
static const uint8_t bytes8[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const struct pd_branch_entry br[] = { { 1, 2, 3 } };
static const struct pd_read_value rv[] = { { 10, 101, 0 }, { 20, 201, 0 } };

/* A small recording; flags and compress (0, 1: COMPRESSED, 2: COMPRESSED2). */
static uint8_t *make(unsigned flags, int compress, bool full, size_t *len)
{
    struct perf_event_attr a0 = { 0 }, a1 = { 0 };
    uint64_t ids0[] = { 101 }, ids1[] = { 201 };
    struct pd_sample_id sid = { .pid = 7, .tid = 7, .time = 1, .id = 201 };
    struct pd_mmap m = { .pid = 7, .tid = 7, .start = 0x400000, .len = 0x1000, .prot = 5,
                         .filename = "/bin/guest" };
    struct pd_task t = { .pid = 7, .ppid = 1, .tid = 8, .ptid = 7, .time = 3 };
    static const char *const argv[] = { "perf", "record" };
    struct pd_build_id b = { .pid = -1, .size = 20, .filename = "/bin/guest" };
    struct pd_writer *w;
    const uint8_t *d;
    uint8_t *copy;

    a0.type = PERF_TYPE_HARDWARE;
    a0.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                     PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD;
    if (full)
        a0.sample_type |= PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW |
                          PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_REGS_USER |
                          PERF_SAMPLE_STACK_USER | PERF_SAMPLE_WEIGHT | PERF_SAMPLE_REGS_INTR |
                          PERF_SAMPLE_AUX;
    a0.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
    a0.branch_sample_type = PERF_SAMPLE_BRANCH_HW_INDEX;
    a0.sample_regs_user = 3;
    a0.sample_regs_intr = 3;
    a0.sample_id_all = 1;
    a1 = a0;
    a1.type = PERF_TYPE_SOFTWARE;
    a1.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME;

    fixture_check(pd_writer_open_mem(flags | (compress == 2 ? PD_WRITER_COMPRESSED2 : 0), &w), "open");
    if (compress)
        fixture_check(pd_writer_set_compression(w, 1, 64), "compression");
    fixture_check(pd_writer_add_attr(w, &a0, "cycles", ids0, 1), "attr");
    fixture_check(pd_writer_add_attr(w, &a1, "cpu-clock", ids1, 1), "attr");
    fixture_check(pd_writer_set_cmdline(w, 2, argv), "cmdline");
    fixture_check(pd_writer_set_clockid(w, 1, 1, 2, 3), "clockid");
    fixture_check(pd_writer_set_build_ids(w, &b, 1), "build ids");
    fixture_check(pd_writer_comm(w, 1, 0, 7, 7, "guest", &sid), "comm");
    fixture_check(pd_writer_mmap2(w, 1, PERF_RECORD_MISC_USER, &m, &sid), "mmap2");
    fixture_check(pd_writer_mmap(w, 1, PERF_RECORD_MISC_USER, &m, &sid), "mmap");
    fixture_check(pd_writer_fork(w, 1, &t, &sid), "fork");
    for (int i = 0; i < 3; i++) {
        struct pd_sample s = { .id = 101, .ip = 0x401000 + i, .pid = 7, .tid = 7,
                               .time = 10 - i, .cpu = 1, .period = 1,
                               .read = { .nr = 2, .values = rv }, .callchain_nr = 2,
                               .callchain = chain, .raw_size = 4, .raw = bytes8,
                               .branch_nr = 1, .branches = br, .user_regs_abi = 2,
                               .user_regs = regs, .stack_user_size = 8, .stack_user = bytes8,
                               .stack_user_dyn_size = 8, .intr_regs_abi = 2, .intr_regs = regs,
                               .aux_size = 8, .aux = bytes8 };
        struct pd_sample s1 = { .id = 201, .ip = 0xffffffff81000000ull, .time = 5 + i };

        fixture_check(pd_writer_sample(w, 0, &s), "sample");
        fixture_check(pd_writer_sample(w, 1, &s1), "sample");
        if (i == 1)
            fixture_check(pd_writer_finished_round(w), "round");
    }
    sid.time = 20;
    fixture_check(pd_writer_exit(w, 1, &t, &sid), "exit");
    fixture_check(pd_writer_finish(w), "finish");
    d = pd_writer_data(w, len);
    copy = malloc(*len);
    memcpy(copy, d, *len);
    pd_writer_close(w);
    return copy;
}

static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *f, *p;
    uint64_t data_off, attrs_off;
    /* The valid files: byte order, compression and sample fields, as make() takes them. */
    static const struct {
        const char *name;
        unsigned flags;
        int compress;
        bool full;
    } valid[] = {
        { "valid-le-full",       0,              0, true },
        { "valid-be-full",       PD_WRITER_SWAP, 0, true },
        { "valid-le-zstd-split", 0,              1, false },
        { "valid-be-zstd-split", PD_WRITER_SWAP, 1, true },
        { "valid-le-zstd2",      0,              2, false },
    };

    dir = fixture_dir(argc, argv);
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        f = make(valid[i].flags, valid[i].compress, valid[i].full, &len);
        fixture_save(dir, valid[i].name, f, len);
        free(f);
    }

    /* Invalid ones, from the little-endian plain file. */
    f = make(0, 0, false, &len);
    p = malloc(len);
    memcpy(&data_off, f + 40, 8);
    memcpy(&attrs_off, f + 24, 8);
#define MUTATE(name, stmt) do { memcpy(p, f, len); stmt; fixture_save(dir, name, p, len); } while (0)
    MUTATE("bad-magic", p[0] = 'X');
    MUTATE("bad-pipe-header", put64(p, 8, 16));
    MUTATE("bad-attr-size", put64(p, 16, 8));
    MUTATE("bad-attrs-past-end", put64(p, 32, 1ull << 40));
    MUTATE("bad-ids-past-end", put64(p, attrs_off + sizeof(struct perf_event_attr) + 8, 1ull << 40));
    MUTATE("bad-data-offset", put64(p, 40, 1ull << 40));
    MUTATE("bad-data-size-huge", put64(p, 48, ~0ull));
    MUTATE("bad-data-size-zero", put64(p, 48, 0));
    MUTATE("bad-record-size-0", (p[data_off + 6] = 0, p[data_off + 7] = 0));
    MUTATE("bad-record-size-4", (p[data_off + 6] = 4, p[data_off + 7] = 0));
    MUTATE("bad-feature-bits", put64(p, 72, ~0ull));
    fixture_save(dir, "truncated-header", f, 60);
    fixture_save(dir, "truncated-attrs", f, attrs_off + 20);
    fixture_save(dir, "truncated-data", f, data_off + 30);
    fixture_save(dir, "truncated-features", f, len - 40);
    free(p);
    free(f);
    /* A compressed file whose zstd bytes are damaged, and one cut inside an event. */
    f = make(0, 1, false, &len);
    memcpy(&data_off, f + 40, 8);
    fixture_save(dir, "truncated-zstd", f, data_off + 100);
    f[data_off + 8] ^= 0x55;     /* the zstd frame magic */
    fixture_save(dir, "bad-zstd-bytes", f, len);
    free(f);
    return 0;
}
