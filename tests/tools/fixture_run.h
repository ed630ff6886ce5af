/*
 * fixture_run.h: the pieces of a synthetic QEMU run that the golden fixture
 * generators (tests/golden/make-*-fixtures.c) write alike: the start and
 * end of a side file with its jitdump, a translation with its CODE_LOAD, a
 * STATS record, the start and end of a perf.data of the QEMU process, each
 * recording in a subdirectory.  Header only, on fixture.h and
 * the library's writers; included by relative path, so a generator still
 * builds as one .c file on build/lib/libqjd.a.  Every helper exits 1 on
 * the first error, as fixture_check() does.
 */
#ifndef TESTS_FIXTURE_RUN_H
#define TESTS_FIXTURE_RUN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"

#include "fixture.h"

/* Where fixture_tb() puts the host code of code_index idx. */
#define FIXTURE_HOST(idx) (0x7f0000001000ull + (uint64_t)(idx) * 0x100)

/* Where fixture_perf_open() maps QEMU (no symbols: frames show the dso name). */
#define FIXTURE_QEMU_BASE 0x555500000000ull

/*
 * The x86-64 guest code of the demo's three functions as the run
 * generators translate them, each with the sizes of its instructions.
 */
/* main: push %rbp; mov %rsp,%rbp; cmp $1,%edi; jle +0x1c */
static const uint8_t fixture_main_code[] = { 0x55, 0x48, 0x89, 0xe5, 0x83, 0xff, 0x01, 0x7e, 0x1c };
static const unsigned fixture_main_sizes[] = { 1, 3, 3, 2 };
/* fib: lea 0x8(%rdi),%rax; ret */
static const uint8_t fixture_fib_code[] = { 0x48, 0x8d, 0x47, 0x08, 0xc3 };
static const unsigned fixture_fib_sizes[] = { 4, 1 };
/* leaf: nop; ret */
static const uint8_t fixture_leaf_code[] = { 0x90, 0xc3 };
static const unsigned fixture_leaf_sizes[] = { 1, 1 };

/* fixture_save_sub - fixture_save() into DIR/SUB, made first if missing. */
static inline void fixture_save_sub(const char *dir, const char *sub, const char *name,
                                    const void *buf, size_t len)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    mkdir(path, 0777);
    fixture_save(path, name, buf, len);
}

/*
 * fixture_run_open - the writers of a side file and of its jitdump (swap: 0,
 * or both in the other byte order), with the side file's header h and its
 * first MAPPING m, and the jitdump's header jh.
 */
static inline void fixture_run_open(int swap, const struct tbs_header *h,
                                    const struct tbs_mapping_view *m, const struct jd_header *jh,
                                    struct tbs_writer **tw, struct jd_writer **jw)
{
    fixture_check(tbs_writer_open_mem(swap ? TBS_WRITER_SWAP : 0, tw), "tbs open");
    fixture_check(jd_writer_open_mem(swap ? JD_WRITER_SWAP : 0, jw), "jd open");
    fixture_check(tbs_writer_write_header(*tw, h), "header");
    fixture_check(tbs_writer_write_mapping(*tw, m), "mapping");
    fixture_check(jd_writer_write_header(*jw, jh), "jd header");
}

/*
 * fixture_run_save - the side file and the jitdump written so far saved as
 * DIR/SUB/jit-PID.tbstats and DIR/SUB/jit-PID.dump, QEMU's names; both
 * writers closed.
 */
static inline void fixture_run_save(struct tbs_writer *tw, struct jd_writer *jw,
                                    const char *dir, const char *sub, uint32_t pid)
{
    const uint8_t *data;
    char name[64];
    size_t len;

    data = tbs_writer_data(tw, &len);
    snprintf(name, sizeof(name), "jit-%u.tbstats", pid);
    fixture_save_sub(dir, sub, name, data, len);
    data = jd_writer_data(jw, &len);
    snprintf(name, sizeof(name), "jit-%u.dump", pid);
    fixture_save_sub(dir, sub, name, data, len);
    tbs_writer_close(tw);
    jd_writer_close(jw);
}

/*
 * fixture_tb - one translation, at time ts, of the guest code at pc: icount
 * (at most 8) instructions of the given sizes, whose bytes are guest_code.
 * Each guest insn becomes "add $-8,%rbx; mov %rsp,%rbp" (7 bytes) on the
 * host, then "jmp; ret" (6 bytes) out of line, at FIXTURE_HOST(idx).
 * Writes its TB record (key stats_id, flags 0xb3) to tw and its CODE_LOAD
 * (pid and tid pid, symbol name) to jw.
 */
