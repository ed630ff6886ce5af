# TBStatistics collected in QEMU and exported in jit-PID.tbstats.
#  - sum(executions x guest insns) equals QEMU's libinsn plugin within 0.5 %
#    (same run) on six programs: x86_64 demo, threads, a Python interpreter
#    and a bytecode interpreter (short TBs ending in indirect jumps: the
#    one-instruction counter on every dispatch); aarch64 demo and threads;
#  - 8 threads: each work loop's TB ran exactly as often as the program says;
#  - executions through the atomic single-step path are counted apart;
#  - a function keeping 28 values live spills, a trivial one does not;
#  - the optimiser removes ops;
#  - forced code-buffer flushes (a flush storm): hot keys re-translated,
#    totals unchanged;
#  - running out of execution-counter slots (QEMU_TB_STATS_SLOTS) flushes
#    the code buffer and gives them back: counts still exact;
#  - with -perf, every TB record names its key's STATS record, and the
#    translations and page-spanning translations add up per key;
#  - a forked guest's export counts the translations its parent made just
#    before the fork (still unwritten then) and ran in the child;
#  - -tb-stats levels, -perf alone (jit), and bad levels;
#  - tbsym dump (lib/tbstats.c) agrees with this test's own decoder.
# No perf needed: this is QEMU's own accounting, checked against libinsn.
. "$TOP/tests/integration/lib.sh"
export PYTHONHASHSEED=0     # the same Python run each time
CHECK="python3 $TOP/tests/integration/check_tbstats.py"
LIBINSN=$BUILD/plugins/libinsn.so
[ -f "$LIBINSN" ] || skip "no $LIBINSN (make qemu builds it)"

# stats DIR ARCH ARGS...: run QEMU with ARGS in DIR; echo the side file.
stats() {
    dir=$1 arch=$2; shift 2
    mkdir -p "$dir"
    (cd "$dir" && $(qemu_for "$arch") "$@" > guest.out 2> qemu.err) ||
        fail "qemu $* failed: $(tail -n 3 "$dir/qemu.err")"
    ls "$dir"/jit-*.tbstats
}

# compare NAME ARCH PROG ARGS...: -tb-stats all against libinsn, in the same
# run (both count the same execution), and the guest's output against a run
# without either.
compare() {
    name=$1 arch=$2; shift 2
    f=$(stats "$WORK/$name" "$arch" -tb-stats all -plugin "$LIBINSN" -d plugin \
        -D libinsn.log "$@")
    (cd "$WORK/$name" && $(qemu_for "$arch") "$@" > plain.out 2>&1) ||
        fail "$name: plain run failed"
    cmp -s "$WORK/$name/guest.out" "$WORK/$name/plain.out" ||
        fail "$name: the guest's output differs with -tb-stats"
    note "$name: $($CHECK summary "$f")"
    $CHECK insns "$f" "$WORK/$name/libinsn.log" || fail "$name: instruction count"
    $CHECK level "$f" all || fail "$name: level"
    $CHECK tbsym "$f" "$BUILD/bin/tbsym" || fail "$name: tbsym dump"
}

compare x86-demo x86_64 "$GUESTS/x86_64/demo" 3
compare x86-threads x86_64 "$GUESTS/x86_64/threads"
compare x86-python x86_64 /usr/bin/python3 "$TOP/tests/guests/workload.py" 200
compare x86-bytecode x86_64 "$GUESTS/x86_64/bytecode" 20
need_arm
compare arm-demo aarch64 "$GUESTS/aarch64/demo" 3
compare arm-threads aarch64 "$GUESTS/aarch64/threads"

