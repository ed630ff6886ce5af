# Guest call stacks: QEMU's per-vCPU shadow call stacks (lib/tbstats-format.h,
# "Shadow call stacks"), which perf record --call-graph dwarf copies with every
# sample, as tbsym flame --guest --folded and tbsym report --by function show
# them.  The guests, tests/guests/callpaths.c and cxxexc.cc, are built without
# frame pointers and have call paths whose shares are known by construction
# (their header comments; the table is in check_gstacks.py, and
# test_gstack_native.sh checks the same table under perf's own unwinding).
# For every mode, on GSTACK_ARCH (x86_64 here, aarch64 in
# test_guest_stacks_aarch64.sh):
#   - each constructed path's share of the samples in the hot leaves (leaf,
#     leaf2, catcher_inline) is its share of the work within 3 points;
#   - at least 98 % of those samples carry exactly one constructed path
#     (root at main, or at worker for the threads);
#   - the guest ran to its end (no crash);
# modes: plain, longjmp (setjmp/longjmp out of 50-deep recursions, then a
# call), longjmp-inline (the same, then the work with no call or return: the
# frames the longjmp left must not show; tbstats-format.h allows them only
# "for the few instructions between a longjmp and the next call"), signal and
# sigalt (the work in a SIGILL handler, on the thread's stack and on a
# sigaltstack: "...;trap_point;[signal];handler;..."), threads (4 threads),
# flush (qemu -tb-size 1: code-buffer flushes while the paths are in
# progress), deep (a 600-deep recursion over the shadow stack's capacity:
# stacks marked "[truncated]" with their outer frames right, and a 100-deep
# one that fits, exact), cxxexc (C++ exceptions thrown through 30 frames).
# For plain and longjmp also tbsym report --by function's children column
# (each function's share of main's); for plain and signal tbsym callgraph's
# callers and callees (shares of the function's children); for deep, tbsym
# report's count of truncated stacks is flame's.  Every check runs; the test
# fails at the end if any did, with each failure's numbers in the log.
. "$TOP/tests/integration/lib.sh"
need_perf
arch=${GSTACK_ARCH:-x86_64}
if [ "$arch" = aarch64 ]; then need_arm; else [ -x "$QEMU_X86" ] || skip "no $QEMU_X86"; fi
G=$GUESTS/$arch
[ -x "$G/callpaths" ] && [ -x "$G/cxxexc" ] || fail "no $G/callpaths or $G/cxxexc: make guests"
CHECK="python3 $TOP/tests/integration/check_gstacks.py"
failed=""

# run LABEL MODE [QEMU_ARGS...] PROG ARGS...: record under the patched QEMU
# with dwarf user stacks, check the guest finished and QEMU kept shadow stacks,
# then the folded guest stacks against MODE's construction.
run() {
    label=$1 mode=$2; shift 2
    d=$WORK/$label
    note "$label: $(qemu_for "$arch") -perf -perf-callstack on $*"
    if ! (PERF_RECORD_ARGS="-F 2000 --call-graph dwarf" record "$d" "$arch" -perf-callstack on "$@") ||
       ! grep -q 'rounds, sink' "$d/guest.out"; then
        echo "FAIL: $label: the guest did not run to its end: $(tail -n 3 "$d/record.err")" >&2
        failed="$failed $label"
        return
    fi
    "$TBSYM" dump "$d"/jit-*.tbstats | head -n 1 | grep -q 'flag_names=[^ ]*SHADOW_STACK' ||
        fail "$label: QEMU's side file has no TBS_FLAG_SHADOW_STACK: $("$TBSYM" dump "$d"/jit-*.tbstats | head -n 1)"
    if ! (cd "$d" && "$TBSYM" flame --guest --folded > guest.folded 2> flame.err); then
        echo "FAIL: $label: tbsym flame --guest --folded failed: $(tail -n 3 "$d/flame.err")" >&2
        failed="$failed $label"
        return
    fi
    $CHECK paths "$mode" "$d/guest.folded" "$arch/$label" || failed="$failed $label"
}

# children LABEL MODE: tbsym report --by function's inclusive column.
children() {
    d=$WORK/$1
    [ -s "$d/guest.folded" ] || return 0    # the run failed already
    if ! (cd "$d" && "$TBSYM" report --by function --format json > function.json 2> report.err); then
        echo "FAIL: $1: tbsym report --by function failed: $(tail -n 3 "$d/report.err")" >&2
        failed="$failed $1-children"
        return
    fi
    $CHECK children "$2" "$d/function.json" "$arch/$1 report --by function" || failed="$failed $1-children"
}

# callgraph LABEL MODE FUNC...: tbsym callgraph's callers and callees of each FUNC.
callgraph() {
    label=$1 mode=$2; shift 2
    d=$WORK/$label
    [ -s "$d/guest.folded" ] || return 0    # the run failed already
    for fn; do
        if ! (cd "$d" && "$TBSYM" callgraph "$fn" --format json > "cg-$fn.json" 2> cg.err); then
            echo "FAIL: $label: tbsym callgraph $fn failed: $(tail -n 3 "$d/cg.err")" >&2
            failed="$failed $label-callgraph-$fn"
            continue
        fi
        $CHECK callgraph "$mode" "$fn" "$d/cg-$fn.json" "$arch/$label" || failed="$failed $label-callgraph-$fn"
    done
}

R=30
run plain plain "$G/callpaths" plain $R
children plain plain
callgraph plain plain main mid leaf leaf2
run longjmp longjmp "$G/callpaths" longjmp $R
children longjmp longjmp
run longjmp-inline longjmp-inline "$G/callpaths" longjmp-inline $R
run signal signal "$G/callpaths" signal $R
callgraph signal signal trap_point handler sig_work leaf
run sigalt sigalt "$G/callpaths" sigalt $R
# Every thread runs the whole mix (10 units a round): a quarter of the rounds.
run threads threads "$G/callpaths" threads $((R / 4))
run flush flush -tb-size 1 "$G/callpaths" flush $R
flushes=$("$TBSYM" dump "$WORK"/flush/jit-*.tbstats | grep -c 'type=FLUSH' || true)
note "flush: $flushes code-buffer flushes"
[ "$flushes" -ge 5 ] || failed="$failed flush-count"
run deep deep "$G/callpaths" deep 100
# tbsym report counts the truncated stacks flame marks "[truncated]".
if [ -s "$WORK/deep/guest.folded" ]; then
    t_flame=$(grep '\[truncated\]' "$WORK/deep/guest.folded" | awk '{ s += $NF } END { print s + 0 }')
    t_report=$(cd "$WORK/deep" && "$TBSYM" report --by function 2>&1 | sed -n 's/^# guest call stacks.*(\([0-9]*\) truncated.*/\1/p')
    note "deep: $t_flame samples marked [truncated] by flame, report says ${t_report:-nothing} truncated"
    [ "$t_flame" -gt 0 ] && [ "$t_flame" = "$t_report" ] || failed="$failed deep-report"
fi
run cxxexc cxxexc "$G/cxxexc" $R

[ -z "$failed" ] || fail "$arch:$failed"
