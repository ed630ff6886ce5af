/*
 * test_perfdata.c: the perf.data reader and writer (lib/perfdata*.c).
 *
 * Every fixture is built in memory with pd_writer: in both byte orders,
 * plain, COMPRESSED and COMPRESSED2 (with a chunk size that splits events
 * across compressed records).  Prefixes and mutated copies live in
 * malloc()ed buffers of their exact size, so that the sanitizer build
 * catches any read past the end.  PD_BENCH=1 adds the 1M-sample timing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "perfdata.h"
#include "perfdata_writer.h"
#include "unit.h"
#include "memlimit.h"
#include "recording.h"

#define ALL_SAMPLE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
    PERF_SAMPLE_ADDR | PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | \
    PERF_SAMPLE_PERIOD | PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW | \
    PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER | \
    PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_TRANSACTION | \
    PERF_SAMPLE_REGS_INTR | PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_CGROUP | \
    PERF_SAMPLE_DATA_PAGE_SIZE | PERF_SAMPLE_CODE_PAGE_SIZE | PERF_SAMPLE_AUX)

static const uint64_t ids0[] = { 101, 102 }, ids1[] = { 201 };
static const uint64_t chain[] = { 0xfffffffffffffe00ull, 0x401000, 0x401234 };
static const uint8_t rawdata[] = { 1, 2, 3, 4 };   /* 4 + 4: u64-aligned */
static const struct pd_branch_entry branches[] = { { 1, 2, 3 }, { 4, 5, 6 } };
static const uint64_t uregs[] = { 11, 12, 13 }, iregs[] = { 21, 22 };
static const uint8_t stack[] = { 9, 8, 7, 6, 5, 4, 3, 2 };
static const uint8_t aux[] = { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11 };
static const struct pd_read_value rvals[] = { { 1000, 101, 1 }, { 2000, 201, 2 } };

static struct perf_event_attr attr_full(void)
{
    struct perf_event_attr a = { 0 };

    a.type = PERF_TYPE_HARDWARE;
    a.config = PERF_COUNT_HW_CPU_CYCLES;
    a.sample_period = 4000;
    a.sample_type = ALL_SAMPLE;
    a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_LOST |
                    PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    a.branch_sample_type = PERF_SAMPLE_BRANCH_ANY | PERF_SAMPLE_BRANCH_HW_INDEX;
    a.sample_regs_user = 0x7;
    a.sample_regs_intr = 0x3;
    a.sample_stack_user = 8;
    a.sample_id_all = 1;
    a.exclude_kernel = 1;
    a.precise_ip = 2;
    a.freq = 0;
    a.use_clockid = 1;
    a.clockid = 1;
    a.disabled = 1;
    return a;
}

static struct perf_event_attr attr_clock(void)
{
    struct perf_event_attr a = recording_cpu_clock_attr(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
                                                        PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                                                        PERF_SAMPLE_PERIOD);

    a.exclude_user = 1;
    return a;
}

static struct pd_sample full_sample(uint64_t time)
{
    struct pd_sample s = { 0 };

    s.id = 102;
    s.ip = 0x401000 + time;
    s.pid = 4242;
    s.tid = 4243;
    s.time = time;
    s.addr = 0xdead0000;
    s.stream_id = 77;
    s.cpu = 3;
    s.cpu_res = 0;
    s.period = 4000;
    s.read.time_enabled = 500;
    s.read.time_running = 400;
    s.read.nr = 2;
    s.read.values = rvals;
    s.callchain_nr = 3;
    s.callchain = chain;
    s.raw_size = sizeof(rawdata);
    s.raw = rawdata;
    s.branch_nr = 2;
    s.branch_hw_idx = 5;
    s.branches = branches;
    s.user_regs_abi = PERF_SAMPLE_REGS_ABI_64;
    s.user_regs = uregs;
    s.stack_user_size = sizeof(stack);
    s.stack_user = stack;
    s.stack_user_dyn_size = 6;
    s.weight = 123;
    s.data_src = 0x1234;
    s.transaction = 0x5;
    s.intr_regs_abi = PERF_SAMPLE_REGS_ABI_64;
    s.intr_regs = iregs;
    s.phys_addr = 0x12345000;
    s.cgroup = 9;
    s.data_page_size = 4096;
    s.code_page_size = 2097152;
    s.aux_size = sizeof(aux);
    s.aux = aux;
    return s;
}

/* A writer's finished bytes copied into an exact-size buffer. */
static uint8_t *finish_copy(struct pd_writer *w, size_t *len)
{
    const uint8_t *d;
    uint8_t *copy;

    CHECK_EQ_I64(pd_writer_finish(w), 0);
    d = pd_writer_data(w, len);
    copy = malloc(*len ? *len : 1);
    memcpy(copy, d, *len);
    pd_writer_close(w);
    return copy;
}

