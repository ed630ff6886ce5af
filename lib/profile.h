/*
 * profile.h: one perf recording of QEMU joined with the run's TBStatistics
 * side file, sample by sample.
 *
 * A profile reads a perf.data file and resolves every sample of the QEMU
 * process to what it was spent on: the translated code of one TB, a helper
 * (or softmmu, softfloat, ... code) called from one TB, translation, the
 * rest of QEMU, the kernel, or another process.  It accepts both forms a
 * perf user has:
 *   raw       perf.data as `perf record -k 1` wrote it, with jit-PID.dump
 *             and the side file next to it: the code map is built from the
 *             jitdump's CODE_LOAD records;
 *   injected  the output of `perf inject -j`, with the side file: the code map
 *             is built from the MMAP2 records of jitted-PID-N.so files, N
 *             being the CODE_LOAD's code_index, which the side file's TB
 *             records carry too.  The jitdump is optional then.
 * In both cases a sample at host address A and time T is charged to the
 * code load with the greatest timestamp <= T that contains A (the rule perf
 * applies to the MMAP2 events perf inject makes), so addresses reused after
 * a code-buffer flush resolve to the right TB, and two TBs with identical
 * host code are never confused (perf merges such jitted-*.so by build-id).
 *
 * Callers (helpers) of samples outside JIT code are found in the sample's
 * call chain: the user part of PERF_SAMPLE_CALLCHAIN (`perf record -g`),
 * or, when the recording has user registers and stacks (`--call-graph
 * dwarf`), an unwind with libunwind through QEMU's ELF files and the TB
 * frames the jitdump's UNWINDING_INFO describes.  Without a usable chain a
 * sample outside JIT code is classified by its symbol's name (PROFILE_*
 * below say which names).
 *
 * Errors are negative errno values with profile_strerror() naming the file
 * and byte offset: -EBADMSG corrupt input, -ENODATA truncated input (the
 * caller may accept a partial result, see profile_opts.partial), -ENOENT a
 * file not found (the message says which and where it was looked for),
 * -ESRCH no QEMU process with a jitdump in the recording, -EXDEV files of
 * different runs (other pid), -ENOMEM.
 *
 * Thread safety: none; one profile per thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsym.h"
#include "tbdb.h"

struct profile;
struct guestsym;

struct profile_opts {
    const char *perf_data;     /* NULL: "perf.data" */
    const char *tbstats;       /* NULL: jit-PID.tbstats(.part) next to perf_data */
    const char *jitdump;       /* NULL: jit-PID.dump next to perf_data (optional
                                * for injected input) */
    const char *debug_dir;     /* extra directory of separate debug files, or NULL */
    uint32_t pid;              /* 0: the process that mapped a jit-PID.dump */
    bool no_callchains;        /* classify by symbol names only */
    bool partial;              /* accept truncated files (records before the cut) */
    bool kernel_symbols;       /* name kernel samples from /proc/kallsyms (some MB
                                * of symbols; without it their symbol is NULL) */
};

enum profile_class {
    PROFILE_JIT,               /* in a TB's host code */
    PROFILE_HELPER,            /* QEMU code called from a TB (call chain), or
                                * without a chain a function named helper_*,
                                * float*_*, cpu_ld/st*, probe_access* ... */
    PROFILE_TRANSLATE,         /* under tb_gen_code (call chain), or without a
                                * chain tcg_*, gen_*, translator_*, ... */
    PROFILE_QEMU,              /* the rest of the QEMU process in user mode */
    PROFILE_KERNEL,            /* the QEMU process in kernel mode */
    PROFILE_OTHER,             /* other processes */
    PROFILE_NR_CLASSES
};

/* Whether a sample has its guest call stack. */
enum profile_gstack {
    PROFILE_GSTACK_NONE,       /* none: not a vCPU thread of the QEMU process, no
                                * user stack in the sample, or the shadow stack
                                * was not inside the dumped range */
    PROFILE_GSTACK_OK,         /* complete: guest_frames from the leaf to the
                                * outermost call */
    PROFILE_GSTACK_TRUNCATED,  /* the outer frames are there, but calls beyond
                                * the capacity (guest_lost) or beyond the dumped
                                * range are missing between them and the leaf */
};

