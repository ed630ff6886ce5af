/*
 * make-profile-fixtures.c: writes the synthetic recordings of the golden
 * tests of tbsym annotate and flame: perf.data, jit-4242.dump and
 * jit-4242.tbstats in DIR/profile (with call chains) and DIR/nochain
 * (without).  run.sh builds and runs it into a temporary directory for
 * every run (no perf.data is committed); by hand:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-profile-fixtures.c build/lib/libqjd.a \
 *      $(pkg-config --libs libzstd) -o build/make-profile-fixtures &&
 *   build/make-profile-fixtures /tmp/fixtures
 *
 * Deterministic.  One QEMU run, pid 4242, x86-64 guest on x86-64 host:
 *   key 1 at 0x401000  4 insns, host code 0x7f0000001100 (34 bytes: each
 *                      guest insn became "add $-8,%rbx; mov %rsp,%rbp",
 *                      7 bytes, then "jmp; ret" out of line)
 *   key 2 at 0x401100  2 insns, host 0x7f0000001200 (20 bytes)
 *   key 3 at 0x401200  2 insns, translated twice around a FLUSH: host
 *                      0x7f0000001300 (code_index 3) and 0x7f0000001400 (4)
 * QEMU itself is /nonexistent/qemu-x86_64 at 0x555500000000 (no symbols:
 * frames show the dso name).  Samples (cpu-clock, period 1):
 *   key 1: host offsets 0 x3, 4 x1, 7 x2 (second insn), 0x1c x1 (out of line)
 *   key 2: offset 8 x2; its helper (QEMU code called from offset 0xb) x3
 *   key 3: offset 2 of the first translation x1, of the second x2, and
 *          offset 9 of the second x1
 *   kernel under key 1 x1, QEMU outside JIT code x1, another process x1
 * so 18 samples of QEMU.  With chains every user sample has cpu_exec's
 * return address 0x555500002010 as its root; nochain has the same samples
 * without PERF_SAMPLE_CALLCHAIN (the kernel one too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"

#include "../tools/fixture_run.h"

#define PID 4242
#define QEMU_BASE FIXTURE_QEMU_BASE
#define CPU_EXEC_RA (QEMU_BASE + 0x2010)
#define HOST(idx) FIXTURE_HOST(idx)

static const char *dir;

/* --- the side file and the jitdump ---------------------------------------------------------- */

