# tbsym annotate, flame and html on a real `perf record --call-graph dwarf`
# of the patched QEMU (-perf -tb-stats all) running the x86_64 demo:
#  - annotate of the hottest TB of the demo binary shows its guest
#    instructions with the demo's own addresses and bytes (objdump), and
#    per-instruction samples (plus out-of-line ones) summing to the TB's
#    samples in tbsym report; annotate SYMBOL shows keys of that function;
#  - flame's folded stacks count as many samples as report's total, and
#    some stack has a QEMU helper (helper_*, float*, parts*) called from a
#    JIT frame "guestfunc [TB 0xPC]", and one has softfloat (float64_*)
#    under a helper under a JIT frame; --guest folds to the same total;
#  - the SVG is well-formed XML (python3's xml.etree parses it);
#  - html writes one page with the table, the flamegraph and annotated TBs,
#    and no URL reference at all (nothing is loaded from the network).
. "$TOP/tests/integration/lib.sh"
need_demo
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
command -v objdump >/dev/null 2>&1 || skip "objdump is not installed (binutils)"
need_perf

d=$WORK/dwarf
PERF_RECORD_ARGS="--call-graph dwarf" record "$d" x86_64 -tb-stats all "$DEMO" 20

"$TBSYM" report -i "$d/perf.data" --format json > "$d/report.json" 2> "$d/report.err" ||
    fail "report failed: $(cat "$d/report.err")"
grep -q '"callchains": "dwarf"' "$d/report.json" ||
    fail "report: the recording has no dwarf call chains"

# The hottest TB whose symbol is a function of the demo binary.
nm "$DEMO" | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u > "$d/demo.syms"
python3 - "$d/report.json" "$d/demo.syms" > "$d/hot" <<'PY' || fail "report: no sampled TB in the demo binary"
import json, sys
rep = json.load(open(sys.argv[1]))
syms = set(open(sys.argv[2]).read().split())
for r in rep['rows']:
    func = r['symbol'].split('+')[0]
    if func in syms and r['samples'] > 0:
        print(r['guest_pc'], r['samples'], func, rep['total_samples'])
        break
else:
    sys.exit(1)
PY
read -r pc samples func total < "$d/hot"
note "hottest demo TB: $pc ($func), $samples of $total samples"

"$TBSYM" annotate -i "$d/perf.data" --format json "$pc" > "$d/annotate.json" 2> "$d/annotate.err" ||
    fail "annotate $pc failed: $(cat "$d/annotate.err")"
"$TBSYM" annotate -i "$d/perf.data" "$pc" > "$d/annotate.txt" 2>&1 || fail "annotate (text) failed"
# The side file's guest PCs are run-time addresses: the demo is PIE, so the
# bias is the symbol's address minus its ELF value (from annotate's name).
vaddr=$(nm "$DEMO" | awk -v f="$func" '$3 == f { print $1; exit }')
objdump -d "$DEMO" > "$d/demo.dis"
python3 - "$d/annotate.json" "$d/demo.dis" "$vaddr" "$func" "$samples" <<'PY' || fail "annotate $pc does not match the demo or report"
import json, re, sys
doc = json.load(open(sys.argv[1]))
dis = {}
for line in open(sys.argv[2]):
    m = re.match(r'\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)', line)
    if m:
        dis[int(m.group(1), 16)] = m.group(2).split()
func_vaddr, func, samples = int(sys.argv[3], 16), sys.argv[4], int(sys.argv[5])
k = max(doc['keys'], key=lambda k: k['samples'])
name = k['name']
off = int(name.split('+')[1], 16) if '+' in name else 0
bias = int(k['guest_pc'], 16) - (func_vaddr + off)
got = k['samples']
per_insn = sum(i['samples'] for i in k['code']) + k['out_of_line_samples'] + k.get('beyond_samples', 0)
bad = []
for i in k['code']:
    va = int(i['pc'], 16) - bias
    want = dis.get(va)
    if want is None or ' '.join(want) != i['bytes'].replace(' ..', ''):
        if not (want and i['bytes'].endswith('..') and ' '.join(want).startswith(i['bytes'][:-3])):
            bad.append((hex(va), i['bytes'], want))
print('%s: %d guest insns, %d samples (report %d), per insn+out of line %d, mismatches %s'
      % (name, len(k['code']), got, samples, per_insn, bad[:3]))
sys.exit(0 if k['code'] and not bad and got == samples and per_insn == got else 1)
PY
grep -q "^key .* $func" "$d/annotate.txt" || fail "annotate text: no header line for $func"

"$TBSYM" annotate -i "$d/perf.data" "$func" > "$d/annotate-func.txt" 2>&1 ||
    fail "annotate $func failed: $(head -n 3 "$d/annotate-func.txt")"
n=$(grep -c '^key ' "$d/annotate-func.txt")
[ "$n" -ge 1 ] || fail "annotate $func: no key"
note "annotate $func: $n keys"

# flame: folded totals, a helper above a JIT frame, the SVG.
"$TBSYM" flame -i "$d/perf.data" > "$d/folded" 2> "$d/flame.err" || fail "flame failed: $(cat "$d/flame.err")"
sum=$(awk '{ s += $NF } END { print s + 0 }' "$d/folded")
[ "$sum" = "$total" ] || fail "flame: folded stacks count $sum samples, report $total"
grep -Eq '\[TB 0x[0-9a-f]+\];(helper_|float|parts|cpu_ld|cpu_st|do_ld|do_st)' "$d/folded" ||
    fail "flame: no helper called from a JIT frame: $(grep -m3 'TB 0x' "$d/folded")"
# The demo's float kernel spends its time in softfloat, called through helpers.
grep -Eq '\[TB 0x[0-9a-f]+\];helper_[a-z0-9_]+;float64_' "$d/folded" ||
    fail "flame: no float64_* under a helper under a JIT frame"
note "flame: $(wc -l < "$d/folded") stacks, e.g. $(grep -Eo '[^;]*\[TB 0x[0-9a-f]+\];helper_[a-z0-9_]+;float64_[a-z0-9_]*' "$d/folded" | head -n 1)"
"$TBSYM" flame -i "$d/perf.data" --guest > "$d/folded-guest" || fail "flame --guest failed"
sum=$(awk '{ s += $NF } END { print s + 0 }' "$d/folded-guest")
[ "$sum" = "$total" ] || fail "flame --guest: $sum samples, report $total"
"$TBSYM" flame -i "$d/perf.data" --svg "$d/flame.svg" || fail "flame --svg failed"
python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg")' \
    "$d/flame.svg" || fail "flame.svg is not well-formed XML"

# html: one file, nothing loaded from anywhere.
"$TBSYM" html -i "$d/perf.data" -o "$d/report.html" 2> "$d/html.err" || fail "html failed: $(cat "$d/html.err")"
[ -s "$d/report.html" ] || fail "html: empty file"
ls -a "$d" | grep -q '^\.report\.html\.' && fail "html: temporary file left behind"
if grep -Eq 'https?://' "$d/report.html"; then
    fail "html refers to the network: $(grep -Eo '.{20}https?://.{20}' "$d/report.html" | head -n 1)"
fi
grep -q '<table id="report">' "$d/report.html" || fail "html: no report table"
grep -q '<svg version="1.1" id="flamegraph"' "$d/report.html" || fail "html: no flamegraph"
grep -q '<pre id="annot-[0-9]' "$d/report.html" || fail "html: no annotated TB"
note "html: $(wc -c < "$d/report.html") bytes"
