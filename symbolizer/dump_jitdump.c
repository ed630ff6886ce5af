/*
 * dump_jitdump.c: tbsym dump of a jitdump (jit-PID.dump): its header,
 * every record, the counts per record type (see dump.h).
 */
#include <inttypes.h>
#include <string.h>

#include "dump.h"
#include "jitdump.h"

bool dump_jitdump_probe(const unsigned char *head, size_t len)
{
    static const unsigned char le[4] = { 0x44, 0x54, 0x69, 0x4A };
    static const unsigned char be[4] = { 0x4A, 0x69, 0x54, 0x44 };

    return len >= 4 && (!memcmp(head, le, 4) || !memcmp(head, be, 4));
}

static void dump_jitdump_header(struct out *o, const struct jd_header *h)
{
    out_object_begin(o, "header", "header");
    out_word(o, "format", "jitdump");
    out_u64(o, "version", h->version);
    out_word(o, "byte_order", h->big_endian ? "big" : "little");
    out_u64(o, "size", h->total_size);
    out_u64(o, "elf_mach", h->elf_mach);
    out_word(o, "machine", dump_elf_machine_name(h->elf_mach));
    out_u64(o, "pid", h->pid);
    out_u64(o, "timestamp", h->timestamp);
    out_hex(o, "flags", h->flags);
    out_object_end(o);
}

static void dump_jitdump_record(struct out *o, const struct jd_record *rec,
                                uint64_t *nr_entries)
{
    dump_record_begin(o, rec->offset, jd_record_name(rec->id), rec->id, rec->size);
    out_u64(o, "timestamp", rec->timestamp);

    switch (rec->id) {
    case JITDUMP_CODE_LOAD: {
        const struct jd_code_load *l = &rec->u.load;

        out_u64(o, "pid", l->pid);
        out_u64(o, "tid", l->tid);
        out_hex(o, "vma", l->vma);
        out_hex(o, "code_addr", l->code_addr);
        out_u64(o, "code_size", l->code_size);
        out_u64(o, "code_index", l->code_index);
        out_str(o, "name", l->name, l->name_len);
        break;
    }
    case JITDUMP_CODE_MOVE: {
        const struct jd_code_move *m = &rec->u.move;

        out_u64(o, "pid", m->pid);
        out_u64(o, "tid", m->tid);
        out_hex(o, "vma", m->vma);
        out_hex(o, "old_code_addr", m->old_code_addr);
        out_hex(o, "new_code_addr", m->new_code_addr);
        out_u64(o, "code_size", m->code_size);
        out_u64(o, "code_index", m->code_index);
        break;
    }
    case JITDUMP_CODE_DEBUG_INFO: {
        const struct jd_debug_info *d = &rec->u.debug_info;
        struct jd_debug_iter it;
        struct jd_debug_entry e;

        out_hex(o, "code_addr", d->code_addr);
        out_u64(o, "nr_entry", d->nr_entry);
        out_array_begin(o, "entries");
        jd_debug_iter_init(&it, d);
        /* Cannot fail: jd_reader_next() checked every entry. */
        while (jd_debug_iter_next(&it, &e) == 1) {
            out_object_begin(o, NULL, "entry");
            out_hex(o, "addr", e.addr);
            out_i64(o, "lineno", e.lineno);
            out_i64(o, "discrim", e.discrim);
            out_str(o, "name", e.name, e.name_len);
            out_flag(o, "name_repeated", e.name_repeated);
            out_object_end(o);
            (*nr_entries)++;
        }
        out_array_end(o);
        break;
    }
    case JITDUMP_CODE_UNWINDING_INFO: {
        const struct jd_unwinding_info *u = &rec->u.unwinding;

        out_u64(o, "unwinding_size", u->unwinding_size);
        out_u64(o, "eh_frame_hdr_size", u->eh_frame_hdr_size);
        out_u64(o, "mapped_size", u->mapped_size);
        break;
    }
    default:
        break;
    }
    out_object_end(o);
}

/* What dump_run() needs of a jitdump: the reader and the counts of the summary. */
struct jitdump_dump {
    struct jd_reader *r;
    const struct dump_opts *opts;
    uint64_t counts[JITDUMP_CODE_MAX];
    uint64_t unknown;
    uint64_t nr_entries;        /* DEBUG_INFO entries */
};

static void jitdump_header(struct out *o, void *arg)
{
    const struct jitdump_dump *d = arg;

    dump_jitdump_header(o, jd_reader_header(d->r));
}

static int jitdump_record(struct out *o, void *arg)
{
    struct jitdump_dump *d = arg;
    struct jd_record rec;
    int ret = jd_reader_next(d->r, &rec);

    if (ret != 1)
        return ret;
    dump_jitdump_record(o, &rec, &d->nr_entries);
    if (rec.id < JITDUMP_CODE_MAX)
        d->counts[rec.id]++;
    else
        d->unknown++;
    return 1;
}

static void jitdump_summary(struct out *o, void *arg)
{
    const struct jitdump_dump *d = arg;

    for (uint32_t id = 0; id < JITDUMP_CODE_MAX; id++)
        out_u64(o, jd_record_name(id), d->counts[id]);
    out_u64(o, "unknown", d->unknown);
    out_u64(o, "debug_entries", d->nr_entries);
}

DUMP_DEFINE(jitdump, jd_reader)
