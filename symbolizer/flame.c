/*
 * flame.c: folded stacks and the flamegraph SVG (flame.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "array.h"
#include "gstack_view.h"
#include "guestsym.h"
#include "hostsym.h"
#include "out.h"
#include "str_index.h"

struct stack {
    char *frames;              /* "root;...;leaf", owned */
    uint64_t count;
};

/*
 * FLAME_GUEST folds into a trie of interned frame ids (gstack_view.h):
 * node 0 is the root, a node's count the samples whose stack ends there.
 */
struct trie_node {
    uint32_t parent, id;
    uint64_t count;
};

struct flame {
    struct profile *p;
    unsigned flags;
    uint64_t total;
    struct stack *stacks;
    size_t nr, cap;
    struct str_index index;    /* stacks by frames */
    bool sorted;
    /* The stack being built, leaf first: offsets of labels in buf. */
    char *buf;
    size_t len, size;
    size_t *label_at;
    size_t nr_labels, cap_labels;
    char *line;
    size_t line_size;
    /* FLAME_GUEST */
    struct gstack_view *gv;
    struct trie_node *nodes;
    size_t nr_nodes, cap_nodes;
    uint32_t *node_hash;       /* [node_hash_size]: node index + 1, 0: empty */
    size_t node_hash_size;
    uint32_t id_no_stack;      /* "[no guest stack]" */
    bool folded;               /* stacks[] made from the trie */
};

int flame_new(struct profile *p, unsigned flags, struct flame **fp)
{
    struct flame *f = calloc(1, sizeof(*f));

    *fp = f;
    if (!f)
        return -ENOMEM;
    f->p = p;
    f->flags = flags;
    if (!(flags & FLAME_GUEST))
        return 0;
    f->nodes = malloc(1024 * sizeof(*f->nodes));
    if (!f->nodes || gstack_view_new(p, &f->gv) < 0 ||
        gstack_view_intern(f->gv, "[no guest stack]", 16, &f->id_no_stack) < 0)
        return -ENOMEM;
    f->cap_nodes = 1024;
    f->nodes[0] = (struct trie_node){ .parent = UINT32_MAX, .id = UINT32_MAX };
    f->nr_nodes = 1;
    return 0;
}

void flame_free(struct flame *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nr; i++)
        free(f->stacks[i].frames);
    free(f->stacks);
    str_index_clear(&f->index);
    free(f->buf);
    free(f->label_at);
    free(f->line);
    gstack_view_free(f->gv);
    free(f->nodes);
    free(f->node_hash);
    free(f);
}

uint64_t flame_guest_samples(const struct flame *f)
{
    return f->gv ? gstack_view_samples(f->gv) : 0;
}

uint64_t flame_total(const struct flame *f)
{
    return f->total;
}

static int stack_count(struct flame *f, const char *frames)
{
    struct stack *stacks;
    size_t *slot;

    slot = str_index_find_name(&f->index, f->stacks, f->nr, sizeof(*f->stacks),
                               offsetof(struct stack, frames), frames);
    if (!slot)
        return -ENOMEM;
    if (*slot) {
        f->stacks[*slot - 1].count++;
        return 0;
    }
    stacks = array_reserve(f->stacks, f->nr, &f->cap, sizeof(*stacks), 256);
    if (!stacks)
        return -ENOMEM;
    f->stacks = stacks;
    f->stacks[f->nr].frames = strdup(frames);
    if (!f->stacks[f->nr].frames)
        return -ENOMEM;
    f->stacks[f->nr].count = 1;
    *slot = ++f->nr;
    f->sorted = false;
    return 0;
}

