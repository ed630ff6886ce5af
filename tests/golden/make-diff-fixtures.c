/*
 * make-diff-fixtures.c: writes the two recordings the golden tests of
 * tbsym diff compare, A (before) and B (after a made-up regression).
 *
 * The fixtures are committed; rerun this only to change them, then refresh
 * the expected outputs (see run.sh):
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-diff-fixtures.c build/lib/libqjd.a \
 *      $(pkg-config --libs libzstd) -o build/make-diff-fixtures &&
 *   build/make-diff-fixtures tests/golden
 * The guest they map, diff-guest.elf (896 bytes, its symbols only matter):
 *   gcc -O1 -fno-asynchronous-unwind-tables -fno-pie -no-pie -nostdlib -static \
 *       -Wl,--build-id=none -Wl,-N -o diff-guest.elf diff-guest.c
 *   strip --strip-unneeded -K hot -K steady -K gone -K fresh -K cold diff-guest.elf
 * which gives hot 0x4000b0 (0x2d bytes), steady 0x4000dd, gone 0x4000ea,
 * fresh 0x4000ee, cold 0x4000f2 (nm -S).  The mapping names it
 * /proc/self/cwd/diff-guest.elf: run.sh runs tbsym in tests/golden.
 *
 * Each recording is diff-X.perfdata (perf record -k 1 -e cpu-clock -g as
 * the library writes it: the QEMU process maps jit-PID.dump, then
 * samples), diff-X.tbs (-tb-stats all side file) and diff-X.jitdump.
 *   A  pid 4242, guest mapped at its link address (bias 0), every sample of
 *      period 1000: 100 samples of the QEMU process
 *        hot+0x0 10, hot+0x10 10   (exec 1000 each)
 *        steady 30 JIT + 10 helper (a QEMU address whose call chain
 *                                   returns into steady's TB), exec 5000
 *        gone 20                   (exec 100; no key in B: vanished)
 *        cold 0                    (exec 7, never sampled: --all only)
 *        qemu 15, kernel 5
 *   B  pid 4343, the guest loaded 0x100000 higher (bias 0x100000: other
 *      addresses, same symbol offsets), period 2000: 125 samples
 *        hot+0x0 40, hot+0x10 20   (exec 1000 each, more host code, spills)
 *        steady 30 JIT + 10 helper, exec 5000
 *        fresh 10                  (exec 50; no key in A: new)
 *        cold 0
 *        qemu 10, kernel 5
 * Deterministic, little-endian whatever the host.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"

#include "../tools/fixture.h"

static const unsigned host_is_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
static const char *dir;

/* One guest TB: its symbol offset, counters and samples. */
struct fx_tb {
    uint64_t vaddr;            /* ELF address of its first instruction */
    uint64_t exec;
    uint32_t host_size, spills;
    unsigned jit, helper;      /* samples */
};

struct fx_run {
    const char *name;          /* "a" or "b" */
    uint32_t pid;
    uint64_t bias, period;
    unsigned qemu, kernel;
    const struct fx_tb *tb_records;
    unsigned nr_tb_records;
};

/*
 * A sample in kernel mode: pd_writer_sample() writes misc USER, so the
 * record is built here, fields in the attr's sample_type order, little-endian.
 */
static void kernel_sample(struct pd_writer *pw, const struct pd_sample *s)
{
    uint64_t v[7 + 2];
    uint8_t buf[sizeof(v)];
    size_t n = 0;

    v[n++] = s->id;
    v[n++] = s->ip;
    v[n++] = (uint64_t)s->tid << 32 | s->pid;
    v[n++] = s->time;
    v[n++] = s->period;
    v[n++] = s->callchain_nr;
    for (uint64_t i = 0; i < s->callchain_nr && n < 9; i++)
        v[n++] = s->callchain[i];
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            buf[i * 8 + b] = (uint8_t)(v[i] >> (8 * b));
    fixture_check(pd_writer_raw(pw, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, buf, n * 8), "raw");
}

/* guestsym opens absolute paths only; run.sh runs tbsym in tests/golden. */
#define GUEST_PATH "/proc/self/cwd/diff-guest.elf"
#define HOST_BASE 0x7f0000001000ull
#define QEMU_IP   0x555555556000ull

