#!/bin/sh
# Golden tests of tbsym: run every case and diff its output with what is expected.
#
# usage: tests/golden/run.sh BUILD_DIR [--update]
#
# A case NAME is the file tests/golden/NAME.cmd: one line, the arguments of
# tbsym (split at spaces; run in tests/golden/, so paths are relative to it).
# What it must produce:
#   NAME.out  stdout         (no file: stdout must be empty)
#   NAME.err  stderr         (no file: stderr must be empty)
#   NAME.rc   exit status    (no file: 0)
# Cases whose arguments hold "json" must also print valid JSON (checked with
# python3 when it is installed).  Prints "PASS NAME" or "FAIL NAME" and a
# diff -u per case; exits 1 if any failed, 77 if tbsym is not built.
# --update rewrites the expected files from the current tbsym; review them
# with git diff before committing.
#
# The fixtures *.jitdump come from make-fixtures.c, *.tbs from
# make-tbstats-fixtures.c (see their headers); the perf recordings of
# annotate-* and flame-* from make-profile-fixtures.c, those with guest call
# stacks from make-gstack-fixtures.c, both built and run here.
set -u
build=$(cd "${1:?usage: run.sh BUILD_DIR [--update]}" && pwd)
update=${2:-}
tbsym=$build/bin/tbsym
cd "$(dirname "$0")" || exit 1
if [ ! -x "$tbsym" ]; then
    echo "SKIP: $tbsym is not built (make $1/bin/tbsym)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# Synthetic recordings (make-profile-fixtures.c, make-gstack-fixtures.c) are
# generated for every run into $gen, never committed; "@GEN@" in a .cmd names
# that directory, and the directory is written back as "@GEN@" in the
# outputs before the diff.
gen=$tmp/gen
mkdir -p "$gen"
top=$(cd .. && cd .. && pwd)
for g in make-profile-fixtures make-gstack-fixtures; do
    if ! cc -I"$top/lib" -D_GNU_SOURCE "$g.c" "$build/lib/libqjd.a" \
            $(pkg-config --libs libzstd 2>/dev/null || echo -lzstd) -o "$tmp/$g" ||
       ! "$tmp/$g" "$gen"; then
        echo "FAIL $g: cannot build or run it (make $1/lib/libqjd.a)"
        failed=1
    fi
done

# A run directory of the offline views, as qemu-perf record leaves one
# (make-views-fixtures.c's views-ir.tbs and views.jitdump under QEMU's names).
mkdir -p "$gen/views-run"
cp views-ir.tbs "$gen/views-run/jit-4242.tbstats"
cp views.jitdump "$gen/views-run/jit-4242.dump"

for cmd in *.cmd; do
    name=${cmd%.cmd}
    # shellcheck disable=SC2046 # the arguments are split on purpose
    "$tbsym" $(sed "s|@GEN@|$gen|g" "$cmd") >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    for k in out err; do
        sed "s|$gen|@GEN@|g" "$tmp/$k" >"$tmp/$k.gen" && mv "$tmp/$k.gen" "$tmp/$k"
    done
    echo "$rc" >"$tmp/rc"
    if [ "$update" = "--update" ]; then
        for k in out err; do
            if [ -s "$tmp/$k" ]; then cp "$tmp/$k" "$name.$k"; else rm -f "$name.$k"; fi
        done
        if [ "$rc" -ne 0 ]; then cp "$tmp/rc" "$name.rc"; else rm -f "$name.rc"; fi
    fi
    ok=1
    for k in out err rc; do
        if [ -f "$name.$k" ]; then
            expected=$name.$k
        elif [ "$k" = rc ]; then
            echo 0 >"$tmp/expected"; expected=$tmp/expected
        else
            : >"$tmp/expected"; expected=$tmp/expected
        fi
        diff -u --label "$name.$k (expected)" --label "$name.$k (actual)" \
            "$expected" "$tmp/$k" || ok=0
    done
    case " $(cat "$cmd") " in
    *json*)
        if command -v python3 >/dev/null 2>&1 &&
           ! python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/json-err"; then
            echo "$name: stdout is not valid JSON: $(cat "$tmp/json-err")"
            ok=0
        fi ;;
    esac
    if [ $ok = 1 ]; then echo "PASS $name"; else echo "FAIL $name"; failed=1; fi
done
exit $failed