/* What guest_frames[0] is. */
enum profile_gleaf {
    PROFILE_GLEAF_NONE,        /* no leaf: guest_frames[0] is 0 (guest_pc 0, or a
                                * helper whose TB frame is unknown: a helper
                                * classified by its name) */
    PROFILE_GLEAF_INSN,        /* the guest instruction whose host code ran
                                * (PROFILE_JIT) or called the helper
                                * (PROFILE_HELPER, PROFILE_KERNEL under a TB) */
    PROFILE_GLEAF_QEMU_PC,     /* the shadow stack's guest_pc: the block being
                                * translated or the system call being emulated
                                * (samples with no TB frame) */
};

/* guest_frame_flags */
#define PROFILE_GFRAME_SIGNAL  1u  /* a signal interrupted this PC */

/* How call chains were obtained. */
enum profile_chains {
    PROFILE_CHAINS_NONE,       /* no call chains, or profile_opts.no_callchains */
    PROFILE_CHAINS_FP,         /* PERF_SAMPLE_CALLCHAIN (perf record -g) */
    PROFILE_CHAINS_DWARF,      /* regs + stack unwound with libunwind */
};

/*
 * One resolved sample.  Pointers are valid during the callback only
 * (tb: until profile_close()).
 */
struct profile_sample {
    uint64_t time;
    uint64_t ip;
    uint64_t period;           /* 1 when the recording has no PERIOD */
    uint32_t pid, tid, cpu;
    enum profile_class cls;
    /*
     * PROFILE_JIT: the translation whose host code holds ip.
     * PROFILE_HELPER / PROFILE_KERNEL: the translation of the nearest JIT
     * frame of the call chain, NULL without one.  Otherwise NULL.
     */
    const struct tbdb_tb *tb;
    uint64_t tb_ip;            /* host address in tb's code (ip, or the return address) */
    /*
     * PROFILE_HELPER of a system emulator (TBS_FLAG_SYSTEM): QEMU's software
     * MMU (softmmu.h) is the sampled function or one of its callers up to
     * the TB frame (without a call chain: the sampled function).  That is
     * the slow path of a guest load or store that missed the TLB fast
     * path.  Always false in user mode.
     */
    bool softmmu;
    /* For samples outside JIT code (cls != PROFILE_JIT): the host symbol. */
    const struct hostsym_loc *host;
    /* The user call chain, leaf first (frames[0] == ip), after unwinding. */
    size_t nr_frames;
    const uint64_t *frames;
    /*
     * The guest call stack (tbstats-format.h, shadow call stacks), leaf
     * first: guest_frames[0] is the guest PC the sample is charged to (see
     * guest_leaf), then the return addresses of the calls in progress,
     * innermost first, stale frames skipped.  A signal frame is the
     * interrupted PC with PROFILE_GFRAME_SIGNAL set in guest_frame_flags
     * (not a return address: look it up as it is, not one byte back).
     * With PROFILE_GSTACK_NONE, nr_guest_frames is 1 when the leaf is known
     * from the sample's TB (PROFILE_GLEAF_INSN), else 0.  Decoded by gstack.h
     * from the shadow stack that the latest SHADOW_STACK record of the
     * sample's tid (timestamp <= the sample's time) places in the sample's
     * user stack copy; guest_frames[0] of PROFILE_GLEAF_INSN is the
     * instruction whose host code holds tb_ip (tb_ip - 1 when tb_ip is a
     * return address; out-of-line host code counts as the TB's last
     * instruction).
     */
    enum profile_gstack gstack;
    enum profile_gleaf guest_leaf;
    size_t nr_guest_frames;
    const uint64_t *guest_frames;
    const uint8_t *guest_frame_flags;  /* [nr_guest_frames], PROFILE_GFRAME_* */
    uint64_t guest_lost;       /* calls beyond the shadow stack's capacity */
};

