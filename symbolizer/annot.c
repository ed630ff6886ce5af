/*
 * annot.c: samples per key and per host code offset, and the annotated
 * view of a key (annot.h).
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "disasm.h"
#include "guestsym.h"
#include "keys.h"
#include "table.h"
#include "tlbpath.h"

struct annot {
    const struct tbdb *db;
    uint64_t total;
    uint64_t by_class[PROFILE_NR_CLASSES];
    uint64_t *self, *helper;   /* [nr_keys] */
    uint64_t *softmmu;         /* [nr_keys]: helper samples in the software MMU */
    uint64_t **hits;           /* [nr_keys]: NULL, or [hits_size[i]] */
    size_t *hits_size;         /* [nr_keys] */
};

int annot_new(const struct tbdb *db, struct annot **ap)
{
    struct annot *a = calloc(1, sizeof(*a));
    size_t n = db->nr_keys + 1;

    *ap = NULL;
    if (!a)
        return -ENOMEM;
    a->db = db;
    a->self = calloc(n, sizeof(*a->self));
    a->helper = calloc(n, sizeof(*a->helper));
    if (db->header.flags & TBS_FLAG_SYSTEM)     /* the only ones with a software MMU */
        a->softmmu = calloc(n, sizeof(*a->softmmu));
    a->hits = calloc(n, sizeof(*a->hits));
    a->hits_size = calloc(n, sizeof(*a->hits_size));
    if (!a->self || !a->helper || !a->hits || !a->hits_size ||
        (!a->softmmu && (db->header.flags & TBS_FLAG_SYSTEM))) {
        annot_free(a);
        return -ENOMEM;
    }
    *ap = a;
    return 0;
}

void annot_free(struct annot *a)
{
    if (!a)
        return;
    if (a->hits)
        for (size_t i = 0; i < a->db->nr_keys; i++)
            free(a->hits[i]);
    free(a->hits);
    free(a->hits_size);
    free(a->self);
    free(a->helper);
    free(a->softmmu);
    free(a);
}

static size_t key_index(const struct annot *a, const struct tbdb_key *k)
{
    return (size_t)(k - a->db->keys);
}

/* Where a translation's host code starts and how long it is. */
static uint64_t tb_base(const struct tbdb_tb *t)
{
    return t->have_load ? t->code_addr : t->host_addr;
}

static uint64_t tb_size(const struct tbdb_tb *t)
{
    return t->have_load ? t->code_size : t->host_size;
}

int annot_add_sample(struct annot *a, const struct profile_sample *s)
{
    const struct tbdb_key *k;
    size_t i, size;
    uint64_t off;

    if (s->cls == PROFILE_OTHER)
        return 0;
    a->total++;
    a->by_class[s->cls]++;
    if (!s->tb)
        return 0;
    k = s->tb->key;
    i = key_index(a, k);
    if (s->cls == PROFILE_HELPER) {
        a->helper[i]++;
        if (s->softmmu && a->softmmu)
            a->softmmu[i]++;
    }
    if (s->cls != PROFILE_JIT)
        return 0;
    a->self[i]++;
    if (!a->hits[i]) {
        /* Every translation of the key: the histogram covers the largest. */
        uint64_t max = 0;

        for (uint32_t j = 0; j < k->nr_tb_records; j++)
            if (tb_size(k->tb_records[j]) > max)
                max = tb_size(k->tb_records[j]);
        if (max > (1u << 30))   /* bounded by the jitdump's size anyway */
            max = 1u << 30;
        a->hits[i] = calloc(max + 1, sizeof(uint64_t));
        if (!a->hits[i])
            return -ENOMEM;
        a->hits_size[i] = max + 1;
    }
    size = a->hits_size[i];
    off = s->tb_ip - tb_base(s->tb);
    a->hits[i][s->tb_ip >= tb_base(s->tb) && off < size - 1 ? off : size - 1]++;
    return 0;
}

uint64_t annot_total(const struct annot *a)
{
    return a->total;
}

uint64_t annot_class(const struct annot *a, enum profile_class cls)
{
    return (unsigned)cls < PROFILE_NR_CLASSES ? a->by_class[cls] : 0;
}

uint64_t annot_key_self(const struct annot *a, const struct tbdb_key *k)
{
    return a->self[key_index(a, k)];
}

uint64_t annot_key_helper(const struct annot *a, const struct tbdb_key *k)
{
    return a->helper[key_index(a, k)];
}

uint64_t annot_key_softmmu(const struct annot *a, const struct tbdb_key *k)
{
    return a->softmmu ? a->softmmu[key_index(a, k)] : 0;
}

