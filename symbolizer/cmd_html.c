/*
 * cmd_html.c: "tbsym html -o FILE.html", one self-contained page of a perf
 * recording of QEMU: the summary and tbsym report's table (sortable), the
 * flamegraph (flame.h) and the annotated views (annot.h) of the hottest
 * TBs, opened by clicking their rows.  Inline CSS and JavaScript only: the
 * page loads nothing, so it can be mailed or archived as it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "flame.h"
#include "guestsym.h"
#include "outfile.h"
#include "profile.h"
#include "tbsym.h"
#include "views.h"

const char cmd_html_usage[] =
    "usage: tbsym html [-i perf.data] -o FILE.html [-n N] [--tbstats FILE]\n"
    "                  [--jitdump FILE] [--pid PID] [--debug-dir DIR]\n"
    "                  [--no-callchains] [--partial]\n"
    "\n"
    "One self-contained HTML page (no network, no external files) of a perf\n"
    "recording of QEMU: the summary and the table of tbsym report (click a\n"
    "column header to sort), the flamegraph of tbsym flame, and the annotated\n"
    "view (tbsym annotate) of each of the N hottest TBs (default 50), shown by\n"
    "clicking its row.  The page's address may end in #sort=COLUMN&tb=ID to\n"
    "open it sorted, with a TB shown.  FILE is written under a temporary name\n"
    "and renamed when complete.  Input options as for tbsym report.\n"
    "\n"
    "exit status: 0 success, 2 bad usage or bad input, 3 I/O error\n";

struct page {
    struct profile *p;
    const struct tbdb *db;
    struct annot *a;
    struct flame *f;
};

static int on_sample(void *arg, const struct profile_sample *s)
{
    struct page *pg = arg;
    int rc = annot_add_sample(pg->a, s);

    return rc < 0 ? rc : flame_add_sample(pg->f, s);
}

static void html_text(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '&':  fputs("&amp;", out); break;
        case '<':  fputs("&lt;", out); break;
        case '>':  fputs("&gt;", out); break;
        case '"':  fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:   fputc((c >= 0x20 && c < 0x7f) || c == '\n' ? c : '?', out); break;
        }
    }
}

static void html_str(FILE *out, const char *s)
{
    html_text(out, s, strlen(s));
}

/* num / den with two decimals, rounded half up; "-" when den is 0. */
static void ratio_str(char *buf, size_t size, uint64_t num, uint64_t den)
{
    unsigned __int128 v;

    if (!den) {
        snprintf(buf, size, "-");
        return;
    }
    v = ((unsigned __int128)num * 100 + den / 2) / den;
    snprintf(buf, size, "%" PRIu64 ".%02u", (uint64_t)(v / 100), (unsigned)(v % 100));
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return __builtin_add_overflow(a, b, &a) ? UINT64_MAX : a;
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
    "#flame-box { overflow: auto; }\n";

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

static const struct {
    const char *name;
    bool num;
} columns[] = {
    { "guest_pc", true }, { "samples", true }, { "%", true }, { "helper", true },
    { "exec_count", true }, { "spm", true }, { "guest_insns", true }, { "cov%", true },
    { "host_bytes", true }, { "h/g", true }, { "spills", true }, { "ops", true },
    { "ops_opt", true }, { "translations", true }, { "xlate_ns", true },
    { "symbol", false }, { "source", false },
};

static void td_u64(FILE *out, uint64_t v)
{
    fprintf(out, "<td class=\"num\" data-v=\"%" PRIu64 "\">%" PRIu64 "</td>", v, v);
}

static void td_ratio(FILE *out, uint64_t num, uint64_t den)
{
    char buf[64];

    ratio_str(buf, sizeof(buf), num, den);
    fprintf(out, "<td class=\"num\" data-v=\"%s\">%s</td>", den ? buf : "-1", buf);
}

static void td_str(FILE *out, const char *s)
{
    fputs("<td>", out);
    html_str(out, s);
    fputs("</td>", out);
}

/* The report's row of a key (cmd_report.c's columns and names). */
static void print_row(FILE *out, struct page *pg, const struct tbdb_key *k, size_t rank,
                      bool annotated)
{
    uint64_t self = annot_key_self(pg->a, k), total = annot_total(pg->a);
    uint64_t xlate = sat_add(sat_add(k->time_gen_ns, k->time_opt_ns),
                             sat_add(k->time_la_ns, k->time_code_ns));
    struct guestsym *gs = profile_guestsym(pg->p);
    const struct guestsym_loc *loc = NULL;
    char buf[64], src[512] = "";
    const char *name;
    size_t len;

    if (gs && guestsym_lookup(gs, k->guest_pc, &loc) < 0)
        loc = NULL;
    name = view_key_name(k, buf, sizeof(buf), &len);
    if ((!k->latest || !k->latest->have_load) && loc && loc->name)
        name = loc->name;
    if (loc && loc->src_file && loc->src_line) {
        const char *f = strrchr(loc->src_file, '/');

        snprintf(src, sizeof(src), "%s:%d", f ? f + 1 : loc->src_file, loc->src_line);
    }
    fprintf(out, "<tr data-key=\"%" PRIu32 "\" data-rank=\"%zu\"%s>", k->stats_id, rank,
            annotated ? " class=\"annot\" title=\"click: the annotated TB\"" : "");
    fprintf(out, "<td class=\"num\" data-v=\"%" PRIu64 "\">0x%" PRIx64 "</td>", k->guest_pc,
            k->guest_pc);
    td_u64(out, self);
    td_ratio(out, self * 100, total);
    td_u64(out, annot_key_helper(pg->a, k));
    td_u64(out, k->exec_count);
    td_ratio(out, self * 1000000ull, k->exec_count);
    td_u64(out, k->guest_insns);
    td_ratio(out, k->insns_executed > UINT64_MAX / 100 ? k->insns_executed : k->insns_executed * 100,
             k->insns_executed > UINT64_MAX / 100 ? pg->db->total_insns_executed / 100
                                                  : pg->db->total_insns_executed);
    td_u64(out, k->host_bytes);
    td_ratio(out, k->host_bytes, k->guest_bytes);
    td_u64(out, k->spills);
    td_u64(out, k->ops);
    td_u64(out, k->ops_opt);
    td_u64(out, k->translations);
    td_u64(out, xlate);
    fputs("<td>", out);
    html_text(out, name, strlen(name));
    fputs("</td>", out);
    td_str(out, src);
    fputs("</tr>\n", out);
}

/* Keys with samples (in them or their helpers), most samples first. */
static struct page *sort_page;

static int cmp_keys(const void *pa, const void *pb)
{
    const struct tbdb_key *a = *(const struct tbdb_key *const *)pa;
    const struct tbdb_key *b = *(const struct tbdb_key *const *)pb;
    uint64_t sa = annot_key_self(sort_page->a, a), sb = annot_key_self(sort_page->a, b);

    if (sa != sb)
        return sa > sb ? -1 : 1;
    if (a->guest_pc != b->guest_pc)
        return a->guest_pc < b->guest_pc ? -1 : 1;
    return a->stats_id < b->stats_id ? -1 : a->stats_id > b->stats_id;
}

static void print_summary(FILE *out, struct page *pg)
{
    const struct profile_info *in = profile_info(pg->p);
    static const char *const chains[] = { "none", "frame pointers (-g)", "dwarf (libunwind)" };
    char line[1024], pct[32];
    size_t n;

    fputs("<pre class=\"summary\">", out);
    snprintf(line, sizeof(line), "# %s: %s input, QEMU pid %" PRIu32 ", %zu code loads%s\n",
             in->perf_data, in->injected ? "perf inject -j" : "raw", in->pid, in->nr_code_loads,
             in->injected ? " (jitted-*.so)" : "");
    html_str(out, line);
    snprintf(line, sizeof(line), "# export %s%s%s\n", in->tbstats, in->jitdump ? ", jitdump " : "",
             in->jitdump ? in->jitdump : "");
    html_str(out, line);
    snprintf(line, sizeof(line), "# %" PRIu64 " samples of %s%s, call chains: %s\n",
             annot_total(pg->a), in->event ? in->event : "?",
             in->event && !strcmp(in->event, "cpu-clock") ? " (no hardware cycles counter)" : "",
             chains[in->chains]);
    html_str(out, line);
    n = snprintf(line, sizeof(line), "#");
    for (int c = 0; c < PROFILE_OTHER && n < sizeof(line); c++)
        n += snprintf(line + n, sizeof(line) - n, " %s %s%%%s", profile_class_name(c),
                      view_percent_str(pct, sizeof(pct), annot_class(pg->a, c), annot_total(pg->a)),
                      c + 1 < PROFILE_OTHER ? "," : "");
    html_str(out, line);
    fputs("</pre>\n", out);
}

static int print_page(FILE *out, struct page *pg, size_t top)
{
    const struct tbdb *db = pg->db;
    const struct tbdb_key **keys = calloc(db->nr_keys + 1, sizeof(*keys));
    size_t n = 0;
    const char *pd = profile_info(pg->p)->perf_data;

    if (!keys)
        return -ENOMEM;
    for (size_t i = 0; i < db->nr_keys; i++)
        if (annot_key_self(pg->a, &db->keys[i]) || annot_key_helper(pg->a, &db->keys[i]))
            keys[n++] = &db->keys[i];
    sort_page = pg;
    qsort(keys, n, sizeof(*keys), cmp_keys);

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>tbsym: ", out);
    html_str(out, pd);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>QEMU profile: ", page_css);
    html_str(out, pd);
    fputs("</h1>\n", out);
    print_summary(out, pg);

    fprintf(out, "<h2>TBs (%zu with samples; the %zu hottest are annotated: click a row)</h2>\n",
            n, n < top ? n : top);
    fputs("<div id=\"table-box\"><table id=\"report\">\n<thead><tr>", out);
    for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
        fprintf(out, "<th class=\"%s\" data-col=\"", columns[c].num ? "num" : "str");
        html_str(out, columns[c].name);
        fputs("\"", out);
        if (c == 1)
            fputs(" data-dir=\"desc\"", out);
        fputs(">", out);
        html_str(out, columns[c].name);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < n; i++)
        print_row(out, pg, keys[i], i, i < top && annot_key_self(pg->a, keys[i]) > 0);
    fputs("</tbody>\n</table></div>\n", out);
    fputs("<h2>Annotated TB</h2>\n<pre id=\"annot-view\" hidden></pre>\n", out);

    fputs("<h2>Flamegraph (host stacks)</h2>\n<p><label>Search frames (regular expression): "
          "<input id=\"flame-search\" type=\"search\" size=\"40\"></label> "
          "Click a frame to zoom.</p>\n<div id=\"flame-box\">\n", out);
    if (flame_print_svg(pg->f, out, "Host stacks, guest code as \"guestfunc [TB 0xPC]\"",
                        true) < 0) {
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
        annot_print_key(&o, pg->p, pg->a, keys[i]);
        if (fclose(mem) != 0) {
            free(text);
            free(keys);
            return -ENOMEM;
        }
        fprintf(out, "<pre id=\"annot-%" PRIu32 "\">", keys[i]->stats_id);
        html_text(out, text, len);
        fputs("</pre>\n", out);
        free(text);
    }
    fputs("</div>\n", out);
    fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", page_js);
    free(keys);
    return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("tbsym html: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(cmd_html_usage, stderr);
    return TBSYM_EXIT_INPUT;
}

static int exit_code_of(int rc)
{
    switch (rc) {
    case -EBADMSG: case -ENODATA: case -ENOTSUP: case -ENOENT: case -ESRCH: case -EXDEV:
    case -EINVAL:
        return TBSYM_EXIT_INPUT;
    default:
        return TBSYM_EXIT_IO;
    }
}

int cmd_html(int argc, char **argv)
{
    struct profile_opts po = { 0 };
    struct page pg = { 0 };
    struct outfile of;
    const char *output = NULL;
    unsigned long long top = 50;
    int rc, ret = TBSYM_EXIT_OK;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(cmd_html_usage, stdout);
            return tbsym_finish_stdout(TBSYM_EXIT_OK);
        }
        if (!strcmp(a, "--no-callchains")) { po.no_callchains = true; continue; }
        if (!strcmp(a, "--partial")) { po.partial = true; continue; }
        if (!v)
            return usage_error("unknown option or missing argument: %s", a);
        i++;
        if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
            po.perf_data = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            output = v;
        } else if (!strcmp(a, "-n")) {
            top = strtoull(v, &end, 10);
            if (*end || !*v || v[0] == '-')
                return usage_error("bad -n: %s", v);
        } else if (!strcmp(a, "--tbstats")) {
            po.tbstats = v;
        } else if (!strcmp(a, "--jitdump")) {
            po.jitdump = v;
        } else if (!strcmp(a, "--debug-dir")) {
            po.debug_dir = v;
        } else if (!strcmp(a, "--pid")) {
            unsigned long pid = strtoul(v, &end, 10);

            if (*end || !*v || !pid || pid > UINT32_MAX)
                return usage_error("bad --pid: %s", v);
            po.pid = (uint32_t)pid;
        } else {
            return usage_error("unknown option: %s", a);
        }
    }
    if (!output)
        return usage_error("%s", "no output file (-o FILE.html)");

    rc = profile_open(&po, &pg.p);
    if (rc < 0) {
        fprintf(stderr, "tbsym: %s\n", pg.p ? profile_strerror(pg.p) : strerror(-rc));
        ret = exit_code_of(rc);
        goto out;
    }
    pg.db = profile_tbdb(pg.p);
    rc = annot_new(pg.db, &pg.a);
    if (rc == 0)
        rc = flame_new(pg.p, 0, &pg.f);
    if (rc < 0)
        goto fail;
    rc = profile_run(pg.p, on_sample, &pg);
    if (rc < 0)
        goto fail;
    if (profile_warning(pg.p))
        fprintf(stderr, "tbsym: warning: %s\n", profile_warning(pg.p));
    ret = outfile_open(&of, output);
    if (ret)
        goto out;
    rc = print_page(of.f, &pg, top > SIZE_MAX ? SIZE_MAX : (size_t)top);
    if (rc < 0)
        fprintf(stderr, "tbsym: out of memory\n");
    ret = outfile_close(&of, rc == 0);
    goto out;
fail:
    if (rc == -ENOMEM)
        fprintf(stderr, "tbsym: out of memory\n");
    else
        fprintf(stderr, "tbsym: %s\n", profile_strerror(pg.p));
    ret = exit_code_of(rc);
out:
    flame_free(pg.f);
    annot_free(pg.a);
    profile_close(pg.p);
    return ret;
}