static void write_run(const struct fx_run *run)
{
    static const uint8_t nops[16] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
                                      0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xc3 };
    static const uint8_t host[256];
    const struct tbs_header h = {
        .pid = run->pid, .timestamp = 100, .guest_machine = 62, .host_machine = 62,
        .flags = TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC | TBS_FLAG_STATS_TIME,
        .guest_page_size = 4096, .guest_addr_bits = 64,
        .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = run->pid, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x400000 + run->bias, .end = 0x401000 + run->bias,
        .offset = 0, .bias = run->bias, .prot = 5,
        .path = GUEST_PATH, .path_len = strlen(GUEST_PATH),
    };
    /* A format 1.0 file: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view end = { .timestamp = 999, .nr_tbs = run->nr_tb_records, .no_tlb = true };
    struct perf_event_attr attr = {
        .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK,
        .sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                       PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN,
        .sample_id_all = 1,
    };
    const uint64_t ids[] = { 1 };
    struct pd_sample_id sid = { .pid = run->pid, .tid = run->pid, .time = 50, .id = 1 };
    char jd_path[64];
    struct pd_mmap mm = { .pid = run->pid, .tid = run->pid, .start = 0x7f00aaaa0000ull,
                          .len = 4096, .prot = 5, .filename = jd_path };
    struct tbs_writer *tw;
    struct jd_writer *jw;
    struct pd_writer *pw;
    const uint8_t *data;
    char name[64];
    size_t len;
    uint64_t time = 1000;

    fixture_check(tbs_writer_open_mem(host_is_big ? TBS_WRITER_SWAP : 0, &tw), "tbs open");
    fixture_check(jd_writer_open_mem(host_is_big ? JD_WRITER_SWAP : 0, &jw), "jd open");
    fixture_check(pd_writer_open_mem(host_is_big ? PD_WRITER_SWAP : 0, &pw), "pd open");
    fixture_check(tbs_writer_write_header(tw, &h), "header");
    fixture_check(tbs_writer_write_mapping(tw, &m), "mapping");
    fixture_check(jd_writer_write_header(jw, &jh), "jd header");

    /* Each TB: 4 guest insns of 4 bytes (nops here: only the addresses matter). */
    for (unsigned i = 0; i < run->nr_tb_records; i++) {
        const struct fx_tb *t = &run->tb_records[i];
        uint64_t pc = t->vaddr + run->bias, host_addr = HOST_BASE + i * 0x100;
        uint64_t insn_pc[4];
        uint32_t host_end[4];
        struct tbs_tb_view v = {
            .timestamp = 200 + i, .code_index = i + 1, .host_addr = host_addr,
            .guest_pc = pc, .phys_pc = pc, .flags = 0xb3, .host_size = t->host_size,
            .guest_size = 16, .guest_code_size = 16, .icount = 4, .stats_id = i + 1,
            .guest_code = nops,
        };
        struct jd_code_load l = {
            .pid = run->pid, .tid = run->pid, .vma = host_addr, .code_addr = host_addr,
            .code_size = t->host_size, .code_index = i + 1, .name = name, .code = host,
        };
        const struct tbs_stats_view s = {
            .stats_id = i + 1, .flags = 0xb3, .guest_pc = pc, .phys_pc = pc,
            .exec_count = t->exec, .insns_executed = 4 * t->exec, .translations = 1,
            .guest_insns = 4, .guest_bytes = 16, .host_bytes = t->host_size,
            .ops = 40, .ops_opt = 30, .spills = t->spills,
            .time_gen_ns = 1000, .time_opt_ns = 100, .time_la_ns = 200, .time_code_ns = 300,
        };

        for (unsigned k = 0; k < 4; k++) {
            insn_pc[k] = pc + 4 * k;
            host_end[k] = t->host_size * (k + 1) / 4;
        }
        snprintf(name, sizeof(name), "guest-0x%llx", (unsigned long long)pc);
        l.name_len = strlen(name);
        fixture_check(tbs_writer_write_tb(tw, &v, insn_pc, host_end), "tb");
        fixture_check(jd_writer_write_load(jw, 200 + i, &l), "load");
        fixture_check(tbs_writer_write_stats(tw, &s, NULL), "stats");
    }
    fixture_check(tbs_writer_write_end(tw, &end), "end");

    snprintf(jd_path, sizeof(jd_path), "/tmp/jit-%u.dump", run->pid);
    fixture_check(pd_writer_add_attr(pw, &attr, "cpu-clock", ids, 1), "attr");
    fixture_check(pd_writer_comm(pw, 0, 0, run->pid, run->pid, "qemu-x86_64", &sid), "comm");
    fixture_check(pd_writer_mmap2(pw, 0, PERF_RECORD_MISC_USER, &mm, &sid), "mmap2");
    for (unsigned i = 0; i < run->nr_tb_records; i++) {
        const struct fx_tb *t = &run->tb_records[i];
        uint64_t host_addr = HOST_BASE + i * 0x100;

        for (unsigned k = 0; k < t->jit + t->helper; k++) {
            bool helper = k >= t->jit;
            /* A helper: QEMU code whose caller is the TB's code (return address inside it). */
            uint64_t chain[3] = { PERF_CONTEXT_USER, helper ? QEMU_IP : host_addr + 1,
                                  host_addr + 5 };
            struct pd_sample ps = {
                .id = 1, .ip = helper ? QEMU_IP : host_addr + 1, .pid = run->pid,
                .tid = run->pid, .time = time++, .period = run->period,
                .callchain_nr = helper ? 3 : 2, .callchain = chain,
            };

            fixture_check(pd_writer_sample(pw, 0, &ps), "sample");
        }
    }
    for (unsigned k = 0; k < run->qemu + run->kernel; k++) {
        bool kernel = k >= run->qemu;
        uint64_t ip = kernel ? 0xffffffff81000000ull : QEMU_IP + 0x40;
        uint64_t chain[2] = { kernel ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER, ip };
        struct pd_sample ps = {
            .id = 1, .ip = ip, .pid = run->pid, .tid = run->pid, .time = time++,
            .period = run->period, .callchain_nr = 2, .callchain = chain,
        };

        if (kernel)
            kernel_sample(pw, &ps);
        else
            fixture_check(pd_writer_sample(pw, 0, &ps), "sample");
    }
    fixture_check(pd_writer_finish(pw), "finish");

    snprintf(name, sizeof(name), "diff-%s.tbs", run->name);
    data = tbs_writer_data(tw, &len);
    fixture_save(dir, name, data, len);
    snprintf(name, sizeof(name), "diff-%s.jitdump", run->name);
    data = jd_writer_data(jw, &len);
    fixture_save(dir, name, data, len);
    snprintf(name, sizeof(name), "diff-%s.perfdata", run->name);
    data = pd_writer_data(pw, &len);
    fixture_save(dir, name, data, len);
    tbs_writer_close(tw);
    jd_writer_close(jw);
    pd_writer_close(pw);
}

