/*
 * cmd_html.c: "tbsym html -o FILE.html", one self-contained page of a perf
 * recording of QEMU: the guest call stacks' flamegraph first when the
 * recording has them, the summary and tbsym report's table (sortable), the
 * host flamegraph (flame.h) and the annotated views (annot.h) of the
 * hottest TBs, opened by clicking their rows.  Inline CSS and JavaScript only: the
 * page loads nothing, so it can be mailed or archived as it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "disasm.h"
#include "flame.h"
#include "gstack_view.h"
#include "outfile.h"
#include "profile.h"
#include "profile_opts.h"
#include "report_table.h"
#include "table.h"
#include "tally.h"
#include "tbsym.h"
#include "view_opts.h"

const char cmd_html_usage[] =
    "usage: tbsym html [RUN | -i perf.data] -o FILE.html [-n N] [--tbstats FILE]\n"
    "                  [--jitdump FILE] [--pid PID] [--debug-dir DIR]\n"
    "                  [--no-callchains] [--partial]\n"
    "\n"
    "One self-contained HTML page (no network, no external files) of a perf\n"
    "recording of QEMU: the summary, the guest call stacks' flamegraph of tbsym\n"
    "flame --guest when the recording has them (QEMU's shadow stacks, perf record\n"
    "--call-graph dwarf), the table of tbsym report (click a column header to\n"
    "sort), the host flamegraph of tbsym flame, and the annotated\n"
    "view (tbsym annotate) of each of the N hottest TBs (default 50), shown by\n"
    "clicking its row.  The page's address may end in #sort=COLUMN&tb=ID to\n"
    "open it sorted, with a TB shown.  FILE is written under a temporary name\n"
    "and renamed when complete.  RUN and input options as for tbsym report.\n"
    "\n"
    RUN_ARG_USAGE_EXIT;

struct page {
    struct profile *p;
    const struct tbdb *db;
    struct tally t;            /* the report's counts */
    struct annot *a;           /* the annotated views' */
    struct flame *f;
    struct flame *gf;          /* guest call stacks, NULL when not recorded */
};

static int on_sample(void *arg, const struct profile_sample *s)
{
    struct page *pg = arg;
    int rc = annot_add_sample(pg->a, s);

    tally_sample(&pg->t, s);
    if (rc == 0 && pg->gf)
        rc = flame_add_sample(pg->gf, s);
    return rc < 0 ? rc : flame_add_sample(pg->f, s);
}

static const char page_css[] =
    "body { font-family: sans-serif; margin: 1em; background: #fff; color: #111; }\n"
    "pre { font-family: monospace; font-size: 12px; }\n"
    "table { border-collapse: collapse; font-size: 12px; }\n"
    "th, td { padding: 2px 6px; border-bottom: 1px solid #ddd; white-space: nowrap; }\n"
    "th { cursor: pointer; background: #eee; position: sticky; top: 0; user-select: none; }\n"
    "th[data-dir=desc]::after { content: ' \\25BC'; }\n"
    "th[data-dir=asc]::after { content: ' \\25B2'; }\n"
    "td.num { text-align: right; font-family: monospace; }\n"
    "tr.annot { cursor: pointer; }\n"
    "tr.annot:hover { background: #fff3c0; }\n"
    "tr.selected { background: #ffe080; }\n"
    "#table-box { max-height: 28em; overflow: auto; border: 1px solid #ccc; }\n"
    "#annot-view { background: #f8f8f0; border: 1px solid #ccc; padding: 0.5em; overflow: auto; }\n"
    "#flame-box, .flame-box { overflow: auto; }\n"
    "p.note { color: #555; font-family: monospace; font-size: 12px; }\n";

