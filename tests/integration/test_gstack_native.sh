# Guest call stacks against perf's own unwinding of the same programs run
# natively (x86_64), the oracle that owes nothing to QEMU or tbsym:
#   1. the constructions of check_gstacks.py hold natively: callpaths.c's
#      modes and cxxexc.cc recorded with perf record --call-graph dwarf, their
#      paths from perf script (perf's DWARF unwinding) have the constructed
#      shares and exactness; so a failure of test_guest_stacks.sh is QEMU's or
#      tbsym's, not the guest's.  Negative controls: wrong copies of those
#      stacks (a frame dropped, shares swapped, the signal frame lost) fail.  Not sigalt (perf's stack copy of the
#      alternate stack cannot reach main's frames) nor deep (600 frames are
#      more than perf's 8 KiB copy).
#   2. tests/guests/callweb.c, an irregular call graph (indirect calls,
#      recursion, mutual recursion), natively under perf and under the
#      patched QEMU: the caller -> callee edges among the functions with 5 %
#      or more inclusive samples natively, edges of 1 % or more of the
#      samples, are the same set in perf script's stacks and in tbsym flame
#      --guest --folded.
. "$TOP/tests/integration/lib.sh"
need_perf
G=$GUESTS/x86_64
[ -x "$G/callpaths" ] && [ -x "$G/callweb" ] && [ -x "$G/cxxexc" ] || fail "no $G/callpaths, callweb or cxxexc: make guests"
CHECK="python3 $TOP/tests/integration/check_gstacks.py"
failed=""

# native DIR PROG ARGS...: DIR/native.folded, perf's own stacks of a native run.
native() {
    d=$1; shift
    mkdir -p "$d"
    (cd "$d" && perf record -q -e "$(perf_event)" -F 2000 --call-graph dwarf -o native.data \
        "$@" > guest.out 2> record.err) || fail "native perf record $* failed: $(tail -n 3 "$d/record.err")"
    perf script --no-inline -i "$d/native.data" -F comm,tid,ip,sym,dso 2>/dev/null > "$d/native.txt"
    $CHECK fold-perf "$d/native.txt" "$1" > "$d/native.folded"
}

for mode in plain longjmp longjmp-inline signal threads flush; do
    native "$WORK/n-$mode" "$G/callpaths" $mode 60
    $CHECK paths $mode "$WORK/n-$mode/native.folded" "native $mode" || failed="$failed native-$mode"
done
# Negative controls: the checker rejects a missed call, wrong shares and a lost
# signal frame in the same native data.
for kind in drop-mid swap-shares no-signal; do
    mode=plain; [ $kind = no-signal ] && mode=signal
    $CHECK mutate $kind "$WORK/n-$mode/native.folded" > "$WORK/$kind.folded"
    if $CHECK paths $mode "$WORK/$kind.folded" "negative control $kind" > "$WORK/$kind.out"; then
        cat "$WORK/$kind.out"
        failed="$failed negative-$kind"
    else
        note "$(tail -n 1 "$WORK/$kind.out") (as it must)"
    fi
done
native "$WORK/n-cxxexc" "$G/cxxexc" 60
$CHECK paths cxxexc "$WORK/n-cxxexc/native.folded" "native cxxexc" || failed="$failed native-cxxexc"

d=$WORK/callweb
native "$d" "$G/callweb" 40
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86"
PERF_RECORD_ARGS="-F 2000 --call-graph dwarf" record "$d/qemu" x86_64 -perf-callstack on "$G/callweb" 20
"$TBSYM" dump "$d"/qemu/jit-*.tbstats | head -n 1 | grep -q 'flag_names=[^ ]*SHADOW_STACK' ||
    fail "QEMU's side file has no TBS_FLAG_SHADOW_STACK"
(cd "$d/qemu" && "$TBSYM" flame --guest --folded > guest.folded 2> flame.err) ||
    fail "tbsym flame --guest --folded failed: $(tail -n 3 "$d/qemu/flame.err")"
$CHECK edges "$d/native.folded" "$d/qemu/guest.folded" "$G/callweb" "callweb native vs QEMU" ||
    failed="$failed callweb-edges"

[ -z "$failed" ] || fail "$failed"
