/*
 * gstack.h: a vCPU thread's guest call stack, decoded from the host stack
 * bytes that perf copies with a sample (`perf record --call-graph dwarf`).
 *
 * QEMU keeps, for every vCPU thread, a shadow call stack in that thread's
 * host stack (tbstats-format.h, "Shadow call stacks": struct
 * tbs_shadow_stack at the address a TBS_REC_SHADOW_STACK gives, then
 * frames[0..capacity]).  A sample's PERF_SAMPLE_STACK_USER holds the bytes
 * from the sampled stack pointer up, so when the block lies inside them the
 * guest calls in progress at the sample can be read back.  The rules, all
 * from tbstats-format.h:
 *   - the header must be inside the dump, hold TBS_SHADOW_MAGIC, and have
 *     addr + header + 16 <= top <= limit <= addr + header + (capacity+1)*16
 *     with top and limit on a frame boundary (addr 8-aligned); the
 *     sentinel frames[0], when inside the dump, has key TBS_SHADOW_KEY_TOP;
 *     anything else is not a shadow stack (GSTACK_NONE);
 *   - frames[1..depth] are read, outermost first, as far as they lie whole
 *     inside the dump: a dump that ends before top cuts the innermost ones;
 *   - stale frames are skipped: walking from the innermost frame outwards, a
 *     frame whose key is not above the key of every frame inside it is
 *     over but not yet popped.  A signal frame (key bit 0,
 *     TBS_SHADOW_KEY_SIGNAL) compares by key & ~1, and the frame outside it
 *     may have that very key (an interrupted leaf that never moved the
 *     stack pointer, as on aarch64).  A signal frame with key
 *     TBS_SHADOW_KEY_TOP (the handler ran on an alternate signal stack) is
 *     always kept, and the frames outside it are compared only with each
 *     other: the keys inside it are addresses of another stack;
 *   - the stack is truncated when calls were lost (lost > 0: beyond the
 *     capacity) or the dump cut the innermost frames; either way the frames
 *     returned are the outermost ones.
 *
 * Cost: one pass over the frames read (two when they exceed the room the
 * caller gives), O(depth), no allocation; depth is
 * bounded by the dump size / 16.  Every read is bounds-checked against the
 * dump: any bytes give a result, never an access outside them.
 *
 * Thread safety: the functions are pure; any number of threads may call
 * them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef GSTACK_H
#define GSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What gstack_decode() found. */
enum gstack_status {
    GSTACK_NONE,               /* no shadow stack: see gstack.why */
    GSTACK_OK,                 /* every call in progress */
    GSTACK_TRUNCATED,          /* the outermost calls; inner ones lost or cut */
};

/* Why a decode gave GSTACK_NONE. */
enum gstack_why {
    GSTACK_WHY_NONE,           /* not NONE */
    GSTACK_WHY_NOT_IN_DUMP,    /* the header is not (whole) inside the dump */
    GSTACK_WHY_BAD_MAGIC,      /* no TBS_SHADOW_MAGIC (or a bad sentinel) */
    GSTACK_WHY_BAD_BOUNDS,     /* top or limit out of range or misaligned */
};

/* gstack frame flags (flags[] of gstack_decode()), PROFILE_GFRAME_* values. */
#define GSTACK_FRAME_SIGNAL 1u /* a signal interrupted this guest PC */

/* The decoded stack. */
struct gstack {
    enum gstack_status status;
    enum gstack_why why;
    size_t nr_frames;          /* entries stored in ret[] and flags[] */
    uint64_t guest_pc;         /* the block's guest_pc */
    uint64_t lost;             /* calls beyond the capacity */
    uint64_t depth;            /* frames[1..depth] in the block */
    uint64_t nr_read;          /* of which inside the dump */
    uint64_t nr_stale;         /* of those, skipped as stale */
    uint64_t dump_needed;      /* bytes from sp to top: the dump size that holds it all */
};

/*
 * gstack_decode - the guest call stack in one sample's user stack.
 * @addr, @capacity: the thread's block (its TBS_REC_SHADOW_STACK).
 * @sp: the sample's user stack pointer: the address of stack[0].
 * @stack, @stack_size: the dumped bytes (PERF_SAMPLE_STACK_USER's dyn_size
 *        of them, not its size); NULL with 0 is allowed.
 * @big_endian: the byte order of the recorded process (the perf.data file's).
 * @ret, @flags: receive the frames, innermost first: ret[i] the guest return
 *        address (a signal frame: the interrupted PC), flags[i] its
 *        GSTACK_FRAME_* bits (flags may be NULL).
 * @max: room in ret[] and flags[]; when more frames are kept, the outermost
 *        max are stored and the status is GSTACK_TRUNCATED.
 * @out: receives the result (zeroed first).
 * Returns out->status.  Does not allocate; reads only stack[0..stack_size).
 */
enum gstack_status gstack_decode(uint64_t addr, uint32_t capacity, uint64_t sp,
                                 const uint8_t *stack, size_t stack_size, bool big_endian,
                                 uint64_t *ret, uint8_t *flags, size_t max, struct gstack *out);

/* gstack_why_name - "not in dump", "bad magic", "bad bounds" or "" (GSTACK_WHY_NONE). */
const char *gstack_why_name(enum gstack_why why);

#endif /* GSTACK_H */