static void write_run(const char *sub)
{
    const struct tbs_header h = {
        .pid = PID, .timestamp = 100, .guest_machine = 62, .host_machine = 62,
        .flags = TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_TIME,
        .guest_page_size = 4096, .guest_addr_bits = 64, .guest_arch = "x86_64",
        .qemu_version = "10.0.2",
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = PID, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x401000, .end = 0x402000, .offset = 0x1000,
        .prot = 5, .path = "/nonexistent/demo", .path_len = 17,
    };
    /* A format 1.0 file: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view end = { .timestamp = 999, .nr_tbs = 4, .nr_flushes = 1,
                                      .no_tlb = true };
    struct tbs_writer *tw;
    struct jd_writer *jw;

    fixture_run_open(0, &h, &m, &jh, &tw, &jw);
    fixture_tb(tw, jw, PID, 200, 1, 0x401000, 1, fixture_main_code, fixture_main_sizes, 4,
               "demo+0x1000 main");
    fixture_tb(tw, jw, PID, 210, 2, 0x401100, 2, fixture_fib_code, fixture_fib_sizes, 2,
               "demo+0x1100 fib");
    fixture_tb(tw, jw, PID, 220, 3, 0x401200, 3, fixture_leaf_code, fixture_leaf_sizes, 2,
               "demo+0x1200 leaf");
    fixture_check(tbs_writer_write_flush(tw, 300), "flush");
    fixture_tb(tw, jw, PID, 310, 4, 0x401200, 3, fixture_leaf_code, fixture_leaf_sizes, 2,
               "demo+0x1200 leaf");
    fixture_stats(tw, 1, 0x401000, 1000, 4, 1, 34, NULL, 0, 0);
    fixture_stats(tw, 2, 0x401100, 5000, 2, 1, 20, NULL, 0, 1);
    fixture_stats(tw, 3, 0x401200, 10, 2, 2, 20, NULL, 0, 2);
    fixture_check(tbs_writer_write_end(tw, &end), "end");
    fixture_run_save(tw, jw, dir, sub, PID);
}

/* --- perf.data ------------------------------------------------------------------------ */

static uint64_t now = 1000;

/* A user sample of QEMU at ip with the return addresses ras (root last). */
static void sample(struct pd_writer *w, uint32_t pid, uint64_t ip, const uint64_t *ras,
                   size_t nr)
{
    uint64_t chain[8];
    struct pd_sample s = { .ip = ip, .pid = pid, .tid = pid, .time = now++ };
    size_t n = 0;

    chain[n++] = PERF_CONTEXT_USER;
    chain[n++] = ip;
    for (size_t i = 0; i < nr; i++)
        chain[n++] = ras[i];
    s.callchain_nr = n;
    s.callchain = chain;
    fixture_check(pd_writer_sample(w, 0, &s), "sample");
}

/* A kernel sample: pd_writer_sample() writes user samples only. */
static void kernel_sample(struct pd_writer *w, bool chains, uint64_t ip, uint64_t user_ip)
{
    uint64_t p[9];
    size_t n = 0;

    p[n++] = ip;
    p[n++] = (uint64_t)PID << 32 | PID;    /* u32 pid, u32 tid: equal, so any byte order */
    p[n++] = now++;
    if (chains) {
        p[n++] = 5;
        p[n++] = PERF_CONTEXT_KERNEL;
        p[n++] = ip;
        p[n++] = PERF_CONTEXT_USER;
        p[n++] = user_ip;
        p[n++] = CPU_EXEC_RA;
    }
    fixture_check(pd_writer_raw(w, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, p, n * 8), "kernel sample");
}

static void write_perf_data(const char *sub, bool chains)
{
    struct perf_event_attr attr = { 0 };
    const uint64_t to_cpu_exec[] = { CPU_EXEC_RA };
    const uint64_t from_key2[] = { HOST(2) + 0xb, CPU_EXEC_RA };
    struct pd_writer *w;
    size_t nr = chains ? 1 : 0;

    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                       (chains ? PERF_SAMPLE_CALLCHAIN : 0);
    attr.sample_id_all = 1;
    fixture_perf_open(&attr, PID, &w);

    for (int i = 0; i < 3; i++)
        sample(w, PID, HOST(1) + 0, to_cpu_exec, nr);
    sample(w, PID, HOST(1) + 4, to_cpu_exec, nr);
    for (int i = 0; i < 2; i++)
        sample(w, PID, HOST(1) + 7, to_cpu_exec, nr);
    sample(w, PID, HOST(1) + 0x1c, to_cpu_exec, nr);
    for (int i = 0; i < 2; i++)
        sample(w, PID, HOST(2) + 8, to_cpu_exec, nr);
    for (int i = 0; i < 3; i++)
        sample(w, PID, QEMU_BASE + 0x1234, from_key2, chains ? 2 : 0);
    sample(w, PID, HOST(3) + 2, to_cpu_exec, nr);
    for (int i = 0; i < 2; i++)
        sample(w, PID, HOST(4) + 2, to_cpu_exec, nr);
    sample(w, PID, HOST(4) + 9, to_cpu_exec, nr);
    kernel_sample(w, chains, 0xffffffff81001000ull, HOST(1) + 4);
    sample(w, PID, QEMU_BASE + 0x3000, to_cpu_exec, nr);
    sample(w, 999, 0x400000, NULL, 0);
    fixture_perf_save(w, dir, sub);
}

int main(int argc, char **argv)
{
    dir = fixture_dir(argc, argv);
    write_run("profile");
    write_perf_data("profile", true);
    write_run("nochain");
    write_perf_data("nochain", false);
    return 0;
}
