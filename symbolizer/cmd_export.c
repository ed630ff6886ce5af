/*
 * cmd_export.c: "tbsym export", a perf recording of QEMU rewritten as the
 * perf.data of the guest program, as if it had run natively, for perf
 * report, perf script and perf annotate.
 *
 * What the output holds (lib/perfdata_writer.h writes it):
 *   one attr, the recording's first event (the one tbsym report counts)
 *     with sample_type IP|TID|TIME|PERIOD|CALLCHAIN (+CPU when recorded);
 *   COMM of every thread of the QEMU process, named after the guest
 *     program (its first mapping's basename, cut to 15 bytes as the kernel
 *     does), at time 0 so perf applies them before any sample;
 *   MMAP2 of every guest ELF mapping of the export (lib/tbdb.h) at its
 *     guest address, file offset and time, with its build id when known
 *     (and the BUILD_ID feature), so perf opens the guest's own files;
 *   one SAMPLE per sample of the QEMU process: ip the guest PC it is
 *     charged to (profile.h guest_frames[0]: TB code, and the helper,
 *     kernel or translation time spent on that instruction's behalf), the
 *     call chain PERF_CONTEXT_USER then the guest frames, leaf first, as
 *     the kernel writes a native `perf record -g` chain, the period as
 *     recorded;
 *   samples with no guest PC (QEMU's start-up, its other threads) at one
 *     address of a "[qemu]" pseudo-mapping, so perf's shares add up to the
 *     run as tbsym report's do (or dropped with --guest-only);
 *   features ARCH (the guest's), NRCPUS, HOSTNAME, OSRELEASE, VERSION (the
 *     recording's), CMDLINE, EVENT_DESC, SAMPLE_TIME.
 * Samples of other processes are left out.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "array.h"
#include "outfile.h"
#include "perfdata.h"
#include "perfdata_writer.h"
#include "profile.h"
#include "profile_opts.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_export_usage[] =
    "usage: tbsym export [RUN | -i perf.data] -o FILE [--guest-only] [--tbstats FILE]\n"
    "                    [--jitdump FILE] [--pid PID] [--debug-dir DIR] [--no-callchains]\n"
    "                    [--partial]\n"
    "\n"
    "A perf.data of the guest program as if it had run natively, for perf report,\n"
    "perf script and perf annotate: each sample of the QEMU process at the guest\n"
    "instruction it was spent on (its TB's code, and the helpers, system calls and\n"
    "translation run on its behalf), with the guest call stack as its call chain\n"
    "(needs shadow stacks in the side file and perf record --call-graph dwarf, else\n"
    "one frame), the guest's ELF files mapped at their guest addresses with their\n"
    "build ids, and the guest program's name as comm.\n"
    "  -o FILE       the output (required), written whole or not at all\n"
    "  --guest-only  leave out the samples with no guest instruction (QEMU's start-up\n"
    "                and its other threads); by default they count in a \"[qemu]\"\n"
    "                mapping, so that the shares add up to the run as in tbsym report\n"
    "RUN and input options as for tbsym report.\n"
    "\n"
    RUN_ARG_USAGE_EXIT;

#define QEMU_DSO      "[qemu]"
#define PAGE          0x1000u
/* Frames per sample: a record stays below perf's 64 KiB. */
#define MAX_FRAMES    8000u
#define COMM_MAX      15        /* TASK_COMM_LEN - 1 */

struct export {
    struct profile *p;
    struct pd_writer *w;
    int attr;
    const char *path;           /* -o: the perf.data written */
    bool guest_only;
    uint32_t pid;               /* the QEMU process */
    char comm[COMM_MAX + 1];
    uint64_t qemu_addr;         /* the [qemu] page, mapped on first use */
    bool qemu_mapped;
    uint32_t *tids;             /* threads whose COMM is written, ascending */
    size_t nr_tids, cap_tids;
    uint64_t *chain;            /* [1 + MAX_FRAMES] */
    int werr;                   /* the writer's error, which stopped the run */
    bool have_time;
    uint64_t first_time, last_time;
    uint64_t samples, stacks, truncated, no_leaf, cut;
};

static const struct pd_sample_id *sid_at(const struct export *x, uint32_t tid, uint64_t time,
                                         struct pd_sample_id *sid)
{
    *sid = (struct pd_sample_id){ .present = true, .pid = x->pid, .tid = tid, .time = time };
    return sid;
}