/* Append one label (leaf first), sanitised for the folded format. */
static int push_label(struct flame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int push_label(struct flame *f, const char *fmt, ...)
{
    size_t *l;
    va_list ap;
    int n;

    for (;;) {
        size_t room = f->size - f->len;

        va_start(ap, fmt);
        n = vsnprintf(f->buf + f->len, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -EINVAL;
        if ((size_t)n < room)
            break;
        size_t size = f->size ? f->size * 2 : 4096;
        while (size - f->len <= (size_t)n)
            size *= 2;
        char *b = realloc(f->buf, size);

        if (!b)
            return -ENOMEM;
        f->buf = b;
        f->size = size;
    }
    for (char *c = f->buf + f->len; *c; c++)
        if (*c == ';')
            *c = ':';
        else if (*c == '\n' || *c == '\r')
            *c = ' ';
    l = array_reserve(f->label_at, f->nr_labels, &f->cap_labels, sizeof(*l), 64);
    if (!l)
        return -ENOMEM;
    f->label_at = l;
    f->label_at[f->nr_labels++] = f->len;
    f->len += (size_t)n + 1;
    return 0;
}

/*
 * The guest function of a TB: its guest symbol, else QEMU's name for its PC
 * (outside every mapping by the TB's privilege level), into buf if needed.
 */
static const char *guest_function(struct flame *f, const struct tbdb_tb *tb, char *buf,
                                  size_t size)
{
    struct guestsym *gs = profile_guestsym(f->p);
    const struct guestsym_loc *loc;

    if (gs && guestsym_lookup_flags(gs, tb->guest_pc, GUESTSYM_NO_SOURCE, &loc) == 0 &&
        loc->mapped) {
        if (loc->symbol)
            return loc->symbol;
        if (loc->name)
            return loc->name;
    }
    if (tb->have_load)
        return tb->name;
    guestsym_unmapped_name(buf, size, tb->guest_pc, tb->privilege);
    return buf;
}

static int push_tb(struct flame *f, const struct tbdb_tb *tb)
{
    char buf[64];

    return push_label(f, "%s [TB 0x%" PRIx64 "]", guest_function(f, tb, buf, sizeof(buf)),
                      tb->guest_pc);
}

static int push_host(struct flame *f, const struct profile_sample *s, uint64_t addr)
{
    struct hostsym_loc loc;

    if (hostsym_lookup(profile_hostsym(f->p), s->pid, addr, s->time, 0, &loc) < 0)
        return -ENOMEM;
    if (loc.symbol)
        return push_label(f, "%s", loc.symbol);
    return push_label(f, "%s", loc.found && loc.dso_name ? loc.dso_name : "[unknown]");
}

/* The labels of a sample, leaf first. */
static int labels_host(struct flame *f, const struct profile_sample *s)
{
    bool kernel = s->cls == PROFILE_KERNEL;
    int rc = 0;

    if (kernel)
        rc = push_label(f, "[kernel]");
    for (size_t i = 0; i < s->nr_frames && rc == 0; i++) {
        /* Return addresses are looked up one byte back (the call may end a TB). */
        uint64_t addr = s->frames[i] - (i > 0 || kernel ? 1 : 0);
        const struct tbdb_tb *tb = i == 0 && s->cls == PROFILE_JIT ? s->tb
                                                                    : profile_tb_at(f->p, addr, s->time);

        if (tb)
            rc = push_tb(f, tb);
        else if (i == 0 && !kernel)
            rc = push_label(f, "%s", gstack_host_leaf(s));
        else
            rc = push_host(f, s, addr);
    }
    if (rc == 0 && !f->nr_labels)
        rc = push_label(f, "[%s]", profile_class_name(s->cls));
    return rc;
}

static int labels_guest(struct flame *f, const struct profile_sample *s)
{
    char buf[64];
    int rc = 0;

    if (s->cls == PROFILE_KERNEL)
        rc = push_label(f, "[kernel]");
    else if (s->cls != PROFILE_JIT)
        rc = push_label(f, "%s", gstack_host_leaf(s));
    if (rc < 0)
        return rc;
    if (!s->tb)
        return s->cls == PROFILE_KERNEL ? 0 : push_label(f, "[%s]", profile_class_name(s->cls));
    rc = push_label(f, "[TB 0x%" PRIx64 "]", s->tb->guest_pc);
    return rc < 0 ? rc : push_label(f, "%s", guest_function(f, s->tb, buf, sizeof(buf)));
}

/* --- FLAME_GUEST: the trie of guest stacks --------------------------------------- */

static uint64_t hash_edge(uint32_t parent, uint32_t id)
{
    uint64_t h = ((uint64_t)parent << 32 | id) * 0x9e3779b97f4a7c15ull;

    return h ^ (h >> 29);
}

static int node_hash_grow(struct flame *f)
{
    size_t size = f->node_hash_size ? f->node_hash_size * 2 : 4096;
    uint32_t *h = calloc(size, sizeof(*h));

    if (!h)
        return -ENOMEM;
    for (size_t i = 1; i < f->nr_nodes; i++) {
        size_t j = hash_edge(f->nodes[i].parent, f->nodes[i].id) & (size - 1);

        while (h[j])
            j = (j + 1) & (size - 1);
        h[j] = (uint32_t)i + 1;
    }
    free(f->node_hash);
    f->node_hash = h;
    f->node_hash_size = size;
    return 0;
}

/* The child of node parent for frame id, created on first use; -1: no memory. */
static long trie_child(struct flame *f, uint32_t parent, uint32_t id)
{
    struct trie_node *nodes;
    size_t j;

    if ((f->nr_nodes + 1) * 2 > f->node_hash_size && node_hash_grow(f) < 0)
        return -1;
    j = hash_edge(parent, id) & (f->node_hash_size - 1);
    while (f->node_hash[j]) {
        const struct trie_node *n = &f->nodes[f->node_hash[j] - 1];

        if (n->parent == parent && n->id == id)
            return (long)(f->node_hash[j] - 1);
        j = (j + 1) & (f->node_hash_size - 1);
    }
    if (f->nr_nodes >= UINT32_MAX - 1)
        return -1;
    nodes = array_reserve(f->nodes, f->nr_nodes, &f->cap_nodes, sizeof(*nodes), 256);
    if (!nodes)
        return -1;
    f->nodes = nodes;
    f->nodes[f->nr_nodes] = (struct trie_node){ .parent = parent, .id = id };
    f->node_hash[j] = (uint32_t)++f->nr_nodes;
    return (long)f->nr_nodes - 1;
}

/*
 * A sample's guest stack into the trie.  Without one, the labels of the
 * TB-only view under a "[no guest stack]" root (dropped when no sample has
 * a guest stack, which gives the TB-only view as before).
 */
static int add_guest_sample(struct flame *f, const struct profile_sample *s)
{
    const struct gstack_view_frame *fr;
    size_t n;
    long cur = 0;
    int rc = gstack_view_expand(f->gv, s, &fr, &n);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n && cur >= 0; i++)
        cur = trie_child(f, (uint32_t)cur, fr[i].id);
    if (!n) {
        f->len = 0;
        f->nr_labels = 0;
        rc = labels_guest(f, s);
        if (rc < 0)
            return rc;
        cur = trie_child(f, 0, f->id_no_stack);
        for (size_t i = f->nr_labels; i-- > 0 && cur >= 0;) {
            const char *l = f->buf + f->label_at[i];
            uint32_t id;

            if (gstack_view_intern(f->gv, l, strlen(l), &id) < 0)
                return -ENOMEM;
            cur = trie_child(f, (uint32_t)cur, id);
        }
    }
    if (cur < 0)
        return -ENOMEM;
    f->nodes[cur].count++;
    f->total++;
    return 0;
}

/* stacks[] from the trie: one "root;...;leaf" line per node with samples. */
static int fold_trie(struct flame *f)
{
    bool strip = gstack_view_samples(f->gv) == 0;
    uint32_t *path = NULL;
    size_t cap = 0;
    int rc = 0;

    if (f->folded)
        return 0;
    for (size_t i = 1; i < f->nr_nodes && rc == 0; i++) {
        size_t depth = 0, len = 0, k;
        struct stack *ns;
        char *line;

        if (!f->nodes[i].count)
            continue;
        for (uint32_t c = (uint32_t)i; c; c = f->nodes[c].parent) {
            uint32_t *np = array_reserve(path, depth, &cap, sizeof(*np), 64);

            if (!np) {
                rc = -ENOMEM;
                break;
            }
            path = np;
            path[depth++] = f->nodes[c].id;
        }
        if (rc < 0)
            break;
        /* path is leaf first; the root frame is path[depth - 1]. */
        if (strip && depth > 1 && path[depth - 1] == f->id_no_stack)
            depth--;
        for (k = 0; k < depth; k++)
            len += strlen(gstack_view_name(f->gv, path[k])) + 1;
        line = malloc(len + 1);
        if (!line) {
            rc = -ENOMEM;
            break;
        }
        len = 0;
        for (k = depth; k-- > 0;) {
            for (const char *c = gstack_view_name(f->gv, path[k]); *c; c++)
                line[len++] = *c == ';' ? ':' : *c == '\n' || *c == '\r' ? ' ' : *c;
            line[len++] = k ? ';' : '\0';
        }
        ns = array_reserve(f->stacks, f->nr, &f->cap, sizeof(*ns), 256);
        if (!ns) {
            free(line);
            rc = -ENOMEM;
            break;
        }
        f->stacks = ns;
        f->stacks[f->nr++] = (struct stack){ .frames = line, .count = f->nodes[i].count };
    }
    free(path);
    f->folded = rc == 0;
    f->sorted = false;
    return rc;
}

int flame_add_sample(struct flame *f, const struct profile_sample *s)
{
    size_t len = 0;
    int rc;

    if (s->cls == PROFILE_OTHER)
        return 0;
    if (f->gv)
        return add_guest_sample(f, s);
    f->len = 0;
    f->nr_labels = 0;
    rc = f->flags & FLAME_GUEST ? labels_guest(f, s) : labels_host(f, s);
    if (rc < 0)
        return rc;
    if (f->line_size < f->len + 1) {
        char *l = realloc(f->line, f->len + 1);

        if (!l)
            return -ENOMEM;
        f->line = l;
        f->line_size = f->len + 1;
    }
    for (size_t i = f->nr_labels; i-- > 0;) {
        size_t n = strlen(f->buf + f->label_at[i]);

        memcpy(f->line + len, f->buf + f->label_at[i], n);
        len += n;
        f->line[len++] = i ? ';' : '\0';
    }
    f->total++;
    return stack_count(f, f->line);
}

/* Frame by frame: a frame sorts before its extensions and before longer names. */
static int cmp_stacks(const void *pa, const void *pb)
{
    const unsigned char *a = (const unsigned char *)((const struct stack *)pa)->frames;
    const unsigned char *b = (const unsigned char *)((const struct stack *)pb)->frames;

    for (;; a++, b++) {
        unsigned ca = *a == ';' ? 1 : *a, cb = *b == ';' ? 1 : *b;

        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (!ca)
            return 0;
    }
}

static void sort_stacks(struct flame *f)
{
    if (f->sorted)
        return;
    qsort(f->stacks, f->nr, sizeof(f->stacks[0]), cmp_stacks);
    str_index_clear(&f->index);      /* indices are stale now */
    f->sorted = true;
}

int flame_print_folded(struct flame *f, FILE *out)
{
    if (f->gv && fold_trie(f) < 0)
        return -ENOMEM;
    sort_stacks(f);
    for (size_t i = 0; i < f->nr; i++)
        fprintf(out, "%s %" PRIu64 "\n", f->stacks[i].frames, f->stacks[i].count);
    return 0;
}

/* --- the SVG ----------------------------------------------------------------------- */

struct node {
    const char *name;          /* into a stack's frames, not NUL-terminated */
    size_t len;
    uint64_t value, start;
    unsigned depth;
    long first, last, next;    /* children, -1: none */
};

struct tree {
    struct node *n;
    size_t nr, cap;
    unsigned max_depth;
};

static long node_add(struct tree *t, long parent, const char *name, size_t len)
{
    struct node *n;

    n = array_reserve(t->n, t->nr, &t->cap, sizeof(*n), 1024);
    if (!n)
        return -1;
    t->n = n;
    n = &t->n[t->nr];
    *n = (struct node){ .name = name, .len = len, .first = -1, .last = -1, .next = -1 };
    if (parent >= 0) {
        struct node *p = &t->n[parent];

        n->depth = p->depth + 1;
        if (p->last >= 0)
            t->n[p->last].next = (long)t->nr;
        else
            p->first = (long)t->nr;
        p->last = (long)t->nr;
        if (n->depth > t->max_depth)
            t->max_depth = n->depth;
    }
    return (long)t->nr++;
}

/* The tree of the sorted stacks: equal prefixes are always the last child. */
static int tree_build(struct flame *f, struct tree *t)
{
    if (node_add(t, -1, "all", 3) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < f->nr; i++) {
        const char *s = f->stacks[i].frames;
        long cur = 0;

        t->n[0].value += f->stacks[i].count;
        while (*s) {
            const char *e = strchr(s, ';');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            long last = t->n[cur].last;

            if (last >= 0 && t->n[last].len == len && !memcmp(t->n[last].name, s, len)) {
                cur = last;
            } else {
                cur = node_add(t, cur, s, len);
                if (cur < 0)
                    return -ENOMEM;
            }
            t->n[cur].value += f->stacks[i].count;
            s += len + (e ? 1 : 0);
        }
    }
    /* Start offsets: children laid out left to right inside their parent. */
    for (size_t i = 0; i < t->nr; i++) {
        uint64_t x = t->n[i].start;

        for (long c = t->n[i].first; c >= 0; c = t->n[c].next) {
            t->n[c].start = x;
            x += t->n[c].value;
        }
    }
    return 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && !memcmp(s, prefix, n);
}

static bool contains(const char *s, size_t len, const char *what)
{
    size_t n = strlen(what);

    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(s + i, what, n))
            return true;
    return false;
}

