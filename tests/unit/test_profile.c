/*
 * test_profile.c: lib/profile on recordings whose files do not belong
 * together or are still being written.  The perf.data, jitdump and export
 * are made with the writers in a temporary directory: QEMU (pid PID) maps
 * its jit-PID.dump, takes one sample in a TB, and the side file and jitdump
 * are of the given pids.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "recording.h"
#include "unit.h"

#define PID 4242
#define HOST 0x7f0000001000ull

static char dir[] = "/tmp/test_profile.XXXXXX";
static char perf_data[256], export[256], export_part[256], dump[256], other_dump[256];

static void write_perf_data(void)
{
    const struct perf_event_attr a = recording_cpu_clock_attr(
        PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
        PERF_SAMPLE_PERIOD);
    struct pd_sample s = { .id = 1, .ip = HOST + 4, .pid = PID, .tid = PID, .time = 20,
                           .period = 1 };
    struct pd_writer *w;

    recording_perf_open(0, &a, PID, dump, &w);
    CHECK_EQ_I64(pd_writer_sample(w, 0, &s), 0);
    recording_perf_save(w, perf_data);
}

/* The side file (whole, and cut inside its END record) of pid, and a jitdump of jd_pid. */
static void write_run(uint32_t pid, const char *jd_path, uint32_t jd_pid)
{
    static const uint8_t guest[] = { 0x90, 0xc3 };
    static const uint64_t pcs[] = { 0x401000, 0x401001 };
    static const uint32_t ends[] = { 8, 16 };
    static const uint8_t host[16];
    const struct tbs_header h = {
        .pid = pid, .timestamp = 1, .guest_machine = 62, .host_machine = 62,
        .guest_page_size = 4096, .guest_addr_bits = 64, .guest_arch = "x86_64",
        .qemu_version = "10.0.2",
    };
    const struct tbs_tb_view tb = {
        .timestamp = 2, .code_index = 1, .host_addr = HOST, .guest_pc = 0x401000,
        .phys_pc = UINT64_MAX, .host_size = sizeof(host), .guest_size = 2,
        .guest_code_size = 2, .icount = 2, .guest_code = guest,
    };
    const struct tbs_end_view e = { .timestamp = 30, .nr_tbs = 1 };
    struct tbs_writer *tw;
    const uint8_t *d;
    size_t len;

    recording_side_file(0, &h, NULL, &tb, pcs, ends, &tw);
    CHECK_EQ_I64(tbs_writer_write_end(tw, &e), 0);
    d = tbs_writer_data(tw, &len);
    unit_write_file(export, d, len);
    unit_write_file(export_part, d, len - 3);
    tbs_writer_close(tw);
    recording_jitdump(jd_path, 0, jd_pid, 2, HOST, host, sizeof(host), "true+0x1000");
}

static int open_profile(const char *tbstats, const char *jitdump, bool partial,
                        struct profile **p)
{
    const struct profile_opts o = {
        .perf_data = perf_data, .tbstats = tbstats, .jitdump = jitdump, .partial = partial,
    };

    return profile_open(&o, p);
}

/* Opening tbstats and jitdump (no partial results) fails with err, saying says1 and says2. */
static void check_open_fails(const char *tbstats, const char *jitdump, int err,
                             const char *says1, const char *says2)
{
    struct profile *p;
    bool said1, said2;

    CHECK_EQ_I64(open_profile(tbstats, jitdump, false, &p), err);
    said1 = CHECK(strstr(profile_strerror(p), says1) != NULL);
    said2 = CHECK(strstr(profile_strerror(p), says2) != NULL);
    if (!said1 || !said2)
        fprintf(stderr, "  the message: %s\n", profile_strerror(p));
    profile_close(p);
}

static int count_sample(void *arg, const struct profile_sample *s)
{
    if (s->cls == PROFILE_JIT && s->tb && s->tb->guest_pc == 0x401000)
        ++*(int *)arg;
    return 0;
}

/* Everything of one run: the sample is charged to its TB. */
static void test_same_run(void)
{
    struct profile *p;
    int n = 0;

    write_run(PID, dump, PID);
    if (CHECK_EQ_I64(open_profile(export, NULL, false, &p), 0)) {
        CHECK_EQ_I64(profile_run(p, count_sample, &n), 0);
        CHECK_EQ_I64(n, 1);
    } else {
        fprintf(stderr, "  %s\n", profile_strerror(p));
    }
    profile_close(p);
}

/* A side file of another QEMU process than the recording's: -EXDEV, both pids named. */
static void test_export_of_other_pid(void)
{
    write_run(PID + 1, other_dump, PID + 1);
    check_open_fails(export, other_dump, -EXDEV,
                     "the side file of pid 4243, but the QEMU process of", "is pid 4242");
}

/* The jitdump of another process than the side file's: -EBADMSG, both files named. */
static void test_jitdump_of_other_pid(void)
{
    write_run(PID, other_dump, PID + 1);
    check_open_fails(export, other_dump, -EBADMSG, "are not from the same run",
                     "pid 4242 in the side file, 4243 in the jitdump");
}

/* A side file QEMU is still writing: -ENODATA unless partial results are accepted. */
static void test_export_being_written(void)
{
    struct profile *p;
    int n = 0;

    write_run(PID, dump, PID);
    check_open_fails(export_part, NULL, -ENODATA, "truncated record at byte offset",
                     "use --partial");
    if (CHECK_EQ_I64(open_profile(export_part, NULL, true, &p), 0)) {
        CHECK(profile_info(p)->tbstats_partial);
        CHECK_EQ_I64(profile_run(p, count_sample, &n), 0);
        CHECK_EQ_I64(n, 1);
    }
    profile_close(p);
}

int main(void)
{
    if (!mkdtemp(dir))
        unit_skip("mkdtemp failed");
    snprintf(perf_data, sizeof(perf_data), "%s/perf.data", dir);
    snprintf(export, sizeof(export), "%s/run.tbstats", dir);
    snprintf(export_part, sizeof(export_part), "%s/run.tbstats.part", dir);
    snprintf(dump, sizeof(dump), "%s/jit-%d.dump", dir, PID);
    snprintf(other_dump, sizeof(other_dump), "%s/other.dump", dir);
    write_perf_data();
    RUN_TEST(test_same_run);
    RUN_TEST(test_export_of_other_pid);
    RUN_TEST(test_jitdump_of_other_pid);
    RUN_TEST(test_export_being_written);
    unlink(perf_data);
    unlink(export);
    unlink(export_part);
    unlink(dump);
    unlink(other_dump);
    rmdir(dir);
    return unit_finish("test_profile");
}