static const char page_js[] =
    "(function () {\n"
    "  var table = document.getElementById('report'), tbody = table.tBodies[0];\n"
    "  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);\n"
    "  var view = document.getElementById('annot-view'), state = {};\n"
    "  function setHash() {\n"
    "    var h = [];\n"
    "    if (state.sort) h.push('sort=' + encodeURIComponent(state.sort) + (state.asc ? '&asc' : ''));\n"
    "    if (state.tb) h.push('tb=' + state.tb);\n"
    "    history.replaceState(null, '', '#' + h.join('&'));\n"
    "  }\n"
    "  function sortBy(th, asc) {\n"
    "    var i = heads.indexOf(th), num = th.classList.contains('num');\n"
    "    heads.forEach(function (h) { h.removeAttribute('data-dir'); });\n"
    "    th.setAttribute('data-dir', asc ? 'asc' : 'desc');\n"
    "    var rows = Array.prototype.slice.call(tbody.rows);\n"
    "    rows.sort(function (a, b) {\n"
    "      var x = a.cells[i].getAttribute('data-v'), y = b.cells[i].getAttribute('data-v');\n"
    "      if (x === null) x = a.cells[i].textContent;\n"
    "      if (y === null) y = b.cells[i].textContent;\n"
    "      if (num) { x = +x; y = +y; }\n"
    "      var c = x < y ? -1 : x > y ? 1 : 0;\n"
    "      return (asc ? c : -c) || (+a.getAttribute('data-rank') - +b.getAttribute('data-rank'));\n"
    "    });\n"
    "    rows.forEach(function (r) { tbody.appendChild(r); });\n"
    "    state.sort = th.getAttribute('data-col'); state.asc = asc; setHash();\n"
    "  }\n"
    "  heads.forEach(function (th) {\n"
    "    th.addEventListener('click', function () {\n"
    "      sortBy(th, th.getAttribute('data-dir') === 'desc');\n"
    "    });\n"
    "  });\n"
    "  function open(id) {\n"
    "    var pre = document.getElementById('annot-' + id);\n"
    "    Array.prototype.forEach.call(tbody.rows, function (r) {\n"
    "      r.classList.toggle('selected', r.getAttribute('data-key') === String(id));\n"
    "    });\n"
    "    if (!pre) return;\n"
    "    view.textContent = pre.textContent;\n"
    "    view.hidden = false;\n"
    "    view.setAttribute('data-key', id);\n"
    "    state.tb = id; setHash();\n"
    "  }\n"
    "  tbody.addEventListener('click', function (e) {\n"
    "    var tr = e.target.closest('tr');\n"
    "    if (tr && tr.classList.contains('annot')) { open(tr.getAttribute('data-key')); view.scrollIntoView(); }\n"
    "  });\n"
    "  var q = document.getElementById('flame-search');\n"
    "  q.addEventListener('input', function () { if (window.flamegraphSearch) window.flamegraphSearch(q.value); });\n"
    "  var gq = document.getElementById('gflame-search');\n"
    "  if (gq) gq.addEventListener('input', function () { if (window.gflameSearch) window.gflameSearch(gq.value); });\n"
    "  var h = {};\n"
    "  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {\n"
    "    var i = kv.indexOf('='); if (kv) h[i < 0 ? kv : kv.substring(0, i)] = i < 0 ? '' : decodeURIComponent(kv.substring(i + 1));\n"
    "  });\n"
    "  if (h.sort) heads.forEach(function (th) {\n"
    "    if (th.getAttribute('data-col') === h.sort) {\n"
    "      th.click();\n"
    "      if ('asc' in h) th.click();\n"
    "    }\n"
    "  });\n"
    "  if (h.tb) open(h.tb);\n"
    "})();\n";

/* Keys with samples (in them or their helpers), most samples first. */
static struct page *sort_page;

static int cmp_keys(const void *pa, const void *pb)
{
    const struct tbdb_key *a = *(const struct tbdb_key *const *)pa;
    const struct tbdb_key *b = *(const struct tbdb_key *const *)pb;
    const struct tally *t = &sort_page->t;
    uint64_t sa = t->key_samples[tally_key_index(t, a)], sb = t->key_samples[tally_key_index(t, b)];

    if (sa != sb)
        return sa > sb ? -1 : 1;
    if (a->guest_pc != b->guest_pc)
        return a->guest_pc < b->guest_pc ? -1 : 1;
    return a->stats_id < b->stats_id ? -1 : a->stats_id > b->stats_id;
}