/* The COMM of thread tid, once, before its first sample (time 0). */
static int thread_comm(struct export *x, uint32_t tid)
{
    struct pd_sample_id sid;
    size_t lo = 0, hi = x->nr_tids;
    uint32_t *tids;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (x->tids[mid] == tid)
            return 0;
        if (x->tids[mid] < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    tids = array_reserve(x->tids, x->nr_tids, &x->cap_tids, sizeof(*tids), 16);
    if (!tids)
        return -ENOMEM;
    x->tids = tids;
    memmove(x->tids + lo + 1, x->tids + lo, (x->nr_tids - lo) * sizeof(*x->tids));
    x->tids[lo] = tid;
    x->nr_tids++;
    return pd_writer_comm(x->w, x->attr, 0, x->pid, tid, x->comm, sid_at(x, tid, 0, &sid));
}

/*
 * The [qemu] pseudo-mapping: one page below or between the guest's
 * mappings (no guest ELF is mapped at page 1 in practice), no file.
 */
static int map_qemu(struct export *x)
{
    const struct tbdb *db = profile_tbdb(x->p);
    struct pd_sample_id sid;
    struct pd_mmap m;
    bool moved = true;

    x->qemu_addr = PAGE;
    while (moved) {
        moved = false;
        for (size_t i = 0; i < db->nr_mappings; i++) {
            const struct tbdb_mapping *g = &db->mappings[i];

            if (!g->unmap && g->start < x->qemu_addr + PAGE && g->end > x->qemu_addr) {
                x->qemu_addr = (g->end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
                moved = true;
            }
        }
    }
    /* pgoff == start: perf shows the address as is, in the sample and in chains alike. */
    m = (struct pd_mmap){ .pid = x->pid, .tid = x->pid, .start = x->qemu_addr, .len = PAGE,
                          .pgoff = x->qemu_addr, .prot = PROT_READ | PROT_EXEC, .flags = MAP_PRIVATE,
                          .filename = QEMU_DSO };
    x->qemu_mapped = true;
    return pd_writer_mmap2(x->w, x->attr, PERF_RECORD_MISC_USER, &m, sid_at(x, x->pid, 0, &sid));
}

static int write_sample(struct export *x, const struct profile_sample *s)
{
    struct pd_sample out = { 0 };
    const uint64_t *frames = s->guest_frames;
    size_t n = s->nr_guest_frames;
    int rc;

    if (s->guest_leaf == PROFILE_GLEAF_NONE || !n) {
        x->no_leaf++;
        if (x->guest_only)
            return 0;
        if (!x->qemu_mapped && (rc = map_qemu(x)) < 0)
            return rc;
        frames = &x->qemu_addr;
        n = 1;
    } else if (s->gstack != PROFILE_GSTACK_NONE && n > 1) {
        x->stacks++;
        x->truncated += s->gstack == PROFILE_GSTACK_TRUNCATED;
    }
    if (n > MAX_FRAMES) {
        n = MAX_FRAMES;         /* the outermost calls go, as perf's max-stack cuts */
        x->cut++;
    }
    if ((rc = thread_comm(x, s->tid)) < 0)
        return rc;
    x->chain[0] = PERF_CONTEXT_USER;
    memcpy(x->chain + 1, frames, n * sizeof(*frames));
    out.ip = frames[0];
    out.pid = x->pid;
    out.tid = s->tid;
    out.time = s->time;
    out.cpu = s->cpu;
    out.period = s->period;
    out.callchain_nr = n + 1;
    out.callchain = x->chain;
    if (!x->have_time || s->time < x->first_time)
        x->first_time = s->time;
    if (!x->have_time || s->time > x->last_time)
        x->last_time = s->time;
    x->have_time = true;
    x->samples++;
    return pd_writer_sample(x->w, x->attr, &out);
}

static int on_sample(void *arg, const struct profile_sample *s)
{
    struct export *x = arg;
    int rc;

    if (s->cls == PROFILE_OTHER)
        return 0;
    rc = write_sample(x, s);
    if (rc < 0) {
        x->werr = rc;
        return 1;               /* stop the run: not profile_run()'s error */
    }
    return 0;
}

/* --- the header ------------------------------------------------------------------ */

/* A string feature of the recording (u32 length, then the string), or NULL. */
static const char *recording_string(const struct pd_reader *r, unsigned id)
{
    const uint8_t *b;
    size_t size;
    uint32_t len;

    if (pd_reader_feature(r, id, &b, &size) != 1 || size < 4)
        return NULL;
    memcpy(&len, b, 4);
    if (pd_reader_header(r)->swapped)
        len = __builtin_bswap32(len);
    if (!len || len > size - 4 || !memchr(b + 4, '\0', len))
        return NULL;
    return (const char *)b + 4;
}

/* The guest's `uname -m`, which perf's HEADER_ARCH holds. */
static const char *guest_uname_machine(const struct tbs_header *h)
{
    switch (h->guest_machine) {
    case EM_X86_64:  return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_386:     return "i686";
    case EM_RISCV:   return "riscv64";
    default:         return h->guest_arch[0] ? h->guest_arch : NULL;
    }
}

/* The features copied from the recording or made for the guest. */
static int set_features(struct export *x, const struct pd_reader *r, int argc, char **argv)
{
    static const unsigned copied[] = { HEADER_HOSTNAME, HEADER_OSRELEASE, HEADER_VERSION };
    const char *arch = guest_uname_machine(&profile_tbdb(x->p)->header);
    const uint8_t *b;
    size_t size;
    uint32_t nr[2];
    const char **args;
    int rc = 0;

    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]) && !rc; i++)
        rc = pd_writer_set_string(x->w, copied[i], recording_string(r, copied[i]));
    if (!rc && arch)
        rc = pd_writer_set_string(x->w, HEADER_ARCH, arch);
    if (!rc && pd_reader_feature(r, HEADER_NRCPUS, &b, &size) == 1 && size >= 8) {
        memcpy(nr, b, 8);
        if (pd_reader_header(r)->swapped) {
            nr[0] = __builtin_bswap32(nr[0]);
            nr[1] = __builtin_bswap32(nr[1]);
        }
        rc = pd_writer_set_nrcpus(x->w, nr[0], nr[1]);
    } else if (!rc) {
        long n = sysconf(_SC_NPROCESSORS_CONF), on = sysconf(_SC_NPROCESSORS_ONLN);

        rc = pd_writer_set_nrcpus(x->w, n > 0 ? (uint32_t)n : 1, on > 0 ? (uint32_t)on : 1);
    }
    if (rc)
        return rc;
    /* CMDLINE: how this file was made ("tbsym export ..."). */
    if (!(args = malloc((argc + 1) * sizeof(*args))))
        return -ENOMEM;
    args[0] = "tbsym";
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    rc = pd_writer_set_cmdline(x->w, argc + 1, args);
    free(args);
    return rc;
}

