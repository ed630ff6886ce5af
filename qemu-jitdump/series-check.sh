#!/bin/sh
# Build every prefix of the patch series, in order, and run guests with -perf
# after each: a reviewer's "does every patch build and run on its own".
#
# usage: series-check.sh BUILD_DIR CACHE_DIR
#
# One tree and build directory (BUILD_DIR/series/) serve every prefix: only
# the files a patch touches are rewritten, so ninja recompiles what changed.
# After each patch: qemu-x86_64 and qemu-aarch64 run the bundled demo guest
# (dynamically linked: ld.so and libc are mapped too) with -perf (-jitdump
# before the patch that adds -perf) in an empty directory; the run must exit
# 0 and leave a jitdump that starts with perf's magic and, from the patch that
# adds the side file on, a complete side file (jit-PID.tbstats).
# Needs the guests (make guests).
# Exit 0 when every prefix passes, 1 at the first that does not.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(mkdir -p "$1" && cd "$1" && pwd)
cache=$2
patches=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/patches/series")
total=$(printf '%s\n' $patches | wc -l)
side_from=$(printf '%s\n' $patches | grep -n 'write-the-side-file' | head -n 1 |
            cut -d: -f1)
guests=$build/guests

magic() { # file -> first 4 bytes as hex
    od -An -tx1 -N4 "$1" | tr -d ' \n'
}

check_run() { # n name qemu-and-args guest...
    n=$1; name=$2; qemu=$3; shift 3
    dir=$build/series/run-$name
    rm -rf "$dir"; mkdir -p "$dir"
    # Until -perf exists, -jitdump writes the jitdump, to the current directory.
    if [ "$n" -lt "$perf_from" ]; then
        opts="-jitdump"
    else
        opts="-perf -perf-dir $dir"
    fi
    if ! (cd "$dir" && $qemu $opts "$@" > "$dir/out" 2>&1 </dev/null); then
        echo "series-check: patch $n: $name $opts exited non-zero:" >&2
        tail -n 5 "$dir/out" >&2
        return 1
    fi
    dump=$(ls "$dir"/jit-*.dump 2>/dev/null | head -n 1)
    if [ -z "$dump" ] || [ "$(magic "$dump")" != 4454694a ]; then
        echo "series-check: patch $n: $name wrote no jitdump with perf's magic" >&2
        return 1
    fi
    if [ -n "$side_from" ] && [ "$n" -ge "$side_from" ]; then
        side=$(ls "$dir"/jit-*.tbstats 2>/dev/null | head -n 1)
        if [ -z "$side" ] || [ "$(magic "$side")" != 51544253 ]; then
            echo "series-check: patch $n: $name wrote no complete side file" >&2
            return 1
        fi
    fi
}

# The patches that add -perf and the side file, found by their file names.
perf_from=$(printf '%s\n' $patches | grep -n -- '-add-perf-and' | head -n 1 | cut -d: -f1)
if [ -z "$perf_from" ] || [ -z "$side_from" ]; then
    echo "series-check: no patch named *-add-perf-and-* or *-write-the-side-file-*" >&2
    exit 1
fi
start=$(date +%s)
n=1
while [ "$n" -le "$total" ]; do
    p=$(printf '%s\n' $patches | sed -n "${n}p")
    t0=$(date +%s)
    mkdir -p "$build/series"
    if ! "$here/build-qemu.sh" patched "$build" "$cache" "$n" 2>"$build/series/build.err"; then
        echo "series-check: patch $n ($p) does not build:" >&2
        tail -n 30 "$build/series/build.err" >&2
        exit 1
    fi
    bin=$build/series/bin
    check_run "$n" x86_64 "$bin/qemu-x86_64" "$guests/x86_64/demo" 1 || exit 1
    check_run "$n" aarch64 "$bin/qemu-aarch64 -L /usr/aarch64-linux-gnu" \
        "$guests/aarch64/demo" 1 || exit 1
    echo "series-check: patch $n/$total builds and runs ($(( $(date +%s) - t0 )) s): $p"
    n=$((n + 1))
done
echo "series-check: all $total patches build and run, $(( $(date +%s) - start )) s"
