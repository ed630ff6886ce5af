/*
 * make-gstack-fixtures.c: writes the synthetic recording of the golden
 * tests of guest call stacks (tbstats-format.h, "Shadow call stacks"):
 * perf.data, jit-4242.dump and jit-4242.tbstats in DIR/gstack.  run.sh
 * builds and runs it into a temporary directory for every run (no
 * perf.data is committed); by hand:
 *   make build/lib/libqjd.a
 *   cc -Ilib -D_GNU_SOURCE tests/golden/make-gstack-fixtures.c build/lib/libqjd.a \
 *      $(pkg-config --libs libzstd) -o build/make-gstack-fixtures &&
 *   build/make-gstack-fixtures /tmp/fixtures
 *
 * The guest, gstack-guest.elf (1216 bytes, its symbols and call sites only
 * matter; never run):
 *   gcc -O1 -fno-asynchronous-unwind-tables -fno-pie -no-pie -nostdlib -static \
 *       -Wl,--build-id=none -Wl,-N -o gstack-guest.elf gstack-guest.c
 *   strip --strip-unneeded -K _start -K main -K parse -K lex -K run -K step \
 *       -K fib -K handler gstack-guest.elf
 * nm -S: lex 0x4000b0 (0xb bytes), parse 0x4000bb, step 0x4000ef, run
 * 0x4000fb, fib 0x40012f, handler 0x40015d, main 0x400164, _start 0x40018b;
 * the return addresses of its calls (objdump -d): _start->main 0x400194,
 * main->parse 0x40016f, main->run 0x40017b, main->fib 0x400187,
 * parse->lex 0x4000d7, run->step 0x400117, fib->fib 0x40014d.  The side file
 * maps it as /proc/self/cwd/gstack-guest.elf at its link address (bias 0):
 * run.sh runs tbsym in tests/golden.
 *
 * One QEMU run, pid 4242, x86-64 guest on x86-64 host, recorded as
 * `perf record --call-graph dwarf` records it: IP|TID|TIME|PERIOD|CALLCHAIN|
 * REGS_USER|STACK_USER (perf's x86-64 register mask, 8192-byte stacks),
 * period 1.  The side file has TBS_FLAG_SHADOW_STACK and SHADOW_STACK records:
 *   tid 4242  addr 0x7ffcf0000100 capacity 16 at time 120 (superseded),
 *             addr 0x7ffcf0001000 capacity 16 at time 150 (the one used)
 *   tid 4243  addr 0x7ffcf8001000 capacity 4 at time 160,
 *             addr 0x7ffcf8800000 at time 5000 (after every sample: unused)
 * TBs (4 guest insns of one host insn, 7 bytes each, then 6 bytes out of
 * line; host code at 0x7f0000001000 + 0x100 * code_index):
 *   1 lex 0x4000b0 (insns 0x4000b0 b3 b6 b9)   3 step 0x4000ef (ef f3 f7)
 *   4 fib 0x40012f (12f 133 137 13b)           5 handler 0x40015d (15d 160)
 * QEMU is /nonexistent/qemu-x86_64 at 0x555500000000 (no symbols).
 *
 * Samples of the QEMU process, each with its shadow stack in the dumped
 * user stack (guest call stack leaf first, as tbsym must show it; "sig"
 * marks a signal frame, whose PC is the interrupted one, not a return
 * address):
 *   20  main->parse->lex    tid 4242, JIT: 12 at lex 0x4000b0, 8 at 0x4000b6
 *       guest_frames 0x4000b0|0x4000b6, 0x4000d7, 0x40016f, 0x400194
 *   12  main->run->step     tid 4242: 8 JIT at step 0x4000ef; 4 in a helper
 *       (QEMU code whose frame-pointer chain returns into step's TB at host
 *       offset 0xb, so the leaf is the insn of offset 0xa: 0x4000f3)
 *       guest_frames 0x4000ef|0x4000f3, 0x400117, 0x40017b, 0x400194
 *    2  main->fib->fib->fib tid 4242, JIT at fib 0x400133 (recursion)
 *       guest_frames 0x400133, 0x40014d, 0x40014d, 0x400187, 0x400194
 *    1  main->parse->lex    tid 4242, JIT at lex 0x4000b0, with a stale
 *       frame {0x40017b (main->run), key too low} between _start's and
 *       parse's: it must not show
 *    2  signal              tid 4242, JIT at handler 0x40015d, the handler
 *       of a signal that interrupted step at 0x4000f3: one sample with the
 *       key of the interrupted guest SP, one with TBS_SHADOW_KEY_TOP
 *       (alternate signal stack)
 *       guest_frames 0x40015d, sig 0x4000f3, 0x400117, 0x40017b, 0x400194
 *    1  truncated (dump)    tid 4242, JIT at fib 0x400133, stack
 *       main->fib->fib->fib but the dump ends after frames[3]: TRUNCATED
 *       guest_frames 0x400133, 0x40014d, 0x400187, 0x400194
 *    1  truncated (lost)    tid 4243, JIT at fib 0x400133, capacity 4 full
 *       (_start, main->fib, fib->fib, fib->fib) and 3 calls lost: TRUNCATED
 *       guest_frames 0x400133, 0x40014d, 0x40014d, 0x400187, 0x400194
 *    1  translation         tid 4242, QEMU code (0x555500005000), no TB in
 *       its chain: leaf is the block's guest_pc 0x4000bb (parse),
 *       PROFILE_GLEAF_QEMU_PC; guest_frames 0x4000bb, 0x40016f, 0x400194
 * = 40 samples with a guest stack (gstack_samples 40, gstack_truncated 2),
 * and without one:
 *    1  tid 4242, JIT at lex, whose dump starts above the block
 *       (gstack_missing 1)
 *    1  tid 4250, a thread with no shadow stack, in QEMU code
 *    1  pid 999, another process
 * gstack_max_dump is 0x1800 + 48 + 16 * 3 (the translation sample).
 * Guest stack keys: _start's call 0x7ffffffde000, then 0x20 lower per
 * level.  Deterministic; the stack bytes are little-endian.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump_writer.h"
#include "perfdata_writer.h"
#include "tbstats_writer.h"
#include "unwind.h"

#include "../tools/fixture_run.h"

#define PID 4242
#define TID2 4243
#define TID_IO 4250
#define QEMU_BASE FIXTURE_QEMU_BASE
#define HOST(idx) FIXTURE_HOST(idx)
#define GUEST_PATH "/proc/self/cwd/gstack-guest.elf"

#define BLOCK1 0x7ffcf0001000ull       /* tid 4242's shadow stack */
#define BLOCK2 0x7ffcf8001000ull       /* tid 4243's */
#define STACK_DUMP 8192u
#define HDR ((uint64_t)sizeof(struct tbs_shadow_stack))
#define FRAME ((uint64_t)sizeof(struct tbs_shadow_frame))