/*
 * The guest program's name: its first mapping's basename (the main
 * executable, which QEMU maps first), else the recording's COMM of the
 * QEMU process ("qemu-x86_64").
 */
static void guest_comm(struct export *x, struct pd_reader *r)
{
    const struct tbdb *db = profile_tbdb(x->p);
    struct pd_event ev;

    snprintf(x->comm, sizeof(x->comm), "%s", "qemu");
    for (size_t i = 0; i < db->nr_mappings; i++)
        if (!db->mappings[i].unmap && db->mappings[i].path[0]) {
            const char *slash = strrchr(db->mappings[i].path, '/');

            snprintf(x->comm, sizeof(x->comm), "%s", slash ? slash + 1 : db->mappings[i].path);
            return;
        }
    while (pd_reader_next(r, &ev) == 1)
        if (ev.type == PERF_RECORD_COMM && ev.u.comm.pid == x->pid && ev.u.comm.tid == x->pid)
            snprintf(x->comm, sizeof(x->comm), "%s", ev.u.comm.comm);
}

/* The attr: the recording's event, sampled as a native perf record -g does. */
static int add_attr(struct export *x, const struct pd_attr *in, bool build_ids)
{
    struct perf_event_attr a = { 0 };
    const char *name = in->name && in->name[0] ? in->name : profile_info(x->p)->event;

    a.size = sizeof(a);
    a.type = in->attr.type;
    a.config = in->attr.config;
    a.sample_period = in->attr.sample_period;   /* or sample_freq, per freq */
    a.freq = in->attr.freq;
    a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD |
                    PERF_SAMPLE_CALLCHAIN | (in->attr.sample_type & PERF_SAMPLE_CPU);
    /*
     * Every sample of the file is a guest user-mode one (the guest's
     * system calls are QEMU's work, charged to the syscall instruction);
     * saying so also spares perf report its kernel-symbols warning.
     */
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    a.exclude_idle = in->attr.exclude_idle;
    a.exclude_guest = in->attr.exclude_guest;
    a.precise_ip = in->attr.precise_ip;
    a.use_clockid = in->attr.use_clockid;
    a.clockid = in->attr.clockid;
    a.disabled = 1;
    a.inherit = 1;
    a.enable_on_exec = 1;
    a.mmap = 1;
    a.mmap2 = 1;
    a.comm = 1;
    a.comm_exec = 1;
    a.task = 1;
    a.sample_id_all = 1;
    a.build_id = build_ids;
    x->attr = pd_writer_add_attr(x->w, &a, name, NULL, 0);
    return x->attr < 0 ? x->attr : 0;
}

