#!/bin/sh
# Runs every libFuzzer target built by "make fuzz-build" for SECONDS each,
# JOBS targets at a time, then prints each target's last status line.
#
# usage: tests/fuzz/run-fuzz.sh BUILD_DIR [SECONDS [JOBS [NAME...]]]
#
# Without NAMEs, every BUILD_DIR/fuzz/fuzz_NAME is run.
# Each target NAME starts from the saved corpus tests/fuzz/corpus/NAME/ and
# writes new inputs to BUILD_DIR/fuzz/corpus/NAME/ and crashers to
# BUILD_DIR/fuzz/artifacts/NAME/; tests/fuzz/corpus/ is never written.  To
# keep what a run found, minimise it into the saved corpus (see README.md):
#   build/fuzz/fuzz_NAME -merge=1 tests/fuzz/corpus/NAME build/fuzz/corpus/NAME
# Exits 1 when any target found a crash, leak, timeout or OOM.
set -u
build=$1
secs=${2:-600}
jobs=${3:-2}
top=$(cd "$(dirname "$0")/../.." && pwd)

# -max_len per target: the largest input worth mutating (ELF images and
# perf.data files with a few records need more room than a jitdump).
max_len() {
    case $1 in
    perfdata|guestsym|tbdb) echo 16384 ;;
    *) echo 4096 ;;
    esac
}

run_target() { # name
    name=$1
    bin=$build/fuzz/fuzz_$name
    out=$build/fuzz/corpus/$name
    art=$build/fuzz/artifacts/$name
    mkdir -p "$out" "$art"
    LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp \
    "$bin" -max_len="$(max_len "$name")" -rss_limit_mb=2048 -timeout=10 \
        -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art/" \
        "$out" "$top/tests/fuzz/corpus/$name" >"$build/fuzz/$name.log" 2>&1
    rc=$?
    echo "$name: exit $rc ($(grep -E '^(#[0-9]+|stat::number_of_executed_units)' \
        "$build/fuzz/$name.log" | tail -n 1))"
    return $rc
}

status=0
shift $(($# < 3 ? $# : 3))
[ $# -gt 0 ] || for bin in "$build"/fuzz/fuzz_*; do
    [ -x "$bin" ] && set -- "$@" "${bin##*/fuzz_}"
done
while [ $# -gt 0 ]; do
    pids=""
    i=0
    while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
        run_target "$1" &
        pids="$pids $!"
        shift
        i=$((i + 1))
    done
    for p in $pids; do
        wait "$p" || status=1
    done
done
for log in "$build"/fuzz/*.log; do
    [ -f "$log" ] || continue
    grep -q -E '^==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer' "$log" && status=1
done
ls "$build"/fuzz/artifacts/*/* >/dev/null 2>&1 && {
    echo "crashers:"; ls "$build"/fuzz/artifacts/*/*; status=1; }
exit $status