/*
 * The fixture: two attrs, a COMM, MMAP2 (plain and build-id), FORK, EXIT,
 * LOST, samples of both attrs, a FINISHED_ROUND, features.  compress:
 * 0 none, 1 COMPRESSED with 100-byte chunks, 2 COMPRESSED2.
 */
static uint8_t *build_file(unsigned flags, int compress, size_t *len)
{
    struct perf_event_attr a0 = attr_full(), a1 = attr_clock();
    struct pd_sample_id sid = { .pid = 4242, .tid = 4243, .time = 5, .id = 201, .cpu = 1 };
    struct pd_mmap m = { .pid = 4242, .tid = 4243, .start = 0x400000, .len = 0x1000,
                         .pgoff = 0, .maj = 8, .min = 1, .ino = 99, .ino_generation = 2,
                         .prot = 5, .flags = 2, .filename = "/bin/guest" };
    struct pd_task t = { .pid = 4242, .ppid = 1, .tid = 4244, .ptid = 4243, .time = 7 };
    struct pd_lost l = { .id = 201, .lost = 17 };
    static const char *const argv[] = { "perf", "record", "-z" };
    struct pd_build_id bid = { .pid = -1, .misc = PERF_RECORD_MISC_USER, .size = 20,
                               .filename = "/usr/lib/libc.so.6" };
    struct pd_writer *w;
    struct pd_sample s;

    for (int i = 0; i < 20; i++)
        bid.build_id[i] = (uint8_t)(0xa0 + i);
    CHECK_EQ_I64(pd_writer_open_mem(flags | (compress == 2 ? PD_WRITER_COMPRESSED2 : 0), &w), 0);
    if (compress)
        CHECK_EQ_I64(pd_writer_set_compression(w, 3, compress == 1 ? 100 : 0), 0);
    CHECK_EQ_I64(pd_writer_add_attr(w, &a0, "cycles:pp", ids0, 2), 0);
    CHECK_EQ_I64(pd_writer_add_attr(w, &a1, "cpu-clock", ids1, 1), 1);
    CHECK_EQ_I64(pd_writer_set_cmdline(w, 3, argv), 0);
    CHECK_EQ_I64(pd_writer_set_clockid(w, 1, 1, 1700000000000000000ull, 12345), 0);
    CHECK_EQ_I64(pd_writer_set_build_ids(w, &bid, 1), 0);

    CHECK_EQ_I64(pd_writer_comm(w, 1, 0, 4242, 4243, "guest", &sid), 0);
    CHECK_EQ_I64(pd_writer_mmap2(w, 1, PERF_RECORD_MISC_USER, &m, &sid), 0);
    m.build_id_size = 20;
    memcpy(m.build_id, bid.build_id, 20);
    m.filename = "/usr/lib/libc.so.6";
    sid.time = 6;
    CHECK_EQ_I64(pd_writer_mmap2(w, 1, PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID,
                                 &m, &sid), 0);
    sid.time = 7;
    CHECK_EQ_I64(pd_writer_fork(w, 1, &t, &sid), 0);
    s = full_sample(30);
    CHECK_EQ_I64(pd_writer_sample(w, 0, &s), 0);
    s = (struct pd_sample){ .id = 201, .ip = 0xffffffff81000000ull, .pid = 4242, .tid = 4244,
                            .time = 20, .period = 250000 };
    CHECK_EQ_I64(pd_writer_sample(w, 1, &s), 0);
    CHECK_EQ_I64(pd_writer_finished_round(w), 0);
    s = full_sample(40);
    CHECK_EQ_I64(pd_writer_sample(w, 0, &s), 0);
    sid.time = 41;
    CHECK_EQ_I64(pd_writer_lost(w, 1, &l, &sid), 0);
    t.time = 50;
    sid.time = 50;
    CHECK_EQ_I64(pd_writer_exit(w, 1, &t, &sid), 0);
    return finish_copy(w, len);
}

