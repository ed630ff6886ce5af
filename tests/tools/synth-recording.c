/*
 * synth-recording.c: writes a synthetic QEMU recording with a known answer.
 *
 *   synth-recording DIR [--loads N] [--samples M] [--keys K] [--flush-every F]
 *                       [--identical-code] [--seed S] [--user-stacks] [--gstack]
 *
 * DIR receives what `perf record -k 1 qemu-x86_64 -perf` leaves: perf.data
 * (one cpu-clock attr, IP|TID|TIME|CPU|PERIOD samples, an MMAP2 of the
 * jitdump as QEMU maps it, FINISHED_ROUND every 4096 samples),
 * jit-4242.dump (N CODE_LOADs) and jit-4242.tbstats (N TB records, K STATS
 * records, END), all made with the library's writers; and truth.txt, the
 * number of samples each key must get: "stats_id samples" per line, keys
 * without samples omitted.
 *
 * The code buffer is reset every F loads (a TB flush: the next TBs reuse the
 * same host addresses), load j translates key j % K, and every sample hits a
 * TB live at the sample's time, at a random offset of its code.  With
 * --identical-code every TB's host code is the same bytes, as perf inject
 * would merge them by build-id.  Used by tests/integration/test_report.sh
 * (small N: exact attribution) and bench/bench_report.py (N = M = 10^6).
 *
 * --user-stacks makes the samples `perf record --call-graph dwarf` style:
 * each also has perf's x86-64 user registers and an 8192-byte stack dump,
 * which holds, 0x1000 bytes above the sampled stack pointer, a shadow call
 * stack (tbstats-format.h, "Shadow call stacks") of 1 to 32 random guest
 * calls.  --gstack does the same and also says where it is: the side file has
 * TBS_FLAG_SHADOW_STACK and a SHADOW_STACK record for the QEMU thread, so
 * tbsym decodes a guest call stack for every sample.  The two differ only
 * in that, which measures the cost of decoding (bench/bench_report.py).
 * The guest stacks are random, not checked: tests/golden's
 * make-gstack-fixtures.c has the recording with a known call structure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"
#include "unwind.h"
#include "fixture.h"

#define PID 4242u
#define CODE_BASE 0x7f0000000000ull
#define GUEST_BASE 0x400000ull
#define T0 1000000000ull
#define LOAD_DT 1000u          /* ns between loads */
#define STACK_DUMP 8192u       /* perf's default --call-graph dwarf dump */
#define STACK_SP 0x7ffd00000000ull  /* the sampled stack pointer */
#define SHADOW_ADDR (STACK_SP + 0x1000)  /* the QEMU thread's shadow stack */
#define SHADOW_CAPACITY 64u

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "synth-recording: %s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

struct load {
    uint64_t time, addr;
    uint32_t size, key;
};

struct sample {
    uint64_t time, ip;
    uint32_t key;
};

static void put64le(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(v >> (8 * b));
}

/* A stack dump from STACK_SP holding a shadow stack of 1..32 random calls. */
static void shadow_stack_dump(uint8_t *stack)
{
    const size_t hdr = sizeof(struct tbs_shadow_stack), fr = sizeof(struct tbs_shadow_frame);
    uint8_t *b = stack + (SHADOW_ADDR - STACK_SP);
    unsigned depth = 1 + (unsigned)(rnd() % 32);
    uint64_t key = 0x7ffffffde000ull;

    put64le(b, TBS_SHADOW_MAGIC);
    put64le(b + 8, SHADOW_ADDR + hdr + fr * (depth + 1));
    put64le(b + 16, SHADOW_ADDR + hdr + fr * (SHADOW_CAPACITY + 1));
    put64le(b + 24, 0);
    put64le(b + 32, GUEST_BASE);
    put64le(b + hdr, 0);
    put64le(b + hdr + 8, TBS_SHADOW_KEY_TOP);
    for (unsigned i = 1; i <= depth; i++) {
        key -= 0x20 + 0x10 * (rnd() % 4);
        put64le(b + hdr + fr * i, GUEST_BASE + 0x1000 + rnd() % 0x10000);
        put64le(b + hdr + fr * i + 8, key);
    }
}