/* Guest return addresses (see above) and stack keys. */
#define RA_START_MAIN  0x400194ull
#define RA_MAIN_PARSE  0x40016full
#define RA_MAIN_RUN    0x40017bull
#define RA_MAIN_FIB    0x400187ull
#define RA_PARSE_LEX   0x4000d7ull
#define RA_RUN_STEP    0x400117ull
#define RA_FIB_FIB     0x40014dull
#define PC_STEP_INTR   0x4000f3ull
#define KEY(level)     (0x7ffffffde000ull - 0x20ull * (level))

static const char *dir;

/* --- the side file and the jitdump ---------------------------------------------------------- */

/* A TB and its LOAD (key 0: the side file has no STATS); the guest code is nops. */
static void tb(struct tbs_writer *tw, struct jd_writer *jw, uint64_t ts, uint64_t idx,
               uint64_t pc, const unsigned *sizes, unsigned icount, const char *name)
{
    static const uint8_t nops[16] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
                                      0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };

    fixture_tb(tw, jw, PID, ts, idx, pc, 0, nops, sizes, icount, name);
}

static void write_run(const char *sub)
{
    static const unsigned lex_sizes[] = { 3, 3, 3, 2 }, step_sizes[] = { 4, 4, 4 },
                          fib_sizes[] = { 4, 4, 4, 4 }, handler_sizes[] = { 3, 4 };
    const struct tbs_header h = {
        .version_minor = 2, .pid = PID, .timestamp = 100, .guest_machine = 62,
        .host_machine = 62, .flags = TBS_FLAG_SHADOW_STACK, .guest_page_size = 4096,
        .guest_addr_bits = 64, .guest_arch = "x86_64", .qemu_version = "10.0.2",
    };
    const struct jd_header jh = { .elf_mach = 62, .pid = PID, .timestamp = 100 };
    const struct tbs_mapping_view m = {
        .timestamp = 101, .start = 0x400000, .end = 0x401000, .offset = 0, .prot = 5,
        .path = GUEST_PATH, .path_len = strlen(GUEST_PATH),
    };
    const struct tbs_shadow_stack_loc_view locs[] = {
        { .timestamp = 120, .addr = 0x7ffcf0000100ull, .tid = PID, .capacity = 16 },
        { .timestamp = 150, .addr = BLOCK1, .tid = PID, .capacity = 16 },
        { .timestamp = 160, .addr = BLOCK2, .tid = TID2, .capacity = 4 },
        { .timestamp = 5000, .addr = 0x7ffcf8800000ull, .tid = TID2, .capacity = 4 },
    };
    /* A format 1.2 file: the 40-byte END record of the QEMUs of then. */
    const struct tbs_end_view end = { .timestamp = 9999, .nr_tbs = 4, .no_tlb = true };
    struct tbs_writer *tw;
    struct jd_writer *jw;

    fixture_run_open(0, &h, &m, &jh, &tw, &jw);
    for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++)
        fixture_check(tbs_writer_write_shadow_stack(tw, &locs[i]), "shadow stack");
    tb(tw, jw, 200, 1, 0x4000b0, lex_sizes, 4, "gstack-guest.elf+0xb0 lex");
    tb(tw, jw, 210, 3, 0x4000ef, step_sizes, 3, "gstack-guest.elf+0xef step");
    tb(tw, jw, 220, 4, 0x40012f, fib_sizes, 4, "gstack-guest.elf+0x12f fib");
    tb(tw, jw, 230, 5, 0x40015d, handler_sizes, 2, "gstack-guest.elf+0x15d handler");
    fixture_check(tbs_writer_write_end(tw, &end), "end");
    fixture_run_save(tw, jw, dir, sub, PID);
}

