# tbsym diff on a regression made on purpose: one small C guest program
# built at -O2 and at -O0 (its hot_loop keeps i and s in memory at -O0,
# the libc memset/memcpy part is the same code in both), each run by the
# patched QEMU with -perf -tb-stats all under perf record -k 1 -e cpu-clock:
#  - diff O2 O0 ranks hot_loop first, with a positive change, and
#    --fail-above 5 exits 1 naming it;
#  - the same change in --format json, --by tb (rows hot_loop+0xOFF);
#  - diff of two runs of the -O2 binary stays below a loose threshold:
#    --fail-above 20 exits 0.
# About 1.5 s of recording (three runs of ~0.35 s).
. "$TOP/tests/integration/lib.sh"
TBSYM=$BUILD/bin/tbsym
[ -x "$TBSYM" ] || skip "no $TBSYM"
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86"
command -v gcc >/dev/null 2>&1 || skip "no gcc to build the guest"
need_perf
PERF_EVENT=cpu-clock

cat > "$WORK/prog.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char src[1 << 16], dst[1 << 16];

/* The same work in both builds: libc's memset and memcpy. */
__attribute__((noinline)) static unsigned long steady(unsigned long rounds)
{
    unsigned long s = 0;

    for (unsigned long r = 0; r < rounds; r++) {
        memset(src, (int)r, sizeof(src));
        memcpy(dst, src, sizeof(dst));
        s += (unsigned char)dst[r % sizeof(dst)];
    }
    return s;
}

/* The regression: at -O0, i and s live in memory. */
__attribute__((noinline)) unsigned long hot_loop(unsigned long n)
{
    unsigned long s = 0;

    for (unsigned long i = 0; i < n; i++)
        s += (i * i) ^ (s >> 3);
    return s;
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 60000000;
    unsigned long r = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;

    printf("%lu %lu\n", steady(r), hot_loop(n));
    return 0;
}
PROG
gcc -O2 -g -o "$WORK/prog-O2" "$WORK/prog.c" || fail "gcc -O2"
gcc -O0 -g -o "$WORK/prog-O0" "$WORK/prog.c" || fail "gcc -O0"

record "$WORK/O2" x86_64 -tb-stats all "$WORK/prog-O2"
record "$WORK/O0" x86_64 -tb-stats all "$WORK/prog-O0"
record "$WORK/O2again" x86_64 -tb-stats all "$WORK/prog-O2"
cmp -s "$WORK/O2/guest.out" "$WORK/O0/guest.out" || fail "the two builds print different results"

# The regression: hot_loop first, positive, and above 5 points.
set +e
"$TBSYM" diff --format csv --fail-above 5 "$WORK/O2" "$WORK/O0" > "$WORK/diff.csv" 2> "$WORK/diff.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "diff O2 O0 --fail-above 5: exit $rc, not 1: $(cat "$WORK/diff.err")"
grep -q '^tbsym diff: hot_loop: +[0-9.]* points, above --fail-above 5$' "$WORK/diff.err" ||
    fail "diff --fail-above 5 did not name hot_loop: $(cat "$WORK/diff.err")"
head -n 1 "$WORK/diff.csv" | grep -q '^pct_a,pct_b,change,' || fail "csv header: $(head -n 1 "$WORK/diff.csv")"
top=$(sed -n 2p "$WORK/diff.csv")
note "top row: $top"
[ "${top##*,}" = hot_loop ] || fail "top row is not hot_loop: $top"
change=$(echo "$top" | cut -d, -f3)
case $change in +*) ;; *) fail "hot_loop's change $change is not positive" ;; esac
# The same binary function on both sides: exec counts of hot_loop agree (n + the entry TBs).
exec_a=$(echo "$top" | cut -d, -f15) exec_b=$(echo "$top" | cut -d, -f16)
[ "$exec_a" -ge 60000000 ] && [ "$exec_b" -ge 60000000 ] ||
    fail "hot_loop exec counts $exec_a, $exec_b (expected >= 6e7: one TB per iteration)"

# JSON agrees; --by tb rows are hot_loop+0xOFF (or hot_loop itself).
"$TBSYM" diff --format json "$WORK/O2" "$WORK/O0" > "$WORK/diff.json" || fail "diff --format json"
if command -v python3 >/dev/null 2>&1; then
    python3 - "$WORK/diff.json" <<'PY' || fail "diff json"
import json, sys
d = json.load(open(sys.argv[1]))
top = d["rows"][0]
assert top["function"] == "hot_loop" and top["change"] > 0, top
assert d["a"]["total_samples"] > 100 and d["b"]["total_samples"] > 100, (d["a"], d["b"])
assert abs(sum(r["change"] for r in d["rows"])) < 100, "changes do not sum to about 0"
PY
fi
"$TBSYM" diff --by tb -n 1 --format csv "$WORK/O2" "$WORK/O0" > "$WORK/tb.csv" || fail "diff --by tb"
case $(sed -n 2p "$WORK/tb.csv") in
*,hot_loop|*,hot_loop+0x*) ;;
*) fail "--by tb top row: $(sed -n 2p "$WORK/tb.csv")" ;;
esac

# Two runs of the same binary: no row moves by 20 points.
"$TBSYM" diff --fail-above 20 "$WORK/O2" "$WORK/O2again" > "$WORK/same.txt" 2> "$WORK/same.err" ||
    fail "diff of two -O2 runs crossed 20 points: $(cat "$WORK/same.err"); $(sed -n 9,11p "$WORK/same.txt")"
note "two -O2 runs: largest change $(sed -n 10p "$WORK/same.txt" | awk '{ print $3, $NF }')"
echo "PASS"
