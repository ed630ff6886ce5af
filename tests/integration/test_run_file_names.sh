# One rule names a run's files (lib/runfiles.h): every command finds the
# same side file in a directory, and tbsym listing names jit-PID.s after it.
# A name QEMU would not write (a PID with a leading zero) is no side file
# for any of them.
. "$TOP/tests/integration/lib.sh"
fixture=$TOP/tests/golden/listing-aarch64-be.tbs
tbsym=$BUILD/bin/tbsym

mkdir "$WORK/odd" "$WORK/ok"
cp "$fixture" "$WORK/odd/jit-0042.tbstats"
cp "$fixture" "$WORK/ok/jit-42.tbstats"

# Leading zero: not a side file, for listing and tb-list alike.
"$tbsym" listing "$WORK/odd" > "$WORK/odd.out" 2>&1 && fail "listing found a side file in odd/"
[ ! -e "$WORK/odd/jit-42.s" ] && [ ! -e "$WORK/odd/jit-0042.s" ] ||
    fail "listing wrote a listing for jit-0042.tbstats"
"$tbsym" tb-list "$WORK/odd" > "$WORK/odd-tb.out" 2>&1 && fail "tb-list found a side file in odd/"

# The canonical name: both find it, and the listing takes its PID.
"$tbsym" listing "$WORK/ok" > /dev/null || fail "listing of ok/ failed"
[ -s "$WORK/ok/jit-42.s" ] || fail "no jit-42.s next to jit-42.tbstats"
"$tbsym" tb-list "$WORK/ok" > "$WORK/ok-tb.out" || fail "tb-list of ok/ failed"
[ -s "$WORK/ok-tb.out" ] || fail "tb-list of ok/ printed nothing"
echo "run file names: ok"
