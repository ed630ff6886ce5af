/*
 * gstack_view.c: guest call stacks as function frames (gstack_view.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gstack_view.h"
#include "array.h"
#include "hostsym.h"
#include "str_index.h"

/* Interned names live in blocks that never move, so names stay valid. */
struct name_block {
    struct name_block *next;
    size_t used, size;
    char text[];
};

struct name {
    const char *s;
    size_t len;
    uint64_t hash;
    uint64_t pc;               /* a function's start address, 0 if unknown */
};

/* A symbolized guest PC: its function ids, outermost first, in pool. */
struct pc_entry {
    uint64_t addr;
    uint32_t first, n;         /* n 0: empty slot (every PC has one frame) */
};

struct gstack_view {
    struct profile *p;
    struct guestsym *gs;       /* the profile's, on first use */
    bool gs_tried;
    struct name_block *blocks;
    struct name *names;
    uint32_t nr_names;
    size_t cap_names;
    struct str_index name_index;    /* names by their text */
    struct pc_entry *pcs;      /* open addressing, [pc_hash_size] */
    size_t nr_pcs, pc_hash_size;
    uint32_t *pool;
    size_t nr_pool, cap_pool;
    struct gstack_view_frame *frames;   /* the sample being expanded */
    size_t nr_frames, cap_frames;
    uint32_t id_truncated, id_signal, id_translate, id_kernel;
    uint64_t samples;
};

static uint64_t hash_pc(uint64_t pc)
{
    pc ^= pc >> 33;
    pc *= 0xff51afd7ed558ccdull;
    pc ^= pc >> 33;
    return pc;
}

/* --- interned names -------------------------------------------------------------- */

static char *name_store(struct gstack_view *gv, const char *s, size_t len)
{
    struct name_block *b = gv->blocks;
    char *d;

    if (!b || b->size - b->used < len + 1) {
        size_t size = len + 1 > 65536 ? len + 1 : 65536;

        b = malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->next = gv->blocks;
        b->used = 0;
        b->size = size;
        gv->blocks = b;
    }
    d = b->text + b->used;
    memcpy(d, s, len);
    d[len] = '\0';
    b->used += len + 1;
    return d;
}

/* A name looked up: name_is() compares it with an interned one. */
struct name_key {
    const char *s;
    size_t len;
    uint64_t hash;
};

static uint64_t name_hash_of(const void *ctx, size_t i)
{
    const struct gstack_view *gv = ctx;

    return gv->names[i].hash;
}

static bool name_is(const void *ctx, size_t i, const void *key)
{
    const struct name *n = &((const struct gstack_view *)ctx)->names[i];
    const struct name_key *k = key;

    return n->hash == k->hash && n->len == k->len && !memcmp(n->s, k->s, k->len);
}

/* The slot of k in the index: holding its id + 1, or empty; NULL while the index has no size. */
static size_t *name_slot(const struct gstack_view *gv, const struct name_key *k)
{
    if (!gv->name_index.size)
        return NULL;
    return str_index_find(&gv->name_index, k->hash, name_is, gv, k);
}

int gstack_view_intern(struct gstack_view *gv, const char *name, size_t len, uint32_t *idp)
{
    const struct name_key k = { name, len, str_index_hash_mem(STR_INDEX_HASH_INIT, name, len) };
    size_t *slot = name_slot(gv, &k);
    struct name *names;
    char *s;

    if (slot && *slot) {
        *idp = (uint32_t)(*slot - 1);
        return 0;
    }
    if (str_index_reserve(&gv->name_index, gv->nr_names, name_hash_of, gv) < 0)
        return -ENOMEM;
    slot = name_slot(gv, &k);
    names = array_reserve(gv->names, gv->nr_names, &gv->cap_names, sizeof(*names), 256);
    if (!names)
        return -ENOMEM;
    gv->names = names;
    s = name_store(gv, name, len);
    if (!s)
        return -ENOMEM;
    gv->names[gv->nr_names] = (struct name){ .s = s, .len = len, .hash = k.hash };
    *slot = ++gv->nr_names;
    *idp = gv->nr_names - 1;
    return 0;
}

static int intern_str(struct gstack_view *gv, const char *name, uint32_t *idp)
{
    return gstack_view_intern(gv, name, strlen(name), idp);
}