int main(int argc, char **argv)
{
    /* vaddr, exec, host_size, spills, jit, helper */
    static const struct fx_tb a_tb_records[] = {
        { 0x4000b0, 1000, 64, 0, 10, 0 },       /* hot */
        { 0x4000c0, 1000, 64, 0, 10, 0 },       /* hot+0x10 */
        { 0x4000dd, 5000, 48, 1, 30, 10 },      /* steady */
        { 0x4000ea, 100, 32, 0, 20, 0 },        /* gone */
        { 0x4000f2, 7, 32, 0, 0, 0 },           /* cold */
    };
    static const struct fx_tb b_tb_records[] = {
        { 0x4000b0, 1000, 128, 3, 40, 0 },      /* hot */
        { 0x4000c0, 1000, 96, 2, 20, 0 },       /* hot+0x10 */
        { 0x4000dd, 5000, 48, 1, 30, 10 },      /* steady */
        { 0x4000ee, 50, 32, 0, 10, 0 },         /* fresh */
        { 0x4000f2, 7, 32, 0, 0, 0 },           /* cold */
    };
    const struct fx_run a = { "a", 4242, 0, 1000, 15, 5, a_tb_records, 5 };
    const struct fx_run b = { "b", 4343, 0x100000, 2000, 10, 5, b_tb_records, 5 };

    dir = fixture_dir(argc, argv);
    write_run(&a);
    write_run(&b);
    return 0;
}