static inline void fixture_tb(struct tbs_writer *tw, struct jd_writer *jw, uint32_t pid,
                              uint64_t ts, uint64_t idx, uint64_t pc, uint32_t stats_id,
                              const uint8_t *guest_code, const unsigned *sizes,
                              unsigned icount, const char *name)
{
    static const uint8_t per_insn[] = { 0x48, 0x83, 0xc3, 0xf8, 0x48, 0x89, 0xe5 };
    static const uint8_t tail[] = { 0xe9, 0x00, 0x00, 0x00, 0x00, 0xc3 };
    uint64_t insn_pc[8];
    uint32_t host_end[8], guest_size = 0, host_size = 0;
    uint8_t host[8 * sizeof(per_insn) + sizeof(tail)];
    struct tbs_tb_view v;
    struct jd_code_load l;

    if (icount > 8) {
        fprintf(stderr, "%s: %s: %u insns, at most 8\n", program_invocation_short_name, name,
                icount);
        exit(1);
    }
    for (unsigned i = 0; i < icount; i++) {
        insn_pc[i] = pc + guest_size;
        guest_size += sizes[i];
        memcpy(host + host_size, per_insn, sizeof(per_insn));
        host_size += sizeof(per_insn);
        host_end[i] = host_size;
    }
    memcpy(host + host_size, tail, sizeof(tail));
    host_size += sizeof(tail);
    v = (struct tbs_tb_view){
        .timestamp = ts, .code_index = idx, .host_addr = FIXTURE_HOST(idx), .guest_pc = pc,
        .phys_pc = pc, .flags = 0xb3, .host_size = host_size, .guest_size = guest_size,
        .guest_code_size = guest_size, .icount = icount, .stats_id = stats_id,
        .guest_code = guest_code,
    };
    l = (struct jd_code_load){
        .pid = pid, .tid = pid, .vma = FIXTURE_HOST(idx), .code_addr = FIXTURE_HOST(idx),
        .code_size = host_size, .code_index = idx, .name = name, .name_len = strlen(name),
        .code = host,
    };
    fixture_check(tbs_writer_write_tb(tw, &v, insn_pc, host_end), "tb");
    fixture_check(jd_writer_write_load(jw, ts, &l), "load");
}

/*
 * fixture_stats - the STATS record of key id at pc (flags 0xb3): exec
 * executions of its icount insns, translated translations times into
 * host_size bytes each; the other counters follow from these (3 guest
 * bytes an insn, 20 ops and 15 after optimization, fixed times), nr_succ
 * successors succ (NULL when 0).
 */
static inline void fixture_stats(struct tbs_writer *tw, uint32_t id, uint64_t pc,
                                 uint64_t exec, uint32_t icount, uint32_t translations,
                                 uint32_t host_size, const uint64_t *succ, uint32_t nr_succ,
                                 uint32_t spills)
{
    const struct tbs_stats_view s = {
        .stats_id = id, .flags = 0xb3, .guest_pc = pc, .phys_pc = pc, .exec_count = exec,
        .insns_executed = exec * icount, .translations = translations,
        .guest_insns = icount * translations, .guest_bytes = 3 * icount * translations,
        .host_bytes = host_size * translations, .ops = 20 * icount * translations,
        .ops_opt = 15 * icount * translations, .spills = spills,
        .time_gen_ns = 1000 * id, .time_opt_ns = 100, .time_la_ns = 200, .time_code_ns = 300,
        .nr_succ = nr_succ,
    };

    fixture_check(tbs_writer_write_stats(tw, &s, succ), "stats");
}

/*
 * fixture_perf_open - a little-endian perf.data of QEMU process pid as
 * `perf record -k 1` starts it: attr (event "cpu-clock", id 1), then at
 * time 50 the COMM "qemu-x86_64" and the MMAP2s of QEMU
 * (/nonexistent/qemu-x86_64 at FIXTURE_QEMU_BASE) and of the jitdump
 * (/nonexistent/jit-PID.dump).  The caller writes the samples, then
 * fixture_perf_save().
 */
static inline void fixture_perf_open(const struct perf_event_attr *attr, uint32_t pid,
                                     struct pd_writer **w)
{
    static const uint64_t ids[] = { 1 };
    char jd_path[64];
    struct pd_sample_id sid = { .pid = pid, .tid = pid, .time = 50 };
    struct pd_mmap qemu = { .pid = pid, .tid = pid, .start = FIXTURE_QEMU_BASE,
                            .len = 0x100000, .prot = 5, .filename = "/nonexistent/qemu-x86_64" };
    struct pd_mmap jd = { .pid = pid, .tid = pid, .start = 0x7f1000000000ull, .len = 0x1000,
                          .prot = 5, .filename = jd_path };

    snprintf(jd_path, sizeof(jd_path), "/nonexistent/jit-%u.dump", pid);
    fixture_check(pd_writer_open_mem(0, w), "perf.data open");
    fixture_check(pd_writer_add_attr(*w, attr, "cpu-clock", ids, 1), "attr");
    fixture_check(pd_writer_comm(*w, 0, 0, pid, pid, "qemu-x86_64", &sid), "comm");
    fixture_check(pd_writer_mmap2(*w, 0, PERF_RECORD_MISC_USER, &qemu, &sid), "mmap qemu");
    fixture_check(pd_writer_mmap2(*w, 0, PERF_RECORD_MISC_USER, &jd, &sid), "mmap jitdump");
}

/* fixture_perf_save - w finished, saved as DIR/SUB/perf.data, and closed. */
static inline void fixture_perf_save(struct pd_writer *w, const char *dir, const char *sub)
{
    const uint8_t *data;
    size_t len;

    fixture_check(pd_writer_finish(w), "finish");
    data = pd_writer_data(w, &len);
    fixture_save_sub(dir, sub, "perf.data", data, len);
    pd_writer_close(w);
}

#endif /* TESTS_FIXTURE_RUN_H */
