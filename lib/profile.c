/*
 * profile.c: perf samples joined with the TBs of one QEMU run (profile.h).
 *
 * Two passes over the perf.data file: the first collects the mmap events
 * (QEMU's own code and libraries for hostsym, the jitdump's mapping that
 * names the QEMU process, and perf inject's jitted-PID-N.so maps), the
 * second resolves the samples against the code map built in between.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "codemap.h"
#include "gstack.h"
#include "guestsym.h"
#include "hostsym.h"
#include "perfdata.h"
#include "profile.h"
#include "runfiles.h"
#include "softmmu.h"
#include "tbdb.h"
#include "unwind.h"

/* A jitted-PID-N.so map of injected input, kept until the side file is loaded. */
/* Frames kept per sample (perf's default kernel.perf_event_max_stack is 127). */
#define PROFILE_MAX_FRAMES 512
/* Guest frames kept per sample: a 64 KiB stack dump holds fewer. */
#define PROFILE_MAX_GUEST_FRAMES 4096

_Static_assert(PROFILE_GFRAME_SIGNAL == GSTACK_FRAME_SIGNAL, "one flag, two names");

/* perf's register numbers of the user stack pointer (<asm/perf_regs.h>). */
#define PERF_REG_ARM64_SP 31

struct injected_map {
    uint64_t time, start, len, code_index;
};

struct profile {
    struct profile_info info;
    char *perf_data, *tbstats, *jitdump, *debug_dir;
    uint32_t want_pid;
    bool no_callchains, partial, kernel_symbols;
    char err[1024];
    char warn[512];

    struct tbdb *db;
    struct codemap *cm;
    struct hostsym *hs;
    struct guestsym *gs;
    struct softmmu *sm;            /* system emulators only */
    struct uw *uw;
    char *jitdump_dir;             /* directory of the jitdump QEMU mapped */

    struct injected_map *inj;
    size_t nr_inj, cap_inj;
    uint64_t nr_unmatched;         /* injected maps of no TB of the side file */

    uint64_t frames[PROFILE_MAX_FRAMES];
    uint64_t unwind_time;          /* the time of the sample being unwound */
    bool ran;

    /* Guest call stacks: the leaf, then the shadow stack's frames. */
    uint64_t guest_frames[1 + PROFILE_MAX_GUEST_FRAMES];
    uint8_t guest_flags[1 + PROFILE_MAX_GUEST_FRAMES];
    int sp_reg;                    /* perf register of the host's SP; -1: unsupported host */
    bool stack_big_endian;         /* byte order of the recorded stacks */
    bool tb_ip_is_ra;              /* the sample's tb_ip is a return address */
};

static void set_err(struct profile *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(struct profile *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->err, sizeof(p->err), fmt, ap);
    va_end(ap);
}

