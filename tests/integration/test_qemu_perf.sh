#!/bin/sh
# qemu-perf (perf-scripts/qemu-perf, installed as build/bin/qemu-perf) and
# perf-scripts/tbstats-report.py under the real perf script -s:
#  - record -o DIR -- qemu-x86_64 demo 5 leaves perf.data, jit-PID.dump and
#    jit-PID.tbstats in DIR and returns the guest's status (0, and 3 for a
#    guest that exits 3);
#  - a non-empty DIR is refused with exit 2; --force replaces the recording;
#  - qemu-perf report DIR and tb-list DIR work; annotate DIR TARGET, flame
#    DIR (folded and --svg), html DIR (DIR/report.html without -o, and -o)
#    and diff A B (directories, a perf.data file, options before A B,
#    --fail-above) give what tbsym gives on the same files;
#  - the perf script's per-TB samples on the injected data equal the rows of
#    tbsym report -i DIR/perf.jit.data --format json for the top TBs;
#  - --help of every subcommand exits 0.
. "$(dirname "$0")/lib.sh"
need_perf
QP=$BUILD/bin/qemu-perf
[ -x "$QP" ] || skip "no $QP (make tools)"
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86"
command -v python3 >/dev/null || skip "no python3"
perf version --build-options 2>/dev/null | grep -q 'libpython: \[ on' ||
    skip "this perf has no Python scripting (perf script -s)"

for c in record inject report annotate flame html diff tb-list tb coverset cfg listing script; do
    "$QP" "$c" --help >"$WORK/help.out" 2>&1 || fail "qemu-perf $c --help exited $?"
    grep -q "usage: qemu-perf $c" "$WORK/help.out" || fail "qemu-perf $c --help: no usage line"
done
"$QP" --help >/dev/null || fail "qemu-perf --help exited $?"
rc=0; "$QP" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "qemu-perf without a command exited $rc, expected 2"

# record: the files, the guest's status
D=$WORK/rec
rc=0
"$QP" record -o "$D" -- qemu-x86_64 "$GUESTS/x86_64/demo" 5 >"$WORK/guest.out" 2>"$WORK/record.err" || rc=$?
[ "$rc" -eq 0 ] || fail "qemu-perf record exited $rc: $(tail -n 3 "$WORK/record.err")"
grep -q 'checksum' "$WORK/guest.out" || fail "the guest's stdout did not reach ours"
[ -s "$D/perf.data" ] || fail "no $D/perf.data"
ls "$D"/jit-*.dump >/dev/null 2>&1 || fail "no jit-PID.dump in $D"
ls "$D"/jit-*.tbstats >/dev/null 2>&1 || fail "no jit-PID.tbstats in $D"
grep -q -- "-perf -perf-dir $D -tb-stats all" "$D/qemu-perf.cmd" || fail "QEMU's options: $(cat "$D/qemu-perf.cmd")"
grep -q -- "-k 1" "$D/qemu-perf.cmd" || fail "no -k 1: $(cat "$D/qemu-perf.cmd")"
note "record: $(cat "$D/qemu-perf.cmd")"

rc=0
"$QP" record -o "$WORK/rec3" -- qemu-x86_64 /bin/sh -c 'exit 3' >/dev/null 2>"$WORK/record3.err" || rc=$?
[ "$rc" -eq 3 ] || fail "a guest exiting 3: qemu-perf record exited $rc"

# a non-empty DIR: refused (2), nothing touched; --force replaces
before=$(ls "$D" | sort | tr '\n' ' ')
rc=0
"$QP" record -o "$D" -- qemu-x86_64 /bin/true >/dev/null 2>"$WORK/refuse.err" || rc=$?
[ "$rc" -eq 2 ] || fail "a non-empty DIR: qemu-perf record exited $rc, expected 2"
grep -q 'not empty' "$WORK/refuse.err" || fail "no reason given: $(cat "$WORK/refuse.err")"
[ "$(ls "$D" | sort | tr '\n' ' ')" = "$before" ] || fail "the refused DIR was changed"
touch "$WORK/rec3/notes.txt"
"$QP" record -o "$WORK/rec3" --force -- qemu-x86_64 /bin/true >/dev/null 2>&1 ||
    fail "--force: exited $?"
[ -f "$WORK/rec3/notes.txt" ] || fail "--force removed a file that is not the recording's"
[ "$(ls "$WORK/rec3"/jit-*.tbstats | wc -l)" -eq 1 ] || fail "--force left the old run's export"

# -g: dwarf chains, which work through QEMU, and with them guest call stacks;
# frame-pointer chains only on request, with a warning.
"$QP" record -g -o "$WORK/recg" -- qemu-x86_64 "$GUESTS/x86_64/demo" 2 >/dev/null 2>"$WORK/recg.err" ||
    fail "record -g exited $?: $(cat "$WORK/recg.err")"
"$BUILD/bin/tbsym" report -i "$WORK/recg/perf.data" --by function -n 3 >"$WORK/recg.rep" 2>&1 ||
    fail "report of record -g failed: $(cat "$WORK/recg.rep")"
grep -q 'call chains: dwarf' "$WORK/recg.rep" || fail "record -g: not dwarf chains: $(head -n 4 "$WORK/recg.rep")"
grep -q '^# guest call stacks in [1-9]' "$WORK/recg.rep" ||
    fail "record -g: no guest call stacks: $(grep '^#' "$WORK/recg.rep")"
"$QP" record --call-graph fp -o "$WORK/recfp" -- qemu-x86_64 /bin/true >/dev/null 2>"$WORK/recfp.err" ||
    fail "record --call-graph fp exited $?"
