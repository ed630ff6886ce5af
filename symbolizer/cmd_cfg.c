/*
 * cmd_cfg.c: "tbsym cfg ID|0xGUESTPC [--depth N]", the neighbourhood of a
 * key in the graph of successor edges (STATS records' succ_pc) as Graphviz
 * dot: every key within N edges of it, following edges both ways.  A
 * successor PC is joined to the hottest key of that PC; a successor PC
 * with no key is drawn as a dashed edge to a dashed plain node.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "table.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_cfg_usage[] =
    "usage: tbsym cfg [RUN] ID|0xGUESTPC [--depth N]\n"
    "                 [--dir DIR [--pid PID] | --tbstats FILE [--jitdump FILE]]\n"
    "\n"
    "Graphviz dot (digraph) of the keys within N successor edges of a key\n"
    "(by stats_id or guest PC), following edges in both directions (default\n"
    "N = 2).  Nodes are labelled with the name, guest PC and exec_count and\n"
    "filled from white to red by exec_count as a share of the run's highest;\n"
    "the chosen key has a bold border.  Edges come from the successors QEMU\n"
    "recorded (at most 8 per key); an edge to a PC that is no key is dashed.\n"
    "Render with e.g. dot -Tsvg.\n"
    RUN_ARG_USAGE
    VIEW_USAGE_RUN_OPTIONS
    "\n"
    RUN_ARG_USAGE_EXIT;

/* A dot string: quotes and backslashes escaped, control bytes as '?'. */
static void put_dot_str(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\')
            putc('\\', f);
        putc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
}

/*
 * The successor edges of every key as key indices, and their reverse:
 * succ_start[k]..succ_start[k + 1] index target[] (UINT32_MAX: a PC with
 * no key), pred_start[k]..pred_start[k + 1] index pred[].  dist[k]: edges
 * from the chosen key, -1 beyond the depth; queue: the walk's.
 */
struct cfg_graph {
    size_t nk;
    size_t *succ_start;
    uint32_t *target, *pred_start, *pred, *queue;
    int *dist;
};

static void cfg_graph_free(struct cfg_graph *g)
{
    free(g->pred);
    free(g->target);
    free(g->queue);
    free(g->dist);
    free(g->pred_start);
    free(g->succ_start);
}

/* The edges of db's keys into g (zeroed); 0 or -ENOMEM (free g still). */
static int cfg_graph_build(struct cfg_graph *g, const struct tbdb *db)
{
    size_t nk = db->nr_keys, ne = 0;

    g->nk = nk;
    g->succ_start = malloc((nk + 1) * sizeof(*g->succ_start));
    g->pred_start = calloc(nk + 2, sizeof(*g->pred_start));
    g->dist = malloc(nk * sizeof(*g->dist));
    g->queue = malloc(nk * sizeof(*g->queue));
    if (!g->succ_start || !g->pred_start || !g->dist || !g->queue)
        return -ENOMEM;
    for (size_t i = 0; i < nk; i++) {
        g->succ_start[i] = ne;
        ne += db->keys[i].nr_succ;
        g->dist[i] = -1;
    }
    g->succ_start[nk] = ne;
    g->target = malloc((ne ? ne : 1) * sizeof(*g->target));
    g->pred = malloc((ne ? ne : 1) * sizeof(*g->pred));
    if (!g->target || !g->pred)
        return -ENOMEM;
    for (size_t i = 0; i < nk; i++)
        for (uint32_t j = 0; j < db->keys[i].nr_succ; j++) {
            const struct tbdb_key *s = tbdb_key_by_pc(db, db->keys[i].succ_pc[j]);
            size_t e = g->succ_start[i] + j;

            g->target[e] = s ? (uint32_t)(s - db->keys) : UINT32_MAX;
            if (s)
                g->pred_start[g->target[e] + 2]++;
        }
    for (size_t i = 0; i < nk; i++)
        g->pred_start[i + 2] += g->pred_start[i + 1];
    for (size_t i = 0; i < nk; i++)
        for (size_t e = g->succ_start[i]; e < g->succ_start[i + 1]; e++)
            if (g->target[e] != UINT32_MAX)
                g->pred[g->pred_start[g->target[e] + 1]++] = i;
    /* Now pred_start[k]..pred_start[k + 1] are k's predecessors. */
    return 0;
}

