/*
 * cmd_cfg.c: "tbsym cfg ID|0xGUESTPC [--depth N]", the neighbourhood of a
 * key in the graph of successor edges (STATS records' succ_pc) as Graphviz
 * dot: every key within N edges of it, following edges both ways.  A
 * successor PC is joined to the hottest key of that PC; a successor PC
 * with no key is drawn as a dashed edge to a dashed plain node.
 */
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
    "  RUN           a run directory (qemu-perf record -o DIR), a perf.data (the\n"
    "                run in its directory) or a side file jit-PID.tbstats (with\n"
    "                jit-PID.dump next to it), recognised by content\n"
    "  --dir DIR     find jit-PID.tbstats and jit-PID.dump in DIR (default .);\n"
    "                --pid PID picks a run (default: the only or newest one)\n"
    "  --tbstats FILE [--jitdump FILE]   the files themselves\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input (RUN missing, or not a run\n"
    "directory, perf.data or side file), 3 I/O error\n";

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

int cmd_cfg(int argc, char **argv)
{
    struct view_opts v = { .cmd = "cfg", .usage = cmd_cfg_usage };
    const char *which = NULL;
    char *pos[2];
    int npos = 0;
    struct tbdb *db = NULL;
    const struct tbdb_key *start;
    uint32_t *target = NULL, *pred_start = NULL, *pred = NULL, *queue = NULL;
    size_t *succ_start = NULL;
    int *dist = NULL;
    unsigned long depth = 2;
    size_t nk, ne = 0, head = 0, tail = 0;
    int rc;

    for (int i = 1; i < argc; i++) {
        int r;

        r = view_parse_option(&v, argc, argv, &i);
        if (r < 0)
            return TBSYM_EXIT_INPUT;
        if (r)
            continue;
        if (!strcmp(argv[i], "--depth")) {
            char *end;

            if (i + 1 >= argc)
                return view_usage_error(&v, "%s needs an argument", argv[i]);
            depth = strtoul(argv[++i], &end, 10);
            if (!argv[i][0] || *end || argv[i][0] == '-' || depth > 1000)
                return view_usage_error(&v, "bad --depth '%s' (0 to 1000)", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' || npos == 2)
            return view_usage_error(&v, "unknown argument '%s'", argv[i]);
        pos[npos++] = argv[i];
    }
    rc = view_take_positionals(&v, npos, pos, view_looks_like_key, &which,
                               "no ID or 0xGUESTPC given");
    if (rc)
        return rc;
    if (v.format != VIEW_TEXT)
        return view_usage_error(&v, "%s", "cfg writes dot only (no --format)");

    rc = view_open(&v, &db);
    if (rc)
        return rc;
    start = view_find_key(&v, db, which);
    if (!start) {
        rc = TBSYM_EXIT_INPUT;
        goto out;
    }

    /* Edges as key indices (UINT32_MAX: a PC with no key), and their reverse. */
    nk = db->nr_keys;
    succ_start = malloc((nk + 1) * sizeof(*succ_start));
    pred_start = calloc(nk + 2, sizeof(*pred_start));
    dist = malloc(nk * sizeof(*dist));
    queue = malloc(nk * sizeof(*queue));
    if (!succ_start || !pred_start || !dist || !queue)
        goto nomem;
    for (size_t i = 0; i < nk; i++) {
        succ_start[i] = ne;
        ne += db->keys[i].nr_succ;
        dist[i] = -1;
    }
    succ_start[nk] = ne;
    target = malloc((ne ? ne : 1) * sizeof(*target));
    pred = malloc((ne ? ne : 1) * sizeof(*pred));
    if (!target || !pred)
        goto nomem;
    for (size_t i = 0; i < nk; i++)
        for (uint32_t j = 0; j < db->keys[i].nr_succ; j++) {
            const struct tbdb_key *s = tbdb_key_by_pc(db, db->keys[i].succ_pc[j]);
            size_t e = succ_start[i] + j;

            target[e] = s ? (uint32_t)(s - db->keys) : UINT32_MAX;
            if (s)
                pred_start[target[e] + 2]++;
        }
    for (size_t i = 0; i < nk; i++)
        pred_start[i + 2] += pred_start[i + 1];
    for (size_t i = 0; i < nk; i++)
        for (size_t e = succ_start[i]; e < succ_start[i + 1]; e++)
            if (target[e] != UINT32_MAX)
                pred[pred_start[target[e] + 1]++] = i;
    /* Now pred_start[k]..pred_start[k + 1] are k's predecessors. */

    /* Breadth first, both directions, to depth. */
    dist[start - db->keys] = 0;
    queue[tail++] = start - db->keys;
    while (head < tail) {
        uint32_t k = queue[head++];

        if ((unsigned long)dist[k] >= depth)
            continue;
        for (size_t e = succ_start[k]; e < succ_start[k + 1]; e++)
            if (target[e] != UINT32_MAX && dist[target[e]] < 0) {
                dist[target[e]] = dist[k] + 1;
                queue[tail++] = target[e];
            }
        for (uint32_t p = pred_start[k]; p < pred_start[k + 1]; p++)
            if (dist[pred[p]] < 0) {
                dist[pred[p]] = dist[k] + 1;
                queue[tail++] = pred[p];
            }
    }

    printf("digraph \"tb%u\" {\n", start->stats_id);
    printf("  node [shape=box, style=filled, fontname=\"monospace\", fontsize=10];\n");
    for (size_t i = 0; i < nk; i++) {
        const struct tbdb_key *k = &db->keys[i];
        double share = db->max_exec_count ? (double)k->exec_count / db->max_exec_count : 0;
        char buf[32];
        size_t len;
        const char *name;

        if (dist[i] < 0)
            continue;
        name = view_key_name(k, buf, sizeof(buf), &len);
        printf("  k%u [label=\"", k->stats_id);
        put_dot_str(stdout, name, len);
        printf("\\n0x%" PRIx64 " id %u\\nexec %" PRIu64 "\", fillcolor=\"0.000 %.3f 1.000\"%s];\n",
               k->guest_pc, k->stats_id, k->exec_count, share,
               k == start ? ", penwidth=3" : "");
    }
    for (size_t i = 0; i < nk; i++) {
        if (dist[i] < 0)
            continue;
        for (size_t e = succ_start[i]; e < succ_start[i + 1]; e++) {
            uint64_t pc = db->keys[i].succ_pc[e - succ_start[i]];

            if (target[e] == UINT32_MAX) {
                printf("  pc%" PRIx64 " [label=\"0x%" PRIx64 "\\n(no key)\", style=dashed];\n",
                       pc, pc);
                printf("  k%u -> pc%" PRIx64 " [style=dashed];\n", db->keys[i].stats_id, pc);
            } else if (dist[target[e]] >= 0) {
                printf("  k%u -> k%u;\n", db->keys[i].stats_id, db->keys[target[e]].stats_id);
            }
        }
    }
    printf("}\n");
    rc = tbsym_finish_stdout(TBSYM_EXIT_OK);
    goto out;
nomem:
    fprintf(stderr, "tbsym: out of memory\n");
    rc = TBSYM_EXIT_IO;
out:
    free(pred);
    free(target);
    free(queue);
    free(dist);
    free(pred_start);
    free(succ_start);
    tbdb_close(db);
    return rc;
}