static void check_full_sample(const struct pd_event *ev, uint64_t time)
{
    const struct pd_sample *s = &ev->u.sample;
    struct pd_sample x = full_sample(time);

    CHECK_EQ_U64(ev->type, PERF_RECORD_SAMPLE);
    CHECK(ev->attr && ev->attr->attr.sample_type == ALL_SAMPLE);
    CHECK_EQ_U64(ev->time, time);
    CHECK_EQ_U64(s->id, 102);
    CHECK_EQ_U64(s->ip, x.ip);
    CHECK_EQ_U64(s->pid, 4242);
    CHECK_EQ_U64(s->tid, 4243);
    CHECK_EQ_U64(s->addr, x.addr);
    CHECK_EQ_U64(s->stream_id, 77);
    CHECK_EQ_U64(s->cpu, 3);
    CHECK_EQ_U64(s->period, 4000);
    CHECK_EQ_U64(s->read.time_enabled, 500);
    CHECK_EQ_U64(s->read.time_running, 400);
    if (CHECK_EQ_U64(s->read.nr, 2))
        for (int i = 0; i < 2; i++) {
            CHECK_EQ_U64(s->read.values[i].value, rvals[i].value);
            CHECK_EQ_U64(s->read.values[i].id, rvals[i].id);
            CHECK_EQ_U64(s->read.values[i].lost, rvals[i].lost);
        }
    if (CHECK_EQ_U64(s->callchain_nr, 3))
        CHECK_MEM_EQ(s->callchain, chain, sizeof(chain));
    if (CHECK_EQ_U64(s->raw_size, sizeof(rawdata)))
        CHECK_MEM_EQ(s->raw, rawdata, sizeof(rawdata));
    CHECK(s->branch_has_hw_idx);
    CHECK_EQ_U64(s->branch_hw_idx, 5);
    if (CHECK_EQ_U64(s->branch_nr, 2))
        CHECK_MEM_EQ(s->branches, branches, sizeof(branches));
    CHECK_EQ_U64(s->user_regs_abi, PERF_SAMPLE_REGS_ABI_64);
    if (CHECK_EQ_U64(s->user_regs_nr, 3))
        CHECK_MEM_EQ(s->user_regs, uregs, sizeof(uregs));
    if (CHECK_EQ_U64(s->stack_user_size, sizeof(stack)))
        CHECK_MEM_EQ(s->stack_user, stack, sizeof(stack));
    CHECK_EQ_U64(s->stack_user_dyn_size, 6);
    CHECK_EQ_U64(s->weight, 123);
    CHECK_EQ_U64(s->data_src, 0x1234);
    CHECK_EQ_U64(s->transaction, 5);
    if (CHECK_EQ_U64(s->intr_regs_nr, 2))
        CHECK_MEM_EQ(s->intr_regs, iregs, sizeof(iregs));
    CHECK_EQ_U64(s->phys_addr, 0x12345000);
    CHECK_EQ_U64(s->cgroup, 9);
    CHECK_EQ_U64(s->data_page_size, 4096);
    CHECK_EQ_U64(s->code_page_size, 2097152);
    if (CHECK_EQ_U64(s->aux_size, sizeof(aux)))
        CHECK_MEM_EQ(s->aux, aux, sizeof(aux));
}