/* A colour by kind of frame, varied by a hash of the name (deterministic). */
static void frame_colour(const struct node *n, char *buf, size_t size)
{
    uint64_t h = str_index_hash_mem(STR_INDEX_HASH_INIT, n->name, n->len);
    unsigned v1, v2, v3;

    v1 = (unsigned)(h % 1000), v2 = (unsigned)((h >> 20) % 1000), v3 = (unsigned)((h >> 40) % 1000);
    if (contains(n->name, n->len, "[TB 0x"))                          /* guest code */
        snprintf(buf, size, "rgb(%u,%u,%u)", 60 + v1 % 60, 170 + v2 % 70, 60 + v3 % 50);
    else if (has_prefix(n->name, n->len, "[kernel"))
        snprintf(buf, size, "rgb(%u,%u,%u)", 220 + v1 % 30, 130 + v2 % 50, 40 + v3 % 30);
    else if (has_prefix(n->name, n->len, "["))
        snprintf(buf, size, "rgb(%u,%u,%u)", 170 + v1 % 30, 170 + v1 % 30, 180 + v1 % 30);
    else if (has_prefix(n->name, n->len, "helper_") || has_prefix(n->name, n->len, "float") ||
             has_prefix(n->name, n->len, "cpu_ld") || has_prefix(n->name, n->len, "cpu_st") ||
             has_prefix(n->name, n->len, "probe_access") || has_prefix(n->name, n->len, "parts"))
        snprintf(buf, size, "rgb(%u,%u,%u)", 80 + v1 % 50, 170 + v2 % 50, 210 + v3 % 40);
    else
        snprintf(buf, size, "rgb(%u,%u,%u)", 205 + v1 % 50, v2 % 230, v3 % 55);
}