bool gstack_view_find(const struct gstack_view *gv, const char *name, uint32_t *idp)
{
    size_t len = strlen(name);
    const struct name_key k = { name, len, str_index_hash_mem(STR_INDEX_HASH_INIT, name, len) };
    const size_t *slot = name_slot(gv, &k);

    if (!slot || !*slot)
        return false;
    *idp = (uint32_t)(*slot - 1);
    return true;
}

const char *gstack_view_name(const struct gstack_view *gv, uint32_t id)
{
    return id < gv->nr_names ? gv->names[id].s : "";
}

uint64_t gstack_view_function_pc(const struct gstack_view *gv, uint32_t id)
{
    return id < gv->nr_names ? gv->names[id].pc : 0;
}

uint32_t gstack_view_nr_ids(const struct gstack_view *gv)
{
    return gv->nr_names;
}

uint64_t gstack_view_samples(const struct gstack_view *gv)
{
    return gv->samples;
}

/* --- the view -------------------------------------------------------------------- */

int gstack_view_new(struct profile *p, struct gstack_view **gvp)
{
    struct gstack_view *gv = calloc(1, sizeof(*gv));

    *gvp = gv;
    if (!gv)
        return -ENOMEM;
    gv->p = p;
    /* The fixed labels first, so their ids are known. */
    if (intern_str(gv, "[truncated]", &gv->id_truncated) < 0 ||
        intern_str(gv, "[signal]", &gv->id_signal) < 0 ||
        intern_str(gv, "[translate]", &gv->id_translate) < 0 ||
        intern_str(gv, "[kernel]", &gv->id_kernel) < 0)
        return -ENOMEM;
    return 0;
}

void gstack_view_free(struct gstack_view *gv)
{
    if (!gv)
        return;
    while (gv->blocks) {
        struct name_block *b = gv->blocks;

        gv->blocks = b->next;
        free(b);
    }
    free(gv->names);
    str_index_clear(&gv->name_index);
    free(gv->pcs);
    free(gv->pool);
    free(gv->frames);
    free(gv);
}

const char *gstack_function_name(struct guestsym *gs, uint64_t pc)
{
    const struct guestsym_loc *loc;

    if (!gs || guestsym_lookup_flags(gs, pc, GUESTSYM_NO_SOURCE, &loc) < 0 || !loc->mapped)
        return "[unknown]";
    if (loc->symbol)
        return loc->symbol;
    /*
     * No function symbol (not even from a debug file's .symtab): libdwfl's
     * nearest symbol, e.g. an assembly label without a size (a binary
     * search in the file's index, elfsyms.h).
     */
    if (guestsym_lookup_flags(gs, pc, GUESTSYM_DWFL_SYMBOL | GUESTSYM_NO_SOURCE, &loc) == 0 &&
        loc->dwfl_symbol)
        return loc->dwfl_symbol;
    return loc->basename ? loc->basename : "[unknown]";
}

static int pool_push(struct gstack_view *gv, uint32_t id)
{
    uint32_t *pool = array_reserve(gv->pool, gv->nr_pool, &gv->cap_pool, sizeof(*pool), 1024);

    if (!pool)
        return -ENOMEM;
    gv->pool = pool;
    gv->pool[gv->nr_pool++] = id;
    return 0;
}

/* The function ids of guest PC addr, outermost first, appended to the pool. */
static int symbolize(struct gstack_view *gv, uint64_t addr, uint32_t *first, uint32_t *n)
{
    const struct guestsym_loc *loc = NULL;
    uint32_t id;
    int rc;

    if (!gv->gs_tried) {
        gv->gs = profile_guestsym(gv->p);
        gv->gs_tried = true;
    }
    *first = (uint32_t)gv->nr_pool;
    rc = intern_str(gv, gstack_function_name(gv->gs, addr), &id);
    if (rc == 0)
        rc = pool_push(gv, id);
    if (rc < 0)
        return rc;
    if (!gv->names[id].pc && gv->gs &&
        guestsym_lookup_flags(gv->gs, addr, GUESTSYM_NO_SOURCE, &loc) == 0) {
        if (loc->symbol)
            gv->names[id].pc = loc->sym_start;
        else if (loc->have_dwfl_symbol && loc->dwfl_symbol)
            gv->names[id].pc = addr - loc->dwfl_offset;
    }
    if (gv->gs && guestsym_lookup_flags(gv->gs, addr, GUESTSYM_FRAMES, &loc) == 0 &&
        loc->mapped) {
        /* frames[nr - 1] is the out-of-line function, named above; then inward. */
        for (size_t j = loc->nr_frames > 0 ? loc->nr_frames - 1 : 0; j-- > 0;) {
            const char *fn = loc->frames[j].function;

            rc = intern_str(gv, fn ? fn : "[unknown]", &id);
            if (rc == 0)
                rc = pool_push(gv, id);
            if (rc < 0)
                return rc;
        }
    }
    *n = (uint32_t)(gv->nr_pool - *first);
    return 0;
}

