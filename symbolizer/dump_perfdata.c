/*
 * dump_perfdata.c: tbsym dump of a perf.data: its header with the attrs and the
 * features, every event, the counts per event type (see dump.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "perfdata.h"

bool dump_perfdata_probe(const unsigned char *head, size_t len)
{
    return len >= 8 && (!memcmp(head, "PERFILE2", 8) || !memcmp(head, "2ELIFREP", 8));
}

static void dump_perfdata_attr(struct out *o, size_t i, const struct pd_attr *pa)
{
    const struct perf_event_attr *a = &pa->attr;

    out_object_begin(o, NULL, "attr");
    out_u64(o, "index", i);
    if (pa->name)
        out_str(o, "name", pa->name, strlen(pa->name));
    out_u64(o, "type", a->type);
    out_hex(o, "config", a->config);
    out_u64(o, "size", pa->file_attr_size);
    out_hex(o, "sample_type", a->sample_type);
    out_hex(o, "read_format", a->read_format);
    if (a->freq)
        out_u64(o, "sample_freq", a->sample_freq);
    else
        out_u64(o, "sample_period", a->sample_period);
    out_hex(o, "branch_sample_type", a->branch_sample_type);
    out_hex(o, "sample_regs_user", a->sample_regs_user);
    out_u64(o, "sample_stack_user", a->sample_stack_user);
    out_u64(o, "precise_ip", a->precise_ip);
    out_flag(o, "freq", a->freq);
    out_flag(o, "sample_id_all", a->sample_id_all);
    out_flag(o, "exclude_kernel", a->exclude_kernel);
    out_flag(o, "exclude_user", a->exclude_user);
    if (a->use_clockid)
        out_i64(o, "clockid", a->clockid);
    out_array_begin(o, "ids");
    for (size_t k = 0; k < pa->nr_ids; k++)
        out_u64(o, NULL, pa->ids[k]);
    out_array_end(o);
    out_object_end(o);
}

/* The feature bits set in the header, by name (FEATURE_N for a newer perf's). */
static void dump_perfdata_feature_bits(struct out *o, const struct pd_header *h)
{
    out_array_begin(o, "features");
    for (unsigned id = 0; id < PERF_HEADER_FEAT_BITS; id++) {
        const char *name = pd_feature_name(id);
        char buf[32];

        if (!(h->features[id / 64] >> (id % 64) & 1))
            continue;
        if (!name) {
            snprintf(buf, sizeof(buf), "FEATURE_%u", id);
            name = buf;
        }
        out_word(o, NULL, name);
    }
    out_array_end(o);
}

/* The features with contents the dump shows, each where the file has it. */
static void dump_perfdata_cmdline(struct out *o, struct pd_reader *r)
{
    const char *const *argv;
    size_t argc;

    if (pd_reader_cmdline(r, &argc, &argv) != 1)
        return;
    out_array_begin(o, "cmdline");
    for (size_t i = 0; i < argc; i++)
        out_str(o, NULL, argv[i], strlen(argv[i]));
    out_array_end(o);
}

static void dump_perfdata_clock(struct out *o, struct pd_reader *r)
{
    uint64_t res;
    int32_t clockid;

    if (pd_reader_clockid(r, &res, &clockid) != 1)
        return;
    out_u64(o, "clock_res_ns", res);
    out_i64(o, "clockid", clockid);
}

static void dump_perfdata_compressed(struct out *o, struct pd_reader *r)
{
    struct pd_compressed c;

    if (pd_reader_compressed(r, &c) != 1)
        return;
    out_object_begin(o, "compressed", "compressed");
    out_u64(o, "type", c.type);
    out_u64(o, "level", c.level);
    out_u64(o, "ratio", c.ratio);
    out_u64(o, "mmap_len", c.mmap_len);
    out_object_end(o);
}

static void dump_perfdata_build_ids(struct out *o, struct pd_reader *r)
{
    const struct pd_build_id *bids;
    ssize_t n = pd_reader_build_ids(r, &bids);

    if (n <= 0)
        return;
    out_array_begin(o, "build_ids");
    for (ssize_t i = 0; i < n; i++) {
        char hex[41];

        for (unsigned k = 0; k < bids[i].size; k++)
            snprintf(hex + 2 * k, 3, "%02x", bids[i].build_id[k]);
        hex[2 * bids[i].size] = '\0';
        out_object_begin(o, NULL, "build_id");
        out_i64(o, "pid", bids[i].pid);
        out_word(o, "build_id", hex);
        out_str(o, "filename", bids[i].filename, strlen(bids[i].filename));
        out_object_end(o);
    }
    out_array_end(o);
}

static void dump_perfdata_header(struct out *o, struct pd_reader *r)
{
    const struct pd_header *h = pd_reader_header(r);

    out_object_begin(o, "header", "header");
    out_word(o, "format", "perf.data");
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "attr_size", h->attr_size);
    out_u64(o, "data_offset", h->data_offset);
    out_u64(o, "data_size", h->data_size);
    out_flag(o, "data_size_unset", h->data_size_unset);
    out_flag(o, "features_truncated", h->features_truncated);
    out_array_begin(o, "attrs");
    for (size_t i = 0; i < pd_reader_nr_attrs(r); i++)
        dump_perfdata_attr(o, i, pd_reader_attr(r, i));
    out_array_end(o);
    dump_perfdata_feature_bits(o, h);
    dump_perfdata_cmdline(o, r);
    dump_perfdata_clock(o, r);
    dump_perfdata_compressed(o, r);
    dump_perfdata_build_ids(o, r);
    out_object_end(o);
}

static void dump_perfdata_sample_id(struct out *o, const struct pd_sample_id *id)
{
    if (!id->present)
        return;
    out_u64(o, "sid_pid", id->pid);
    out_u64(o, "sid_tid", id->tid);
    out_u64(o, "sid_id", id->id);
    out_u64(o, "sid_cpu", id->cpu);
}