/* The summary lines of tbsym report, escaped. */
static int print_summary(FILE *out, struct page *pg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    if (!mem)
        return -ENOMEM;
    view_report_summary(mem, pg->p, &pg->t);
    if (fclose(mem) != 0) {
        free(text);
        return -ENOMEM;
    }
    if (len && text[len - 1] == '\n')
        len--;          /* </pre> closes the last line */
    fputs("<pre class=\"summary\">", out);
    out_xml_text(out, text, len, true);
    fputs("</pre>\n", out);
    free(text);
    return 0;
}

/* tbsym report's table of the keys (sorted), each row opening its annotated view. */
static int print_table(FILE *out, struct page *pg, const struct tbdb_key **keys, size_t n,
                       size_t top)
{
    size_t ncols;
    const struct table_col *cols = view_report_columns(false, view_report_softmmu(pg->db),
                                                       &ncols);
    struct table *t = table_new(cols, ncols);
    struct view_host_insns hi;

    if (!t)
        return -ENOMEM;
    view_host_insns_open(&hi, pg->db);
    for (size_t i = 0; i < n; i++) {
        struct tally_sums sum = { 0 };

        tally_sums_add_key(&sum, &pg->t, keys[i]);
        view_report_row(t, pg->p, &sum, keys[i]->guest_pc, keys[i], NULL, pg->t.total, NULL,
                        &hi);
    }
    view_host_insns_close(&hi);
    if (!table_ok(t)) {
        table_free(t);
        return -ENOMEM;
    }
    fputs("<div id=\"table-box\"><table id=\"report\">\n<thead><tr>", out);
    table_print_html_head(t, out, 1);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < n; i++) {
        bool annotated = i < top && annot_key_self(pg->a, keys[i]) > 0;

        fprintf(out, "<tr data-key=\"%" PRIu32 "\" data-rank=\"%zu\"%s>", keys[i]->stats_id, i,
                annotated ? " class=\"annot\" title=\"click: the annotated TB\"" : "");
        table_print_html_row(t, i, out);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
    table_free(t);
    return 0;
}

/*
 * The guest call stacks' flamegraph, first on the page, when samples had
 * them (it then takes ctrl-F); else one line on why there is none.
 */
static int print_guest_flame(FILE *out, struct page *pg)
{
    static const struct flame_svg_opts guest_svg = { .id = "gflame", .prefix = "gfl", .keys = true };
    char why[512];
    const char *no = gstack_missing_reason(profile_info(pg->p), why, sizeof(why));

    if (no || !pg->gf || !flame_guest_samples(pg->gf)) {
        fputs("<p class=\"note\">", out);
        out_xml_text(out, no ? no : "no guest call stacks", strlen(no ? no : "no guest call stacks"),
                     false);
        fputs("</p>\n", out);
        return 0;
    }
    fputs("<h2>Flamegraph (guest call stacks)</h2>\n<p><label>Search frames (regular expression): "
          "<input id=\"gflame-search\" type=\"search\" size=\"40\"></label> "
          "Click a frame to zoom.</p>\n<div class=\"flame-box\">\n", out);
    if (flame_print_svg_opts(pg->gf, out, "Guest call stacks, QEMU's work as the leaf "
                             "(\"[helper] SYM\", \"[translate]\", ...)", true, &guest_svg) < 0)
        return -ENOMEM;
    fputs("</div>\n", out);
    return 0;
}

