/*
 * flame.h: folded stacks of a perf recording of QEMU, and the interactive
 * flamegraph SVG drawn from them (tbsym flame, tbsym html).
 *
 * Folded stacks are FlameGraph's line format: "frame;frame;... count",
 * root first, one line per distinct stack.  Frames never hold ';' or a
 * line break (replaced by ':' and ' ').  Lines are sorted frame by frame
 * (a frame sorts before its extensions), so the output is deterministic.
 *
 * Host stacks (the default) are the user call chain of each sample, root
 * first: JIT frames become "guestfunc [TB 0xPC]" (the guest symbol, else
 * the TB's name), QEMU frames their host symbol (else their dso, else
 * "[unknown]"), and a kernel sample ends with a "[kernel]" leaf.
 *
 * FLAME_GUEST folds guest call stacks (gstack_view.h: one frame per guest
 * function, inlined ones included, "[truncated]" and "[signal]" marks, and
 * QEMU's own work as the leaf: "main;parse;lex;[helper] float64_add").  A
 * sample without a guest stack folds to the TB-only view under a
 * "[no guest stack]" root: "guestfunc;[TB 0xPC]" for samples in JIT code,
 * plus the leaf's host symbol for helpers called from it, and
 * "[CLASS];leaf" for samples not under a TB.  When no sample has a guest
 * stack the root is left out, which is the TB-only view of recordings
 * without shadow stacks.  The guest stacks are counted in a trie of
 * interned frames (no string per sample).  Samples of other processes are
 * left out.
 *
 * The SVG needs nothing outside itself: inline CSS and JavaScript (click a
 * frame to zoom, "Search" or ctrl-F to highlight frames matching a regular
 * expression and show their share, tooltips with samples and %).
 *
 * Thread safety: none.
 */
#ifndef TBSYM_FLAME_H
#define TBSYM_FLAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

#define FLAME_GUEST 1u         /* guest call stacks (else guest function;TB;helper) */

struct flame;

/* flame_new - empty stacks of profile p (which must outlive it); flags FLAME_*. */
int flame_new(struct profile *p, unsigned flags, struct flame **fp);

/* flame_free - release the stacks.  Accepts NULL. */
void flame_free(struct flame *f);

/* flame_add_sample - fold one sample of profile_run().  Returns 0 or -ENOMEM. */
int flame_add_sample(struct flame *f, const struct profile_sample *s);

/* flame_total - the samples folded. */
uint64_t flame_total(const struct flame *f);

/* flame_guest_samples - FLAME_GUEST: the samples folded with a guest call stack. */
uint64_t flame_guest_samples(const struct flame *f);

/* flame_print_folded - the sorted folded lines.  Returns 0 or -ENOMEM. */
int flame_print_folded(struct flame *f, FILE *out);

/*
 * flame_print_svg - the flamegraph as a standalone SVG document (with an
 * XML declaration), or, with inline set, as an <svg> element to put in an
 * HTML page.  title: its heading (escaped here).  Returns 0 or -ENOMEM.
 */
int flame_print_svg(struct flame *f, FILE *out, const char *title, bool inline_svg);

/*
 * For two flamegraphs in one HTML page: the <svg> element's id, the prefix
 * of its other elements' ids ("ID-details", ...), and whether it takes
 * ctrl-F.  Its script sets window.IDSearch(regex) and window.IDZoom(g).
 * flame_print_svg() is { "flamegraph", "fg", true }.
 */
struct flame_svg_opts {
    const char *id;
    const char *prefix;
    bool keys;
};

/* flame_print_svg_opts - flame_print_svg() with the ids of o. */
int flame_print_svg_opts(struct flame *f, FILE *out, const char *title, bool inline_svg,
                         const struct flame_svg_opts *o);

#endif /* TBSYM_FLAME_H */