const uint64_t *annot_key_hits(const struct annot *a, const struct tbdb_key *k, size_t *sizep)
{
    size_t i = key_index(a, k);

    *sizep = a->hits_size[i];
    return a->hits[i];
}

/* --- the view ------------------------------------------------------------------------ */

struct view {
    struct out *o;
    bool json;
    struct profile *p;
    const uint64_t *hits;
    size_t nr_hits;
    uint64_t self;             /* the key's samples: 100% */
    csh hcs;
    bool have_hcs;
    cs_insn *hin;              /* cs_malloc(hcs) */
    const char *last_src;      /* text: the source line shown last */
    int last_line;
    struct tlbpath *paths;     /* the translation's TLB fast paths, in order */
    size_t nr_paths, next_path;
    bool raw;                  /* ANNOT_RAW: not grouped */
};

static uint64_t hits_in(const struct view *v, uint64_t start, uint64_t end)
{
    uint64_t n = 0;

    for (uint64_t i = start; i < end && i < v->nr_hits; i++)
        n += v->hits[i];
    return n;
}

/* "41 57 .." : the first max of n bytes in hex (one snprintf per byte was a tenth of annotate). */
static void fmt_bytes(char *buf, size_t size, const uint8_t *p, size_t n, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = 0;

    for (size_t i = 0; i < n && i < max && len + 4 < size; i++) {
        if (i)
            buf[len++] = ' ';
        buf[len++] = hex[p[i] >> 4];
        buf[len++] = hex[p[i] & 15];
    }
    if (n > max && len + 4 < size) {
        memcpy(buf + len, " ..", 3);
        len += 3;
    }
    buf[len] = '\0';
}

/*
 * The instruction at code[0, len) (address pc) as "mnemonic operands" into
 * text, its size into *size; false when capstone does not decode it.
 * in: a cs_malloc() of cs, reused (no allocation per instruction).
 */
