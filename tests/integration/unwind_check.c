/*
 * unwind_check.c: unwind the --call-graph dwarf samples of a raw perf.data
 * whose user IP is in QEMU's translated code, with lib/unwind and the
 * jitdump's JIT_CODE_UNWINDING_INFO, and print their user call chains in
 * the shape check_unwind.py compares with `perf script` on the injected
 * data:
 *
 *   TID SECONDS.NANOSECONDS:
 *   <TAB>JIT NAME                a frame in a TB (the jitdump's name)
 *   <TAB>HEXADDR (PATH)          a frame in an ELF file, map-relative
 *
 * Callers are printed at return address - 1, as perf prints them.
 * Built by test_unwind.sh (it needs lib/perfdata.h).
 *
 * usage: unwind_check PERF.DATA JIT-PID.DUMP
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitdump.h"
#include "perfdata.h"
#include "unwind.h"

#define MAX_FRAMES 256
/* Loads at one address after code-buffer flushes, looked at per lookup. */
#define MAX_SCAN 4096

struct tb_load {
    uint64_t addr, size, time;
    const char *name;
    struct jd_unwinding_info unwind;
    int has_unwind;
};

struct file_map {
    uint64_t start, end, pgoff;
    char *path;
};

struct state {
    struct tb_load *loads;
    size_t n_loads;
    struct file_map *maps;
    size_t n_maps, cap_maps;
    uint64_t now;           /* time of the sample being unwound */
};

static int cmp_load(const void *a, const void *b)
{
    const struct tb_load *x = a, *y = b;

    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->time < y->time ? -1 : x->time > y->time;
}

/* The TB holding ip at time t: the latest load before t that covers it. */
static const struct tb_load *tb_find(const struct state *st, uint64_t ip, uint64_t t)
{
    size_t lo = 0, hi = st->n_loads;
    const struct tb_load *best = NULL;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (st->loads[mid].addr <= ip)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo, k = 0; i > 0 && k < MAX_SCAN; i--, k++) {
        const struct tb_load *l = &st->loads[i - 1];

        if (ip - l->addr < l->size && l->time <= t && (!best || l->time > best->time))
            best = l;
    }
    return best;
}

/* The latest mmap covering addr. */
static const struct file_map *map_find(const struct state *st, uint64_t addr)
{
    for (size_t i = st->n_maps; i > 0; i--)
        if (addr >= st->maps[i - 1].start && addr < st->maps[i - 1].end)
            return &st->maps[i - 1];
    return NULL;
}

static int find_module(void *arg, uint64_t addr, struct uw_module *out)
{
    const struct state *st = arg;
    const struct tb_load *l = tb_find(st, addr, st->now);
    const struct file_map *m;

    if (l)
        return l->has_unwind &&
               uw_module_from_jitdump(l->addr, l->size, l->unwind.data,
                                      l->unwind.unwinding_size, l->unwind.eh_frame_hdr_size,
                                      out) == 0;
    m = map_find(st, addr);
    if (!m || m->path[0] != '/')
        return 0;
    memset(out, 0, sizeof(*out));
    out->kind = UW_MODULE_ELF;
    out->start = m->start;
    out->end = m->end;
    out->pgoff = m->pgoff;
    out->path = m->path;
    return 1;
}

/* Every CODE_LOAD with the UNWINDING_INFO that precedes it, sorted by address. */
static int read_jitdump(struct jd_reader *jr, struct state *st, uint32_t *pid)
{
    struct jd_record rec;
    struct jd_unwinding_info pending;
    size_t cap = 0;
    int have = 0, r;

    *pid = jd_reader_header(jr)->pid;
    while ((r = jd_reader_next(jr, &rec)) == 1) {
        if (rec.id == JITDUMP_CODE_UNWINDING_INFO) {
            pending = rec.u.unwinding;
            have = 1;
        } else if (rec.id == JITDUMP_CODE_LOAD) {
            if (st->n_loads == cap) {
                cap = cap ? 2 * cap : 4096;
                st->loads = realloc(st->loads, cap * sizeof(*st->loads));
                if (!st->loads)
                    return -ENOMEM;
            }
            st->loads[st->n_loads++] = (struct tb_load){
                .addr = rec.u.load.code_addr, .size = rec.u.load.code_size,
                .time = rec.timestamp, .name = rec.u.load.name,
                .unwind = pending, .has_unwind = have,
            };
            have = 0;
        }
    }
    qsort(st->loads, st->n_loads, sizeof(*st->loads), cmp_load);
    /* A dump cut by a killed QEMU still gives its complete records. */
    return r == -ENODATA ? 0 : r;
}