grep -q 'warning: frame-pointer call chains' "$WORK/recfp.err" || fail "--call-graph fp: no warning"

# report, tb-list
"$QP" report "$D" -n 5 >"$WORK/report.out" 2>"$WORK/report.err" ||
    fail "qemu-perf report exited $?: $(cat "$WORK/report.err")"
grep -q 'float_kernel' "$WORK/report.out" || fail "report: no float_kernel row"
"$QP" tb-list "$D" -n 5 >"$WORK/tblist.out" || fail "qemu-perf tb-list exited $?"
grep -q 'float_kernel' "$WORK/tblist.out" || fail "tb-list: no float_kernel row"

# annotate, flame, html, diff: the wrapper gives what tbsym gives on the same files
T=$BUILD/bin/tbsym
"$QP" annotate "$D" float_kernel >"$WORK/annot.out" 2>"$WORK/annot.err" ||
    fail "qemu-perf annotate exited $?: $(cat "$WORK/annot.err")"
grep -q '^key [0-9]* guest_pc 0x[0-9a-f]* float_kernel' "$WORK/annot.out" || fail "annotate: no float_kernel key"
"$T" annotate -i "$D/perf.data" float_kernel | cmp -s - "$WORK/annot.out" || fail "annotate: not tbsym's output"
"$QP" flame "$D" >"$WORK/folded" 2>/dev/null || fail "qemu-perf flame exited $?"
grep -q 'float_kernel \[TB 0x' "$WORK/folded" || fail "flame: no float_kernel TB frame"
"$QP" flame "$D" --guest --svg "$WORK/flame.svg" 2>/dev/null || fail "qemu-perf flame --svg exited $?"
grep -q '<svg' "$WORK/flame.svg" || fail "flame --svg: no SVG"
"$QP" html "$D" 2>"$WORK/html.err" || fail "qemu-perf html exited $?: $(cat "$WORK/html.err")"
grep -q "wrote $D/report.html" "$WORK/html.err" || fail "html: did not name its file: $(cat "$WORK/html.err")"
grep -q '<table id="report">' "$D/report.html" || fail "html: no report table in $D/report.html"
"$QP" html "$D" -o "$WORK/page.html" -n 3 2>/dev/null || fail "qemu-perf html -o exited $?"
[ "$(grep -c '<pre id="annot-[0-9]' "$WORK/page.html")" -le 3 ] || fail "html -n 3: more than 3 annotated TBs"
"$QP" diff "$D" "$D/perf.data" >"$WORK/diff.out" 2>"$WORK/diff.err" ||
    fail "qemu-perf diff DIR FILE exited $?: $(cat "$WORK/diff.err")"
grep -q 'float_kernel' "$WORK/diff.out" || fail "diff: no float_kernel row"
# /bin/true (A) against the demo (B): the demo's rows are new, above 0 points.
rc=0; "$QP" diff --by tb -n 3 --fail-above 0 "$WORK/rec3" "$D" >/dev/null 2>"$WORK/diff.err" || rc=$?
[ "$rc" -eq 1 ] || fail "diff --fail-above 0 of /bin/true and the demo exited $rc, expected 1: $(cat "$WORK/diff.err")"
rc=0; "$QP" diff "$D" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "diff with one recording exited $rc, expected 2"
note "annotate, flame, html and diff through qemu-perf"

# the perf script against tbsym report, on perf inject's output
"$QP" inject "$D" 2>"$WORK/inject.err" || fail "qemu-perf inject exited $?: $(cat "$WORK/inject.err")"
[ -s "$D/perf.jit.data" ] || fail "no perf.jit.data"
(cd "$D" && perf script -i perf.jit.data -s "$TOP/perf-scripts/tbstats-report.py" -- \
    --tbstats "$(ls jit-*.tbstats)" --format json -n 0 >"$WORK/script.json" 2>"$WORK/script.err") ||
    fail "perf script -s tbstats-report.py exited $?: $(tail -n 5 "$WORK/script.err")"
"$BUILD/bin/tbsym" report -i "$D/perf.jit.data" --format json >"$WORK/report.json" ||
    fail "tbsym report --format json exited $?"
python3 - "$WORK/script.json" "$WORK/report.json" <<'EOF' || fail "perf script and tbsym report disagree"
import json, sys
ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
if ours['total_samples'] != theirs['total_samples']:
    sys.exit('total samples: script %d, tbsym %d' % (ours['total_samples'], theirs['total_samples']))
# tbsym report's rows are TBStatistics keys; so are the script's (--by tb).
by_pc = {r['guest_pc']: r for r in ours['rows']}
top = [r for r in theirs['rows'] if r['samples'] > 0][:10]
if not top:
    sys.exit('tbsym report has no sampled TB')
for r in top:
    o = by_pc.get(r['guest_pc'])
    if o is None:
        sys.exit('%s (%s, %d samples): no row from the script' % (r['guest_pc'], r['symbol'], r['samples']))
    for k in ('samples', 'exec_count', 'guest_insns', 'spills', 'translations'):
        if o[k] != r[k]:
            sys.exit('%s %s: script %s, tbsym %s' % (r['guest_pc'], k, o[k], r[k]))
print('# the %d top TBs agree: %s' % (len(top), ', '.join('%s=%d' % (r['symbol'], r['samples']) for r in top[:4])))
EOF
"$QP" script "$D" -- -n 3 >"$WORK/script.txt" 2>"$WORK/script.err" ||
    fail "qemu-perf script exited $?: $(tail -n 3 "$WORK/script.err")"
grep -q 'float_kernel' "$WORK/script.txt" || fail "qemu-perf script: no float_kernel row"
note "all checks passed"