/* What the profile found, for summary lines. */
struct profile_info {
    const char *perf_data;     /* paths actually read */
    const char *tbstats;
    const char *jitdump;       /* NULL when not read */
    bool injected;             /* code map from jitted-*.so MMAP2 records */
    size_t nr_code_loads;      /* entries of the code map */
    uint32_t pid;              /* the QEMU process */
    const char *event;         /* the sampled event, "cpu-clock", "cycles", ... */
    enum profile_chains chains;
    bool tbstats_partial, jitdump_partial, perf_data_partial;
    /*
     * Guest call stacks: shadow_stacks says the side file has them
     * (TBS_FLAG_SHADOW_STACK); user_stacks that the recording has user
     * stacks and registers (--call-graph dwarf; also with
     * profile_opts.no_callchains).  Filled in by profile_run():
     * gstack_samples, samples of the QEMU process with a guest stack;
     * gstack_truncated, those of them PROFILE_GSTACK_TRUNCATED;
     * gstack_missing, samples of a vCPU thread (one with a SHADOW_STACK
     * record at the sample's time) in a recording with user stacks whose
     * stack copy held no valid shadow stack (mostly: a dump too small to
     * reach it); gstack_max_dump, the largest dump size (bytes from the
     * sampled stack pointer to the end of the innermost frame, the
     * shadow stack's top) any sample with a guest stack needed.
     */
    bool shadow_stacks;
    bool user_stacks;
    uint64_t gstack_samples, gstack_truncated, gstack_missing;
    uint64_t gstack_max_dump;
};

/*
 * profile_open - read the perf.data headers and mmap events, find and load
 * the side file (and the jitdump), build the code map.
 * @opts: the inputs; strings are copied.
 * @pp: receives the profile, also on failure (except -ENOMEM) so that
 *      profile_strerror() can say what went wrong; release it with
 *      profile_close().
 * Returns 0 or a negative errno (see the top of this file).
 */
int profile_open(const struct profile_opts *opts, struct profile **pp);

/*
 * profile_run - resolve every sample, in file order, and call cb for each
 * one of every process (cls PROFILE_OTHER for the others).  cb returns 0
 * to go on, anything else stops the run and is returned.
 * Returns 0, cb's value, or a negative errno.  May be called once.
 */
int profile_run(struct profile *p,
                int (*cb)(void *arg, const struct profile_sample *s), void *arg);

/* profile_close - release everything.  Accepts NULL. */
void profile_close(struct profile *p);

/* profile_strerror - the last error, one line without newline. */
const char *profile_strerror(const struct profile *p);

/* profile_warning - a note on partial input or dropped samples, or NULL. */
const char *profile_warning(const struct profile *p);

/* profile_info - what was read; valid until profile_close(). */
const struct profile_info *profile_info(const struct profile *p);

/* profile_tbdb - the run's side file (and jitdump) in memory. */
const struct tbdb *profile_tbdb(const struct profile *p);

/*
 * profile_guestsym - the guest symbolizer fed with the side file's mappings,
 * created on first use (NULL on -ENOMEM).  Owned by the profile.
 */
struct guestsym *profile_guestsym(struct profile *p);

/*
 * profile_tb_at - the translation whose host code held addr at time (the
 * code map's rule, as for samples), for callers that walk a sample's
 * frames themselves; NULL when addr is not JIT code.  Valid after
 * profile_open() succeeded.
 */
const struct tbdb_tb *profile_tb_at(const struct profile *p, uint64_t addr, uint64_t time);

/* profile_hostsym - the host symbolizer (QEMU's mmaps); owned by the profile. */
struct hostsym *profile_hostsym(const struct profile *p);

/* profile_class_name - "jit", "helpers", "translation", "qemu", "kernel", "other". */
const char *profile_class_name(enum profile_class cls);

#endif /* PROFILE_H */
