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
 *
 * DIR/system: a run of qemu-system-x86_64 (side file version 1.4, SYSTEM,
 * END with TLB flushes 1234 full, 56 partial, 7 elided), frame-pointer
 * chains, cpu-clock period 1:
 *   key 1 at 0x100614  bm_sieve's inner loop of a bare-metal guest
 *                      (movb $1,(%ebx,%eax); add; cmp; jb), host code as
 *                      QEMU 10.2 generated it (256 bytes at 0x7f0000001100):
 *                      the store's TLB fast path at 0x23-0x54, its slow
 *                      path (call of the store helper) at 0xd8-0xf8
 *   key 2 at 0x100618  add; cmp: no memory access, fixture_tb's host code
 * QEMU is softmmu-host.elf, mapped at its link address from
 * /proc/self/cwd/softmmu-host.elf (run.sh runs tbsym in tests/golden):
 *   gcc -O1 -fno-asynchronous-unwind-tables -fno-pie -no-pie -nostdlib -static \
 *       -Wl,--build-id=none -Wl,-N -o softmmu-host.elf softmmu-host.c
 *   strip --strip-unneeded -K _start -K cpu_exec -K helper_stb_mmu -K mmu_lookup \
 *       -K tlb_fill_align -K tb_invalidate_phys_range_fast -K helper_lookup_tb_ptr \
 *       softmmu-host.elf
 * nm -S: tb_invalidate_phys_range_fast 0x4000b0, tlb_fill_align 0x4000ba,
 * mmu_lookup 0x4000c4, helper_stb_mmu 0x4000db, helper_lookup_tb_ptr
 * 0x4000e4, cpu_exec 0x4000ee (its call's return address 0x4000f7); no
 * DWARF: the software MMU is told by names (lib/softmmu.h).  Samples:
 *   key 1 JIT: prologue 0x3 x1, fast path 0x26 x2, 0x4c x3, 0x50 x1,
 *       second insn 0x54 x2, slow path 0xe1 x1           = 10
 *   key 1 helpers (return address 0xf3, after the slow path's call):
 *       mmu_lookup <- helper_stb_mmu x3, tb_invalidate_phys_range_fast
 *       <- mmu_lookup <- helper_stb_mmu x2 (software MMU: 5),
 *       helper_lookup_tb_ptr x1 (return address 0xb3)     = 6
 *   key 2 JIT x4, helper_lookup_tb_ptr from it x2
 *   tlb_fill_align with no TB in its chain x1 (qemu)
 * so 23 samples: jit 14, helpers 8 (softmmu 5, all charged), qemu 1.
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

/* --- the system emulator's run ----------------------------------------------------------- */

#define SYS_HOST_PATH "/proc/self/cwd/softmmu-host.elf"
#define SYS_CPU_EXEC_RA     0x4000f7ull
#define SYS_HELPER_STB_MMU  0x4000dbull     /* its call of mmu_lookup returns to 0x4000e0 */
#define SYS_MMU_LOOKUP      0x4000c4ull     /* its first call returns to 0x4000cd */
#define SYS_TLB_INVALIDATE  0x4000b0ull
#define SYS_TLB_FILL        0x4000baull
#define SYS_LOOKUP_TB_PTR   0x4000e4ull

/* bm_sieve+0x42 as qemu-system-x86_64 10.2 translated it (jitdump of a test_system run). */
static const uint8_t sieve_host[256] = {
    0x8b, 0x5d, 0xdc, 0x85, 0xdb, 0x0f, 0x8c, 0xc1, 0x00, 0x00, 0x00, 0xc6, 0x45, 0xe0, 0x00, 0x48,
    0x8b, 0x5d, 0x00, 0x4c, 0x8b, 0x65, 0x18, 0x4c, 0x03, 0xe3, 0x45, 0x8b, 0xe4, 0x41, 0xbd, 0x01,
    0x00, 0x00, 0x00, 0x49, 0x8b, 0xfc, 0x48, 0xc1, 0xef, 0x07, 0x48, 0x23, 0xbd, 0x60, 0xff, 0xff,
    0xff, 0x48, 0x03, 0xbd, 0x68, 0xff, 0xff, 0xff, 0x49, 0x8b, 0xf4, 0x48, 0x81, 0xe6, 0x00, 0xf0,
    0xff, 0xff, 0x48, 0x3b, 0x77, 0x08, 0x0f, 0x85, 0x8c, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x7f, 0x18,
    0x45, 0x88, 0x2c, 0x3c, 0x4c, 0x8b, 0x65, 0x10, 0x49, 0x03, 0xdc, 0x8b, 0xdb, 0x48, 0x89, 0x5d,
    0x00, 0x4c, 0x8b, 0xe3, 0x4c, 0x8b, 0x6d, 0x08, 0x4d, 0x2b, 0xe5, 0x4c, 0x89, 0xa5, 0x90, 0x00,
    0x00, 0x00, 0xc6, 0x45, 0xe0, 0x01, 0x45, 0x8b, 0xe5, 0x4c, 0x89, 0xa5, 0x98, 0x00, 0x00, 0x00,
    0xc7, 0x85, 0xa8, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x49, 0x3b, 0xdc, 0x0f, 0x82, 0x25,
    0x00, 0x00, 0x00, 0x48, 0x8b, 0x9d, 0x80, 0x00, 0x00, 0x00, 0x48, 0x83, 0xc3, 0x0a, 0x48, 0x89,
    0x9d, 0x80, 0x00, 0x00, 0x00, 0x66, 0x90, 0xe9, 0x54, 0x01, 0x00, 0x00, 0x48, 0x8d, 0x05, 0x8e,
    0xfe, 0xff, 0xff, 0xe9, 0xa0, 0x13, 0xeb, 0xff, 0x66, 0x66, 0x90, 0xe9, 0x40, 0xff, 0xff, 0xff,
    0x48, 0x8d, 0x05, 0x79, 0xfe, 0xff, 0xff, 0xe9, 0x8c, 0x13, 0xeb, 0xff, 0x48, 0x8d, 0x05, 0x70,
    0xfe, 0xff, 0xff, 0xe9, 0x80, 0x13, 0xeb, 0xff, 0x49, 0x8b, 0xf4, 0x41, 0x8b, 0xd5, 0x48, 0x8b,
    0xfd, 0xb9, 0x05, 0x5c, 0x01, 0x00, 0x4c, 0x8d, 0x05, 0x67, 0xff, 0xff, 0xff, 0xff, 0x15, 0x05,
    0x00, 0x00, 0x00, 0xe9, 0x5c, 0xff, 0xff, 0xff, 0xe0, 0xa8, 0x7a, 0x7d, 0x01, 0x56, 0x00, 0x00,
};

static void write_system_run(const char *sub)
{
    static const uint8_t sieve_guest[] = { 0xc6, 0x04, 0x03, 0x01, 0x01, 0xd0, 0x39, 0xc8,
                                           0x72, 0xf6 };
    static const uint64_t sieve_pc[] = { 0x100614, 0x100618, 0x10061a, 0x10061c };
    static const uint32_t sieve_end[] = { 0x54, 0x61, 0x76, 0xd8 };
    static const uint8_t alu_guest[] = { 0x01, 0xd0, 0x39, 0xc8 };
    static const unsigned alu_sizes[] = { 2, 2 };
    const struct tbs_header h = {
        .version_minor = 4, .pid = PID, .timestamp = 100, .guest_machine = 62,
        .host_machine = 62, .guest_page_size = 4096, .guest_addr_bits = 64,
        .flags = TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC |
                 TBS_FLAG_STATS_TIME | TBS_FLAG_SYSTEM,
        .guest_arch = "x86_64", .qemu_version = "10.2.2",
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = PID, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x100000, .end = 0x101000, .prot = 5,
        .path = "/nonexistent/x86_64.elf", .path_len = 23,
    };
    const struct tbs_tb_view sieve = {
        .timestamp = 200, .code_index = 1, .host_addr = HOST(1), .guest_pc = 0x100614,
        .phys_pc = 0x100614, .flags = 0x40c0b3, .host_size = sizeof(sieve_host),
        .guest_size = sizeof(sieve_guest), .guest_code_size = sizeof(sieve_guest),
        .icount = 4, .privilege = TBS_PRIV_SUPERVISOR, .stats_id = 1,
        .guest_code = sieve_guest,
    };
    const struct jd_code_load sieve_load = {
        .pid = PID, .tid = PID, .vma = HOST(1), .code_addr = HOST(1),
        .code_size = sizeof(sieve_host), .code_index = 1, .name = "bm_sieve+0x42",
        .name_len = 13, .code = sieve_host,
    };
    const struct tbs_end_view end = {
        .timestamp = 999, .exit_code = 1, .nr_tbs = 2, .tlb_flush_full = 1234,
        .tlb_flush_part = 56, .tlb_flush_elided = 7,
    };
    struct tbs_writer *tw;
    struct jd_writer *jw;

    fixture_run_open(0, &h, &m, &jh, &tw, &jw);
    fixture_check(tbs_writer_write_tb(tw, &sieve, sieve_pc, sieve_end), "tb");
    fixture_check(jd_writer_write_load(jw, 200, &sieve_load), "load");
    fixture_tb(tw, jw, PID, 210, 2, 0x100618, 2, alu_guest, alu_sizes, 2, "bm_sieve+0x46");
    fixture_stats(tw, 1, 0x100614, 131072, 4, 1, sizeof(sieve_host), NULL, 0, 0);
    fixture_stats(tw, 2, 0x100618, 65536, 2, 1, 20, NULL, 0, 0);
    fixture_check(tbs_writer_write_end(tw, &end), "end");
    fixture_run_save(tw, jw, dir, sub, PID);
}

static void write_system_perf_data(const char *sub)
{
    struct perf_event_attr attr = {
        .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK, .sample_id_all = 1,
        .sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                       PERF_SAMPLE_CALLCHAIN,
    };
    const struct pd_sample_id sid = { .pid = PID, .tid = PID, .time = 60 };
    const struct pd_mmap host = { .pid = PID, .tid = PID, .start = 0x400000, .len = 0x1000,
                                  .prot = 5, .filename = SYS_HOST_PATH };
    const uint64_t to_cpu_exec[] = { SYS_CPU_EXEC_RA };
    /* helper_stb_mmu called from key 1's slow path; mmu_lookup from it. */
    const uint64_t stb_from_key1[] = { SYS_HELPER_STB_MMU + 5, HOST(1) + 0xf3,
                                       SYS_CPU_EXEC_RA };
    const uint64_t lookup_from_stb[] = { SYS_MMU_LOOKUP + 9, SYS_HELPER_STB_MMU + 5,
                                         HOST(1) + 0xf3, SYS_CPU_EXEC_RA };
    const uint64_t from_key1[] = { HOST(1) + 0xb3, SYS_CPU_EXEC_RA };
    const uint64_t from_key2[] = { HOST(2) + 0xe, SYS_CPU_EXEC_RA };
    static const unsigned key1_jit[][2] = {
        { 0x3, 1 }, { 0x26, 2 }, { 0x4c, 3 }, { 0x50, 1 }, { 0x54, 2 }, { 0xe1, 1 },
    };
    struct pd_writer *w;

    fixture_perf_open(&attr, PID, &w);
    fixture_check(pd_writer_mmap2(w, 0, PERF_RECORD_MISC_USER, &host, &sid), "mmap host");
    for (size_t i = 0; i < sizeof(key1_jit) / sizeof(key1_jit[0]); i++)
        for (unsigned n = 0; n < key1_jit[i][1]; n++)
            sample(w, PID, HOST(1) + key1_jit[i][0], to_cpu_exec, 1);
    for (int i = 0; i < 3; i++)
        sample(w, PID, SYS_MMU_LOOKUP + 2, stb_from_key1, 3);
    for (int i = 0; i < 2; i++)
        sample(w, PID, SYS_TLB_INVALIDATE + 3, lookup_from_stb, 4);
    sample(w, PID, SYS_LOOKUP_TB_PTR + 1, from_key1, 2);
    for (int i = 0; i < 4; i++)
        sample(w, PID, HOST(2) + 3, to_cpu_exec, 1);
    for (int i = 0; i < 2; i++)
        sample(w, PID, SYS_LOOKUP_TB_PTR + 1, from_key2, 2);
    sample(w, PID, SYS_TLB_FILL + 1, to_cpu_exec, 1);
    fixture_perf_save(w, dir, sub);
}

int main(int argc, char **argv)
{
    dir = fixture_dir(argc, argv);
    write_run("profile");
    write_perf_data("profile", true);
    write_run("nochain");
    write_perf_data("nochain", false);
    write_system_run("system");
    write_system_perf_data("system");
    return 0;
}