/* dist[] of every key within depth edges of key start, breadth first, both directions. */
static void cfg_graph_walk(struct cfg_graph *g, uint32_t start, unsigned long depth)
{
    size_t head = 0, tail = 0;

    g->dist[start] = 0;
    g->queue[tail++] = start;
    while (head < tail) {
        uint32_t k = g->queue[head++];

        if ((unsigned long)g->dist[k] >= depth)
            continue;
        for (size_t e = g->succ_start[k]; e < g->succ_start[k + 1]; e++)
            if (g->target[e] != UINT32_MAX && g->dist[g->target[e]] < 0) {
                g->dist[g->target[e]] = g->dist[k] + 1;
                g->queue[tail++] = g->target[e];
            }
        for (uint32_t p = g->pred_start[k]; p < g->pred_start[k + 1]; p++)
            if (g->dist[g->pred[p]] < 0) {
                g->dist[g->pred[p]] = g->dist[k] + 1;
                g->queue[tail++] = g->pred[p];
            }
    }
}

/* The keys g reached and their edges as a dot digraph on stdout; start in bold. */
static void cfg_print_dot(const struct tbdb *db, const struct cfg_graph *g,
                          const struct tbdb_key *start)
{
    printf("digraph \"tb%u\" {\n", start->stats_id);
    printf("  node [shape=box, style=filled, fontname=\"monospace\", fontsize=10];\n");
    for (size_t i = 0; i < g->nk; i++) {
        const struct tbdb_key *k = &db->keys[i];
        double share = db->max_exec_count ? (double)k->exec_count / db->max_exec_count : 0;
        char buf[32];
        size_t len;
        const char *name;

        if (g->dist[i] < 0)
            continue;
        name = view_key_name(k, buf, sizeof(buf), &len);
        printf("  k%u [label=\"", k->stats_id);
        put_dot_str(stdout, name, len);
        printf("\\n0x%" PRIx64 " id %u\\nexec %" PRIu64 "\", fillcolor=\"0.000 %.3f 1.000\"%s];\n",
               k->guest_pc, k->stats_id, k->exec_count, share,
               k == start ? ", penwidth=3" : "");
    }
    for (size_t i = 0; i < g->nk; i++) {
        if (g->dist[i] < 0)
            continue;
        for (size_t e = g->succ_start[i]; e < g->succ_start[i + 1]; e++) {
            uint64_t pc = db->keys[i].succ_pc[e - g->succ_start[i]];

            if (g->target[e] == UINT32_MAX) {
                printf("  pc%" PRIx64 " [label=\"0x%" PRIx64 "\\n(no key)\", style=dashed];\n",
                       pc, pc);
                printf("  k%u -> pc%" PRIx64 " [style=dashed];\n", db->keys[i].stats_id, pc);
            } else if (g->dist[g->target[e]] >= 0) {
                printf("  k%u -> k%u;\n", db->keys[i].stats_id,
                       db->keys[g->target[e]].stats_id);
            }
        }
    }
    printf("}\n");
}

/* cfg's own option (struct view_single's own()): --depth N into the unsigned long at ctx. */
static int cfg_option(struct view_opts *v, void *ctx, int argc, char **argv, int *i)
{
    unsigned long *depth = ctx;
    const char *val;
    char *end;
    int r = view_take_value(v, "--depth", argc, argv, i, &val);

    if (r <= 0)
        return r;
    *depth = strtoul(val, &end, 10);
    if (!val[0] || *end || val[0] == '-' || *depth > 1000) {
        view_bad_value(v, "--depth", val, "0 to 1000");
        return -1;
    }
    return 1;
}

/* The command line: the common options, --depth N, "[RUN] ID|0xGUESTPC". */
static int cfg_parse_args(struct view_opts *v, int argc, char **argv, const char **which,
                          unsigned long *depth)
{
    const struct view_single cl = {
        view_looks_like_key, "no ID or 0xGUESTPC given", cfg_option, depth,
    };
    int rc = view_parse_single(v, &cl, argc, argv, which);

    if (rc)
        return rc;
    if (v->format != VIEW_TEXT)
        return view_usage_error(v, "%s", "cfg writes dot only (no --format)");
    return 0;
}

int cmd_cfg(int argc, char **argv)
{
    struct view_opts v = { .cmd = "cfg", .usage = cmd_cfg_usage };
    const char *which = NULL;
    struct tbdb *db = NULL;
    const struct tbdb_key *start;
    struct cfg_graph g = { .nk = 0 };
    unsigned long depth = 2;
    int rc;

    rc = cfg_parse_args(&v, argc, argv, &which, &depth);
    if (rc)
        return rc;
    rc = view_open(&v, &db);
    if (rc)
        return rc;
    start = view_find_key(&v, db, which);
    if (!start) {
        rc = TBSYM_EXIT_INPUT;
        goto out;
    }
    if (cfg_graph_build(&g, db) < 0) {
        rc = tbsym_out_of_memory();
        goto out;
    }
    cfg_graph_walk(&g, (uint32_t)(start - db->keys), depth);
    cfg_print_dot(db, &g, start);
    rc = tbsym_finish_stdout(TBSYM_EXIT_OK);
out:
    cfg_graph_free(&g);
    tbdb_close(db);
    return rc;
}