#define SVG_WIDTH   1200
#define SVG_PAD     10
#define FRAME_H     16
#define SVG_TOP     44
#define SVG_BOTTOM  28
#define CHAR_W      7.0

/*
 * The script, for the SVG whose id replaces @ID@ (its elements' ids start
 * with the prefix that replaces @P@); @KEYS@ is flame_keys_script or
 * nothing (one graph of a page takes ctrl-F).
 */
static const char flame_script[] =
    "(function () {\n"
    "  var svg = document.getElementById('@ID@');\n"
    "  var total = +svg.getAttribute('data-total'), W = +svg.getAttribute('width'), pad = 10;\n"
    "  var scale = (W - 2 * pad) / (total || 1);\n"
    "  var frames = Array.prototype.slice.call(svg.querySelectorAll('g.f'));\n"
    "  var details = document.getElementById('@P@-details');\n"
    "  var matched = document.getElementById('@P@-matched'), unzoomB = document.getElementById('@P@-unzoom');\n"
    "  var clearB = document.getElementById('@P@-clear');\n"
    "  function num(g, a) { return +g.getAttribute(a); }\n"
    "  function label(g, w) {\n"
    "    var n = g.getAttribute('data-n'), c = Math.floor((w - 6) / 7);\n"
    "    if (c < 3) return '';\n"
    "    return n.length <= c ? n : n.substring(0, c - 2) + '..';\n"
    "  }\n"
    "  function place(g, x, w) {\n"
    "    var r = g.querySelector('rect'), t = g.querySelector('text');\n"
    "    r.setAttribute('x', (x + pad).toFixed(2)); r.setAttribute('width', w.toFixed(2));\n"
    "    t.setAttribute('x', (x + pad + 3).toFixed(2)); t.textContent = label(g, w);\n"
    "  }\n"
    "  function zoom(g) {\n"
    "    var s0 = num(g, 'data-s'), v0 = num(g, 'data-v'), d0 = num(g, 'data-d');\n"
    "    var k = (W - 2 * pad) / v0;\n"
    "    frames.forEach(function (f) {\n"
    "      var s = num(f, 'data-s'), v = num(f, 'data-v'), d = num(f, 'data-d');\n"
    "      if (d < d0 && s <= s0 && s + v >= s0 + v0) {\n"
    "        place(f, 0, W - 2 * pad); f.style.display = ''; f.setAttribute('opacity', '0.6');\n"
    "      } else if (d >= d0 && s >= s0 && s + v <= s0 + v0 && v * k >= 0.1) {\n"
    "        place(f, (s - s0) * k, v * k); f.style.display = ''; f.removeAttribute('opacity');\n"
    "      } else {\n"
    "        f.style.display = 'none';\n"
    "      }\n"
    "    });\n"
    "    unzoomB.setAttribute('opacity', '1');\n"
    "  }\n"
    "  function unzoom() {\n"
    "    frames.forEach(function (f) {\n"
    "      place(f, num(f, 'data-s') * scale, num(f, 'data-v') * scale);\n"
    "      f.style.display = ''; f.removeAttribute('opacity');\n"
    "    });\n"
    "    unzoomB.setAttribute('opacity', '0.3');\n"
    "  }\n"
    "  function search(term) {\n"
    "    var re, iv = [], sum = 0, end = -1;\n"
    "    if (!term) { clear(); return; }\n"
    "    try { re = new RegExp(term); } catch (e) { matched.textContent = 'bad regular expression'; return; }\n"
    "    frames.forEach(function (f) {\n"
    "      var r = f.querySelector('rect');\n"
    "      if (re.test(f.getAttribute('data-n'))) {\n"
    "        r.setAttribute('fill', 'rgb(230,0,230)');\n"
    "        iv.push([num(f, 'data-s'), num(f, 'data-v')]);\n"
    "      } else {\n"
    "        r.setAttribute('fill', r.getAttribute('data-c'));\n"
    "      }\n"
    "    });\n"
    "    iv.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
    "    iv.forEach(function (i) {\n"
    "      if (i[0] >= end) { sum += i[1]; end = i[0] + i[1]; }\n"
    "      else if (i[0] + i[1] > end) { sum += i[0] + i[1] - end; end = i[0] + i[1]; }\n"
    "    });\n"
    "    matched.textContent = 'Matched: ' + (total ? 100 * sum / total : 0).toFixed(2) + '% (' + sum + ' samples)';\n"
    "    clearB.setAttribute('opacity', '1');\n"
    "  }\n"
    "  function clear() {\n"
    "    frames.forEach(function (f) { var r = f.querySelector('rect'); r.setAttribute('fill', r.getAttribute('data-c')); });\n"
    "    matched.textContent = ''; clearB.setAttribute('opacity', '0.3');\n"
    "  }\n"
    "  function ask() { var t = window.prompt('Search frames (regular expression):', ''); if (t !== null) search(t); }\n"
    "  svg.addEventListener('click', function (e) {\n"
    "    var g = e.target.closest ? e.target.closest('g.f') : null;\n"
    "    if (g) zoom(g);\n"
    "  });\n"
    "  svg.addEventListener('mouseover', function (e) {\n"
    "    var g = e.target.closest ? e.target.closest('g.f') : null;\n"
    "    if (g) details.textContent = g.querySelector('title').textContent;\n"
    "  });\n"
    "  svg.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
    "  unzoomB.addEventListener('click', unzoom);\n"
    "  clearB.addEventListener('click', clear);\n"
    "  document.getElementById('@P@-search').addEventListener('click', ask);\n"
    "@KEYS@"
    "  window.@ID@Search = search;\n"
    "  window.@ID@Zoom = zoom;\n"
    "})();\n";