static void dump_perfdata_event(struct out *o, const struct pd_event *ev)
{
    const char *type = pd_record_name(ev->type);

    out_object_begin(o, NULL, NULL);
    out_u64(o, "offset", ev->offset);
    out_flag(o, "compressed", ev->flags & PD_EVENT_COMPRESSED);
    out_word(o, "type", type ? type : "UNKNOWN");
    if (!type)
        out_u64(o, "id", ev->type);
    out_hex(o, "misc", ev->misc);
    out_u64(o, "size", ev->size);
    if (ev->time != (uint64_t)-1)
        out_u64(o, "time", ev->time);

    switch (ev->type) {
    case PERF_RECORD_SAMPLE: {
        const struct pd_sample *s = &ev->u.sample;
        uint64_t st = s->sample_type;

        if (!ev->attr)
            break;
        if (st & (PERF_SAMPLE_ID | PERF_SAMPLE_IDENTIFIER))
            out_u64(o, "sample_id", s->id);
        if (st & PERF_SAMPLE_IP)
            out_hex(o, "ip", s->ip);
        if (st & PERF_SAMPLE_TID) {
            out_u64(o, "pid", s->pid);
            out_u64(o, "tid", s->tid);
        }
        if (st & PERF_SAMPLE_ADDR)
            out_hex(o, "addr", s->addr);
        if (st & PERF_SAMPLE_CPU)
            out_u64(o, "cpu", s->cpu);
        if (st & PERF_SAMPLE_PERIOD)
            out_u64(o, "period", s->period);
        if (st & PERF_SAMPLE_CALLCHAIN) {
            out_array_begin(o, "callchain");
            for (uint64_t i = 0; i < s->callchain_nr; i++)
                out_hex(o, NULL, s->callchain[i]);
            out_array_end(o);
        }
        if (st & PERF_SAMPLE_REGS_USER)
            out_u64(o, "user_regs", s->user_regs_nr);
        if (st & PERF_SAMPLE_STACK_USER)
            out_u64(o, "stack_user_size", s->stack_user_size);
        break;
    }
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2: {
        const struct pd_mmap *m = &ev->u.mmap;

        out_u64(o, "pid", m->pid);
        out_u64(o, "tid", m->tid);
        out_hex(o, "start", m->start);
        out_hex(o, "len", m->len);
        out_hex(o, "pgoff", m->pgoff);
        if (ev->type == PERF_RECORD_MMAP2) {
            out_u64(o, "prot", m->prot);
            out_u64(o, "flags", m->flags);
        }
        out_str(o, "filename", m->filename, strlen(m->filename));
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    }
    case PERF_RECORD_COMM:
        out_u64(o, "pid", ev->u.comm.pid);
        out_u64(o, "tid", ev->u.comm.tid);
        out_str(o, "comm", ev->u.comm.comm, strlen(ev->u.comm.comm));
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
        out_u64(o, "pid", ev->u.task.pid);
        out_u64(o, "ppid", ev->u.task.ppid);
        out_u64(o, "tid", ev->u.task.tid);
        out_u64(o, "ptid", ev->u.task.ptid);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_LOST:
        out_u64(o, "lost_id", ev->u.lost.id);
        out_u64(o, "lost", ev->u.lost.lost);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    case PERF_RECORD_THROTTLE:
    case PERF_RECORD_UNTHROTTLE:
        out_u64(o, "throttle_id", ev->u.throttle.id);
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    default:
        dump_perfdata_sample_id(o, &ev->sample_id);
        break;
    }
    out_object_end(o);
}

/* Record types counted one by one in the summary; the rest as "other". */
static const uint32_t counted[] = {
    PERF_RECORD_SAMPLE, PERF_RECORD_MMAP, PERF_RECORD_MMAP2, PERF_RECORD_COMM,
    PERF_RECORD_FORK, PERF_RECORD_EXIT, PERF_RECORD_LOST, PERF_RECORD_THROTTLE,
    PERF_RECORD_UNTHROTTLE, PERF_RECORD_FINISHED_ROUND,
};
#define NR_COUNTED (sizeof(counted) / sizeof(counted[0]))

/* What dump_run() needs of a perf.data: the reader and the counts of the summary. */
struct perfdata_dump {
    struct pd_reader *r;
    const struct dump_opts *opts;
    uint64_t counts[NR_COUNTED];
    uint64_t other;
    uint64_t from_compressed;
};

static void perfdata_header(struct out *o, void *arg)
{
    const struct perfdata_dump *d = arg;

    pd_reader_set_ordered(d->r, d->opts->ordered);
    dump_perfdata_header(o, d->r);
}

static int perfdata_record(struct out *o, void *arg)
{
    struct perfdata_dump *d = arg;
    struct pd_event ev;
    int ret = pd_reader_next(d->r, &ev);
    size_t i;

    if (ret != 1)
        return ret;
    dump_perfdata_event(o, &ev);
    for (i = 0; i < NR_COUNTED; i++)
        if (counted[i] == ev.type)
            break;
    if (i < NR_COUNTED)
        d->counts[i]++;
    else
        d->other++;
    d->from_compressed += !!(ev.flags & PD_EVENT_COMPRESSED);
    return 1;
}

static void perfdata_summary(struct out *o, void *arg)
{
    const struct perfdata_dump *d = arg;

    for (size_t i = 0; i < NR_COUNTED; i++)
        out_u64(o, pd_record_name(counted[i]), d->counts[i]);
    out_u64(o, "other", d->other);
    out_u64(o, "from_compressed", d->from_compressed);
}

DUMP_DEFINE(perfdata, pd_reader)
