/*
 * test_profile_gstack.c: lib/profile's guest call stacks (profile.h,
 * profile_sample.gstack and guest_frames, profile_info.gstack_*).
 *
 * A recording is made with the writers in a temporary directory, as
 * `perf record --call-graph dwarf` and QEMU with shadow stacks would leave
 * it: user registers and 2048-byte stack dumps holding tid PID's shadow
 * stack (struct tbs_shadow_stack at BLOCK) and a side file with
 * TBS_FLAG_SHADOW_STACK and a SHADOW_STACK record.  Every variant must give
 * the same stacks: little- and big-endian files (the stack bytes in the
 * file's byte order), raw and `perf inject -j` style (the code map from
 * jitted-PID-N.so maps), with and without profile_opts.no_callchains; a
 * recording without user stacks gives none and counts none as missing.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "recording.h"
#include "unwind.h"
#include "unit.h"

#define PID 4242
#define TID_IO 4250
#define HOST 0x7f0000001000ull
#define QEMU_IP 0x555500001234ull
#define BLOCK 0x7ffcf0001000ull
#define DUMP 2048u
#define HDR 48u
#define FR 16u

static char dir[] = "/tmp/test_profile_gstack.XXXXXX";
static char perf_data[256], export[256], dump[256];

/* The side file and jitdump: one TB at HOST, insns 0x401000/01/04 ending at host 8/16/24. */
static void write_run(unsigned swap)
{
    static const uint8_t guest[] = { 0x55, 0x48, 0x89, 0xe5, 0xc3 };
    static const uint64_t pcs[] = { 0x401000, 0x401001, 0x401004 };
    static const uint32_t ends[] = { 8, 16, 24 };
    static const uint8_t host[32];
    const struct tbs_header h = {
        .version_minor = 2, .pid = PID, .timestamp = 1, .guest_machine = 62,
        .host_machine = 62, .flags = TBS_FLAG_SHADOW_STACK, .guest_page_size = 4096,
        .guest_addr_bits = 64, .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct tbs_shadow_stack_loc_view loc = {
        .timestamp = 2, .addr = BLOCK, .tid = PID, .capacity = 8,
    };
    const struct tbs_tb_view tb = {
        .timestamp = 3, .code_index = 1, .host_addr = HOST, .guest_pc = 0x401000,
        .phys_pc = 0x401000, .host_size = sizeof(host), .guest_size = sizeof(guest),
        .guest_code_size = sizeof(guest), .icount = 3, .guest_code = guest,
    };
    const struct tbs_end_view e = { .timestamp = 99, .nr_tbs = 1 };
    struct tbs_writer *tw;
    const uint8_t *d;
    size_t len;

    recording_side_file(swap, &h, &loc, &tb, pcs, ends, &tw);
    CHECK_EQ_I64(tbs_writer_write_end(tw, &e), 0);
    d = tbs_writer_data(tw, &len);
    unit_write_file(export, d, len);
    tbs_writer_close(tw);
    recording_jitdump(dump, swap, PID, 3, HOST, host, sizeof(host), "demo+0x1000");
}

static uint8_t stack[DUMP];
static bool stack_big;

static void put(uint64_t sp, uint64_t addr, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        stack[addr - sp + b] = (uint8_t)(v >> (stack_big ? 56 - 8 * b : 8 * b));
}

/* A shadow stack _start -> main -> f at BLOCK, as seen from sp. */
static void shadow_stack(uint64_t sp, uint64_t lost)
{
    uint64_t base = BLOCK + HDR;

    memset(stack, 0, sizeof(stack));
    if (sp > BLOCK)
        return;
    put(sp, BLOCK, TBS_SHADOW_MAGIC);
    put(sp, BLOCK + 8, base + FR * 3);
    put(sp, BLOCK + 16, base + FR * 9);
    put(sp, BLOCK + 24, lost);
    put(sp, BLOCK + 32, 0x401004);
    put(sp, base + 8, TBS_SHADOW_KEY_TOP);
    put(sp, base + FR, 0x400194);
    put(sp, base + FR + 8, 0x7fffe000);
    put(sp, base + 2 * FR, 0x40016f);
    put(sp, base + 2 * FR + 8, 0x7fffdfe0);
}

static void sample(struct pd_writer *w, uint32_t tid, uint64_t ip, uint64_t sp, uint64_t lost,
                   uint64_t time)
{
    uint64_t regs[UW_X86_NREGS];
    struct pd_sample s = {
        .id = 1, .ip = ip, .pid = PID, .tid = tid, .time = time, .period = 1,
        .user_regs_abi = UW_ABI_64, .user_regs = regs, .stack_user_size = DUMP,
        .stack_user = stack, .stack_user_dyn_size = DUMP,
    };
    size_t n = 0;

    shadow_stack(sp, lost);
    for (int r = 0; r < UW_X86_NREGS; r++)
        if (UW_X86_64_REGS_MASK & (1ull << r))
            regs[n++] = r == UW_X86_SP ? sp : r == UW_X86_IP ? ip : 0;
    CHECK_EQ_I64(pd_writer_sample(w, 0, &s), 0);
}

/*
 * perf.data: JIT at insn 1 (OK), QEMU code (the block's guest_pc), JIT with
 * the block above the dump (missing), a thread without a block, JIT with
 * lost calls (truncated).
 */
static void write_perf_data(unsigned swap, bool injected, bool stacks)
{
    struct perf_event_attr a = recording_cpu_clock_attr(
        PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
        PERF_SAMPLE_PERIOD | (stacks ? PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER : 0));
    struct pd_sample_id sid = { .pid = PID, .tid = PID, .time = 4, .id = 1 };
    struct pd_mmap so = { .pid = PID, .tid = PID, .start = HOST, .len = 32, .prot = 5,
                          .flags = 2, .filename = "/tmp/jitted-4242-1.so" };
    struct pd_writer *w;

    stack_big = swap != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
    a.sample_regs_user = stacks ? UW_X86_64_REGS_MASK : 0;
    a.sample_stack_user = stacks ? DUMP : 0;
    recording_perf_open(swap, &a, PID, dump, &w);
    if (injected)
        CHECK_EQ_I64(pd_writer_mmap2(w, 0, PERF_RECORD_MISC_USER, &so, &sid), 0);
    sample(w, PID, HOST + 10, BLOCK - 0x100, 0, 10);
    sample(w, PID, QEMU_IP, BLOCK - 0x600, 0, 11);
    sample(w, PID, HOST + 10, BLOCK + 0x40, 0, 12);
    sample(w, TID_IO, QEMU_IP, BLOCK - 0x100, 0, 13);
    sample(w, PID, HOST + 2, BLOCK - 0x100, 2, 14);
    recording_perf_save(w, perf_data);
}

struct seen {
    int n;
    enum profile_gstack gstack[8];
    enum profile_gleaf leaf[8];
    size_t nr[8];
    uint64_t frames[8][4];
    uint64_t lost[8];
};

static int collect(void *arg, const struct profile_sample *s)
{
    struct seen *v = arg;

    if (v->n < 8) {
        v->gstack[v->n] = s->gstack;
        v->leaf[v->n] = s->guest_leaf;
        v->nr[v->n] = s->nr_guest_frames;
        for (size_t i = 0; i < s->nr_guest_frames && i < 4; i++)
            v->frames[v->n][i] = s->guest_frames[i];
        v->lost[v->n] = s->guest_lost;
        if (s->nr_guest_frames && !s->guest_frame_flags)
            v->lost[v->n] = 12345;
    }
    v->n++;
    return 0;
}

static void check_variant(unsigned swap, bool injected, bool no_callchains)
{
    const struct profile_opts o = {
        .perf_data = perf_data, .tbstats = export, .jitdump = injected ? NULL : dump,
        .no_callchains = no_callchains,
    };
    struct profile *p;
    struct seen v = { 0 };
    const struct profile_info *info;

    write_run(swap);
    write_perf_data(swap, injected, true);
    if (!CHECK_EQ_I64(profile_open(&o, &p), 0)) {
        fprintf(stderr, "  %s\n", profile_strerror(p));
        profile_close(p);
        return;
    }
    CHECK_EQ_I64(profile_run(p, collect, &v), 0);
    info = profile_info(p);
    CHECK(info->injected == injected);
    CHECK(info->shadow_stacks);
    CHECK(info->user_stacks);
    CHECK_EQ_U64(info->gstack_samples, 3);
    CHECK_EQ_U64(info->gstack_truncated, 1);
    CHECK_EQ_U64(info->gstack_missing, 1);
    CHECK_EQ_U64(info->gstack_max_dump, 0x600 + HDR + 3 * FR);
    CHECK_EQ_I64(v.n, 5);
    /* JIT at host offset 10: insn 1. */
    CHECK_EQ_U64(v.gstack[0], PROFILE_GSTACK_OK);
    CHECK_EQ_U64(v.leaf[0], PROFILE_GLEAF_INSN);
    CHECK_EQ_U64(v.nr[0], 3);
    CHECK_EQ_U64(v.frames[0][0], 0x401001);
    CHECK_EQ_U64(v.frames[0][1], 0x40016f);
    CHECK_EQ_U64(v.frames[0][2], 0x400194);
    /* QEMU code: the block's guest_pc. */
    CHECK_EQ_U64(v.gstack[1], PROFILE_GSTACK_OK);
    CHECK_EQ_U64(v.leaf[1], PROFILE_GLEAF_QEMU_PC);
    CHECK_EQ_U64(v.nr[1], 3);
    CHECK_EQ_U64(v.frames[1][0], 0x401004);
    /* Not in the dump: no stack, but the leaf from the TB; no block. */
    CHECK_EQ_U64(v.gstack[2], PROFILE_GSTACK_NONE);
    CHECK_EQ_U64(v.leaf[2], PROFILE_GLEAF_INSN);
    CHECK_EQ_U64(v.nr[2], 1);
    CHECK_EQ_U64(v.frames[2][0], 0x401001);
    CHECK_EQ_U64(v.gstack[3], PROFILE_GSTACK_NONE);
    CHECK_EQ_U64(v.leaf[3], PROFILE_GLEAF_NONE);
    /* Lost calls. */
    CHECK_EQ_U64(v.gstack[4], PROFILE_GSTACK_TRUNCATED);
    CHECK_EQ_U64(v.frames[4][0], 0x401000);
    CHECK_EQ_U64(v.lost[4], 2);
    CHECK_EQ_U64(v.nr[4], 3);
    profile_close(p);
}

static void test_little_endian(void) { check_variant(0, false, false); }
static void test_big_endian(void) { check_variant(1, false, false); }
static void test_injected(void) { check_variant(0, true, false); }
static void test_no_callchains(void) { check_variant(0, false, true); }

/* No user stacks in the recording: no guest stack, none counted missing. */
static void test_no_user_stacks(void)
{
    const struct profile_opts o = { .perf_data = perf_data, .tbstats = export, .jitdump = dump };
    struct profile *p;
    struct seen v = { 0 };

    write_run(0);
    write_perf_data(0, false, false);
    if (CHECK_EQ_I64(profile_open(&o, &p), 0)) {
        CHECK_EQ_I64(profile_run(p, collect, &v), 0);
        CHECK(profile_info(p)->shadow_stacks);
        CHECK(!profile_info(p)->user_stacks);
        CHECK_EQ_U64(profile_info(p)->gstack_samples, 0);
        CHECK_EQ_U64(profile_info(p)->gstack_missing, 0);
        CHECK_EQ_I64(v.n, 5);
        for (int i = 0; i < 5; i++)
            CHECK_EQ_U64(v.gstack[i], PROFILE_GSTACK_NONE);
    }
    profile_close(p);
}

int main(void)
{
    if (!mkdtemp(dir))
        unit_skip("mkdtemp failed");
    snprintf(perf_data, sizeof(perf_data), "%s/perf.data", dir);
    snprintf(export, sizeof(export), "%s/jit-%d.tbstats", dir, PID);
    snprintf(dump, sizeof(dump), "%s/jit-%d.dump", dir, PID);
    RUN_TEST(test_little_endian);
    RUN_TEST(test_big_endian);
    RUN_TEST(test_injected);
    RUN_TEST(test_no_callchains);
    RUN_TEST(test_no_user_stacks);
    unlink(perf_data);
    unlink(export);
    unlink(dump);
    rmdir(dir);
    return unit_finish("test_profile_gstack");
}