static void check_file(const uint8_t *buf, size_t len, bool swapped, int compress, bool ordered)
{
    struct pd_reader *r;
    struct pd_event ev;
    const struct pd_attr *a;
    const char *const *argv;
    size_t argc;
    uint64_t res;
    int32_t clockid;
    const struct pd_build_id *bids;
    struct pd_compressed comp;
    static const uint32_t order_file[] = { PERF_RECORD_COMM, PERF_RECORD_MMAP2, PERF_RECORD_MMAP2,
        PERF_RECORD_FORK, PERF_RECORD_SAMPLE, PERF_RECORD_SAMPLE, PERF_RECORD_FINISHED_ROUND,
        PERF_RECORD_SAMPLE, PERF_RECORD_LOST, PERF_RECORD_EXIT };
    static const uint64_t times_file[] = { 5, 5, 6, 7, 30, 20, (uint64_t)-1, 40, 41, 50 };
    static const uint64_t times_ordered[] = { 5, 5, 6, 7, 20, 30, (uint64_t)-1, 40, 41, 50 };
    int n = 0, ret;

    if (!CHECK_EQ_I64(pd_reader_open_mem(buf, len, "t.data", &r), 0)) {
        fprintf(stderr, "%s\n", pd_reader_strerror(r));
        pd_reader_close(r);
        return;
    }
    pd_reader_set_ordered(r, ordered);
    CHECK_EQ_U64(pd_reader_header(r)->swapped, swapped);
    CHECK_EQ_U64(pd_reader_nr_attrs(r), 2);
    a = pd_reader_attr(r, 0);
    CHECK_EQ_U64(a->attr.type, PERF_TYPE_HARDWARE);
    CHECK_EQ_U64(a->attr.sample_type, ALL_SAMPLE);
    CHECK_EQ_U64(a->attr.read_format, attr_full().read_format);
    CHECK_EQ_U64(a->attr.branch_sample_type, attr_full().branch_sample_type);
    CHECK_EQ_U64(a->attr.sample_regs_user, 7);
    CHECK_EQ_U64(a->attr.sample_regs_intr, 3);
    CHECK_EQ_U64(a->attr.sample_stack_user, 8);
    CHECK_EQ_U64(a->attr.sample_id_all, 1);
    CHECK_EQ_U64(a->attr.exclude_kernel, 1);
    CHECK_EQ_U64(a->attr.exclude_user, 0);
    CHECK_EQ_U64(a->attr.disabled, 1);
    CHECK_EQ_U64(a->attr.precise_ip, 2);
    CHECK_EQ_U64(a->attr.use_clockid, 1);
    CHECK_EQ_I64(a->attr.clockid, 1);
    CHECK_EQ_U64(a->attr.sample_period, 4000);
    CHECK_STR_EQ(a->name, "cycles:pp");
    if (CHECK_EQ_U64(a->nr_ids, 2))
        CHECK_EQ_U64(a->ids[1], 102);
    a = pd_reader_attr(r, 1);
    CHECK_EQ_U64(a->attr.freq, 1);
    CHECK_EQ_U64(a->attr.sample_freq, 4000);
    CHECK_EQ_U64(a->attr.exclude_user, 1);
    CHECK_STR_EQ(a->name, "cpu-clock");
    CHECK(pd_reader_attr(r, 2) == NULL);

    if (CHECK_EQ_I64(pd_reader_cmdline(r, &argc, &argv), 1) && CHECK_EQ_U64(argc, 3))
        CHECK_STR_EQ(argv[2], "-z");
    CHECK_EQ_I64(pd_reader_clockid(r, &res, &clockid), 1);
    CHECK_EQ_U64(res, 1);
    CHECK_EQ_I64(clockid, 1);
    if (CHECK_EQ_I64(pd_reader_build_ids(r, &bids), 1)) {
        CHECK_EQ_I64(bids[0].pid, -1);
        CHECK_EQ_U64(bids[0].size, 20);
        CHECK_EQ_U64(bids[0].build_id[19], 0xa0 + 19);
        CHECK_STR_EQ(bids[0].filename, "/usr/lib/libc.so.6");
    }
    CHECK_EQ_I64(pd_reader_compressed(r, &comp), compress ? 1 : 0);
    if (compress)
        CHECK_EQ_U64(comp.type, PERF_COMP_ZSTD);

    while ((ret = pd_reader_next(r, &ev)) == 1) {
        if (!CHECK(n < 10))
            break;
        CHECK_EQ_U64(ev.type, order_file[ordered && (n == 4 || n == 5) ? 9 - n : n]);
        CHECK_EQ_U64(ev.time, ordered ? times_ordered[n] : times_file[n]);
        if (ev.type != PERF_RECORD_FINISHED_ROUND)
            CHECK_EQ_U64(!!(ev.flags & PD_EVENT_COMPRESSED), !!compress);
        switch (ev.type) {
        case PERF_RECORD_SAMPLE:
            if (ev.u.sample.id == 102) {
                check_full_sample(&ev, ev.time);
            } else {
                CHECK(ev.attr == pd_reader_attr(r, 1));
                CHECK_EQ_U64(ev.u.sample.ip, 0xffffffff81000000ull);
                CHECK_EQ_U64(ev.u.sample.tid, 4244);
                CHECK_EQ_U64(ev.u.sample.period, 250000);
            }
            break;
        case PERF_RECORD_COMM:
            CHECK_STR_EQ(ev.u.comm.comm, "guest");
            CHECK_EQ_U64(ev.u.comm.tid, 4243);
            CHECK(ev.sample_id.present);
            CHECK_EQ_U64(ev.sample_id.id, 201);
            CHECK_EQ_U64(ev.sample_id.pid, 4242);
            break;
        case PERF_RECORD_MMAP2:
            CHECK_EQ_U64(ev.u.mmap.start, 0x400000);
            CHECK_EQ_U64(ev.u.mmap.len, 0x1000);
            CHECK_EQ_U64(ev.u.mmap.prot, 5);
            CHECK_EQ_U64(ev.u.mmap.flags, 2);
            if (ev.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
                CHECK_EQ_U64(ev.u.mmap.build_id_size, 20);
                CHECK_EQ_U64(ev.u.mmap.build_id[0], 0xa0);
                CHECK_STR_EQ(ev.u.mmap.filename, "/usr/lib/libc.so.6");
            } else {
                CHECK_EQ_U64(ev.u.mmap.maj, 8);
                CHECK_EQ_U64(ev.u.mmap.min, 1);
                CHECK_EQ_U64(ev.u.mmap.ino, 99);
                CHECK_EQ_U64(ev.u.mmap.ino_generation, 2);
                CHECK_STR_EQ(ev.u.mmap.filename, "/bin/guest");
            }
            break;
        case PERF_RECORD_FORK:
        case PERF_RECORD_EXIT:
            CHECK_EQ_U64(ev.u.task.ppid, 1);
            CHECK_EQ_U64(ev.u.task.tid, 4244);
            CHECK_EQ_U64(ev.u.task.ptid, 4243);
            break;
        case PERF_RECORD_LOST:
            CHECK_EQ_U64(ev.u.lost.lost, 17);
            CHECK_EQ_U64(ev.u.lost.id, 201);
            break;
        }
        n++;
    }
    CHECK_EQ_I64(ret, 0);
    CHECK_EQ_I64(n, 10);
    CHECK_EQ_I64(pd_reader_next(r, &ev), 0);
    pd_reader_close(r);
}

static void test_round_trip(void)
{
    for (int sw = 0; sw < 2; sw++)
        for (int comp = 0; comp < 3; comp++) {
            size_t len;
            uint8_t *buf = build_file(sw ? PD_WRITER_SWAP : 0, comp, &len);

            check_file(buf, len, sw, comp, false);
            check_file(buf, len, sw, comp, true);
            free(buf);
        }
}