static bool disasm_one(csh cs, cs_insn *in, const uint8_t *code, size_t len, uint64_t pc,
                       char *text, size_t tsize, uint64_t *size)
{
    const uint8_t *c = code;
    size_t n = len;
    uint64_t a = pc;

    if (!in || !cs_disasm_iter(cs, &c, &n, &a, in))
        return false;
    *size = in->size;
    snprintf(text, tsize, "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
    return true;
}

static void fmt_count(char *num, char *pct, uint64_t n, uint64_t of)
{
    if (!n) {
        num[0] = pct[0] = '\0';
        return;
    }
    snprintf(num, 24, "%" PRIu64, n);
    view_percent_str(pct, 24, n, of);
}

/* "file:line" of pc, basename only, into buf; false when unknown. */
static bool source_of(struct profile *p, uint64_t pc, char *buf, size_t size)
{
    struct guestsym *gs = profile_guestsym(p);
    const struct guestsym_loc *loc;
    const char *f;

    buf[0] = '\0';
    if (!gs || guestsym_lookup(gs, pc, &loc) < 0 || !loc->src_file || !loc->src_line)
        return false;
    f = strrchr(loc->src_file, '/');
    snprintf(buf, size, "%s:%d", f ? f + 1 : loc->src_file, loc->src_line);
    return true;
}

/* A TLB fast path (v->paths[v->next_path]) of translation t as one line. */
static void fast_path(struct view *v, const struct tbdb_tb *t, const struct tlbpath *fp,
                      const char *label)
{
    const char *kind = fp->load && fp->store ? "load+store" : fp->store ? "store" : "load";
    char text[256] = ".byte", line[320], num[24], pct[24];
    uint64_t size, n = hits_in(v, fp->start, fp->end);

    if (v->have_hcs)
        disasm_one(v->hcs, v->hin, t->code + fp->access, fp->end - fp->access,
                   t->code_addr + fp->access, text, sizeof(text), &size);
    if (v->json) {
        out_object_begin(v->o, NULL, label);
        out_hex(v->o, "offset", fp->start);
        out_hex(v->o, "addr", t->code_addr + fp->start);
        out_hex(v->o, "end_offset", fp->end);
        out_word(v->o, "tlb_fast_path", kind);
        out_u64(v->o, "instructions", fp->nr_insns);
        out_str(v->o, "asm", text, strlen(text));
        out_u64(v->o, "samples", n);
        out_object_end(v->o);
        return;
    }
    fmt_count(num, pct, n, v->self);
    snprintf(line, sizeof(line), "[tlb fast path: %s, %u instructions, %" PRIu64 " samples]",
             kind, fp->nr_insns, n);
    fprintf(v->o->f, "%8s %7s        +0x%04" PRIx64 "  %s %s\n", num, pct, fp->start, line, text);
}

/*
 * The host instructions of code[start, end) of translation t, with their
 * samples; a TLB fast path starting among them as one line (not --raw).
 */
static void host_range(struct view *v, const struct tbdb_tb *t, uint64_t start, uint64_t end,
                       const char *label)
{
    while (start < end) {
        char bytes[64], text[256], num[24], pct[24];
        uint64_t size, n;

        while (v->next_path < v->nr_paths && v->paths[v->next_path].start < start)
            v->next_path++;
        if (!v->raw && v->next_path < v->nr_paths && v->paths[v->next_path].start == start &&
            v->paths[v->next_path].end <= end) {
            fast_path(v, t, &v->paths[v->next_path], label);
            start = v->paths[v->next_path++].end;
            continue;
        }

        if (!v->have_hcs || !disasm_one(v->hcs, v->hin, t->code + start, end - start,
                                        t->code_addr + start, text, sizeof(text), &size)) {
            size = end - start;
            snprintf(text, sizeof(text), ".byte");
        }
        fmt_bytes(bytes, sizeof(bytes), t->code + start, size, 8);
        n = hits_in(v, start, start + size);
        if (v->json) {
            out_object_begin(v->o, NULL, label);
            out_hex(v->o, "offset", start);
            out_hex(v->o, "addr", t->code_addr + start);
            out_str(v->o, "bytes", bytes, strlen(bytes));
            out_str(v->o, "asm", text, strlen(text));
            out_u64(v->o, "samples", n);
            out_object_end(v->o);
        } else {
            fmt_count(num, pct, n, v->self);
            fprintf(v->o->f, "%8s %7s        +0x%04" PRIx64 "  %-26s %s\n", num, pct, start,
                    bytes, text);
        }
        start += size;
    }
}

/* The samples in the translation's TLB fast paths. */
static uint64_t fast_path_samples(const struct view *v)
{
    uint64_t n = 0;

    for (size_t i = 0; i < v->nr_paths; i++)
        n += hits_in(v, v->paths[i].start, v->paths[i].end);
    return n;
}

static void print_header(struct view *v, const struct annot *a, const struct tbdb_key *k)
{
    char buf[64], src[512], pct[24], hg[32], sm[48] = "";
    const char *name;
    size_t len;
    uint64_t helper = annot_key_helper(a, k);
    struct guestsym *gs = profile_guestsym(v->p);
    const struct guestsym_loc *loc;

    name = view_key_name(k, buf, sizeof(buf), &len);
    if ((!k->latest || !k->latest->have_load) && gs &&
        guestsym_lookup(gs, k->guest_pc, &loc) == 0 && loc->mapped && loc->name) {
        name = loc->name;
        len = strlen(name);
    }
    source_of(v->p, k->guest_pc, src, sizeof(src));
    view_percent_str(pct, sizeof(pct), v->self, annot_total(a));
    if (k->guest_bytes)
        snprintf(hg, sizeof(hg), "%.2f", (double)k->host_bytes / (double)k->guest_bytes);
    else
        snprintf(hg, sizeof(hg), "-");
    if (v->json) {
        out_u64(v->o, "id", k->stats_id);
        out_hex(v->o, "guest_pc", k->guest_pc);
        out_str(v->o, "name", name, len);
        out_u64(v->o, "exec_count", k->exec_count);
        if (k->guest_bytes)
            out_ratio(v->o, "h/g", k->host_bytes, k->guest_bytes);
        out_u64(v->o, "spills", k->spills);
        out_u64(v->o, "ops", k->ops);
        out_u64(v->o, "ops_opt", k->ops_opt);
        out_u64(v->o, "translations", k->translations);
        out_u64(v->o, "translations_in_side_file", k->nr_tb_records);
        out_u64(v->o, "samples", v->self);
        out_u64(v->o, "helper_samples", helper);
        if (a->db->header.flags & TBS_FLAG_SYSTEM)
            out_u64(v->o, "softmmu_samples", annot_key_softmmu(a, k));
        out_u64(v->o, "total_samples", annot_total(a));
        if (src[0])
            out_str(v->o, "source", src, strlen(src));
        if (v->nr_paths) {
            out_u64(v->o, "tlb_fast_paths", v->nr_paths);
            out_u64(v->o, "tlb_fast_path_samples", fast_path_samples(v));
        }
        return;
    }
    fprintf(v->o->f, "key %" PRIu32 " guest_pc 0x%" PRIx64 " %.*s\n", k->stats_id,
            k->guest_pc, (int)len, name);
    fprintf(v->o->f, "  exec_count %" PRIu64 "  h/g %s  spills %" PRIu64 "  ops/ops_opt %"
            PRIu64 "/%" PRIu64 "  translations %" PRIu32 " (%" PRIu32 " in the side file)\n",
            k->exec_count, hg, k->spills, k->ops, k->ops_opt, k->translations, k->nr_tb_records);
    if (a->db->header.flags & TBS_FLAG_SYSTEM)
        snprintf(sm, sizeof(sm), " (%" PRIu64 " in the software MMU)", annot_key_softmmu(a, k));
    fprintf(v->o->f, "  samples %" PRIu64 " (%s%% of %" PRIu64 ")  helpers called from it %"
            PRIu64 "%s%s%s\n", v->self, pct, annot_total(a), helper, sm,
            src[0] ? "  source " : "", src);
    if (v->nr_paths) {
        uint64_t n = fast_path_samples(v);

        view_percent_str(pct, sizeof(pct), n, v->self);
        fprintf(v->o->f, "  tlb fast paths %zu (guest loads and stores), %" PRIu64
                " samples (%s%%)%s\n", v->nr_paths, n, pct,
                v->raw ? "" : ": one line each, --raw shows their instructions");
    }
    fprintf(v->o->f, "%8s %7s  %s\n", "samples", "%", "guest insn / host insn (offset)");
}

static void print_guest_insn(struct view *v, const struct tbdb_tb *t, uint32_t i, csh gcs,
                             cs_insn *gin, uint64_t n)
{
    uint64_t pc = t->insn_pc[i];
    uint64_t next = i + 1 < t->icount ? t->insn_pc[i + 1] : t->guest_pc + t->guest_size;
    uint64_t off = pc - t->guest_pc, len = next - pc;
    char bytes[64] = "", text[256] = "", src[512], num[24], pct[24], addr[32];
    uint64_t size;
    bool have_src = source_of(v->p, pc, src, sizeof(src));

    /* The side file's values are not trusted: the bytes must lie in guest_code. */
    if (pc >= t->guest_pc && next > pc && off < t->guest_code_size &&
        len <= t->guest_code_size - off) {
        fmt_bytes(bytes, sizeof(bytes), t->guest_code + off, len, 8);
        if (!disasm_one(gcs, gin, t->guest_code + off, len, pc, text, sizeof(text), &size))
            snprintf(text, sizeof(text), ".byte");
    }
    if (v->json) {
        out_object_begin(v->o, NULL, "insn");
        out_hex(v->o, "pc", pc);
        out_str(v->o, "bytes", bytes, strlen(bytes));
        out_str(v->o, "asm", text, strlen(text));
        if (have_src)
            out_str(v->o, "source", src, strlen(src));
        out_u64(v->o, "samples", n);
        return;     /* the caller adds out_asm and closes the object */
    }
    fmt_count(num, pct, n, v->self);
    if (!n)
        snprintf(num, sizeof(num), "0");
    snprintf(addr, sizeof(addr), "0x%" PRIx64 ":", pc);
    /* The source line only where it changes, as perf annotate does. */
    if (have_src && v->last_src && !strcmp(v->last_src, src))
        have_src = false;
    if (have_src)
        fprintf(v->o->f, "%8s %7s  %-16s %-24s %-30s %s\n", num, pct, addr, bytes, text, src);
    else
        fprintf(v->o->f, "%8s %7s  %-16s %-24s %s\n", num, pct, addr, bytes, text);
    if (have_src) {
        free((char *)v->last_src);
        v->last_src = strdup(src);
    }
}

/* The end of guest instruction i's host code, from pos on, in code of size bytes. */
static uint64_t insn_host_end(const struct tbdb_tb *t, uint32_t i, uint64_t pos, uint64_t size)
{
    uint64_t end = t->host_end[i] < size ? t->host_end[i] : size;

    return end < pos ? pos : end;
}

/*
 * The TLB fast paths of translation t into v->paths, guest instruction by
 * guest instruction (x86-64 host code only: tlbpath.h).  Without memory
 * for them there are none: the code is shown instruction by instruction.
 */
static void find_fast_paths(struct view *v, const struct tbdb *db, const struct tbdb_tb *t)
{
    uint64_t size = tb_size(t), pos = 0, ool = 0;
    size_t cap = 0;

    if (!v->have_hcs || db->header.host_machine != 62)  /* EM_X86_64 */
        return;
    for (uint32_t i = 0; i < t->icount; i++)
        ool = insn_host_end(t, i, ool, size);
    cs_option(v->hcs, CS_OPT_DETAIL, CS_OPT_ON);
    for (uint32_t i = 0; i < t->icount; i++) {
        uint64_t end = insn_host_end(t, i, pos, size);
        struct tlbpath found[32];
        size_t n = tlbpath_find(v->hcs, t->code, t->code_addr, pos, end, ool, size, found, 32);

        if (n && v->nr_paths + n > cap) {
            struct tlbpath *grown;

            cap = 2 * (v->nr_paths + n);
            grown = realloc(v->paths, cap * sizeof(*grown));
            if (!grown)
                break;
            v->paths = grown;
        }
        memcpy(v->paths + v->nr_paths, found, n * sizeof(found[0]));
        v->nr_paths += n;
        pos = end;
    }
    cs_option(v->hcs, CS_OPT_DETAIL, CS_OPT_OFF);
}

void annot_print_key(struct out *o, struct profile *p, const struct annot *a,
                     const struct tbdb_key *k, unsigned flags)
{
    const struct tbdb *db = a->db;
    const struct tbdb_tb *t = k->latest;
    struct view v = { .o = o, .json = o->format == OUT_JSON, .p = p, .raw = flags & ANNOT_RAW };
    csh gcs = 0;
    cs_insn *gin = NULL;
    bool have_gcs;
    uint64_t pos = 0, size, host_end, shown = 0;

    /* The translation shown: the latest with host code, else the latest. */
    for (uint32_t j = k->nr_tb_records; j-- > 0;)
        if (k->tb_records[j]->have_load) {
            t = k->tb_records[j];
            break;
        }
    v.hits = annot_key_hits(a, k, &v.nr_hits);
    v.self = annot_key_self(a, k);
    v.have_hcs = t && t->have_load && view_disasm_open(db->header.host_machine, &v.hcs);
    v.hin = v.have_hcs ? cs_malloc(v.hcs) : NULL;
    if (t && t->have_load)
        find_fast_paths(&v, db, t);
    if (v.json)
        out_object_begin(o, NULL, "key");
    print_header(&v, a, k);
    if (!t) {
        if (v.json)
            out_object_end(o);
        else
            fputs("  (no translation of this key in the side file)\n\n", o->f);
        return;
    }
    have_gcs = view_disasm_open(db->header.guest_machine, &gcs);
    if (have_gcs)
        view_disasm_guest_mode(gcs, &db->header, t->flags);
    gin = have_gcs ? cs_malloc(gcs) : NULL;
    size = tb_size(t);
    if (v.json) {
        out_u64(o, "code_index", t->code_index);
        out_hex(o, "host_addr", tb_base(t));
        out_u64(o, "host_size", size);
        out_array_begin(o, "code");
    }
    for (uint32_t i = 0; i < t->icount; i++) {
        host_end = insn_host_end(t, i, pos, size);
        print_guest_insn(&v, t, i, gcs, gin, hits_in(&v, pos, host_end));
        shown += hits_in(&v, pos, host_end);
        if (v.json)
            out_array_begin(o, "out_asm");
        if (t->have_load)
            host_range(&v, t, pos, host_end, "out_asm");
        if (v.json) {
            out_array_end(o);
            out_object_end(o);
        }
        pos = host_end;
    }
    if (v.json) {
        out_array_end(o);
        out_u64(o, "out_of_line_samples", hits_in(&v, pos, size));
        out_array_begin(o, "out_of_line");
    } else {
        char num[24], pct[24];

        fmt_count(num, pct, hits_in(&v, pos, size), v.self);
        fprintf(o->f, "%8s %7s  %s\n", num[0] ? num : "0", pct,
                "out-of-line host code (slow paths; bytes after the last instruction may be data)");
    }
    if (t->have_load)
        host_range(&v, t, pos, size, "out_of_line");
    shown += hits_in(&v, pos, size);
    if (v.json)
        out_array_end(o);
    if (shown < v.self) {
        /* Samples of other translations beyond this one's code. */
        if (v.json) {
            out_u64(o, "beyond_samples", v.self - shown);
        } else {
            char num[24], pct[24];

            fmt_count(num, pct, v.self - shown, v.self);
            fprintf(o->f, "%8s %7s  %s\n", num, pct,
                    "beyond this translation's code (other translations of the key)");
        }
    }
    if (v.json)
        out_object_end(o);
    else
        fputs("\n", o->f);
    free((char *)v.last_src);
    free(v.paths);
    if (gin)
        cs_free(gin, 1);
    if (v.hin)
        cs_free(v.hin, 1);
    if (have_gcs)
        cs_close(&gcs);
    if (v.have_hcs)
        cs_close(&v.hcs);
}