static int cmp_sample(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;

    return (x->time > y->time) - (x->time < y->time);
}

int main(int argc, char **argv)
{
    unsigned long long nloads = 1000, nsamples = 1000, nkeys = 0, flush_every = 0;
    bool identical = false, user_stacks = false, gstack = false;
    const char *dir = NULL;
    struct load *loads;
    struct sample *samples;
    uint64_t *truth;
    uint8_t code[1024];
    char path[PATH_MAX], name[64];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long *v = NULL;

        if (!strcmp(a, "--loads")) v = &nloads;
        else if (!strcmp(a, "--samples")) v = &nsamples;
        else if (!strcmp(a, "--keys")) v = &nkeys;
        else if (!strcmp(a, "--flush-every")) v = &flush_every;
        else if (!strcmp(a, "--identical-code")) { identical = true; continue; }
        else if (!strcmp(a, "--user-stacks")) { user_stacks = true; continue; }
        else if (!strcmp(a, "--gstack")) { user_stacks = gstack = true; continue; }
        else if (!strcmp(a, "--seed") && i + 1 < argc) { rng_state += strtoull(argv[++i], NULL, 0); continue; }
        else if (a[0] != '-' && !dir) { dir = a; continue; }
        if (!v || i + 1 >= argc) {
            fprintf(stderr, "usage: synth-recording DIR [--loads N] [--samples M] [--keys K]\n"
                            "       [--flush-every F] [--identical-code] [--seed S]\n"
                            "       [--user-stacks] [--gstack]\n");
            return 2;
        }
        *v = strtoull(argv[++i], NULL, 0);
    }
    if (!dir || !nloads)
        return 2;
    if (!nkeys || nkeys > nloads)
        nkeys = (nloads + 1) / 2;
    if (!flush_every)
        flush_every = nloads / 8 + 1;

    loads = calloc(nloads, sizeof(*loads));
    samples = calloc(nsamples ? nsamples : 1, sizeof(*samples));
    truth = calloc(nkeys + 1, sizeof(*truth));
    if (!loads || !samples || !truth)
        die("memory", ENOMEM);
    for (size_t i = 0; i < sizeof(code); i++)
        code[i] = (uint8_t)rnd();

    /* The loads: sequential in a code buffer reset every flush_every loads. */
    uint64_t next = CODE_BASE;
    for (uint64_t j = 0; j < nloads; j++) {
        if (j && j % flush_every == 0)
            next = CODE_BASE;
        loads[j].time = T0 + j * LOAD_DT;
        loads[j].addr = next;
        loads[j].size = 64 + (uint32_t)(rnd() % 448);
        loads[j].key = (uint32_t)(j % nkeys);
        next += (loads[j].size + 15) & ~15u;
    }

    /*
     * The samples: a load, then a time before the next flush (the TB is
     * live until its addresses are reused) and an offset in its code.
     */
    for (uint64_t i = 0; i < nsamples; i++) {
        uint64_t j = rnd() % nloads;
        uint64_t epoch_end = (j / flush_every + 1) * flush_every;
        uint64_t end_time = epoch_end < nloads ? loads[epoch_end].time : loads[nloads - 1].time + LOAD_DT;

        samples[i].time = loads[j].time + rnd() % (end_time - loads[j].time);
        samples[i].ip = loads[j].addr + rnd() % loads[j].size;
        samples[i].key = loads[j].key;
        truth[loads[j].key + 1]++;
    }
    qsort(samples, nsamples, sizeof(*samples), cmp_sample);

    /* jit-PID.dump */
    {
        struct jd_writer *w;
        const struct jd_header h = { .elf_mach = 62, .pid = PID, .timestamp = T0 };
        snprintf(path, sizeof(path), "%s/jit-%u.dump", dir, PID);
        FILE *f = fopen(path, "wb");
        if (!f)
            die(path, errno);
        fixture_check(jd_writer_open_file(f, 0, &w), "jitdump writer");
        fixture_check(jd_writer_write_header(w, &h), "jitdump header");
        for (uint64_t j = 0; j < nloads; j++) {
            struct jd_code_load l = {
                .pid = PID, .tid = PID, .vma = loads[j].addr, .code_addr = loads[j].addr,
                .code_size = loads[j].size, .code_index = j + 1, .name = name,
                .code = identical ? code : code + (j % 509),
            };

            l.name_len = (size_t)snprintf(name, sizeof(name), "func%" PRIu32 "+0x%x",
                                          loads[j].key / 16, (loads[j].key % 16) * 16);
            fixture_check(jd_writer_write_load(w, loads[j].time, &l), "jitdump load");
        }
        jd_writer_close(w);
        if (fclose(f) != 0)
            die(path, errno);
    }

    /* jit-PID.tbstats */
    {
        struct tbs_writer *w;
        const struct tbs_header h = {
            .version_minor = gstack ? 2 : 0,
            .pid = PID, .timestamp = T0, .guest_machine = 62, .host_machine = 62,
            .flags = TBS_FLAG_STATS | TBS_FLAG_STATS_JIT | TBS_FLAG_STATS_EXEC |
                     (gstack ? TBS_FLAG_SHADOW_STACK : 0),
            .guest_page_size = 4096, .guest_addr_bits = 64, .guest_arch = "x86_64",
            .qemu_version = "synthetic",
        };
        const uint8_t *buf;
        size_t len;

        fixture_check(tbs_writer_open_mem(0, &w), "tbstats writer");
        fixture_check(tbs_writer_write_header(w, &h), "tbstats header");
        if (gstack) {
            const struct tbs_shadow_stack_loc_view loc = {
                .timestamp = T0, .addr = SHADOW_ADDR, .tid = PID, .capacity = SHADOW_CAPACITY,
            };

            fixture_check(tbs_writer_write_shadow_stack(w, &loc), "shadow stack");
        }
        for (uint64_t j = 0; j < nloads; j++) {
            uint64_t pc = GUEST_BASE + 16ull * loads[j].key;
            uint64_t insn_pc[2] = { pc, pc + 8 };
            uint32_t host_end[2] = { loads[j].size / 2, loads[j].size - 8 };
            struct tbs_tb_view tb = {
                .timestamp = loads[j].time, .code_index = j + 1, .host_addr = loads[j].addr,
                .guest_pc = pc, .phys_pc = pc, .flags = 0xb3, .host_size = loads[j].size,
                .guest_size = 16, .icount = 2, .stats_id = loads[j].key + 1,
            };

            if (j && j % flush_every == 0)
                fixture_check(tbs_writer_write_flush(w, loads[j].time - 1), "flush");
            fixture_check(tbs_writer_write_tb(w, &tb, insn_pc, host_end), "tb");
        }
        for (uint64_t k = 0; k < nkeys; k++) {
            uint64_t pc = GUEST_BASE + 16ull * k;
            uint32_t translations = (uint32_t)((nloads - k + nkeys - 1) / nkeys);
            struct tbs_stats_view s = {
                .stats_id = (uint32_t)k + 1, .flags = 0xb3, .guest_pc = pc, .phys_pc = pc,
                .exec_count = 1000 + rnd() % 100000, .translations = translations,
                .guest_insns = 2ull * translations, .guest_bytes = 16ull * translations,
                .host_bytes = 200ull * translations, .ops = 40ull * translations,
                .ops_opt = 30ull * translations,
            };

            s.insns_executed = 2 * s.exec_count;
            fixture_check(tbs_writer_write_stats(w, &s, NULL), "stats");
        }
        const struct tbs_end_view end = { .timestamp = T0 + nloads * LOAD_DT, .nr_tbs = nloads,
                                          .nr_flushes = (nloads - 1) / flush_every,
                                          .no_tlb = true };   /* a 1.0 or 1.2 file */
        fixture_check(tbs_writer_write_end(w, &end), "end");
        buf = tbs_writer_data(w, &len);
        snprintf(name, sizeof(name), "jit-%u.tbstats", PID);
        fixture_save(dir, name, buf, len);
        tbs_writer_close(w);
    }

    /* perf.data */
    {
        struct pd_writer *w;
        struct perf_event_attr attr = {
            .type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
            .sample_freq = 4000, .freq = 1, .sample_id_all = 1, .use_clockid = 1,
            .clockid = 1 /* CLOCK_MONOTONIC */, .exclude_kernel = 0,
            .sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                           PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD,
        };
        const uint64_t id = 1;
        struct pd_mmap m = { .pid = PID, .tid = PID, .start = 0x7ff000000000ull,
                             .len = 4096, .prot = 5, .flags = 2 };
        struct pd_sample_id sid = { .present = true, .pid = PID, .tid = PID, .time = T0 - 1 };
        char jd[PATH_MAX];
        const char *argv_rec[] = { "perf", "record", "-k", "1", "qemu-x86_64", "-perf" };
        static uint8_t stack[STACK_DUMP];
        uint64_t regs[UW_X86_NREGS];

        if (user_stacks) {
            attr.sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
            attr.sample_regs_user = UW_X86_64_REGS_MASK;
            attr.sample_stack_user = STACK_DUMP;
        }

        snprintf(path, sizeof(path), "%s/perf.data", dir);
        fixture_check(pd_writer_open(path, 0, &w), "perf.data writer");
        fixture_check(pd_writer_add_attr(w, &attr, "cpu-clock", &id, 1), "attr");
        fixture_check(pd_writer_set_cmdline(w, 6, argv_rec), "cmdline");
        fixture_check(pd_writer_comm(w, 0, 0, PID, PID, "qemu-x86_64", &sid), "comm");
        snprintf(jd, sizeof(jd), "%s/jit-%u.dump", dir, PID);
        m.filename = jd;
        fixture_check(pd_writer_mmap2(w, 0, 0, &m, &sid), "mmap2");
        for (uint64_t i = 0; i < nsamples; i++) {
            struct pd_sample s = {
                .ip = samples[i].ip, .pid = PID, .tid = PID, .time = samples[i].time,
                .cpu = (uint32_t)(i & 1), .period = 250000,
            };

            if (user_stacks) {
                size_t n = 0;

                for (int r = 0; r < UW_X86_NREGS; r++)
                    if (UW_X86_64_REGS_MASK & (1ull << r))
                        regs[n++] = r == UW_X86_IP ? samples[i].ip : r == UW_X86_SP ? STACK_SP : 0;
                shadow_stack_dump(stack);
                s.user_regs_abi = UW_ABI_64;
                s.user_regs = regs;
                s.stack_user_size = STACK_DUMP;
                s.stack_user = stack;
                s.stack_user_dyn_size = STACK_DUMP;
            }
            fixture_check(pd_writer_sample(w, 0, &s), "sample");
            if ((i + 1) % 4096 == 0)
                fixture_check(pd_writer_finished_round(w), "round");
        }
        fixture_check(pd_writer_finish(w), "finish");
        fixture_check(pd_writer_close(w), "close");
    }

    /* truth.txt */
    {
        snprintf(path, sizeof(path), "%s/truth.txt", dir);
        FILE *f = fopen(path, "w");

        if (!f)
            die(path, errno);
        for (uint64_t k = 1; k <= nkeys; k++)
            if (truth[k])
                fprintf(f, "%" PRIu64 " %" PRIu64 "\n", k, truth[k]);
        if (fclose(f) != 0)
            die(path, errno);
    }
    free(loads);
    free(samples);
    free(truth);
    return 0;
}