/* The swapped file really is in the other byte order. */
static void test_foreign_magic(void)
{
    size_t len;
    uint8_t *buf = build_file(PD_WRITER_SWAP, 0, &len);

    CHECK_MEM_EQ(buf, "2ELIFREP", 8);
    free(buf);
    buf = build_file(0, 0, &len);
    CHECK_MEM_EQ(buf, "PERFILE2", 8);
    free(buf);
}

/* With 100-byte chunks the 300-odd-byte sample spans several COMPRESSED records. */
static void test_split_event(void)
{
    size_t len, nrec = 0;
    uint8_t *buf = build_file(0, 1, &len);
    uint64_t data_off, data_size;

    memcpy(&data_off, buf + 40, 8);
    memcpy(&data_size, buf + 48, 8);
    for (uint64_t p = data_off; p < data_off + data_size; ) {
        uint32_t type;
        uint16_t size;

        memcpy(&type, buf + p, 4);
        memcpy(&size, buf + p + 6, 2);
        nrec += type == PERF_RECORD_COMPRESSED;
        p += size;
    }
    CHECK(nrec > 5);
    free(buf);
}

/* Every prefix: an error, or the events of the prefix; never a crash. */
static void check_truncations(unsigned flags, int comp)
{
    size_t len;
    uint8_t *buf = build_file(flags, comp, &len);

    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        struct pd_reader *r;
        struct pd_event ev;
        int ret, n = 0;

        memcpy(p, buf, cut);
        for (int ord = 0; ord < 2; ord++) {
            ret = pd_reader_open_mem(p, cut, "cut", &r);
            if (ret == 0) {
                pd_reader_set_ordered(r, ord);
                while ((ret = pd_reader_next(r, &ev)) == 1)
                    n++;
                CHECK(ret == -ENODATA || ret == -EBADMSG);
            } else {
                CHECK(ret == -ENODATA || ret == -EBADMSG);
            }
            CHECK(strstr(pd_reader_strerror(r), "byte offset") != NULL);
            pd_reader_close(r);
        }
        CHECK(n <= 20);
        free(p);
    }
    free(buf);
}

static void test_truncation_everywhere(void)
{
    check_truncations(0, 0);
    check_truncations(PD_WRITER_SWAP, 0);
    check_truncations(0, 1);
    check_truncations(PD_WRITER_SWAP, 2);
}

/* Every byte flipped: whatever the result, no crash, no hang. */
static void test_byte_flips(void)
{
    for (int comp = 0; comp < 2; comp++) {
        size_t len;
        uint8_t *buf = build_file(0, comp, &len);
        uint8_t *p = malloc(len);

        for (size_t i = 0; i < len; i++) {
            struct pd_reader *r;
            struct pd_event ev;
            const struct pd_build_id *b;
            const char *const *av;
            size_t ac;
            int n = 0;

            memcpy(p, buf, len);
            p[i] ^= 0xff;
            if (pd_reader_open_mem(p, len, "flip", &r) == 0) {
                pd_reader_set_ordered(r, i & 1);
                pd_reader_build_ids(r, &b);
                pd_reader_cmdline(r, &ac, &av);
                while (pd_reader_next(r, &ev) == 1 && n < 1000)
                    n++;
                CHECK(n < 1000);
            }
            pd_reader_close(r);
        }
        free(p);
        free(buf);
    }
}

