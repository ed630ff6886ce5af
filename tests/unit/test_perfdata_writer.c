/*
 * test_perfdata_writer.c: the perf.data writer's header features and the
 * records tbsym export writes, round-tripped through the reader
 * (lib/perfdata.h) in both byte orders.  Fixtures are built in memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"
#include "perfdata_writer.h"
#include "recording.h"
#include "unit.h"

static const uint8_t bid[20] = { 0x99, 0xc3, 0x7d, 0xd1, 0x18, 0x7a, 0x15, 0x2d, 0x04, 0x19,
                                 0x63, 0xcd, 0xa1, 0xc6, 0x15, 0xe5, 0x29, 0x4c, 0x0d, 0x5e };

static struct perf_event_attr guest_attr(void)
{
    struct perf_event_attr a = recording_cpu_clock_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                                                        PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD |
                                                        PERF_SAMPLE_CALLCHAIN);

    a.mmap2 = 1;
    a.comm = 1;
    a.build_id = 1;
    return a;
}

static uint32_t u32_of(const uint8_t *p, bool swapped)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

static uint64_t u64_of(const uint8_t *p, bool swapped)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return swapped ? __builtin_bswap64(v) : v;
}

/* A string feature read back: u32 length (a multiple of 64), the string, NULs. */
static const char *string_feature(const struct pd_reader *r, unsigned id)
{
    const uint8_t *p;
    size_t n;
    uint32_t len;

    if (!CHECK_EQ_I64(pd_reader_feature(r, id, &p, &n), 1) || !CHECK(n >= 4))
        return NULL;
    len = u32_of(p, pd_reader_header(r)->swapped);
    CHECK_EQ_U64(len % 64, 0);
    CHECK_EQ_U64(n, 4 + (size_t)len);
    return memchr(p + 4, '\0', n - 4) ? (const char *)p + 4 : NULL;
}

/* Every feature the writer has, set once, read back by id. */
static void features_in(unsigned flags)
{
    struct perf_event_attr a = guest_attr();
    static const char *const argv[] = { "tbsym", "export", "-o", "guest.data" };
    struct pd_build_id b = { .pid = -1, .misc = PERF_RECORD_MISC_USER, .size = 20,
                             .filename = "/usr/bin/guest" };
    struct pd_writer *w;
    struct pd_reader *r = NULL;
    const struct pd_build_id *ids;
    const char *const *args;
    const uint8_t *p, *buf;
    size_t n, len, argc;
    bool sw;

    memcpy(b.build_id, bid, 20);
    if (!CHECK_EQ_I64(pd_writer_open_mem(flags, &w), 0))
        return;
    CHECK_EQ_I64(pd_writer_add_attr(w, &a, "cpu-clock", NULL, 0), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_HOSTNAME, "builder"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_OSRELEASE, "6.1.0-test"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_VERSION, "6.1.187"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_ARCH, "x86_64"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_ARCH, "aarch64"), 0);   /* replaces */
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_CPUDESC, "a 64-byte string exactly, to test "
                                      "the padding rule of perf"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_CPUID, "drop me"), 0);
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_CPUID, NULL), 0);       /* removes */
    CHECK_EQ_I64(pd_writer_set_string(w, HEADER_NRCPUS, "no"), -EINVAL);
    CHECK_EQ_I64(pd_writer_set_nrcpus(w, 8, 6), 0);
    CHECK_EQ_I64(pd_writer_set_sample_time(w, 1000, 2000000), 0);
    CHECK_EQ_I64(pd_writer_set_cmdline(w, 4, argv), 0);
    CHECK_EQ_I64(pd_writer_set_build_ids(w, &b, 1), 0);
    /* An event: a data size of 0 means a file perf never finished. */
    CHECK_EQ_I64(pd_writer_comm(w, 0, 0, 1, 1, "guest", NULL), 0);
    CHECK_EQ_I64(pd_writer_finish(w), 0);
    buf = pd_writer_data(w, &len);
    if (!CHECK_EQ_I64(pd_reader_open_mem(buf, len, "features", &r), 0))
        goto out;
    sw = pd_reader_header(r)->swapped;
    CHECK_EQ_I64(sw, !!(flags & PD_WRITER_SWAP));
    CHECK_STR_EQ(string_feature(r, HEADER_HOSTNAME), "builder");
    CHECK_STR_EQ(string_feature(r, HEADER_OSRELEASE), "6.1.0-test");
    CHECK_STR_EQ(string_feature(r, HEADER_VERSION), "6.1.187");
    CHECK_STR_EQ(string_feature(r, HEADER_ARCH), "aarch64");
    CHECK_STR_EQ(string_feature(r, HEADER_CPUDESC), "a 64-byte string exactly, to test "
                 "the padding rule of perf");
    CHECK_EQ_I64(pd_reader_feature(r, HEADER_CPUID, &p, &n), 0);
    if (CHECK_EQ_I64(pd_reader_feature(r, HEADER_NRCPUS, &p, &n), 1) && CHECK_EQ_U64(n, 8)) {
        CHECK_EQ_U64(u32_of(p, sw), 8);
        CHECK_EQ_U64(u32_of(p + 4, sw), 6);
    }
    if (CHECK_EQ_I64(pd_reader_feature(r, HEADER_SAMPLE_TIME, &p, &n), 1) &&
        CHECK_EQ_U64(n, 16)) {
        CHECK_EQ_U64(u64_of(p, sw), 1000);
        CHECK_EQ_U64(u64_of(p + 8, sw), 2000000);
    }
    if (CHECK_EQ_I64(pd_reader_cmdline(r, &argc, &args), 1) && CHECK_EQ_U64(argc, 4))
        CHECK_STR_EQ(args[3], "guest.data");
    if (CHECK_EQ_I64(pd_reader_build_ids(r, &ids), 1)) {
        CHECK_STR_EQ(ids[0].filename, "/usr/bin/guest");
        CHECK_MEM_EQ(ids[0].build_id, bid, 20);
        CHECK_EQ_U64(ids[0].size, 20);
    }
    CHECK_EQ_I64(pd_reader_event_desc(r), 1);
    CHECK_STR_EQ(pd_reader_attr(r, 0)->name, "cpu-clock");