/* --- perf.data ------------------------------------------------------------------------ */

/* One shadow stack as QEMU keeps it: frames[1..depth], outermost first. */
struct gstack_fx {
    uint64_t addr;                 /* BLOCK1 or BLOCK2 */
    uint32_t capacity;
    uint64_t lost, guest_pc;
    unsigned depth;
    struct tbs_shadow_frame frames[8];
};

/* A user sample of tid at ip. */
struct sample_fx {
    uint32_t pid, tid;
    uint64_t ip;
    uint64_t sp;                   /* the host stack pointer */
    uint64_t dump;                 /* dyn_size (bytes of stack dumped) */
    uint64_t helper_ra;            /* != 0: a frame-pointer frame returning there */
    const struct gstack_fx *gs;    /* NULL: nothing in the stack */
};

static uint64_t now = 1000;

static void put64(uint8_t *stack, uint64_t sp, uint64_t addr, uint64_t v)
{
    if (addr < sp || addr - sp + 8 > STACK_DUMP)
        return;
    for (int b = 0; b < 8; b++)
        stack[addr - sp + b] = (uint8_t)(v >> (8 * b));
}

static void sample(struct pd_writer *w, const struct sample_fx *f)
{
    static uint8_t stack[STACK_DUMP];
    uint64_t regs[UW_X86_NREGS], all[UW_X86_NREGS] = { 0 };
    struct pd_sample s = {
        .ip = f->ip, .pid = f->pid, .tid = f->tid, .time = now++, .period = 1,
        .user_regs_abi = UW_ABI_64, .user_regs = regs, .stack_user_size = STACK_DUMP,
        .stack_user = stack, .stack_user_dyn_size = f->dump,
    };
    size_t n = 0;

    memset(stack, 0, sizeof(stack));
    all[UW_X86_IP] = f->ip;
    all[UW_X86_SP] = f->sp;
    if (f->helper_ra) {
        /* The helper's frame: saved rbp (0 ends the chain), then the return address. */
        all[UW_X86_BP] = f->sp + 0x10;
        put64(stack, f->sp, f->sp + 0x18, f->helper_ra);
    }
    for (int r = 0; r < UW_X86_NREGS; r++)
        if (UW_X86_64_REGS_MASK & (1ull << r))
            regs[n++] = all[r];
    if (f->gs) {
        const struct gstack_fx *g = f->gs;
        uint64_t a = g->addr, fr = a + HDR;

        put64(stack, f->sp, a + offsetof(struct tbs_shadow_stack, magic), TBS_SHADOW_MAGIC);
        put64(stack, f->sp, a + offsetof(struct tbs_shadow_stack, top),
              fr + FRAME * (g->depth + 1));
        put64(stack, f->sp, a + offsetof(struct tbs_shadow_stack, limit),
              fr + FRAME * (g->capacity + 1));
        put64(stack, f->sp, a + offsetof(struct tbs_shadow_stack, lost), g->lost);
        put64(stack, f->sp, a + offsetof(struct tbs_shadow_stack, guest_pc), g->guest_pc);
        put64(stack, f->sp, fr + 8, TBS_SHADOW_KEY_TOP);       /* the sentinel */
        for (unsigned i = 0; i < g->depth; i++) {
            put64(stack, f->sp, fr + FRAME * (i + 1), g->frames[i].ret);
            put64(stack, f->sp, fr + FRAME * (i + 1) + 8, g->frames[i].key);
        }
    }
    fixture_check(pd_writer_sample(w, 0, &s), "sample");
}

