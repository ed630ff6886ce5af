# tbsym html in a real browser: headless Chromium loads the page of a real
# `perf record -g` of the demo, the page's own address asks it to sort by a
# column (a click on that header) and to open a TB (a click on its row):
# the DOM Chromium dumps must show the header sorted, the rows in that
# order and the TB's annotated view; a screenshot must be written.
# Skips where Chromium is not installed (Debian: apt install chromium).
. "$TOP/tests/integration/lib.sh"
need_demo
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (apt install chromium)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
need_perf

d=$WORK/fp
PERF_RECORD_ARGS="-g" record "$d" x86_64 -tb-stats all "$DEMO" 10
"$TBSYM" html -i "$d/perf.data" -o "$d/report.html" 2> "$d/html.err" || fail "html failed: $(cat "$d/html.err")"
# The hottest annotated TB: the first row with an annotated view.
id=$(grep -o '<tr data-key="[0-9]*" data-rank="[0-9]*" class="annot"' "$d/report.html" |
     head -n 1 | sed 's/.*data-key="\([0-9]*\)".*/\1/')
[ -n "$id" ] || fail "html: no annotated TB"

# Chromium as root needs --no-sandbox; its profile goes to the test's directory.
browse() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" \
        --window-size=1300,1600 "$@" 2> "$WORK/chromium.err"
}
url="file://$d/report.html#sort=exec_count&tb=$id"
browse --dump-dom "$url" > "$d/dom.html" || fail "chromium --dump-dom failed: $(tail -n 3 "$WORK/chromium.err")"
python3 - "$d/dom.html" "$id" <<'PY' || fail "the page did not sort or open TB $id"
import re, sys
dom, tb = open(sys.argv[1]).read(), sys.argv[2]
th = re.search(r'<th[^>]*data-col="exec_count"[^>]*>', dom)
assert th and 'data-dir="desc"' in th.group(0), 'exec_count header not sorted: %s' % (th and th.group(0))
col = [m.group(1) for m in re.finditer(r'<th[^>]*data-col="([^"]*)"', dom)].index('exec_count')
body = dom[dom.index('<tbody>'):dom.index('</tbody>')]
vals = []
for row in re.findall(r'<tr[^>]*>(.*?)</tr>', body, re.S):
    cells = re.findall(r'<td[^>]*data-v="([^"]*)"', row)
    vals.append(int(cells[col]))
assert vals and vals == sorted(vals, reverse=True), 'rows not by exec_count: %s' % vals[:10]
view = re.search(r'<pre id="annot-view"([^>]*)>(.*?)</pre>', dom, re.S)
assert view and 'hidden' not in view.group(1) and ('data-key="%s"' % tb) in view.group(1), 'TB view not open'
assert re.search(r'^key %s guest_pc 0x' % tb, view.group(2), re.M), 'TB view without its header'
assert re.search(r'class="[^"]*selected', body), 'no row selected'
print('%d rows sorted by exec_count, TB %s open (%d lines)' % (len(vals), tb, view.group(2).count('\n')))
PY
browse --screenshot="$d/shot.png" "$url" > /dev/null || fail "chromium --screenshot failed: $(tail -n 3 "$WORK/chromium.err")"
[ "$(head -c 4 "$d/shot.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "no PNG screenshot"
note "screenshot: $(wc -c < "$d/shot.png") bytes"