static int open_expect(const uint8_t *buf, size_t len, int want_open, int want_next)
{
    uint8_t *p = malloc(len);
    struct pd_reader *r;
    struct pd_event ev;
    int ret, ok;

    memcpy(p, buf, len);
    ret = pd_reader_open_mem(p, len, "huge", &r);
    ok = CHECK_EQ_I64(ret, want_open);
    if (ret == 0) {
        while ((ret = pd_reader_next(r, &ev)) == 1)
            ;
        ok &= CHECK_EQ_I64(ret, want_next);
    }
    pd_reader_close(r);
    free(p);
    return ok;
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Sizes and counts far beyond the input are errors, not allocations. */
static void test_huge_sizes(void)
{
    struct perf_event_attr a = attr_clock();
    struct pd_writer *w;
    struct pd_sample s = { .id = 201, .time = 1 };
    uint64_t chain_big[2] = { 1, 2 };
    size_t len;
    uint8_t *buf, *p;

    a.sample_type |= PERF_SAMPLE_CALLCHAIN;
    pd_writer_open_mem(0, &w);
    pd_writer_add_attr(w, &a, "x", ids1, 1);
    s.callchain_nr = 2;
    s.callchain = chain_big;
    pd_writer_sample(w, 0, &s);
    buf = finish_copy(w, &len);
    open_expect(buf, len, 0, 0);

    p = malloc(len);
    memcpy(p, buf, len);
    put64(p + 32, UINT64_MAX / 2);     /* attrs.size */
    open_expect(p, len, -ENODATA, 0);
    memcpy(p, buf, len);
    put64(p + 16, 1ull << 40);         /* attr_size */
    open_expect(p, len, -EBADMSG, 0);
    memcpy(p, buf, len);
    put64(p + 48, UINT64_MAX);         /* data.size: cut short, features read as records */
    open_expect(p, len, 0, -EBADMSG);
    memcpy(p, buf, len);
    put64(p + 40, UINT64_MAX);         /* data.offset */
    open_expect(p, len, -ENODATA, 0);
    memcpy(p, buf, len);
    {
        /* The attr's ids section, then the callchain nr of the sample. */
        uint64_t attrs_off, data_off;

        memcpy(&attrs_off, buf + 24, 8);
        memcpy(&data_off, buf + 40, 8);
        put64(p + attrs_off + sizeof(struct perf_event_attr) + 8, 1ull << 60);
        open_expect(p, len, -EBADMSG, 0);
        memcpy(p, buf, len);
        /* header(8) identifier ip tid time period, then nr */
        put64(p + data_off + 8 + 5 * 8, UINT64_MAX / 8);
        open_expect(p, len, 0, -EBADMSG);
        memcpy(p, buf, len);
        p[data_off + 6] = 4;           /* record size < header */
        p[data_off + 7] = 0;
        open_expect(p, len, 0, -EBADMSG);
    }
    free(p);
    free(buf);
}

/*
 * Records of types this reader does not know (a newer kernel's, a newer
 * perf's user types) are returned as they are, and the next record follows.
 */
static void test_unknown_record_types(void)
{
    static const uint32_t types[] = { 99, 200, 0x7fffffff, UINT32_MAX };
    static const uint8_t payload[16] = { 1, 2, 3 };
    struct perf_event_attr a = attr_clock();
    struct pd_sample smp = { .id = 201, .ip = 0x401000, .pid = 1, .tid = 1, .time = 9 };

    for (int sw = 0; sw < 2; sw++) {
        struct pd_writer *w;
        struct pd_reader *r;
        struct pd_event ev;
        size_t len;
        uint8_t *buf;

        CHECK_EQ_I64(pd_writer_open_mem(sw ? PD_WRITER_SWAP : 0, &w), 0);
        CHECK_EQ_I64(pd_writer_add_attr(w, &a, "cpu-clock", ids1, 1), 0);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            CHECK_EQ_I64(pd_writer_raw(w, types[i], 0, payload, sizeof(payload)), 0);
        CHECK_EQ_I64(pd_writer_sample(w, 0, &smp), 0);
        buf = finish_copy(w, &len);
        CHECK_EQ_I64(pd_reader_open_mem(buf, len, "unknown", &r), 0);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            CHECK_EQ_I64(pd_reader_next(r, &ev), 1);
            CHECK_EQ_U64(ev.type, types[i]);
            CHECK_EQ_U64(ev.size, 8 + sizeof(payload));
            CHECK_MEM_EQ(ev.raw + 8, payload, sizeof(payload));
        }
        CHECK_EQ_I64(pd_reader_next(r, &ev), 1);
        CHECK_EQ_U64(ev.type, PERF_RECORD_SAMPLE);
        CHECK_EQ_U64(ev.u.sample.ip, 0x401000);
        CHECK_EQ_I64(pd_reader_next(r, &ev), 0);
        pd_reader_close(r);
        free(buf);
    }
}

/*
 * A perf.data perf is still writing (or was killed while writing): the
 * header's data.size is still 0 and there are no features; the file ends
 * anywhere.  The reader returns every complete record of the prefix, then
 * 0 at a record boundary, -ENODATA inside a record.
 */