out:
    pd_reader_close(r);
    pd_writer_close(w);
}

static void test_features(void)
{
    features_in(0);
    features_in(PD_WRITER_SWAP);
}

/*
 * The records of tbsym export's output: COMM, MMAP2 with a build id, a
 * sample with a user call chain, each with its sample_id_all trailer.
 */
static void guest_records_in(unsigned flags)
{
    static const uint64_t chain[] = { PERF_CONTEXT_USER, 0x555555557538, 0x5555555575f0,
                                      0x7f14e4f2a1ca };
    struct perf_event_attr a = guest_attr();
    struct pd_mmap m = { .pid = 42, .tid = 42, .start = 0x555555557000, .len = 0x1000,
                         .pgoff = 0x1000, .build_id_size = 20, .prot = 5, .flags = 2,
                         .filename = "/work/guests/demo" };
    struct pd_sample_id sid = { .pid = 42, .tid = 43, .time = 7 };
    struct pd_sample s = { .ip = 0x555555557538, .pid = 42, .tid = 43, .time = 100,
                           .period = 250000, .callchain_nr = 4, .callchain = chain };
    struct pd_writer *w;
    struct pd_reader *r = NULL;
    struct pd_event ev;
    const uint8_t *buf;
    size_t len;

    memcpy(m.build_id, bid, 20);
    if (!CHECK_EQ_I64(pd_writer_open_mem(flags, &w), 0))
        return;
    CHECK_EQ_I64(pd_writer_add_attr(w, &a, "cpu-clock", NULL, 0), 0);
    CHECK_EQ_I64(pd_writer_comm(w, 0, 0, 42, 43, "demo", &sid), 0);
    sid.tid = 42;
    CHECK_EQ_I64(pd_writer_mmap2(w, 0, PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID,
                                 &m, &sid), 0);
    CHECK_EQ_I64(pd_writer_sample(w, 0, &s), 0);
    CHECK_EQ_I64(pd_writer_finish(w), 0);
    buf = pd_writer_data(w, &len);
    if (!CHECK_EQ_I64(pd_reader_open_mem(buf, len, "guest", &r), 0))
        goto out;
    if (CHECK_EQ_I64(pd_reader_next(r, &ev), 1) && CHECK_EQ_U64(ev.type, PERF_RECORD_COMM)) {
        CHECK_STR_EQ(ev.u.comm.comm, "demo");
        CHECK_EQ_U64(ev.u.comm.tid, 43);
        CHECK(ev.sample_id.present);
        CHECK_EQ_U64(ev.sample_id.tid, 43);
        CHECK_EQ_U64(ev.time, 7);
    }
    if (CHECK_EQ_I64(pd_reader_next(r, &ev), 1) && CHECK_EQ_U64(ev.type, PERF_RECORD_MMAP2)) {
        CHECK_EQ_U64(ev.misc, PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID);
        CHECK_EQ_U64(ev.u.mmap.start, 0x555555557000);
        CHECK_EQ_U64(ev.u.mmap.len, 0x1000);
        CHECK_EQ_U64(ev.u.mmap.pgoff, 0x1000);
        CHECK_EQ_U64(ev.u.mmap.build_id_size, 20);
        CHECK_MEM_EQ(ev.u.mmap.build_id, bid, 20);
        CHECK_EQ_U64(ev.u.mmap.prot, 5);
        CHECK_STR_EQ(ev.u.mmap.filename, "/work/guests/demo");
        CHECK_EQ_U64(ev.time, 7);
    }
    if (CHECK_EQ_I64(pd_reader_next(r, &ev), 1) && CHECK_EQ_U64(ev.type, PERF_RECORD_SAMPLE)) {
        CHECK_EQ_U64(ev.misc, PERF_RECORD_MISC_USER);
        CHECK_EQ_U64(ev.u.sample.ip, 0x555555557538);
        CHECK_EQ_U64(ev.u.sample.tid, 43);
        CHECK_EQ_U64(ev.u.sample.period, 250000);
        if (CHECK_EQ_U64(ev.u.sample.callchain_nr, 4))
            CHECK_MEM_EQ(ev.u.sample.callchain, chain, sizeof(chain));
    }
    CHECK_EQ_I64(pd_reader_next(r, &ev), 0);
out:
    pd_reader_close(r);
    pd_writer_close(w);
}

static void test_guest_records(void)
{
    guest_records_in(0);
    guest_records_in(PD_WRITER_SWAP);
}

int main(void)
{
    RUN_TEST(test_features);
    RUN_TEST(test_guest_records);
    return unit_finish("test_perfdata_writer");
}
