/*
 * gstack_view.h: a sample's guest call stack (lib/profile.h) as a list of
 * function frames, root first, the one expansion tbsym report --by
 * function, flame --guest, callgraph and html share.
 *
 * The rule, for a sample with a guest stack (s->gstack != NONE):
 *   - every return address of the shadow stack is shown as its call site:
 *     the guest PC ret - 1 is looked up (guestsym, GUESTSYM_FRAMES), and an
 *     inlined call expands into several function frames, outermost first:
 *     the out-of-line function, then each function inlined into it at that
 *     call site;
 *   - a signal frame (PROFILE_GFRAME_SIGNAL) is the interrupted PC itself,
 *     looked up as it is, and is followed by a "[signal]" frame: what comes
 *     after it (inner) is the handler;
 *   - the leaf, guest_frames[0], is looked up as it is (the instruction the
 *     sample is charged to, or with PROFILE_GLEAF_QEMU_PC the block being
 *     translated or the system call being emulated); a truncated stack
 *     (PROFILE_GSTACK_TRUNCATED) has a "[truncated]" frame between the
 *     outer frames and the leaf's;
 *   - a sample outside translated code ends in one QEMU frame, the work
 *     QEMU did for the guest code above it:
 *       "[helper] SYM"   PROFILE_HELPER (SYM: the host symbol of the leaf)
 *       "[translate]"    PROFILE_TRANSLATE
 *       "[syscall] SYM"  QEMU emulating a system call: PROFILE_KERNEL with
 *                        PROFILE_GLEAF_QEMU_PC (SYM "kernel"), or PROFILE_QEMU
 *                        with it in a host function whose name has "syscall"
 *                        (do_syscall1, safe_syscall_base, ...)
 *       "[kernel]"       PROFILE_KERNEL under a TB (a page fault, ...)
 *       "[qemu] SYM"     the rest of PROFILE_QEMU (the execution loop, ...)
 * A function is named by report --by function's rule (gstack_function_name):
 * the guest symbol by QEMU's rules, else the symbol of a separate debug
 * file, else the object's file name, else "[unknown]"; an inlined function
 * by its DWARF name.  Names are interned: frames carry small ids, equal
 * names equal ids.
 *
 * Cost: every distinct looked-up PC is symbolized once (then a hash
 * lookup); no allocation per sample once the buffers have grown to the
 * deepest stack.
 *
 * Thread safety: none; one gstack_view per thread.
 */
#ifndef TBSYM_GSTACK_VIEW_H
#define TBSYM_GSTACK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestsym.h"
#include "profile.h"

enum gstack_view_kind {
    GSTACK_VIEW_FUNCTION,           /* a guest function, inlined ones too */
    GSTACK_VIEW_MARK,               /* "[truncated]" or "[signal]" */
    GSTACK_VIEW_QEMU,               /* the leaf: QEMU's work ("[helper] SYM", ...) */
};

struct gstack_view_frame {
    uint32_t id;               /* interned name, gstack_view_name() */
    uint32_t kind;             /* enum gstack_view_kind */
};

struct gstack_view;

/*
 * gstack_view_new - an empty view of profile p's samples (p must outlive
 * it).  Returns 0 and sets *gvp, or -ENOMEM.  Release with
 * gstack_view_free() (which accepts NULL).
 */
int gstack_view_new(struct profile *p, struct gstack_view **gvp);
void gstack_view_free(struct gstack_view *gv);

/*
 * gstack_view_expand - the frames of sample s, root first, into *framesp
 * and *np (valid until the next call).  A sample without a guest stack
 * (or of another process) has none: *np is 0.  Returns 0 or -ENOMEM.
 */
int gstack_view_expand(struct gstack_view *gv, const struct profile_sample *s,
                       const struct gstack_view_frame **framesp, size_t *np);

/*
 * gstack_view_expand_leaf - for a sample without a guest stack whose leaf is
 * known from its TB (profile.h: PROFILE_GLEAF_INSN), the leaf's frames only
 * (its function, the functions inlined into it, QEMU's leaf), as perf shows
 * a sample without a call chain; *np is 0 for any other sample.  Not counted
 * by gstack_view_samples().  Returns 0 or -ENOMEM.
 */
int gstack_view_expand_leaf(struct gstack_view *gv, const struct profile_sample *s,
                            const struct gstack_view_frame **framesp, size_t *np);

/* gstack_view_samples - the samples gstack_view_expand() found a guest stack in. */
uint64_t gstack_view_samples(const struct gstack_view *gv);

/*
 * gstack_view_intern - the id of name (len bytes), added if new.  Returns
 * 0 or -ENOMEM.  For labels of the caller's own (flame's "[TB 0x...]").
 */
int gstack_view_intern(struct gstack_view *gv, const char *name, size_t len, uint32_t *idp);

/* gstack_view_find - the id of a NUL-terminated name; false if never interned. */
bool gstack_view_find(const struct gstack_view *gv, const char *name, uint32_t *idp);

/* gstack_view_name - the NUL-terminated name of id; valid until gstack_view_free(). */
const char *gstack_view_name(const struct gstack_view *gv, uint32_t id);

/*
 * gstack_view_function_pc - the guest address of the symbol an out-of-line
 * function frame was named after; 0 for other ids (inlined functions,
 * objects, labels).
 */
uint64_t gstack_view_function_pc(const struct gstack_view *gv, uint32_t id);

/* gstack_view_nr_ids - ids are 0 .. gstack_view_nr_ids() - 1. */
uint32_t gstack_view_nr_ids(const struct gstack_view *gv);

/*
 * gstack_function_name - the guest function of pc by report --by
 * function's rule (above), NULL-safe on gs: "[unknown]".  The string is
 * owned by gs (or static).
 */
const char *gstack_function_name(struct guestsym *gs, uint64_t pc);

/*
 * gstack_host_leaf - the name of the host code a sample is charged to:
 * its host symbol, else its object's file name, else "[unknown]" (the SYM
 * of the QEMU frames above; flame's leaf label).  Owned by the sample.
 */
const char *gstack_host_leaf(const struct profile_sample *s);

/*
 * gstack_missing_reason - NULL when the profile's samples had guest
 * stacks (after profile_run()), else why not, one line without newline
 * that starts "no guest call stacks: ", written into buf (size bytes).
 */
const char *gstack_missing_reason(const struct profile_info *in, char *buf, size_t size);

#endif /* TBSYM_GSTACK_VIEW_H */