static void test_still_being_written(void)
{
    struct perf_event_attr a = attr_clock();
    struct pd_writer *w;
    size_t len, ends[8], nr_ends = 0;
    uint64_t data_off;
    uint8_t *buf;

    CHECK_EQ_I64(pd_writer_open_mem(0, &w), 0);
    CHECK_EQ_I64(pd_writer_add_attr(w, &a, "cpu-clock", ids1, 1), 0);
    for (int i = 0; i < 4; i++) {
        struct pd_sample smp = { .id = 201, .ip = 0x401000 + i, .pid = 1, .tid = 1,
                                 .time = 10 + i, .period = 1 };

        CHECK_EQ_I64(pd_writer_sample(w, 0, &smp), 0);
    }
    buf = finish_copy(w, &len);
    memcpy(&data_off, buf + 40, 8);
    {
        uint64_t data_size;

        memcpy(&data_size, buf + 48, 8);
        len = data_off + data_size;     /* no features yet */
    }
    memset(buf + 48, 0, 8);             /* data.size: not written yet */
    memset(buf + 72, 0, 32);            /* no feature bits */
    for (size_t off = data_off; off < len && nr_ends < 8;) {
        uint16_t sz;

        memcpy(&sz, buf + off + 6, 2);
        ends[nr_ends++] = off += sz;
    }
    CHECK_EQ_U64(nr_ends, 4);
    for (size_t cut = data_off; cut <= len; cut++) {
        uint8_t *p = malloc(cut);
        struct pd_reader *r;
        struct pd_event ev;
        size_t n = 0, complete = 0;
        int ret;

        memcpy(p, buf, cut);
        while (complete < nr_ends && ends[complete] <= cut)
            complete++;
        CHECK_EQ_I64(pd_reader_open_mem(p, cut, "part", &r), 0);
        CHECK(pd_reader_header(r)->data_size_unset);
        while ((ret = pd_reader_next(r, &ev)) == 1) {
            CHECK_EQ_U64(ev.u.sample.ip, 0x401000 + n);
            n++;
        }
        CHECK_EQ_U64(n, complete);
        if (cut == data_off || (complete && ends[complete - 1] == cut)) {
            CHECK_EQ_I64(ret, 0);
        } else if (CHECK_EQ_I64(ret, -ENODATA)) {
            CHECK(strstr(pd_reader_strerror(r), "truncated record at byte offset") != NULL);
        }
        pd_reader_close(r);
        free(p);
    }
    free(buf);
}

/*
 * Every 4-byte aligned field of the fixture (plain and COMPRESSED2, both
 * byte orders) set to each of unit_hostile_values, as 32 and 64 bits,
 * read in both modes: never an allocation beyond a few MB (the child runs
 * with RLIMIT_AS: the reader's fixed buffers are under 1 MB).
 */
static void read_hostile(void *arg, uint8_t *p, size_t len, size_t off, size_t v)
{
    struct pd_reader *r;
    struct pd_event ev;
    const struct pd_build_id *b;
    const char *const *av;
    size_t ac, n = 0;
    int ret;

    (void)arg;
    ret = pd_reader_open_mem(p, len, "hostile", &r);
    if (ret == 0) {
        pd_reader_set_ordered(r, (off / 4 + v) & 1);
        CHECK(pd_reader_build_ids(r, &b) != -ENOMEM);
        CHECK(pd_reader_cmdline(r, &ac, &av) != -ENOMEM);
        while ((ret = pd_reader_next(r, &ev)) == 1 && n < 1000)
            n++;
        CHECK(n < 1000);
    }
    if (!CHECK(ret != -ENOMEM))
        fprintf(stderr, "  offset %zu value 0x%llx: %s\n", off,
                (unsigned long long)unit_hostile_values[v], pd_reader_strerror(r));
    pd_reader_close(r);
}

static int hostile_sizes(void *arg)
{
    (void)arg;
    for (int sw = 0; sw < 2; sw++) {
        for (int comp = 0; comp < 3; comp += 2) {
            size_t len;
            uint8_t *buf = build_file(sw ? PD_WRITER_SWAP : 0, comp, &len);

            unit_each_hostile(buf, len, sw ^ (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__),
                              read_hostile, NULL);
            free(buf);
        }
    }
    return (int)unit_failed;
}

static void test_memory_bounded(void)
{
    unit_memlimit_run(hostile_sizes, NULL, 16 << 20);
}

/* Ordered mode: sorted within rounds, stable, rounds are barriers. */
static void test_ordered(void)
{
    static const uint64_t times[] = { 30, 10, 20, 10, 0, 5, 50, 40 };  /* 0: round */
    struct perf_event_attr a = attr_clock();
    struct pd_writer *w;
    struct pd_reader *r;
    struct pd_event ev;
    uint64_t got[16];
    size_t len, n = 0;
    uint8_t *buf;
    uint32_t tids[16];

    pd_writer_open_mem(0, &w);
    pd_writer_add_attr(w, &a, NULL, ids1, 1);
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        struct pd_sample s = { .id = 201, .time = times[i], .tid = (uint32_t)i };

        if (times[i])
            pd_writer_sample(w, 0, &s);
        else
            pd_writer_finished_round(w);
    }
    buf = finish_copy(w, &len);
    pd_reader_open_mem(buf, len, "ord", &r);
    pd_reader_set_ordered(r, true);
    while (pd_reader_next(r, &ev) == 1 && n < 16) {
        got[n] = ev.type == PERF_RECORD_FINISHED_ROUND ? 0 : ev.time;
        tids[n++] = ev.u.sample.tid;
    }
    if (CHECK_EQ_U64(n, 8)) {
        static const uint64_t want[] = { 10, 10, 20, 30, 0, 5, 40, 50 };

        CHECK_MEM_EQ(got, want, sizeof(want));
        CHECK_EQ_U64(tids[0], 1);   /* stable: the first 10 first */
        CHECK_EQ_U64(tids[1], 3);
    }
    pd_reader_close(r);
    free(buf);
}