# 8 threads x 20 rounds over 8 functions: each function's loop runs 20 times
# 200000 iterations; its TB starts at the second iteration (3999980) or the
# first (4000000).  Per-vCPU counters lose nothing.
for run in x86-threads:x86_64 arm-threads:aarch64; do
    arch=${run#*:}
    $CHECK loops "$(ls "$WORK/${run%:*}"/jit-*.tbstats)" "$GUESTS/$arch/threads" \
        work0 work1 work2 work3 work4 work5 work6 work7 3999980 4000000 ||
        fail "$arch threads: execution counts"
done

# The atomic single-step path: 2 threads x 1000 locked adds on a value
# straddling 16 bytes, each done by cpu_exec_step_atomic().
f=$(stats "$WORK/atomics" x86_64 -tb-stats all "$GUESTS/x86_64/atomics")
$CHECK atomic "$f" "$GUESTS/x86_64/atomics" locked_add 2000 || fail "atomic path"

# Spills: aarch64 keeps all 28 values in guest registers, more than the host
# has; x86_64 guest code spills to its own stack instead (no TCG spills).
f=$(stats "$WORK/spills-arm" aarch64 -tb-stats jit "$GUESTS/aarch64/spills" 1000)
$CHECK spills "$f" "$GUESTS/aarch64/spills" pressure trivial || fail "aarch64 spills"
$CHECK ops "$f" || fail "aarch64 ops"
f=$(stats "$WORK/spills-x86" x86_64 -tb-stats jit "$GUESTS/x86_64/spills" 1000)
$CHECK ops "$f" || fail "x86_64 ops"

# Forced flushes: Python translates ~10 MB of host code; a 1 MiB code buffer
# makes that hundreds of flushes.  Instructions executed are checked against
# libinsn in the same run (exact), totals against the run without flushes
# above (two Python runs differ a little: 2 %).
compare flush x86_64 -tb-size 1 /usr/bin/python3 "$TOP/tests/guests/workload.py" 200
$CHECK flush "$(ls "$WORK"/x86-python/jit-*.tbstats)" "$(ls "$WORK"/flush/jit-*.tbstats)" 0.02 ||
    fail "flushes"

# Out of slots: 8000 slots between flushes, for ~47000 keys.  Each slot
# is given back at a flush after its counts went to its key: libinsn agrees
# exactly, and the totals match the run without flushes.
export QEMU_TB_STATS_SLOTS=8000
compare slots x86_64 /usr/bin/python3 "$TOP/tests/guests/workload.py" 200
unset QEMU_TB_STATS_SLOTS
$CHECK flush "$(ls "$WORK"/x86-python/jit-*.tbstats)" "$(ls "$WORK"/slots/jit-*.tbstats)" 0.02 ||
    fail "out of slots"

# -perf: TB records and STATS records agree (the writer's thread maps each
# translation to its key after the fact).
f=$(stats "$WORK/tb-records-x86" x86_64 -perf /usr/bin/python3 "$TOP/tests/guests/workload.py" 100)
$CHECK tb-records "$f" some || fail "x86_64 TB records against STATS"
f=$(stats "$WORK/tb-records-arm" aarch64 -perf "$GUESTS/aarch64/demo" 3)
$CHECK tb-records "$f" none || fail "aarch64 TB records against STATS"

# fork(): each process writes its own export.  The child runs on a loop TB
# its parent translated (and ran twice) right before forking.
dir=$WORK/forks
mkdir -p "$dir"
(cd "$dir" && $QEMU_X86 -perf -tb-stats exec "$GUESTS/x86_64/forks" > guest.out 2> qemu.err) ||
    fail "forks: $(tail -n 3 "$dir/qemu.err")"
child=$(sed -n 's/^forks: child \([0-9]*\),.*/\1/p' "$dir/guest.out")
parent=$(sed -n 's/^forks: parent \([0-9]*\),.*/\1/p' "$dir/guest.out")
[ -f "$dir/jit-$child.tbstats" ] && [ -f "$dir/jit-$parent.tbstats" ] ||
    fail "forks: no export for each process: $(ls "$dir")"
$CHECK loops "$dir/jit-$child.tbstats" "$GUESTS/x86_64/forks" hot 200001 200001 ||
    fail "forks: the child's count of its parent's translation"
$CHECK loops "$dir/jit-$parent.tbstats" "$GUESTS/x86_64/forks" hot 2 2 ||
    fail "forks: the parent's count"
$CHECK loops "$dir/jit-$parent.tbstats" "$GUESTS/x86_64/forks" cold 299999 299999 ||
    fail "forks: the parent's count after the fork"

# Levels.  -perf alone implies jit; -perf -tb-stats none collects nothing.
for lvl in jit exec time keys; do
    f=$(stats "$WORK/level-$lvl" x86_64 -tb-stats "$lvl" "$GUESTS/x86_64/demo" 1)
    $CHECK level "$f" "$lvl" || fail "-tb-stats $lvl"
    [ ! -e "$WORK/level-$lvl"/jit-*.dump ] || fail "-tb-stats alone wrote a jitdump"
done
f=$(QEMU_TB_STATS=exec stats "$WORK/level-env" x86_64 "$GUESTS/x86_64/demo" 1)
$CHECK level "$f" exec || fail "QEMU_TB_STATS=exec"
f=$(stats "$WORK/level-perf" x86_64 -perf "$GUESTS/x86_64/demo" 1)
$CHECK level "$f" jit || fail "-perf alone"
f=$(stats "$WORK/level-none" x86_64 -perf -tb-stats none "$GUESTS/x86_64/demo" 1)
$CHECK level "$f" nostats || fail "-perf -tb-stats none"
if "$QEMU_X86" -tb-stats bogus "$GUESTS/x86_64/demo" 1 > /dev/null 2> "$WORK/bad.err"; then
    fail "-tb-stats bogus was accepted"
fi
grep -q "unknown level 'bogus'" "$WORK/bad.err" || fail "no clear message for a bad level"
note "all TBStatistics checks passed"
