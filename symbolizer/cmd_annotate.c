/*
 * cmd_annotate.c: "tbsym annotate TARGET", the samples of a perf recording
 * on each guest and host instruction of one TB (or of every TB of a guest
 * function), the counting and the view being annot.h's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "guestsym.h"
#include "keys.h"
#include "out.h"
#include "profile.h"
#include "profile_opts.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_annotate_usage[] =
    "usage: tbsym annotate [RUN] TARGET [-i perf.data] [--format text|json] [--raw]\n"
    "                      [--tbstats FILE] [--jitdump FILE] [--pid PID]\n"
    "                      [--debug-dir DIR] [--no-callchains] [--partial]\n"
    "\n"
    "The samples of a perf recording of QEMU on each instruction of a TB: every\n"
    "guest instruction followed by the host instructions generated for it, with\n"
    "samples and % of the TB's samples, then the out-of-line host code (slow\n"
    "paths).  Samples of all translations of the TBStatistics key are added,\n"
    "host addresses taken relative to each translation's code start.\n"
    "TARGET is a stats id (as in tbsym report or tb-list), a guest PC 0x...\n"
    "(the keys starting there, else the keys whose code holds it), or a guest\n"
    "symbol (every key whose guest PC lies in it, by guest PC).\n"
    "RUN and input options as for tbsym report; with two arguments the first\n"
    "is RUN, with one it is TARGET.\n"
    "On an x86-64 host, the inline TLB fast path TCG emits for each guest load\n"
    "and store of a system emulator (TLB index, compare, jne to the slow path,\n"
    "addend, access) is one line with the samples of all its instructions:\n"
    "  [tlb fast path: load, 10 instructions, 7 samples] movl (%r12, %rdi), %ebx\n"
    "and the header counts them.  --raw shows their instructions one by one.\n"
    "\n"
    "exit status: 0 success, 2 bad usage, bad input (RUN missing, or not a run\n"
    "directory, perf.data or side file) or unknown TARGET, 3 I/O error\n";

/* annotate's own option (struct view_cmdline's own()): --raw into the flags at ctx. */
static int annotate_option(const struct view_opts *vo, void *ctx, const char *a, const char *v)
{
    (void)vo;
    (void)v;
    if (strcmp(a, "--raw") != 0)
        return 0;
    *(unsigned *)ctx |= ANNOT_RAW;
    return 1;
}

static int on_sample(void *arg, const struct profile_sample *s)
{
    return annot_add_sample(arg, s);
}

static int cmp_pc(const void *pa, const void *pb)
{
    const struct tbdb_key *a = *(const struct tbdb_key *const *)pa;
    const struct tbdb_key *b = *(const struct tbdb_key *const *)pb;

    if (a->guest_pc != b->guest_pc)
        return a->guest_pc < b->guest_pc ? -1 : 1;
    return a->stats_id < b->stats_id ? -1 : a->stats_id > b->stats_id;
}

/* The keys TARGET names, by guest PC; *np receives their number (0: none). */
static int find_keys(struct profile *p, const char *target, const struct tbdb_key ***keysp,
                     size_t *np)
{
    const struct tbdb *db = profile_tbdb(p);
    const struct tbdb_key **keys = calloc(db->nr_keys + 1, sizeof(*keys));
    enum key_arg kind;
    uint32_t id = 0;
    uint64_t pc = 0;
    size_t n = 0;

    *keysp = keys;
    *np = 0;
    if (!keys)
        return -ENOMEM;
    kind = view_key_arg(target, &id, &pc);
    if (kind == KEY_ARG_BAD)
        return -EINVAL;
    if (kind == KEY_ARG_ID) {
        const struct tbdb_key *k = tbdb_key_by_id(db, id);

        if (k)
            keys[n++] = k;
    } else if (kind == KEY_ARG_PC) {
        for (size_t i = 0; i < db->nr_keys; i++)
            if (db->keys[i].guest_pc == pc)
                keys[n++] = &db->keys[i];
        for (size_t i = 0; i < db->nr_keys && !n; i++) {
            const struct tbdb_tb *t = db->keys[i].latest;

            if (t && pc >= t->guest_pc && pc - t->guest_pc < t->guest_size)
                keys[n++] = &db->keys[i];
        }
    } else {
        struct guestsym *gs = profile_guestsym(p);
        const struct guestsym_loc *loc;

        if (!gs)
            return -ENOMEM;
        for (size_t i = 0; i < db->nr_keys; i++) {
            if (guestsym_lookup_flags(gs, db->keys[i].guest_pc, GUESTSYM_NO_SOURCE, &loc) < 0)
                return -ENOMEM;
            if (loc->symbol && !strcmp(loc->symbol, target))
                keys[n++] = &db->keys[i];
        }
    }
    qsort(keys, n, sizeof(*keys), cmp_pc);
    *np = n;
    return 0;
}

int cmd_annotate(int argc, char **argv)
{
    const char *target = NULL;
    enum view_format format = VIEW_TEXT;
    unsigned flags = 0;
    struct view_cmdline cl = {
        .v = { .cmd = "annotate", .usage = cmd_annotate_usage },
        .which = VIEW_PROFILE_FILES | VIEW_PROFILE_COMMON, .format = &format,
        .arg = &target, .missing = "no TARGET (stats id, 0xGUESTPC or guest symbol)",
        .too_many = "more than one TARGET: %s", .own = annotate_option, .ctx = &flags,
    };
    struct profile *p = NULL;
    struct annot *a = NULL;
    const struct tbdb_key **keys = NULL;
    size_t nr_keys = 0;
    struct out o;
    int rc, ret = TBSYM_EXIT_OK;

    ret = view_cmdline_load(&cl, argc, argv, &p);
    if (ret)
        goto out;
    rc = find_keys(p, target, &keys, &nr_keys);
    if (rc == -EINVAL) {
        ret = view_usage_error(&cl.v, "bad TARGET: %s", target);
        goto out;
    }
    if (rc < 0)
        goto done;
    if (!nr_keys) {
        fprintf(stderr, "tbsym annotate: no TB '%s' in %s\n", target, profile_info(p)->tbstats);
        ret = TBSYM_EXIT_INPUT;
        goto out;
    }
    rc = annot_new(profile_tbdb(p), &a);
    if (rc < 0)
        goto done;
    rc = view_profile_read(p, on_sample, a);
    if (rc < 0)
        goto done;
    out_init(&o, stdout, view_out_format(format));
    if (format == VIEW_JSON) {
        out_u64(&o, "total_samples", annot_total(a));
        out_array_begin(&o, "keys");
    }
    for (size_t i = 0; i < nr_keys; i++)
        annot_print_key(&o, p, a, keys[i], flags);
    if (format == VIEW_JSON)
        out_finish(&o);
done:
    ret = view_profile_done(p, rc);
out:
    free(keys);
    annot_free(a);
    profile_close(p);
    return ret;
}