/* --- the records before the samples ------------------------------------------------ */

/* MMAP2 of each guest ELF mapping, and the BUILD_ID feature. */
static int write_mappings(struct export *x)
{
    const struct tbdb *db = profile_tbdb(x->p);
    struct pd_build_id *ids = calloc(db->nr_mappings + 1, sizeof(*ids));
    size_t nr_ids = 0;
    int rc = 0;

    if (!ids)
        return -ENOMEM;
    for (size_t i = 0; i < db->nr_mappings && !rc; i++) {
        const struct tbdb_mapping *g = &db->mappings[i];
        uint16_t misc = PERF_RECORD_MISC_USER;
        struct pd_sample_id sid;
        struct pd_mmap m;
        bool known = false;

        /* perf has no munmap record: a later mapping over it replaces it. */
        if (g->unmap || g->end <= g->start)
            continue;
        m = (struct pd_mmap){ .pid = x->pid, .tid = x->pid, .start = g->start,
                              .len = g->end - g->start, .pgoff = g->offset,
                              .prot = g->prot, .flags = MAP_PRIVATE, .filename = g->path };
        if (g->build_id_size) {
            misc |= PERF_RECORD_MISC_MMAP_BUILD_ID;
            m.build_id_size = g->build_id_size;
            memcpy(m.build_id, g->build_id, g->build_id_size);
            for (size_t j = 0; j < nr_ids && !known; j++)
                known = !strcmp(ids[j].filename, g->path);
            if (!known) {
                /* pid -1 and cpumode user: a DSO of the host machine, as perf writes it. */
                ids[nr_ids] = (struct pd_build_id){ .pid = -1, .misc = PERF_RECORD_MISC_USER,
                                                    .size = g->build_id_size,
                                                    .filename = g->path };
                memcpy(ids[nr_ids++].build_id, g->build_id, g->build_id_size);
            }
        }
        rc = pd_writer_mmap2(x->w, x->attr, misc, &m, sid_at(x, x->pid, g->timestamp, &sid));
    }
    if (!rc && nr_ids)
        rc = pd_writer_set_build_ids(x->w, ids, nr_ids);
    free(ids);
    return rc;
}

static bool any_build_id(const struct tbdb *db)
{
    for (size_t i = 0; i < db->nr_mappings; i++)
        if (!db->mappings[i].unmap && db->mappings[i].build_id_size)
            return true;
    return false;
}

/* --- the command ---------------------------------------------------------------------- */

/* Why samples have no guest stack, when it is the recording's or the export's doing. */
static void note_stacks(const struct export *x)
{
    const struct profile_info *info = profile_info(x->p);

    if (!info->shadow_stacks)
        fprintf(stderr, "tbsym export: %s has no guest call stacks (QEMU ran without shadow "
                "stacks): one frame per sample\n", info->tbstats);
    else if (!info->user_stacks)
        fprintf(stderr, "tbsym export: %s has no user stacks (record with --call-graph dwarf) "
                "to read the guest call stacks from: one frame per sample\n", info->perf_data);
}

static void summary(const struct export *x, const char *out)
{
    fprintf(stderr, "tbsym export: %s: %" PRIu64 " samples of %s (pid %" PRIu32 "), %" PRIu64
            " with a guest call stack (%" PRIu64 " truncated), %" PRIu64 " with no guest PC %s\n",
            out, x->samples, x->comm, x->pid, x->stacks, x->truncated, x->no_leaf,
            x->guest_only ? "left out" : "in " QEMU_DSO);
    if (x->cut)
        fprintf(stderr, "tbsym export: %" PRIu64 " call chains cut to %u frames\n", x->cut,
                MAX_FRAMES);
}