static int pc_hash_grow(struct gstack_view *gv)
{
    size_t size = gv->pc_hash_size ? gv->pc_hash_size * 2 : 1024;
    struct pc_entry *h = calloc(size, sizeof(*h));

    if (!h)
        return -ENOMEM;
    for (size_t i = 0; i < gv->pc_hash_size; i++) {
        size_t j;

        if (!gv->pcs[i].n)
            continue;
        j = hash_pc(gv->pcs[i].addr) & (size - 1);
        while (h[j].n)
            j = (j + 1) & (size - 1);
        h[j] = gv->pcs[i];
    }
    free(gv->pcs);
    gv->pcs = h;
    gv->pc_hash_size = size;
    return 0;
}

static int frame_push(struct gstack_view *gv, uint32_t id, enum gstack_view_kind kind)
{
    struct gstack_view_frame *frames = array_reserve(gv->frames, gv->nr_frames, &gv->cap_frames,
                                                     sizeof(*frames), 256);

    if (!frames)
        return -ENOMEM;
    gv->frames = frames;
    gv->frames[gv->nr_frames++] = (struct gstack_view_frame){ .id = id, .kind = kind };
    return 0;
}

/* The function frames of the guest PC addr, symbolized once per distinct addr. */
static int push_pc(struct gstack_view *gv, uint64_t addr)
{
    struct pc_entry *e;
    size_t j;
    int rc;

    if ((gv->nr_pcs + 1) * 2 > gv->pc_hash_size && pc_hash_grow(gv) < 0)
        return -ENOMEM;
    j = hash_pc(addr) & (gv->pc_hash_size - 1);
    while (gv->pcs[j].n && gv->pcs[j].addr != addr)
        j = (j + 1) & (gv->pc_hash_size - 1);
    e = &gv->pcs[j];
    if (!e->n) {
        uint32_t first, n;

        rc = symbolize(gv, addr, &first, &n);
        if (rc < 0)
            return rc;
        e = &gv->pcs[j];
        *e = (struct pc_entry){ .addr = addr, .first = first, .n = n };
        gv->nr_pcs++;
    }
    for (uint32_t i = 0; i < e->n; i++) {
        rc = frame_push(gv, gv->pool[e->first + i], GSTACK_VIEW_FUNCTION);
        if (rc < 0)
            return rc;
    }
    return 0;
}

const char *gstack_host_leaf(const struct profile_sample *s)
{
    if (s->host && s->host->symbol)
        return s->host->symbol;
    if (s->host && s->host->found && s->host->dso_name)
        return s->host->dso_name;
    return "[unknown]";
}

/* The QEMU frame that ends a sample outside translated code (see the header). */
static int push_qemu_leaf(struct gstack_view *gv, const struct profile_sample *s)
{
    const char *tag, *sym = gstack_host_leaf(s);
    char buf[512];
    uint32_t id;
    int n, rc;

    switch (s->cls) {
    case PROFILE_HELPER:
        tag = "helper";
        break;
    case PROFILE_TRANSLATE:
        return frame_push(gv, gv->id_translate, GSTACK_VIEW_QEMU);
    case PROFILE_KERNEL:
        if (s->guest_leaf != PROFILE_GLEAF_QEMU_PC)
            return frame_push(gv, gv->id_kernel, GSTACK_VIEW_QEMU);
        tag = "syscall";
        sym = "kernel";
        break;
    case PROFILE_QEMU:
        /*
         * guest_pc is also left over from the last exit for samples in the
         * execution loop: only QEMU's syscall code makes it a system call.
         */
        tag = s->guest_leaf == PROFILE_GLEAF_QEMU_PC && strstr(sym, "syscall") ? "syscall" : "qemu";
        break;
    default:
        return 0;
    }
    n = snprintf(buf, sizeof(buf), "[%s] %s", tag, sym);
    if (n < 0)
        return -EINVAL;
    rc = gstack_view_intern(gv, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, &id);
    return rc < 0 ? rc : frame_push(gv, id, GSTACK_VIEW_QEMU);
}