/* Not perf.data, version 1, pipe mode, empty. */
static void test_bad_headers(void)
{
    struct pd_reader *r;
    uint8_t pipe[16] = "PERFILE2";

    CHECK_EQ_I64(pd_reader_open_mem("hello world, not perf", 21, "x", &r), -EBADMSG);
    CHECK_STR_EQ(pd_reader_strerror(r), "x: bad magic at byte offset 0 (not a perf.data file)");
    pd_reader_close(r);
    CHECK_EQ_I64(pd_reader_open_mem("PERFFILE", 8, "x", &r), -ENOTSUP);
    pd_reader_close(r);
    pipe[8] = 16;
    CHECK_EQ_I64(pd_reader_open_mem(pipe, 16, "x", &r), -ENOTSUP);
    pd_reader_close(r);
    CHECK_EQ_I64(pd_reader_open_mem("PERF", 4, "x", &r), -ENODATA);
    pd_reader_close(r);
    CHECK_EQ_I64(pd_reader_open_mem("", 0, NULL, &r), -ENODATA);
    pd_reader_close(r);
    CHECK_EQ_I64(pd_reader_open("/nonexistent/perf.data", &r), -ENOENT);
    pd_reader_close(r);
    pd_reader_close(NULL);
    CHECK_EQ_I64(pd_writer_close(NULL), 0);
}

/* The writer's file output equals its memory output. */
static void test_file_writer(void)
{
    char path[] = "/tmp/test_perfdata.XXXXXX";
    int fd = mkstemp(path);
    struct perf_event_attr a = attr_clock();
    struct pd_writer *w;
    struct pd_reader *r;
    struct pd_event ev;
    int n = 0;

    if (!CHECK(fd >= 0))
        return;
    close(fd);
    CHECK_EQ_I64(pd_writer_open(path, PD_WRITER_SWAP, &w), 0);
    pd_writer_add_attr(w, &a, "cpu-clock", ids1, 1);
    for (int i = 0; i < 50000; i++) {
        struct pd_sample s = { .id = 201, .time = i, .ip = i };

        pd_writer_sample(w, 0, &s);
    }
    CHECK_EQ_I64(pd_writer_close(w), 0);
    if (CHECK_EQ_I64(pd_reader_open(path, &r), 0)) {
        while (pd_reader_next(r, &ev) == 1 && ev.u.sample.ip == (uint64_t)n)
            n++;
        CHECK_EQ_I64(n, 50000);
    }
    pd_reader_close(r);
    unlink(path);
}

/* PD_BENCH=1: write and read 1,000,000 samples (perf record -g like). */
static void bench(void)
{
    struct perf_event_attr a = attr_clock();
    static const char path[] = "/tmp/test_perfdata_bench.data";
    struct pd_writer *w;
    struct pd_reader *r;
    struct pd_event ev;
    double t0, t1, t2;
    uint64_t sum = 0, n = 0;

    a.sample_type |= PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_CPU;
    t0 = unit_now();
    pd_writer_open(path, 0, &w);
    pd_writer_add_attr(w, &a, "cpu-clock", ids1, 1);
    for (int i = 0; i < 1000000; i++) {
        struct pd_sample s = { .id = 201, .time = i, .ip = 0x400000 + i % 4096, .pid = 1,
                               .tid = 1 + i % 4, .period = 250000, .callchain_nr = 3,
                               .callchain = chain };

        pd_writer_sample(w, 0, &s);
        if (i % 10000 == 9999)
            pd_writer_finished_round(w);
    }
    CHECK_EQ_I64(pd_writer_close(w), 0);
    t1 = unit_now();
    pd_reader_open(path, &r);
    while (pd_reader_next(r, &ev) == 1) {
        n += ev.type == PERF_RECORD_SAMPLE;
        sum += ev.u.sample.ip;
    }
    t2 = unit_now();
    pd_reader_close(r);
    pd_reader_open(path, &r);
    pd_reader_set_ordered(r, true);
    while (pd_reader_next(r, &ev) == 1)
        sum += ev.time;
    printf("bench: 1000000 samples: write %.3f s, read %.3f s (%" PRIu64 " samples), "
           "ordered read %.3f s\n", t1 - t0, t2 - t1, n, unit_now() - t2);
    CHECK_EQ_U64(n, 1000000);
    pd_reader_close(r);
    unlink(path);
}

int main(void)
{
    RUN_TEST(test_round_trip);
    RUN_TEST(test_foreign_magic);
    RUN_TEST(test_split_event);
    RUN_TEST(test_ordered);
    RUN_TEST(test_bad_headers);
    RUN_TEST(test_huge_sizes);
    RUN_TEST(test_memory_bounded);
    RUN_TEST(test_unknown_record_types);
    RUN_TEST(test_still_being_written);
    RUN_TEST(test_file_writer);
    RUN_TEST(test_truncation_everywhere);
    RUN_TEST(test_byte_flips);
    if (getenv("PD_BENCH"))
        RUN_TEST(bench);
    return unit_finish("test_perfdata");
}