static void add_warning(struct profile *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_warning(struct profile *p, const char *fmt, ...)
{
    size_t len = strlen(p->warn);
    va_list ap;

    if (len && len + 2 < sizeof(p->warn)) {
        memcpy(p->warn + len, "; ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(p->warn + len, sizeof(p->warn) - len, fmt, ap);
    va_end(ap);
}

const char *profile_class_name(enum profile_class cls)
{
    static const char *const names[PROFILE_NR_CLASSES] = {
        [PROFILE_JIT] = "jit",
        [PROFILE_HELPER] = "helpers",
        [PROFILE_TRANSLATE] = "translation",
        [PROFILE_QEMU] = "qemu",
        [PROFILE_KERNEL] = "kernel",
        [PROFILE_OTHER] = "other",
    };
    return (unsigned)cls < PROFILE_NR_CLASSES ? names[cls] : "?";
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static char *dir_name(const char *path)
{
    const char *s = strrchr(path, '/');

    if (!s)
        return strdup(".");
    if (s == path)
        return strdup("/");
    return strndup(path, (size_t)(s - path));
}

static const char *event_name(const struct pd_attr *a, char *buf, size_t size)
{
    if (a->name && a->name[0])
        return a->name;
    if (a->attr.type == PERF_TYPE_SOFTWARE && a->attr.config == PERF_COUNT_SW_CPU_CLOCK)
        return "cpu-clock";
    if (a->attr.type == PERF_TYPE_SOFTWARE && a->attr.config == PERF_COUNT_SW_TASK_CLOCK)
        return "task-clock";
    if (a->attr.type == PERF_TYPE_HARDWARE && a->attr.config == PERF_COUNT_HW_CPU_CYCLES)
        return "cycles";
    if (a->attr.type == PERF_TYPE_HARDWARE && a->attr.config == PERF_COUNT_HW_INSTRUCTIONS)
        return "instructions";
    snprintf(buf, size, "type %u config 0x%" PRIx64, a->attr.type, (uint64_t)a->attr.config);
    return buf;
}

static int reader_error(struct profile *p, struct pd_reader *r, int rc)
{
    set_err(p, "%s", pd_reader_strerror(r));
    return rc;
}

static int push_injected(struct profile *p, const struct pd_event *ev, uint64_t index)
{
    struct injected_map *n = array_reserve(p->inj, p->nr_inj, &p->cap_inj, sizeof(*n), 1024);

    if (!n)
        return -ENOMEM;
    p->inj = n;
    p->inj[p->nr_inj++] = (struct injected_map){
        .time = ev->time == UINT64_MAX ? 0 : ev->time,
        .start = ev->u.mmap.start,
        .len = ev->u.mmap.len,
        .code_index = index,
    };
    return 0;
}

/* Pass 1: mmap events. */
static int scan_mmaps(struct profile *p)
{
    struct pd_reader *r = NULL;
    struct pd_event ev;
    uint32_t jd_pid = 0, inj_pid = 0;
    char buf[64];
    int rc;

    rc = pd_reader_open(p->perf_data, &r);
    if (rc < 0) {
        if (r)
            rc = reader_error(p, r, rc);
        else
            set_err(p, "%s: %s", p->perf_data, strerror(-rc));
        pd_reader_close(r);
        return rc;
    }
    if (pd_reader_nr_attrs(r) > 0) {
        const char *name = event_name(pd_reader_attr(r, 0), buf, sizeof(buf));

        p->info.event = strdup(name);
        if (!p->info.event) {
            pd_reader_close(r);
            return -ENOMEM;
        }
        for (size_t i = 0; i < pd_reader_nr_attrs(r); i++) {
            uint64_t st = pd_reader_attr(r, i)->attr.sample_type;

            if ((st & PERF_SAMPLE_REGS_USER) && (st & PERF_SAMPLE_STACK_USER))
                p->info.user_stacks = true;
            if (p->no_callchains)
                continue;
            if ((st & PERF_SAMPLE_REGS_USER) && (st & PERF_SAMPLE_STACK_USER))
                p->info.chains = PROFILE_CHAINS_DWARF;
            else if ((st & PERF_SAMPLE_CALLCHAIN) && p->info.chains == PROFILE_CHAINS_NONE)
                p->info.chains = PROFILE_CHAINS_FP;
        }
    }
    while ((rc = pd_reader_next(r, &ev)) == 1) {
        const struct pd_mmap *m = &ev.u.mmap;
        const char *base;
        uint32_t pid;
        uint64_t index;

        if (ev.type != PERF_RECORD_MMAP && ev.type != PERF_RECORD_MMAP2)
            continue;
        base = base_name(m->filename);
        if (run_file_kind(base, &pid) != RUN_FILE_JITDUMP)
            pid = 0;
        if (pid && pid == m->pid && (!p->want_pid || pid == p->want_pid) && !jd_pid) {
            jd_pid = pid;
            free(p->jitdump_dir);
            p->jitdump_dir = dir_name(m->filename);
            if (!p->jitdump_dir)
                goto nomem;
        }
        if (run_file_jitted(base, &pid, &index)) {
            if (!inj_pid && (!p->want_pid || pid == p->want_pid))
                inj_pid = pid;
            if (pid == inj_pid && push_injected(p, &ev, index) < 0)
                goto nomem;
            continue;
        }
        rc = hostsym_add_mmap(p->hs, m->pid, ev.time == UINT64_MAX ? 0 : ev.time, m->start,
                              m->len, m->pgoff, m->filename,
                              m->build_id_size ? m->build_id : NULL, m->build_id_size);
        if (rc == -ENOMEM)
            goto nomem;
    }
    if (rc == -ENODATA && p->partial) {
        add_warning(p, "%s", pd_reader_strerror(r));
        p->info.perf_data_partial = true;
        rc = 0;
    }
    if (rc < 0) {
        rc = reader_error(p, r, rc);
        pd_reader_close(r);
        return rc;
    }
    pd_reader_close(r);
    p->info.pid = p->want_pid ? p->want_pid : jd_pid ? jd_pid : inj_pid;
    p->info.injected = p->nr_inj > 0;
    if (!p->info.pid) {
        set_err(p, "%s: no process of the recording mapped a jit-PID.dump (record QEMU "
                "with -perf under perf record -k 1)", p->perf_data);
        return -ESRCH;
    }
    return 0;
nomem:
    pd_reader_close(r);
    return -ENOMEM;
}

static bool file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Find the side file and the jitdump: next to perf.data, else where QEMU wrote them. */
static int find_files(struct profile *p)
{
    char *dir = dir_name(p->perf_data);
    char *ts = NULL, *jd = NULL;
    int rc;

    if (!dir)
        return -ENOMEM;
    if (!p->tbstats) {
        rc = tbdb_find_files(dir, p->info.pid, &ts, &jd);
        if (rc == -ENOENT && p->jitdump_dir && strcmp(p->jitdump_dir, dir) != 0)
            rc = tbdb_find_files(p->jitdump_dir, p->info.pid, &ts, &jd);
        if (rc == -ENOENT) {
            set_err(p, "%s: no jit-%" PRIu32 ".tbstats next to it (in %s)%s%s: run QEMU with "
                    "-perf, or give the side file with --tbstats", p->perf_data, p->info.pid, dir,
                    p->jitdump_dir ? " nor in " : "", p->jitdump_dir ? p->jitdump_dir : "");
            free(dir);
            return rc;
        }
        if (rc < 0) {
            set_err(p, "%s: %s", dir, strerror(-rc));
            free(dir);
            return rc;
        }
        p->tbstats = ts;
        if (!p->jitdump)
            p->jitdump = jd;
        else
            free(jd);
    }
    if (!p->jitdump) {
        /* jit-PID.dump where perf would look for it: next to perf.data, then where QEMU wrote it. */
        const char *dirs[2] = { dir, p->jitdump_dir };

        for (int i = 0; i < 2 && !p->jitdump; i++) {
            char *path;

            if (!dirs[i])
                continue;
            if (!(path = run_file_path(dirs[i], RUN_FILE_JITDUMP, p->info.pid))) {
                free(dir);
                return -ENOMEM;
            }
            if (file_exists(path))
                p->jitdump = path;
            else
                free(path);
        }
    }
    free(dir);
    if (!p->jitdump && !p->info.injected) {
        set_err(p, "%s: no jit-%" PRIu32 ".dump next to it%s%s, and it is not the output of "
                "perf inject -j: give the jitdump with --jitdump", p->perf_data, p->info.pid,
                p->jitdump_dir ? " nor in " : "", p->jitdump_dir ? p->jitdump_dir : "");
        return -ENOENT;
    }
    return 0;
}

static int build_codemap(struct profile *p)
{
    const struct tbdb *db = p->db;
    int rc;

    if (p->info.injected) {
        for (size_t i = 0; i < p->nr_inj; i++) {
            const struct injected_map *m = &p->inj[i];
            const struct tbdb_tb *tb = tbdb_tb_by_code_index(db, m->code_index);

            if (!tb) {
                p->nr_unmatched++;
                continue;
            }
            rc = codemap_add(p->cm, m->time, m->start, m->len, (uint64_t)(tb - db->tb_records));
            if (rc < 0 && rc != -EINVAL)
                return rc;
        }
        if (p->nr_unmatched)
            add_warning(p, "%" PRIu64 " jitted-*.so maps of %s have no TB in %s (another run?)",
                        p->nr_unmatched, p->perf_data, p->tbstats);
    } else {
        for (size_t i = 0; i < db->nr_tb_records; i++) {
            const struct tbdb_tb *tb = &db->tb_records[i];

            if (!tb->have_load || !tb->code_size)
                continue;
            rc = codemap_add(p->cm, tb->load_timestamp, tb->code_addr, tb->code_size, i);
            if (rc < 0 && rc != -EINVAL)
                return rc;
        }
    }
    free(p->inj);
    p->inj = NULL;
    p->nr_inj = p->cap_inj = 0;
    p->info.nr_code_loads = codemap_count(p->cm);
    return codemap_build(p->cm);
}

/* The unwinder's view of the QEMU process: JIT code from the jitdump, the rest from mmaps. */
static int find_module(void *arg, uint64_t addr, struct uw_module *out)
{
    struct profile *p = arg;
    uint64_t cookie;
    struct hostsym_map map;

    /* The TB live at the sample's time: addresses are reused after flushes. */
    if (codemap_lookup(p->cm, addr, p->unwind_time, &cookie, NULL) == 1) {
        const struct tbdb_tb *tb = &p->db->tb_records[cookie];

        if (!tb->unwind_data)
            return 0;
        return uw_module_from_jitdump(tb->code_addr, tb->code_size, tb->unwind_data,
                                      tb->unwinding_size, tb->eh_frame_hdr_size, out) == 0;
    }
    if (hostsym_find_map(p->hs, p->info.pid, addr, p->unwind_time, &map) == 1) {
        *out = (struct uw_module){
            .kind = UW_MODULE_ELF,
            .start = map.start,
            .end = map.end,
            .path = map.path,
            .pgoff = map.pgoff,
        };
        return 1;
    }
    return 0;
}

int profile_open(const struct profile_opts *opts, struct profile **pp)
{
    struct profile *p = calloc(1, sizeof(*p));
    int rc;

    *pp = p;
    if (!p)
        return -ENOMEM;
    p->perf_data = strdup(opts->perf_data ? opts->perf_data : "perf.data");
    p->tbstats = opts->tbstats ? strdup(opts->tbstats) : NULL;
    p->jitdump = opts->jitdump ? strdup(opts->jitdump) : NULL;
    p->debug_dir = opts->debug_dir ? strdup(opts->debug_dir) : NULL;
    if (!p->perf_data || (opts->tbstats && !p->tbstats) || (opts->jitdump && !p->jitdump) ||
        (opts->debug_dir && !p->debug_dir))
        goto nomem;
    p->want_pid = opts->pid;
    p->no_callchains = opts->no_callchains;
    p->partial = opts->partial;
    p->kernel_symbols = opts->kernel_symbols;
    p->info.perf_data = p->perf_data;

    rc = hostsym_new(p->debug_dir, &p->hs);
    if (rc < 0)
        goto fail_errno;
    rc = scan_mmaps(p);
    if (rc < 0)
        return rc;
    rc = find_files(p);
    if (rc < 0)
        return rc;
    rc = tbdb_open(p->tbstats, p->jitdump, &p->db);
    if (rc < 0) {
        if (rc == -ENOMEM && !p->db)
            goto nomem;
        set_err(p, "%s", p->db ? tbdb_strerror(p->db) : strerror(-rc));
        return rc;
    }
    if (p->db->header.pid != p->info.pid) {
        set_err(p, "%s: the side file of pid %" PRIu32 ", but the QEMU process of %s is pid %" PRIu32,
                p->tbstats, p->db->header.pid, p->perf_data, p->info.pid);
        return -EXDEV;
    }
    if (tbdb_warning(p->db)) {
        if (!p->partial) {
            set_err(p, "%s (use --partial to accept it)", tbdb_warning(p->db));
            return -ENODATA;
        }
        add_warning(p, "%s", tbdb_warning(p->db));
    }
    p->info.tbstats = p->tbstats;
    p->info.jitdump = p->db->jitdump_path;
    p->info.tbstats_partial = p->db->tbstats_partial;
    p->info.jitdump_partial = p->db->jitdump_partial;
    p->info.shadow_stacks = p->db->header.flags & TBS_FLAG_SHADOW_STACK;
    if (p->db->header.flags & TBS_FLAG_SYSTEM) {
        rc = softmmu_new(p->debug_dir, &p->sm);
        if (rc < 0)
            goto fail_errno;
    }
    p->sp_reg = p->db->header.host_machine == 62 ? UW_X86_SP :       /* EM_X86_64 */
                p->db->header.host_machine == 183 ? PERF_REG_ARM64_SP : -1; /* EM_AARCH64 */
    rc = codemap_new(&p->cm);
    if (rc < 0)
        goto fail_errno;
    rc = build_codemap(p);
    if (rc < 0)
        goto fail_errno;
    if (p->info.chains == PROFILE_CHAINS_DWARF) {
        static const struct uw_callbacks cb = { .find_module = find_module };

        rc = uw_new(&cb, p, &p->uw);
        if (rc == -ENOTSUP) {
            add_warning(p, "%s: user stacks of this host cannot be unwound", p->perf_data);
            p->info.chains = PROFILE_CHAINS_FP;
        } else if (rc < 0) {
            goto fail_errno;
        }
    }
    return 0;
nomem:
    return -ENOMEM;
fail_errno:
    if (rc == -ENOMEM)
        return rc;
    set_err(p, "%s: %s", p->perf_data, strerror(-rc));
    return rc;
}

/*
 * Names of functions that run on behalf of the TB that called them, and of
 * the translator, for samples without a usable call chain.
 */
static bool name_has_prefix(const char *name, const char *const *prefixes)
{
    for (; *prefixes; prefixes++)
        if (!strncmp(name, *prefixes, strlen(*prefixes)))
            return true;
    return false;
}

static const char *const helper_prefixes[] = {
    "helper_", "float16_", "float32_", "float64_", "floatx80_", "float128_", "bfloat16_",
    "int32_to_float", "int64_to_float", "uint64_to_float", "cpu_ld", "cpu_st", "probe_access",
    "parts64_", "parts128_", "do_ld", "do_st", "cpu_loop_exit", "raise_exception", NULL
};

static const char *const translate_prefixes[] = {
    "tb_gen_code", "gen_intermediate_code", "translator_", "tcg_gen_", "tcg_optimize",
    "tcg_reg_alloc", "tcg_out_", "tcg_emit_op", "tcg_op_", "tcg_temp_", "tcg_func_start",
    "tcg_code_", "tcg_tb_insert", "liveness_pass", "reachable_code_pass", "la_", "fold_",
    "disas_", "gen_", "i386_tr_", "aarch64_tr_", "arm_tr_", "decode_", "tcg_constant_",
    "temp_", "tb_link_page", "tb_htable", NULL
};

static enum profile_class class_by_name(const char *sym)
{
    if (!sym)
        return PROFILE_QEMU;
    if (name_has_prefix(sym, helper_prefixes))
        return PROFILE_HELPER;
    if (name_has_prefix(sym, translate_prefixes))
        return PROFILE_TRANSLATE;
    return PROFILE_QEMU;
}

static bool is_context_marker(uint64_t ip)
{
    return ip >= (uint64_t)PERF_CONTEXT_MAX;
}

/* The bytes of a sample's user stack copy that hold data (dyn_size, as perf uses). */
static size_t stack_dump_size(const struct pd_sample *s)
{
    return s->stack_user_dyn_size && s->stack_user_dyn_size < s->stack_user_size ?
           s->stack_user_dyn_size : s->stack_user_size;
}

/* The user part of a sample's call chain into p->frames, leaf first. */
static size_t user_frames(struct profile *p, const struct pd_event *ev, bool kernel)
{
    const struct pd_sample *s = &ev->u.sample;
    size_t n = 0;

    if (p->info.chains == PROFILE_CHAINS_DWARF && p->uw && s->user_regs_abi &&
        s->stack_user_size && ev->attr) {
        int rc;

        p->unwind_time = s->time;
        rc = uw_unwind(p->uw, s->user_regs_abi, s->user_regs,
                           ev->attr->attr.sample_regs_user, s->stack_user,
                           stack_dump_size(s), p->frames, PROFILE_MAX_FRAMES);
        if (rc > 0)
            return (size_t)rc;
    }
    if (p->info.chains != PROFILE_CHAINS_NONE && s->callchain_nr) {
        bool user = false;

        for (uint64_t i = 0; i < s->callchain_nr && n < PROFILE_MAX_FRAMES; i++) {
            uint64_t ip = s->callchain[i];

            if (is_context_marker(ip)) {
                user = ip == (uint64_t)PERF_CONTEXT_USER;
                continue;
            }
            if (user) {
                if (n == 0 && !kernel && ip != s->ip)
                    p->frames[n++] = s->ip;
                if (n < PROFILE_MAX_FRAMES)
                    p->frames[n++] = ip;
            }
        }
    }
    if (n == 0 && !kernel)
        p->frames[n++] = s->ip;
    return n;
}

/*
 * Set *softmmu when the host function of loc is QEMU's software MMU (with
 * a classifier: system emulators).  Functions without a symbol are not
 * classified (their addresses would fill the cache one by one).
 */
static int loc_softmmu(struct profile *p, const struct hostsym_loc *loc, bool *softmmu)
{
    int rc;

    if (!p->sm || *softmmu || !loc->found || loc->kernel || !loc->symbol)
        return 0;
    rc = softmmu_classify(p->sm, loc->dso_path, loc->sym_start, loc->symbol, NULL);
    if (rc < 0)
        return rc;
    *softmmu = rc;
    return 0;
}

static int resolve_class(struct profile *p, const struct pd_event *ev, struct profile_sample *out,
                         struct hostsym_loc *loc)
{
    const struct pd_sample *s = &ev->u.sample;
    unsigned cpumode = ev->misc & PERF_RECORD_MISC_CPUMODE_MASK;
    bool kernel = cpumode == PERF_RECORD_MISC_KERNEL || cpumode == PERF_RECORD_MISC_GUEST_KERNEL;
    uint64_t cookie;
    size_t first;
    bool softmmu = false;
    int rc;

    *out = (struct profile_sample){
        .time = s->time,
        .ip = s->ip,
        .period = (s->sample_type & PERF_SAMPLE_PERIOD) ? s->period : 1,
        .pid = s->pid,
        .tid = s->tid,
        .cpu = s->cpu,
    };
    if (!(s->sample_type & PERF_SAMPLE_TID) || s->pid != p->info.pid) {
        out->cls = PROFILE_OTHER;
        return 0;
    }
    p->tb_ip_is_ra = false;
    if (!kernel && codemap_lookup(p->cm, s->ip, s->time, &cookie, NULL) == 1) {
        out->cls = PROFILE_JIT;
        out->tb = &p->db->tb_records[cookie];
        out->tb_ip = s->ip;
        out->frames = p->frames;
        out->nr_frames = user_frames(p, ev, false);
        return 0;
    }
    if (kernel && !p->kernel_symbols) {
        *loc = (struct hostsym_loc){ .found = true, .kernel = true, .elf_addr = s->ip,
                                     .offset = s->ip, .dso_path = "[kernel.kallsyms]",
                                     .dso_name = "[kernel.kallsyms]" };
    } else {
        rc = hostsym_lookup(p->hs, s->pid, s->ip, s->time, kernel ? HOSTSYM_KERNEL : 0, loc);
        if (rc < 0)
            return rc;
    }
    out->host = loc;
    out->frames = p->frames;
    out->nr_frames = user_frames(p, ev, kernel);
    out->cls = kernel ? PROFILE_KERNEL : PROFILE_QEMU;

    /*
     * The nearest caller decides: a JIT frame makes the sample a helper's
     * of that TB, tb_gen_code makes it translation.  Return addresses are
     * looked up one byte back: a call may be the last instruction of a
     * TB's code.  (A kernel sample's frames[0] is the user IP where the
     * kernel was entered, not a return address.)  On the way, whether a
     * function below the TB frame is software MMU.
     */
    first = kernel ? 0 : 1;
    if (!kernel && (rc = loc_softmmu(p, loc, &softmmu)) < 0)
        return rc;
    for (size_t i = first; i < out->nr_frames; i++) {
        uint64_t ra = out->frames[i];
        struct hostsym_loc fl;

        if (ra && codemap_lookup(p->cm, ra - (i > 0 ? 1 : 0), s->time, &cookie,
                                 NULL) == 1) {
            out->tb = &p->db->tb_records[cookie];
            out->tb_ip = ra;
            p->tb_ip_is_ra = i > 0;
            if (!kernel) {
                out->cls = PROFILE_HELPER;
                out->softmmu = softmmu;
            }
            return 0;
        }
        if (kernel)
            continue;
        rc = hostsym_lookup(p->hs, s->pid, ra - 1, s->time, 0, &fl);
        if (rc == -ENOMEM)
            return rc;
        if (rc < 0)
            continue;
        if (fl.symbol && !strcmp(fl.symbol, "tb_gen_code")) {
            out->cls = PROFILE_TRANSLATE;
            return 0;
        }
        if ((rc = loc_softmmu(p, &fl, &softmmu)) < 0)
            return rc;
    }
    if (!kernel && out->nr_frames <= 1) {
        out->cls = class_by_name(loc->found ? loc->symbol : NULL);
        out->softmmu = out->cls == PROFILE_HELPER && softmmu;
    }
    if (!kernel && out->cls == PROFILE_QEMU && loc->symbol &&
        !strcmp(loc->symbol, "tb_gen_code"))
        out->cls = PROFILE_TRANSLATE;
    return 0;
}

/* Register perf_reg of a sample's user registers (mask: the attr's sample_regs_user). */
static bool sample_user_reg(const struct pd_sample *s, uint64_t mask, int perf_reg, uint64_t *val)
{
    uint64_t bit = 1ull << perf_reg;
    unsigned idx = (unsigned)__builtin_popcountll(mask & (bit - 1));

    if (!(mask & bit) || idx >= s->user_regs_nr)
        return false;
    *val = s->user_regs[idx];
    return true;
}

/*
 * The guest instruction a sample is charged to: the one whose host code
 * holds tb_ip, or, when tb_ip is a return address, the call before it.
 * An address no instruction covers (it cannot be, but the side file is input)
 * is charged to the translation's first instruction.
 */
static uint64_t guest_insn_at(const struct tbdb_tb *tb, uint64_t host_addr)
{
    long i = tbdb_tb_insn_at(tb, host_addr);

    return i >= 0 ? tb->insn_pc[i] : tb->guest_pc;
}

/*
 * The guest call stack of a QEMU sample from the shadow stack of its thread
 * in its user stack copy (gstack.h): the leaf, then the calls in progress.
 */
static void resolve_gstack(struct profile *p, const struct pd_event *ev, struct profile_sample *out)
{
    const struct pd_sample *s = &ev->u.sample;
    const struct tbdb_shadow_stack *loc;
    struct gstack g;
    uint64_t sp;

    /*
     * The leaf is known from the TB alone, stack or not: a profile of guest
     * PCs (tbsym export) adds up to the run even without call stacks.
     */
    p->guest_flags[0] = 0;
    if (out->tb) {
        uint64_t ip = out->tb_ip;

        if (out->cls != PROFILE_JIT && p->tb_ip_is_ra)
            ip--;
        p->guest_frames[0] = guest_insn_at(out->tb, ip);
        out->guest_leaf = PROFILE_GLEAF_INSN;
        out->nr_guest_frames = 1;
        out->guest_frames = p->guest_frames;
        out->guest_frame_flags = p->guest_flags;
    }
    if (out->cls == PROFILE_OTHER || !p->db->nr_shadow_stacks)
        return;
    loc = tbdb_shadow_stack_at(p->db, s->tid, s->time);
    if (!loc)
        return;                 /* not a vCPU thread (yet) */
    if (!p->info.user_stacks)
        return;
    if (p->sp_reg < 0 || !s->user_regs_abi || !s->stack_user_size || !ev->attr ||
        !sample_user_reg(s, ev->attr->attr.sample_regs_user, p->sp_reg, &sp) ||
        gstack_decode(loc->addr, loc->capacity, sp, s->stack_user, stack_dump_size(s),
                      p->stack_big_endian, p->guest_frames + 1, p->guest_flags + 1,
                      PROFILE_MAX_GUEST_FRAMES, &g) == GSTACK_NONE) {
        p->info.gstack_missing++;
        return;
    }
    if (out->guest_leaf == PROFILE_GLEAF_NONE) {
        if (out->cls == PROFILE_HELPER || !g.guest_pc) {
            /* A helper whose TB is unknown: guest_pc is whatever QEMU left last. */
            p->guest_frames[0] = 0;
        } else {
            p->guest_frames[0] = g.guest_pc;
            out->guest_leaf = PROFILE_GLEAF_QEMU_PC;
        }
    }
    out->gstack = g.status == GSTACK_OK ? PROFILE_GSTACK_OK : PROFILE_GSTACK_TRUNCATED;
    out->nr_guest_frames = 1 + g.nr_frames;
    out->guest_frames = p->guest_frames;
    out->guest_frame_flags = p->guest_flags;
    out->guest_lost = g.lost;
    p->info.gstack_samples++;
    if (g.status == GSTACK_TRUNCATED)
        p->info.gstack_truncated++;
    if (g.dump_needed > p->info.gstack_max_dump)
        p->info.gstack_max_dump = g.dump_needed;
}

static int resolve_sample(struct profile *p, const struct pd_event *ev, struct profile_sample *out,
                          struct hostsym_loc *loc)
{
    int rc = resolve_class(p, ev, out, loc);

    if (rc == 0)
        resolve_gstack(p, ev, out);
    return rc;
}

int profile_run(struct profile *p, int (*cb)(void *arg, const struct profile_sample *s), void *arg)
{
    struct pd_reader *r = NULL;
    struct pd_event ev;
    struct profile_sample s;
    struct hostsym_loc loc;
    int rc;

    if (p->ran)
        return -EALREADY;
    p->ran = true;
    rc = pd_reader_open(p->perf_data, &r);
    if (rc < 0) {
        if (r)
            rc = reader_error(p, r, rc);
        pd_reader_close(r);
        return rc;
    }
    p->stack_big_endian = pd_reader_header(r)->big_endian;
    while ((rc = pd_reader_next(r, &ev)) == 1) {
        if (ev.type != PERF_RECORD_SAMPLE)
            continue;
        rc = resolve_sample(p, &ev, &s, &loc);
        if (rc < 0)
            break;
        rc = cb(arg, &s);
        if (rc != 0)
            break;
    }
    if (rc == -ENODATA && p->partial)
        rc = 0;
    if (rc < 0 && rc != -ENOMEM)
        reader_error(p, r, rc);
    pd_reader_close(r);
    return rc;
}

void profile_close(struct profile *p)
{
    if (!p)
        return;
    uw_free(p->uw);
    softmmu_free(p->sm);
    guestsym_free(p->gs);
    codemap_free(p->cm);
    hostsym_free(p->hs);
    tbdb_close(p->db);
    free(p->inj);
    free(p->jitdump_dir);
    free((char *)p->info.event);
    free(p->perf_data);
    free(p->tbstats);
    free(p->jitdump);
    free(p->debug_dir);
    free(p);
}

const char *profile_strerror(const struct profile *p)
{
    return p->err[0] ? p->err : "no error";
}

const char *profile_warning(const struct profile *p)
{
    return p->warn[0] ? p->warn : NULL;
}

const struct profile_info *profile_info(const struct profile *p)
{
    return &p->info;
}

const struct tbdb *profile_tbdb(const struct profile *p)
{
    return p->db;
}

const struct tbdb_tb *profile_tb_at(const struct profile *p, uint64_t addr, uint64_t time)
{
    uint64_t cookie;

    if (!p->cm || codemap_lookup(p->cm, addr, time, &cookie, NULL) != 1)
        return NULL;
    return &p->db->tb_records[cookie];
}

struct hostsym *profile_hostsym(const struct profile *p)
{
    return p->hs;
}

struct guestsym *profile_guestsym(struct profile *p)
{
    if (p->gs)
        return p->gs;
    if (guestsym_new(p->debug_dir, &p->gs) < 0)
        return NULL;
    for (size_t i = 0; i < p->db->nr_mappings; i++) {
        const struct tbdb_mapping *m = &p->db->mappings[i];

        if (m->unmap) {
            guestsym_remove(p->gs, m->start, m->end);
        } else {
            struct tbs_mapping_view v = {
                .timestamp = m->timestamp,
                .start = m->start,
                .end = m->end,
                .offset = m->offset,
                .bias = m->bias,
                .prot = m->prot,
                .kind = m->kind,
                .build_id_size = m->build_id_size,
                .build_id = m->build_id,
                .path = m->path,
                .path_len = strlen(m->path),
            };
            guestsym_add_mapping(p->gs, &v);
        }
    }
    return p->gs;
}