static void print_chain(const struct state *st, const struct pd_sample *s, const uint64_t *ips,
                        int n)
{
    printf("%u %" PRIu64 ".%09" PRIu64 ":\n", s->tid, s->time / 1000000000,
           s->time % 1000000000);
    for (int i = 0; i < n; i++) {
        uint64_t ip = ips[i] - (i > 0);
        const struct tb_load *l = tb_find(st, ip, st->now);
        const struct file_map *m = l ? NULL : map_find(st, ip);

        if (l)
            printf("\tJIT %s\n", l->name);
        else if (m)
            printf("\t%" PRIx64 " (%s)\n", ip - m->start + m->pgoff, m->path);
        else
            printf("\t%" PRIx64 " ?\n", ip);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    struct jd_reader *jr = NULL;
    struct pd_reader *pr = NULL;
    struct state st = {0};
    struct uw_callbacks cb = {.find_module = find_module};
    struct uw *uw = NULL;
    struct pd_event ev;
    uint64_t ips[MAX_FRAMES];
    size_t samples = 0, jit_samples = 0, frames = 0;
    uint32_t pid;
    int r, rc = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: unwind_check PERF.DATA JIT-PID.DUMP\n");
        return 2;
    }
    if ((r = jd_reader_open(argv[2], &jr)) < 0 || (r = read_jitdump(jr, &st, &pid)) < 0) {
        fprintf(stderr, "unwind_check: %s\n", jr ? jd_reader_strerror(jr) : strerror(-r));
        goto out;
    }
    if ((r = pd_reader_open(argv[1], &pr)) < 0) {
        fprintf(stderr, "unwind_check: %s\n", pr ? pd_reader_strerror(pr) : strerror(-r));
        goto out;
    }
    if ((r = uw_new(&cb, &st, &uw)) < 0)
        goto out;
    pd_reader_set_ordered(pr, true);
    while ((r = pd_reader_next(pr, &ev)) == 1) {
        if ((ev.type == PERF_RECORD_MMAP || ev.type == PERF_RECORD_MMAP2) &&
            ev.u.mmap.pid == pid) {
            if (st.n_maps == st.cap_maps) {
                st.cap_maps = st.cap_maps ? 2 * st.cap_maps : 256;
                st.maps = realloc(st.maps, st.cap_maps * sizeof(*st.maps));
                if (!st.maps)
                    goto out;
            }
            st.maps[st.n_maps++] = (struct file_map){
                .start = ev.u.mmap.start, .end = ev.u.mmap.start + ev.u.mmap.len,
                .pgoff = ev.u.mmap.pgoff, .path = strdup(ev.u.mmap.filename),
            };
            if (!st.maps[st.n_maps - 1].path)
                goto out;
            continue;
        }
        if (ev.type != PERF_RECORD_SAMPLE || !ev.attr)
            continue;
        const struct pd_sample *s = &ev.u.sample;
        if (s->pid != pid || !(s->sample_type & PERF_SAMPLE_REGS_USER) ||
            !(s->sample_type & PERF_SAMPLE_STACK_USER) || !s->user_regs_abi)
            continue;
        samples++;
        st.now = s->time;
        int n = uw_unwind(uw, s->user_regs_abi, s->user_regs, ev.attr->attr.sample_regs_user,
                          s->stack_user, s->stack_user_dyn_size, ips, MAX_FRAMES);
        if (n < 1 || !tb_find(&st, ips[0], st.now))
            continue;
        jit_samples++;
        frames += (size_t)n;
        print_chain(&st, s, ips, n);
    }
    if (r < 0) {
        fprintf(stderr, "unwind_check: %s\n", pd_reader_strerror(pr));
        goto out;
    }
    fprintf(stderr, "unwind_check: %zu TB loads, %zu samples with user stacks, %zu in TBs, "
            "%zu frames\n", st.n_loads, samples, jit_samples, frames);
    rc = 0;
out:
    uw_free(uw);
    pd_reader_close(pr);
    jd_reader_close(jr);
    for (size_t i = 0; i < st.n_maps; i++)
        free(st.maps[i].path);
    free(st.maps);
    free(st.loads);
    return rc;
}