int gstack_view_expand_leaf(struct gstack_view *gv, const struct profile_sample *s,
                            const struct gstack_view_frame **framesp, size_t *np)
{
    int rc;

    gv->nr_frames = 0;
    *framesp = gv->frames;
    *np = 0;
    if (s->cls == PROFILE_OTHER || s->gstack != PROFILE_GSTACK_NONE ||
        s->guest_leaf != PROFILE_GLEAF_INSN || !s->nr_guest_frames || !s->guest_frames ||
        !s->guest_frames[0])
        return 0;
    rc = push_pc(gv, s->guest_frames[0]);
    if (rc == 0)
        rc = push_qemu_leaf(gv, s);
    if (rc < 0)
        return rc;
    *framesp = gv->frames;     /* pushing may have moved them */
    *np = gv->nr_frames;
    return 0;
}

int gstack_view_expand(struct gstack_view *gv, const struct profile_sample *s,
                       const struct gstack_view_frame **framesp, size_t *np)
{
    size_t n = s->nr_guest_frames;
    int rc = 0;

    gv->nr_frames = 0;
    *framesp = gv->frames;
    *np = 0;
    if (s->cls == PROFILE_OTHER || s->gstack == PROFILE_GSTACK_NONE || !n || !s->guest_frames)
        return 0;
    gv->samples++;
    /* Outermost call first: each return address as its call site (ret - 1). */
    for (size_t i = n; i-- > 1 && rc == 0;) {
        bool sig = s->guest_frame_flags && (s->guest_frame_flags[i] & PROFILE_GFRAME_SIGNAL);
        uint64_t pc = s->guest_frames[i];

        if (!pc)
            continue;
        /* A signal frame holds the interrupted PC, not a return address. */
        rc = push_pc(gv, sig ? pc : pc - 1);
        if (rc == 0 && sig)
            rc = frame_push(gv, gv->id_signal, GSTACK_VIEW_MARK);
    }
    if (rc == 0 && s->gstack == PROFILE_GSTACK_TRUNCATED)
        rc = frame_push(gv, gv->id_truncated, GSTACK_VIEW_MARK);
    if (rc == 0 && s->guest_leaf != PROFILE_GLEAF_NONE && s->guest_frames[0]) {
        rc = push_pc(gv, s->guest_frames[0]);
        if (rc == 0 && s->guest_frame_flags && (s->guest_frame_flags[0] & PROFILE_GFRAME_SIGNAL))
            rc = frame_push(gv, gv->id_signal, GSTACK_VIEW_MARK);
    }
    if (rc == 0)
        rc = push_qemu_leaf(gv, s);
    if (rc < 0)
        return rc;
    *framesp = gv->frames;
    *np = gv->nr_frames;
    return 0;
}

const char *gstack_missing_reason(const struct profile_info *in, char *buf, size_t size)
{
    const char *side_file = in->tbstats ? in->tbstats : "the side file";
    const char *pd = in->perf_data ? in->perf_data : "the recording";

    if (in->gstack_samples)
        return NULL;
    /* Both causes at once, so that fixing one does not just reveal the other. */
    if (!in->shadow_stacks && !in->user_stacks)
        snprintf(buf, size, "no guest call stacks: %s has no shadow stacks (run QEMU with -perf "
                 "-perf-callstack on) and %s no user stacks (record with perf record "
                 "--call-graph dwarf)", side_file, pd);
    else if (!in->shadow_stacks)
        snprintf(buf, size, "no guest call stacks: %s has no shadow stacks (run QEMU with "
                 "-perf -perf-callstack on)", side_file);
    else if (!in->user_stacks)
        snprintf(buf, size, "no guest call stacks: %s has no user stacks (record with "
                 "perf record --call-graph dwarf)", pd);
    else
        snprintf(buf, size, "no guest call stacks: no sample's user stack reached its "
                 "thread's shadow stack (%" PRIu64 " samples; record with a larger "
                 "--call-graph dwarf,SIZE)", in->gstack_missing);
    return buf;
}
