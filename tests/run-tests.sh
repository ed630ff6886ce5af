#!/bin/sh
# Run every test of the project and end with one line "N passed, N failed, N skipped".
#
# usage: tests/run-tests.sh BUILD_DIR [NAME_FILTER]
#
# A test is a program that exits 0 (pass), 77 (skip: its last output line
# says why) or anything else (fail).  Kinds, in order:
#   unit         build/tests/test_*           the library's unit tests
#   asan         build/asan/tests/test_*      the same under ASan+UBSan
#   fuzz-replay  build/tests/replay_fuzz_X    over tests/fuzz/corpus/X/
#   golden       tests/golden/run.sh          tool output against expected files
#   integration  tests/integration/*.sh       patched QEMU under the real perf
# Logs of every test go to BUILD_DIR/test-logs/.
set -u
build=$(cd "$1" && pwd)
filter=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
pass=0 fail=0 skip=0
failed=""

run_one() { # name, command...
    name=$1; shift
    case "$name" in *"$filter"*) ;; *) return ;; esac
    log=$logs/$(echo "$name" | tr '/ ' '__').log
    start=$(date +%s)
    "$@" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
    0)  pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
    77) skip=$((skip + 1)); echo "SKIP $name: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1)" ;;
    *)  fail=$((fail + 1)); failed="$failed $name"
        echo "FAIL $name (exit $rc, ${secs}s, log: $log)"
        tail -n 15 "$log" | sed 's/^/    /' ;;
    esac
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for t in "$build"/asan/tests/test_*; do
    [ -x "$t" ] && run_one "asan/$(basename "$t")" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"
done
for t in "$build"/tests/replay_fuzz_*; do
    [ -x "$t" ] || continue
    target=${t##*/replay_fuzz_}
    [ -d "$top/tests/fuzz/corpus/$target" ] && run_one "fuzz-replay/$target" "$t" "$top/tests/fuzz/corpus/$target"
done
run_one "fixtures-check" "$top/tests/fixtures-check.sh" "$build"
if [ -x "$top/tests/golden/run.sh" ]; then
    run_one "golden" "$top/tests/golden/run.sh" "$build"
fi
for t in "$top"/tests/integration/test_*.sh; do
    [ -f "$t" ] && run_one "integration/$(basename "$t" .sh)" env BUILD="$build" TOP="$top" sh "$t"
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
