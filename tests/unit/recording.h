/*
 * recording.h: the files of a small QEMU recording as the unit tests write
 * them (test_profile.c, test_profile_gstack.c, test_symlist.c; the attr
 * also test_perfdata.c and test_perfdata_writer.c): a perf.data of the QEMU
 * process, started as `perf record` starts it, a side file with one TB,
 * and a jitdump with its CODE_LOAD.  Header only, on unit.h
 * and the library's writers; every step is a check, so a failing writer is
 * a failed test.
 */
#ifndef RECORDING_H
#define RECORDING_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"
#include "unit.h"

/* Where recording_perf_open() maps the jitdump, as QEMU's -perf does. */
#define RECORDING_JITDUMP_MAP 0x7f5500000000ull

/*
 * recording_cpu_clock_attr - the attr of `perf record -e cpu-clock -F 4000`
 * with sample_type st and sample_id_all; the caller adds the rest.
 */
static inline struct perf_event_attr recording_cpu_clock_attr(uint64_t st)
{
    struct perf_event_attr a = { 0 };

    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_CPU_CLOCK;
    a.sample_freq = 4000;
    a.freq = 1;
    a.sample_type = st;
    a.sample_id_all = 1;
    return a;
}

/*
 * recording_perf_open - *w, a perf.data (swap: in the other byte order)
 * with attr a (event "cpu-clock", id 1), and at time 1 the COMM
 * "qemu-x86_64" of process pid and the MMAP2 of its jitdump jd_path (a
 * page at RECORDING_JITDUMP_MAP).  The caller adds the rest, then
 * recording_perf_save().
 */
static inline void recording_perf_open(unsigned swap, const struct perf_event_attr *a,
                                       uint32_t pid, const char *jd_path, struct pd_writer **w)
{
    static const uint64_t ids[] = { 1 };
    struct pd_sample_id sid = { .pid = pid, .tid = pid, .time = 1, .id = 1 };
    struct pd_mmap m = { .pid = pid, .tid = pid, .start = RECORDING_JITDUMP_MAP, .len = 4096,
                         .prot = 5, .flags = 2, .filename = jd_path };

    CHECK_EQ_I64(pd_writer_open_mem(swap ? PD_WRITER_SWAP : 0, w), 0);
    CHECK_EQ_I64(pd_writer_add_attr(*w, a, "cpu-clock", ids, 1), 0);
    CHECK_EQ_I64(pd_writer_comm(*w, 0, 0, pid, pid, "qemu-x86_64", &sid), 0);
    CHECK_EQ_I64(pd_writer_mmap2(*w, 0, PERF_RECORD_MISC_USER, &m, &sid), 0);
}

/* recording_perf_save - w finished, written to path, and closed. */
static inline void recording_perf_save(struct pd_writer *w, const char *path)
{
    const uint8_t *d;
    size_t len;

    CHECK_EQ_I64(pd_writer_finish(w), 0);
    d = pd_writer_data(w, &len);
    unit_write_file(path, d, len);
    pd_writer_close(w);
}

/*
 * recording_side_file - *w, a side-file writer (swap: in the other byte
 * order) with the header h, the shadow stack location loc (NULL: none) and
 * the TB record tb (instruction pcs and host ends, both NULL for none)
 * written.  The caller adds the rest and takes the data.
 */
static inline void recording_side_file(unsigned swap, const struct tbs_header *h,
                                       const struct tbs_shadow_stack_loc_view *loc,
                                       const struct tbs_tb_view *tb, const uint64_t *pcs,
                                       const uint32_t *ends, struct tbs_writer **w)
{
    CHECK_EQ_I64(tbs_writer_open_mem(swap ? TBS_WRITER_SWAP : 0, w), 0);
    CHECK_EQ_I64(tbs_writer_write_header(*w, h), 0);
    if (loc)
        CHECK_EQ_I64(tbs_writer_write_shadow_stack(*w, loc), 0);
    CHECK_EQ_I64(tbs_writer_write_tb(*w, tb, pcs, ends), 0);
}

/*
 * recording_jitdump - write to path a jitdump of pid (swap: in the other
 * byte order; x86-64 code) holding one CODE_LOAD at time ts: code_index 1,
 * the size bytes of code at host address host, named name.
 */
static inline void recording_jitdump(const char *path, unsigned swap, uint32_t pid, uint64_t ts,
                                     uint64_t host, const uint8_t *code, uint64_t size,
                                     const char *name)
{
    const struct jd_header jh = { .elf_mach = 62, .pid = pid, .timestamp = 1 };
    const struct jd_code_load l = {
        .pid = pid, .tid = pid, .vma = host, .code_addr = host, .code_size = size,
        .code_index = 1, .name = name, .name_len = strlen(name), .code = code,
    };
    struct jd_writer *jw;
    const uint8_t *d;
    size_t len;

    CHECK_EQ_I64(jd_writer_open_mem(swap ? JD_WRITER_SWAP : 0, &jw), 0);
    CHECK_EQ_I64(jd_writer_write_header(jw, &jh), 0);
    CHECK_EQ_I64(jd_writer_write_load(jw, ts, &l), 0);
    d = jd_writer_data(jw, &len);
    unit_write_file(path, d, len);
    jd_writer_close(jw);
}

#endif /* RECORDING_H */
