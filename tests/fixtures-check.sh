#!/bin/sh
# make fixtures-check: every committed binary fixture written again by the
# program its header names, into a scratch directory, and compared byte for
# byte with the committed file.  A difference (or a fixture a generator
# writes that is not committed) fails, naming the file and its generator:
# either the generator changed and the fixture was not regenerated, or the
# fixture was edited by hand.
#
# Files a generator does not write are not its business: the golden
# outputs (*.out, *.err), and fuzz inputs the fuzzer found and kept.
#
# usage: tests/fixtures-check.sh BUILD_DIR     (needs BUILD_DIR/lib/libqjd.a)
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
lib=$build/lib/libqjd.a
pkgs="libelf libdw libzstd capstone libunwind-generic"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
failed=0
checked=0

say() { printf 'fixtures-check: %s\n' "$*"; }

# compare GENERATED_DIR COMMITTED_DIR GENERATOR
compare() {
    for f in $(cd "$1" && find . -type f | sort); do
        f=${f#./}
        checked=$((checked + 1))
        if [ ! -e "$2/$f" ]; then
            say "$3 writes ${2#"$top"/}/$f, which is not committed"
            failed=1
        elif ! cmp -s "$1/$f" "$2/$f"; then
            say "${2#"$top"/}/$f differs from what $3 writes now"
            failed=1
        fi
    done
}

# c_generator SOURCE COMMITTED_DIR: build SOURCE on the library, run it
# with a scratch directory, compare.
c_generator() {
    name=$(basename "$1" .c)
    # shellcheck disable=SC2086  # word splitting of pkg-config's flags is intended
    if ! cc -Ilib -D_GNU_SOURCE $(pkg-config --cflags $pkgs) -o "$tmp/bin/$name" "$1" "$lib" \
            $(pkg-config --libs $pkgs) -lm -pthread 2> "$tmp/$name.cc"; then
        say "cannot build $1:"
        cat "$tmp/$name.cc"
        failed=1
        return
    fi
    mkdir -p "$tmp/out/$name"
    if ! "$tmp/bin/$name" "$tmp/out/$name" > "$tmp/$name.log" 2>&1; then
        say "$1 failed:"
        cat "$tmp/$name.log"
        failed=1
        return
    fi
    compare "$tmp/out/$name" "$top/$2" "$1"
}

cd "$top" || exit 1
c_generator tests/golden/make-fixtures.c tests/golden
c_generator tests/golden/make-tbstats-fixtures.c tests/golden
c_generator tests/golden/make-views-fixtures.c tests/golden
c_generator tests/golden/make-diff-fixtures.c tests/golden
c_generator tests/fuzz/make-seeds.c tests/fuzz/corpus/jitdump
c_generator tests/fuzz/make-seeds-tbstats.c tests/fuzz/corpus/tbstats
c_generator tests/fuzz/make-seeds-tbdb.c tests/fuzz/corpus/tbdb
c_generator tests/fuzz/make-seeds-perfdata.c tests/fuzz/corpus/perfdata
c_generator tests/fuzz/make-seeds-gstack.c tests/fuzz/corpus/gstack

mkdir -p "$tmp/out/unwind" "$tmp/out/guestsym" "$tmp/out/guests"
if python3 tests/fuzz/make-seeds-unwind.py "$tmp/out/unwind" > "$tmp/unwind.log" 2>&1; then
    compare "$tmp/out/unwind" "$top/tests/fuzz/corpus/unwind" tests/fuzz/make-seeds-unwind.py
else
    say "tests/fuzz/make-seeds-unwind.py failed:"; cat "$tmp/unwind.log"; failed=1
fi
if sh tests/fuzz/make-seeds-guestsym.sh "$tmp/out/guestsym" > "$tmp/guestsym.log" 2>&1; then
    compare "$tmp/out/guestsym" "$top/tests/fuzz/corpus/guestsym" tests/fuzz/make-seeds-guestsym.sh
else
    say "tests/fuzz/make-seeds-guestsym.sh failed:"; cat "$tmp/guestsym.log"; failed=1
fi

# The programs the golden recordings map, with the commands of their
# generators' headers (make-diff-fixtures.c, make-gstack-fixtures.c,
# make-profile-fixtures.c): two guests and a stand-in for QEMU.
elf() { # name (NAME.c into NAME.elf), symbols to keep...
    g=$1; shift
    keep=""
    for s in "$@"; do keep="$keep -K $s"; done
    # shellcheck disable=SC2086
    (cd tests/golden && gcc -O1 -fno-asynchronous-unwind-tables -fno-pie -no-pie -nostdlib \
        -static -Wl,--build-id=none -Wl,-N -Wl,--no-warn-rwx-segments \
        -o "$tmp/out/guests/$g.elf" "$g.c" &&
        strip --strip-unneeded $keep "$tmp/out/guests/$g.elf") ||
        { say "cannot build tests/golden/$g.c"; failed=1; }
}
elf diff-guest hot steady gone fresh cold
elf gstack-guest _start main parse lex run step fib handler
elf softmmu-host _start cpu_exec helper_stb_mmu mmu_lookup tlb_fill_align \
    tb_invalidate_phys_range_fast helper_lookup_tb_ptr
compare "$tmp/out/guests" "$top/tests/golden" \
    "gcc and strip (make-diff-fixtures.c, make-gstack-fixtures.c, make-profile-fixtures.c)"

# Every binary file of tests/golden has a generator (the fuzz corpora also
# keep inputs the fuzzer found, which nothing regenerates).
(cd "$tmp/out" && find . -type f | sed 's|^\./[^/]*/||' | sort -u) > "$tmp/written"
for f in $(git ls-files tests/golden); do
    case $f in *.cmd|*.out|*.err|*.rc|*.c|*.sh|*.md) continue ;; esac
    [ -L "$f" ] && continue     # a link to another fixture, or to a device
    grep -qxF "${f#tests/golden/}" "$tmp/written" ||
        { say "$f: no generator writes it"; failed=1; }
done

if [ "$failed" -ne 0 ]; then
    say "regenerate with the commands in the generators' headers, check the golden outputs, commit"
    exit 1
fi
say "$checked fixtures are what their generators write"