static void repeat(struct pd_writer *w, unsigned n, const struct sample_fx *f)
{
    for (unsigned i = 0; i < n; i++)
        sample(w, f);
}

static void write_perf_data(const char *sub)
{
    /* The call structures of the samples (guest_pc: parse, being translated). */
    const struct gstack_fx lex_gs = {
        BLOCK1, 16, 0, 0x4000bb, 3,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_PARSE, KEY(1) }, { RA_PARSE_LEX, KEY(2) } },
    };
    const struct gstack_fx step_gs = {
        BLOCK1, 16, 0, 0x4000bb, 3,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_RUN, KEY(1) }, { RA_RUN_STEP, KEY(2) } },
    };
    const struct gstack_fx fib_gs = {
        BLOCK1, 16, 0, 0x4000bb, 4,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_FIB, KEY(1) }, { RA_FIB_FIB, KEY(2) },
          { RA_FIB_FIB, KEY(3) } },
    };
    const struct gstack_fx stale_gs = {
        BLOCK1, 16, 0, 0x4000bb, 4,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_RUN, KEY(5) }, { RA_MAIN_PARSE, KEY(1) },
          { RA_PARSE_LEX, KEY(2) } },
    };
    const struct gstack_fx sig_gs = {
        BLOCK1, 16, 0, 0x4000bb, 4,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_RUN, KEY(1) }, { RA_RUN_STEP, KEY(2) },
          { PC_STEP_INTR, (KEY(2) - 0x30) | TBS_SHADOW_KEY_SIGNAL } },
    };
    const struct gstack_fx sigalt_gs = {
        BLOCK1, 16, 0, 0x4000bb, 4,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_RUN, KEY(1) }, { RA_RUN_STEP, KEY(2) },
          { PC_STEP_INTR, TBS_SHADOW_KEY_TOP } },
    };
    const struct gstack_fx lost_gs = {
        BLOCK2, 4, 3, 0x40012f, 4,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_FIB, KEY(1) }, { RA_FIB_FIB, KEY(2) },
          { RA_FIB_FIB, KEY(3) } },
    };
    const struct gstack_fx parse_gs = {
        BLOCK1, 16, 0, 0x4000bb, 2,
        { { RA_START_MAIN, KEY(0) }, { RA_MAIN_PARSE, KEY(1) } },
    };
    const uint64_t jit_sp = BLOCK1 - 0x400, helper_sp = BLOCK1 - 0x900;
    const uint64_t qemu_sp = BLOCK1 - 0x1800;
    struct perf_event_attr attr = { 0 };
    struct pd_writer *w;

    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                       PERF_SAMPLE_PERIOD | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
    attr.sample_regs_user = UW_X86_64_REGS_MASK;
    attr.sample_stack_user = STACK_DUMP;
    attr.sample_id_all = 1;
    fixture_perf_open(&attr, PID, &w);

    repeat(w, 12, &(struct sample_fx){ PID, PID, HOST(1) + 0, jit_sp, STACK_DUMP, 0, &lex_gs });
    repeat(w, 8, &(struct sample_fx){ PID, PID, HOST(1) + 15, jit_sp, STACK_DUMP, 0, &lex_gs });
    repeat(w, 8, &(struct sample_fx){ PID, PID, HOST(3) + 3, jit_sp, STACK_DUMP, 0, &step_gs });
    repeat(w, 4, &(struct sample_fx){ PID, PID, QEMU_BASE + 0x1234, helper_sp, STACK_DUMP,
                                      HOST(3) + 0xb, &step_gs });
    repeat(w, 2, &(struct sample_fx){ PID, PID, HOST(4) + 8, jit_sp, STACK_DUMP, 0, &fib_gs });
    sample(w, &(struct sample_fx){ PID, PID, HOST(1) + 0, jit_sp, STACK_DUMP, 0, &stale_gs });
    sample(w, &(struct sample_fx){ PID, PID, HOST(5) + 2, jit_sp, STACK_DUMP, 0, &sig_gs });
    sample(w, &(struct sample_fx){ PID, PID, HOST(5) + 2, jit_sp, STACK_DUMP, 0, &sigalt_gs });
    /* The dump ends with frames[3]: frames[4] (the innermost fib->fib) is cut. */
    sample(w, &(struct sample_fx){ PID, PID, HOST(4) + 8, jit_sp,
                                   BLOCK1 + HDR + FRAME * 4 - jit_sp, 0, &fib_gs });
    sample(w, &(struct sample_fx){ PID, TID2, HOST(4) + 8, BLOCK2 - 0x400, STACK_DUMP, 0,
                                   &lost_gs });
    sample(w, &(struct sample_fx){ PID, PID, QEMU_BASE + 0x5000, qemu_sp, STACK_DUMP, 0,
                                   &parse_gs });
    /* No guest stack: the block below the dump, a thread without one, another process. */
    sample(w, &(struct sample_fx){ PID, PID, HOST(1) + 0, BLOCK1 + 0x100, STACK_DUMP, 0,
                                   &lex_gs });
    sample(w, &(struct sample_fx){ PID, TID_IO, QEMU_BASE + 0x3000, 0x7ffce0001000ull,
                                   STACK_DUMP, 0, NULL });
    sample(w, &(struct sample_fx){ 999, 999, 0x400000, 0x7fff00000000ull, STACK_DUMP, 0, NULL });
    fixture_perf_save(w, dir, sub);
}

int main(int argc, char **argv)
{
    dir = fixture_dir(argc, argv);
    write_run("gstack");
    write_perf_data("gstack");
    return 0;
}