static const char flame_keys_script[] =
    "  window.addEventListener('keydown', function (e) {\n"
    "    if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) { e.preventDefault(); ask(); }\n"
    "  });\n";

/* tmpl with @ID@, @P@ and @KEYS@ replaced. */
static void print_template(FILE *out, const char *tmpl, const struct flame_svg_opts *o)
{
    for (const char *c = tmpl; *c; c++) {
        if (*c == '@' && !strncmp(c, "@ID@", 4)) {
            fputs(o->id, out);
            c += 3;
        } else if (*c == '@' && !strncmp(c, "@P@", 3)) {
            fputs(o->prefix, out);
            c += 2;
        } else if (*c == '@' && !strncmp(c, "@KEYS@", 6)) {
            if (o->keys)
                fputs(flame_keys_script, out);
            c += 5;
        } else {
            putc(*c, out);
        }
    }
}

int flame_print_svg(struct flame *f, FILE *out, const char *title, bool inline_svg)
{
    const struct flame_svg_opts o = { .id = "flamegraph", .prefix = "fg", .keys = true };

    return flame_print_svg_opts(f, out, title, inline_svg, &o);
}

int flame_print_svg_opts(struct flame *f, FILE *out, const char *title, bool inline_svg,
                         const struct flame_svg_opts *o)
{
    struct tree t = { 0 };
    uint64_t total;
    double scale;
    unsigned height;

    if (f->gv && fold_trie(f) < 0)
        return -ENOMEM;
    sort_stacks(f);
    if (tree_build(f, &t) < 0) {
        free(t.n);
        return -ENOMEM;
    }
    total = t.n[0].value;
    scale = total ? (double)(SVG_WIDTH - 2 * SVG_PAD) / (double)total : 0;
    height = SVG_TOP + (t.max_depth + 1) * FRAME_H + SVG_BOTTOM;
    if (!inline_svg)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
    fprintf(out, "<svg version=\"1.1\" id=\"%s\" width=\"%d\" height=\"%u\" "
            "viewBox=\"0 0 %d %u\" data-total=\"%" PRIu64 "\"%s>\n", o->id, SVG_WIDTH, height,
            SVG_WIDTH, height, total,
            /* An HTML page needs no namespace (and then holds no URL at all). */
            inline_svg ? "" : " xmlns=\"http://www.w3.org/2000/svg\"");
    print_template(out, "<style type=\"text/css\">\n"
                   "  #@ID@ text { font-family: monospace; font-size: 12px; fill: #000; }\n"
                   "  #@ID@ g.f text { pointer-events: none; }\n"
                   "  #@ID@ g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
                   "  #@ID@ .button { cursor: pointer; fill: #225; }\n"
                   "  #@ID@ .title { font-size: 16px; }\n"
                   "</style>\n", o);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%u\" fill=\"#f8f8f0\"/>\n",
            SVG_WIDTH, height);
    fprintf(out, "<text class=\"title\" x=\"%d\" y=\"20\" text-anchor=\"middle\">", SVG_WIDTH / 2);
    out_xml_text(out, title, strlen(title), false);
    fputs("</text>\n", out);
    fprintf(out, "<text id=\"%s-unzoom\" class=\"button\" x=\"%d\" y=\"36\" opacity=\"0.3\">"
            "Reset Zoom</text>\n", o->prefix, SVG_PAD);
    fprintf(out, "<text id=\"%s-search\" class=\"button\" x=\"%d\" y=\"36\" text-anchor=\"end\">"
            "Search</text>\n", o->prefix, SVG_WIDTH - SVG_PAD - 100);
    fprintf(out, "<text id=\"%s-clear\" class=\"button\" x=\"%d\" y=\"36\" text-anchor=\"end\" "
            "opacity=\"0.3\">Clear</text>\n", o->prefix, SVG_WIDTH - SVG_PAD - 40);
    fprintf(out, "<text id=\"%s-matched\" x=\"%d\" y=\"%u\" text-anchor=\"end\"></text>\n",
            o->prefix, SVG_WIDTH - SVG_PAD, height - 10);
    fprintf(out, "<text id=\"%s-details\" x=\"%d\" y=\"%u\"> </text>\n", o->prefix, SVG_PAD, height - 10);
    if (!total)
        fprintf(out, "<text x=\"%d\" y=\"%u\" text-anchor=\"middle\">no samples</text>\n",
                SVG_WIDTH / 2, SVG_TOP + FRAME_H);
    for (size_t i = 0; total && i < t.nr; i++) {
        const struct node *n = &t.n[i];
        double x = (double)n->start * scale, w = (double)n->value * scale;
        unsigned y = SVG_TOP + (t.max_depth - n->depth) * FRAME_H;
        int chars = (int)((w - 6) / CHAR_W);
        char colour[32];

        if (w < 0.1)
            continue;
        frame_colour(n, colour, sizeof(colour));
        fprintf(out, "<g class=\"f\" data-s=\"%" PRIu64 "\" data-v=\"%" PRIu64 "\" data-d=\"%u\" "
                "data-n=\"", n->start, n->value, n->depth);
        out_xml_text(out, n->name, n->len, false);
        fputs("\"><title>", out);
        out_xml_text(out, n->name, n->len, false);
        fprintf(out, " (%" PRIu64 " samples, %.2f%%)</title>", n->value,
                100.0 * (double)n->value / (double)total);
        fprintf(out, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
                "data-c=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%u\">",
                x + SVG_PAD, y, w, FRAME_H - 1, colour, colour, x + SVG_PAD + 3, y + 11);
        if (chars >= 3) {
            if (n->len <= (size_t)chars) {
                out_xml_text(out, n->name, n->len, false);
            } else {
                out_xml_text(out, n->name, (size_t)chars - 2, false);
                fputs("..", out);
            }
        }
        fputs("</text></g>\n", out);
    }
    fputs("<script type=\"text/ecmascript\"><![CDATA[\n", out);
    print_template(out, flame_script, o);
    fputs("]]></script>\n</svg>\n", out);
    free(t.n);
    return 0;
}