static int print_page(FILE *out, struct page *pg, size_t top)
{
    const struct flame_svg_opts host_svg = {
        .id = "flamegraph", .prefix = "fg",
        .keys = !pg->gf || !flame_guest_samples(pg->gf),
    };
    const struct tbdb *db = pg->db;
    const struct tbdb_key **keys = calloc(db->nr_keys + 1, sizeof(*keys));
    size_t n = 0;
    const char *pd = profile_info(pg->p)->perf_data;

    if (!keys)
        return -ENOMEM;
    for (size_t i = 0; i < db->nr_keys; i++)
        if (pg->t.key_samples[i] || pg->t.key_helper[i])
            keys[n++] = &db->keys[i];
    sort_page = pg;
    qsort(keys, n, sizeof(*keys), cmp_keys);

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>tbsym: ", out);
    out_xml_text(out, pd, strlen(pd), true);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>QEMU profile: ", page_css);
    out_xml_text(out, pd, strlen(pd), true);
    fputs("</h1>\n", out);
    if (print_summary(out, pg) < 0 || print_guest_flame(out, pg) < 0) {
        free(keys);
        return -ENOMEM;
    }

    fprintf(out, "<h2>TBs (%zu with samples; the %zu hottest are annotated: click a row)</h2>\n",
            n, n < top ? n : top);
    if (print_table(out, pg, keys, n, top) < 0) {
        free(keys);
        return -ENOMEM;
    }
    fputs("<h2>Annotated TB</h2>\n<pre id=\"annot-view\" hidden></pre>\n", out);

    fputs("<h2>Flamegraph (host stacks)</h2>\n<p><label>Search frames (regular expression): "
          "<input id=\"flame-search\" type=\"search\" size=\"40\"></label> "
          "Click a frame to zoom.</p>\n<div id=\"flame-box\">\n", out);
    if (flame_print_svg_opts(pg->f, out, "Host stacks, guest code as \"guestfunc [TB 0xPC]\"",
                             true, &host_svg) < 0) {
        free(keys);
        return -ENOMEM;
    }
    fputs("</div>\n", out);

    /* The annotated views, shown by the script in #annot-view. */
    fputs("<div hidden>\n", out);
    for (size_t i = 0; i < n && i < top; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem;
        struct out o;

        if (!annot_key_self(pg->a, keys[i]))
            continue;
        mem = open_memstream(&text, &len);
        if (!mem) {
            free(keys);
            return -ENOMEM;
        }
        out_init(&o, mem, OUT_TEXT);
        annot_print_key(&o, pg->p, pg->a, keys[i], 0);
        if (fclose(mem) != 0) {
            free(text);
            free(keys);
            return -ENOMEM;
        }
        fprintf(out, "<pre id=\"annot-%" PRIu32 "\">", keys[i]->stats_id);
        out_xml_text(out, text, len, true);
        fputs("</pre>\n", out);
        free(text);
    }
    fputs("</div>\n", out);
    fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", page_js);
    free(keys);
    return 0;
}

int cmd_html(int argc, char **argv)
{
    const char *output = NULL;
    unsigned long long top = 50;
    struct view_cmdline cl = {
        .v = { .cmd = "html", .usage = cmd_html_usage },
        .take_run = true, .limit = &top, .output = &output,
    };
    struct page pg = { 0 };
    struct outfile of;
    int rc, ret = TBSYM_EXIT_OK;

    rc = view_parse_cmdline(&cl, argc, argv);
    if (rc == 0 && !output)
        rc = view_usage_error(&cl.v, "%s", "no output file (-o FILE.html)");
    if (rc)
        return rc;
    ret = view_cmdline_open(&cl, &pg.p);
    if (ret)
        goto out;
    pg.db = profile_tbdb(pg.p);
    rc = tally_init(&pg.t, pg.db);
    if (rc == 0)
        rc = annot_new(pg.db, &pg.a);
    if (rc == 0)
        rc = flame_new(pg.p, 0, &pg.f);
    if (rc == 0 && profile_info(pg.p)->shadow_stacks && profile_info(pg.p)->user_stacks)
        rc = flame_new(pg.p, FLAME_GUEST, &pg.gf);
    if (rc < 0)
        goto fail;
    rc = view_profile_read(pg.p, on_sample, &pg);
    if (rc < 0)
        goto fail;
    ret = outfile_open(&of, output);
    if (ret)
        goto out;
    rc = print_page(of.f, &pg, top > SIZE_MAX ? SIZE_MAX : (size_t)top);
    if (rc < 0)
        fprintf(stderr, "tbsym: out of memory\n");
    ret = outfile_close(&of, rc == 0);
    goto out;
fail:
    ret = view_profile_error(pg.p, rc);
out:
    flame_free(pg.gf);
    flame_free(pg.f);
    annot_free(pg.a);
    tally_release(&pg.t);
    profile_close(pg.p);
    return ret;
}
