/*
 * gstack.c: guest call stacks from shadow stacks in perf's user-stack dumps
 * (see gstack.h).
 *
 * Offsets into the dump are computed by subtraction from checked bounds,
 * never by adding untrusted values, so no arithmetic can wrap.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gstack.h"

#include <string.h>

#include "bytes.h"
#include "tbstats-format.h"

#define HDR_SIZE   ((uint64_t)sizeof(struct tbs_shadow_stack))
#define FRAME_SIZE ((uint64_t)sizeof(struct tbs_shadow_frame))

_Static_assert(sizeof(struct tbs_shadow_stack) == 48, "tbs_shadow_stack layout");
_Static_assert(sizeof(struct tbs_shadow_frame) == 16, "tbs_shadow_frame layout");

const char *gstack_why_name(enum gstack_why why)
{
    switch (why) {
    case GSTACK_WHY_NOT_IN_DUMP: return "not in dump";
    case GSTACK_WHY_BAD_MAGIC:   return "bad magic";
    case GSTACK_WHY_BAD_BOUNDS:  return "bad bounds";
    default:                     return "";
    }
}

static enum gstack_status none(struct gstack *out, enum gstack_why why)
{
    out->status = GSTACK_NONE;
    out->why = why;
    return GSTACK_NONE;
}

/*
 * One walk from frames[nr_read] (the innermost read) outwards: counts the
 * frames kept and the stale ones, and stores the kept ones after the first
 * skip of them while there is room.  Keys of kept frames grow strictly
 * outwards; a TOP frame restarts that.
 */
struct walk {
    const uint8_t *frames;     /* frames[0] in the dump */
    bool swapped;
    uint64_t nr_read;
    uint64_t skip;             /* innermost kept frames not to store */
    uint64_t *ret;
    uint8_t *flags;
    size_t max, stored;
    uint64_t kept, stale;
};

static void walk_frames(struct walk *w)
{
    uint64_t max_key = 0;
    bool have_max = false;

    w->kept = w->stale = 0;
    w->stored = 0;
    for (uint64_t i = w->nr_read; i >= 1; i--) {
        const uint8_t *f = w->frames + i * FRAME_SIZE;
        uint64_t key = bytes_load64(w->swapped, f + 8);
        uint64_t k = key & ~(uint64_t)TBS_SHADOW_KEY_SIGNAL;

        if (key == TBS_SHADOW_KEY_TOP) {
            have_max = false;
        } else if (have_max && k <= max_key) {
            w->stale++;
            continue;
        } else {
            /*
             * A signal frame's key is the interrupted stack pointer: the
             * interrupted function may be a leaf that never moved it
             * (aarch64), so the frame outside with that very key is live.
             */
            max_key = (key & TBS_SHADOW_KEY_SIGNAL) && k ? k - 1 : k;
            have_max = true;
        }
        if (w->kept++ >= w->skip && w->stored < w->max) {
            w->ret[w->stored] = bytes_load64(w->swapped, f);
            if (w->flags)
                w->flags[w->stored] = (key & TBS_SHADOW_KEY_SIGNAL) ? GSTACK_FRAME_SIGNAL : 0;
            w->stored++;
        }
    }
}

enum gstack_status gstack_decode(uint64_t addr, uint32_t capacity, uint64_t sp,
                                 const uint8_t *stack, size_t stack_size, bool big_endian,
                                 uint64_t *ret, uint8_t *flags, size_t max, struct gstack *out)
{
    bool swapped = big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
    uint64_t off, base, span_max, end_max, top, limit, room, in_dump;
    struct walk w;

    memset(out, 0, sizeof(*out));
    if (!stack)
        stack_size = 0;
    /* The header, whole, inside [sp, sp + stack_size). */
    if (addr < sp || addr - sp > stack_size || stack_size - (addr - sp) < HDR_SIZE)
        return none(out, GSTACK_WHY_NOT_IN_DUMP);
    off = addr - sp;
    if (addr % 8)
        return none(out, GSTACK_WHY_BAD_BOUNDS);
    if (bytes_load64(swapped, stack + off + offsetof(struct tbs_shadow_stack, magic)) !=
        TBS_SHADOW_MAGIC)
        return none(out, GSTACK_WHY_BAD_MAGIC);
    top = bytes_load64(swapped, stack + off + offsetof(struct tbs_shadow_stack, top));
    limit = bytes_load64(swapped, stack + off + offsetof(struct tbs_shadow_stack, limit));

    /* frames[0] at base; frames[capacity] ends at end_max. */
    span_max = ((uint64_t)capacity + 1) * FRAME_SIZE;
    if (__builtin_add_overflow(addr, HDR_SIZE, &base) ||
        __builtin_add_overflow(base, span_max, &end_max))
        return none(out, GSTACK_WHY_BAD_BOUNDS);
    if (top < base + FRAME_SIZE || top > limit || limit > end_max ||
        (top - base) % FRAME_SIZE || (limit - base) % FRAME_SIZE)
        return none(out, GSTACK_WHY_BAD_BOUNDS);

    /* The sentinel, when the dump holds it: a cheap test for garbage. */
    room = stack_size - off - HDR_SIZE;
    if (room >= FRAME_SIZE &&
        bytes_load64(swapped, stack + off + HDR_SIZE + 8) != TBS_SHADOW_KEY_TOP)
        return none(out, GSTACK_WHY_BAD_MAGIC);

    out->depth = (top - base) / FRAME_SIZE - 1;
    out->lost = bytes_load64(swapped, stack + off + offsetof(struct tbs_shadow_stack, lost));
    out->guest_pc = bytes_load64(swapped,
                                 stack + off + offsetof(struct tbs_shadow_stack, guest_pc));
    out->dump_needed = top - sp;
    in_dump = room / FRAME_SIZE;           /* frames[0 .. in_dump - 1] are whole */
    out->nr_read = in_dump > 1 ? in_dump - 1 : 0;
    if (out->nr_read > out->depth)
        out->nr_read = out->depth;

    w = (struct walk){
        .frames = stack + off + HDR_SIZE, .swapped = swapped, .nr_read = out->nr_read,
        .ret = ret, .flags = flags, .max = ret ? max : 0,
    };
    walk_frames(&w);
    if (w.kept > w.max) {
        /* No room for all: again, keeping the outermost. */
        w.skip = w.kept - w.max;
        walk_frames(&w);
    }
    out->nr_stale = w.stale;
    out->nr_frames = w.stored;
    out->why = GSTACK_WHY_NONE;
    out->status = out->lost || out->nr_read < out->depth || w.skip ? GSTACK_TRUNCATED
                                                                   : GSTACK_OK;
    return out->status;
}