/*
 * Everything from the attr to the last sample, into x->w.  Returns 0 or a
 * negative errno: profile_run()'s, or the writer's (then also in x->werr).
 */
static int export_run(struct export *x, struct pd_reader *r, int argc, char **argv)
{
    int rc;

    x->pid = profile_info(x->p)->pid;
    guest_comm(x, r);
    if ((rc = add_attr(x, pd_reader_attr(r, 0), any_build_id(profile_tbdb(x->p)))) ||
        (rc = set_features(x, r, argc, argv)) || (rc = thread_comm(x, x->pid)) ||
        (rc = write_mappings(x)))
        return x->werr = rc;
    rc = profile_run(x->p, on_sample, x);
    if (rc > 0)
        return x->werr;
    if (rc < 0)
        return rc;
    if (x->have_time && (rc = pd_writer_set_sample_time(x->w, x->first_time, x->last_time)))
        return x->werr = rc;
    return 0;
}

/* Open the inputs: the profile, and the recording again for its header. */
static int open_inputs(struct export *x, struct view_cmdline *cl, struct pd_reader **r)
{
    int rc = view_cmdline_open(cl, &x->p);

    if (rc)
        return rc;
    rc = pd_reader_open(profile_info(x->p)->perf_data, r);
    if (rc < 0)
        fprintf(stderr, "tbsym: %s\n", *r ? pd_reader_strerror(*r) : strerror(-rc));
    else if (pd_reader_nr_attrs(*r) == 0)
        fprintf(stderr, "tbsym: %s: no event (attr) in the recording\n",
                profile_info(x->p)->perf_data);
    else
        return TBSYM_EXIT_OK;
    return rc == -ENOMEM || rc == -EIO ? TBSYM_EXIT_IO : TBSYM_EXIT_INPUT;
}

/* export's own options (struct view_cmdline's own()). */
static int export_option(const struct view_opts *vo, void *ctx, const char *a, const char *val)
{
    struct export *x = ctx;

    (void)vo;
    (void)val;
    if (strcmp(a, "--guest-only"))
        return 0;
    x->guest_only = true;
    return 1;
}

int cmd_export(int argc, char **argv)
{
    struct export x = { 0 };
    struct view_cmdline cl = {
        .v = { .cmd = "export", .usage = cmd_export_usage },
        .take_run = true, .output = &x.path, .own = export_option, .ctx = &x,
    };
    struct pd_reader *r = NULL;
    struct outfile of;
    int rc, ret;

    rc = view_parse_cmdline(&cl, argc, argv);
    if (rc == 0 && !x.path)
        rc = view_usage_error(&cl.v, "missing %s", "-o FILE");
    if (rc)
        return rc;

    if ((ret = open_inputs(&x, &cl, &r)) != TBSYM_EXIT_OK)
        goto out;
    if (!(x.chain = malloc((1 + MAX_FRAMES) * sizeof(*x.chain)))) {
        ret = view_profile_error(NULL, -ENOMEM);
        goto out;
    }
    if ((ret = outfile_open(&of, x.path)) != TBSYM_EXIT_OK)
        goto out;
    rc = pd_writer_open_stream(of.f, 0, &x.w);
    if (rc)
        x.werr = rc;
    else
        rc = export_run(&x, r, argc, argv);
    if (x.w) {
        int crc = pd_writer_close(x.w);

        if (!rc && crc)
            rc = x.werr = crc;
    }
    if (rc && x.werr) {
        fprintf(stderr, "tbsym: %s: %s\n", x.path, strerror(-rc));
        ret = TBSYM_EXIT_IO;
    } else if (rc) {
        ret = view_profile_error(x.p, rc);
    } else {
        note_stacks(&x);
        view_profile_warn(x.p);
        summary(&x, x.path);
    }
    rc = outfile_close(&of, rc == 0);
    if (ret == TBSYM_EXIT_OK)
        ret = rc;
out:
    free(x.chain);
    free(x.tids);
    pd_reader_close(r);
    profile_close(x.p);
    return ret;
}
