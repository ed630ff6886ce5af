#!/bin/sh
# make bench: run every benchmark and rewrite bench/RESULTS.md.
# usage: bench/run.sh BUILD_DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
out=$top/bench/RESULTS.md
tmp=$out.tmp
{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` (bench/run.sh); do not edit by hand."
    echo
    echo "## Machine"
    echo
    echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
         "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "- kernel $(uname -r), $(perf --version 2>/dev/null), QEMU $(cat "$build/qemu-pristine/VERSION" 2>/dev/null || echo "?") (Debian +ds source)"
    echo
    echo "## -perf cost"
    echo
    python3 "$top/bench/bench_jitdump.py" "$build" --repeat "${BENCH_REPEAT:-7}"
    echo
    echo "## TBStatistics cost"
    echo
    python3 "$top/bench/bench_tbstats.py" "$build" --repeat "${BENCH_REPEAT:-7}"
    echo
    echo "## Guest call stacks cost"
    echo
    python3 "$top/bench/bench_callstack.py" "$build" --repeat "${BENCH_REPEAT:-7}"
    echo
    echo "## tbsym report against perf inject"
    echo
    python3 "$top/bench/bench_report.py" "$build" --repeat "${BENCH_REPEAT_REPORT:-5}"
    echo
    echo "## tbsym views against report --by tb and perf"
    echo
    python3 "$top/bench/bench_views.py" "$build" --repeat "${BENCH_REPEAT_REPORT:-5}"
    echo
    echo "## System mode: a Linux boot"
    echo
    python3 "$top/bench/bench_system.py" "$build" --repeat "${BENCH_REPEAT_SYSTEM:-5}"
} > "$tmp"
mv "$tmp" "$out"
cat "$out"
