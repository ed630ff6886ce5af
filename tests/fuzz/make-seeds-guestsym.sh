#!/bin/sh
# Writes the seed corpus of fuzz_guestsym (tests/fuzz/corpus/guestsym/):
# small ELF files with symbols and DWARF, each under 8 KB.
#
# The seeds are committed; rerun this only to change them (needs gcc, and
# aarch64-linux-gnu-gcc for the aarch64 seed):
#   tests/fuzz/make-seeds-guestsym.sh tests/fuzz/corpus/guestsym
#
# The program: sq() is inlined into helper(), so the DWARF has an inlined
# frame; _start is the entry point.  Linked with -nostdlib -static -N at
# 0x400000 (executables) so that they stay tiny.
#   exec-dwarf5     gcc -g -O1 (DWARF 5), x86_64
#   exec-dwarf4     gcc -gdwarf-4 -O1
#   exec-gz         gcc -g -O1 -gz (compressed .debug_* sections)
#   exec-stripped   gcc -O1 -s (no .symtab, no DWARF)
#   exec-eh         gcc -g -O1 with .eh_frame
#   exec-i386       gcc -m32 -g -O1 (ELF32)
#   exec-aarch64    aarch64-linux-gnu-gcc -g -O1
#   object          gcc -g -O1 -c (ET_REL, with relocations)
#   shared          gcc -g -O1 -shared -fPIC -z noseparate-code (ET_DYN at 0, .dynsym)
#   plt-x86_64      plt.c: gcc -O1 -shared -fPIC, calls to two undefined
#                   functions through .plt and .rela.plt (elfsyms.h's PLT rule)
#   plt-ibt         the same with -fcf-protection=full -z ibtplt (.plt.sec)
#   plt-aarch64     the same with aarch64-linux-gnu-gcc
set -eu
mkdir -p "$1"
out=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/tiny.c" <<'PROG'
static inline int sq(int x) { return x * x; }
int helper(int a) { return sq(a) + 1; }
int _start(void) { return helper(3); }
PROG
ldflags="-nostdlib -static -Wl,-N -Wl,--build-id=none -Wl,--no-warn-rwx-segments"
small="-fno-asynchronous-unwind-tables"
cc() { # output, compiler and flags...
    o=$1; shift
    (cd "$tmp" && "$@" -fdebug-prefix-map="$tmp"=/src -o "$out/$o" tiny.c)
}
cc exec-dwarf5 gcc -g -O1 $small $ldflags
cc exec-dwarf4 gcc -gdwarf-4 -O1 $small $ldflags
cc exec-gz gcc -g -gz -O1 $small $ldflags
cc exec-stripped gcc -O1 -s $small $ldflags
cc exec-eh gcc -g -O1 $ldflags
cc exec-i386 gcc -m32 -g -O1 $small $ldflags -Wl,-Ttext-segment=0x400000
if command -v aarch64-linux-gnu-gcc >/dev/null; then
    cc exec-aarch64 aarch64-linux-gnu-gcc -g -O1 $small $ldflags
fi
cc object gcc -g -O1 $small -c
cc shared gcc -g -O1 $small -shared -fPIC -nostdlib -Wl,--build-id=none \
    -Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code
cat >"$tmp/plt.c" <<'PROG'
int ext_a(int);
int ext_b(int);
int call(int x) { return ext_a(x) + ext_b(x); }
PROG
pltso() { # output, compiler and flags...
    o=$1; shift
    (cd "$tmp" && "$@" -O1 $small -shared -fPIC -nostdlib -Wl,--build-id=none \
        -Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code -o "$out/$o" plt.c)
}
pltso plt-x86_64 gcc
pltso plt-ibt gcc -fcf-protection=full -Wl,-z,ibtplt
if command -v aarch64-linux-gnu-gcc >/dev/null; then
    pltso plt-aarch64 aarch64-linux-gnu-gcc
fi
for f in "$out"/*; do
    [ "$(wc -c <"$f")" -lt 8192 ] || { echo "$f: over 8 KB" >&2; exit 1; }
done
