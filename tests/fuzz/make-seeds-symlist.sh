#!/bin/sh
# Writes the seed corpus of fuzz_symlist (tests/fuzz/corpus/symlist/):
# System.map-style symbol lists as QEMU's -perf-symbols reads them, and
# the near misses the reader must refuse.
#
# The seeds are committed; rerun this only to change them (needs nm and
# the bare-metal guest, make guests):
#   tests/fuzz/make-seeds-symlist.sh tests/fuzz/corpus/symlist
#   nm-baremetal   nm build/guests/baremetal/x86_64.elf (the part up to 4 KB)
#   kallsyms       a System.map excerpt: aliases, data between functions
#   unsorted       out of order, CRLF, names with trailing words, empty lines
#   empty          no bytes at all
#   bad-*          one bad line, a NUL byte, an out-of-range address
set -eu
mkdir -p "$1"
out=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -f "$top/build/guests/baremetal/x86_64.elf" ]; then
    nm "$top/build/guests/baremetal/x86_64.elf" | head -c 4096 | sed '$d' >"$out/nm-baremetal"
fi
printf '%s\n' \
    'ffffffff81000000 T _stext' 'ffffffff81000000 T _text' \
    'ffffffff81000040 t __pfx_do_one_initcall' 'ffffffff81000050 T do_one_initcall' \
    'ffffffff81000200 W arch_cpu_idle' 'ffffffff81000280 D some_data' \
    'ffffffff81000300 w weak_local' 'ffffffff81000380 r __ksymtab_x' \
    'ffffffff81000400 T _etext' >"$out/kallsyms"
printf '1020 T b\r\n\n\n1000 t a more words\n1010 W c\n  1030 d x\n0x1040 T d\n1040 T e\n' \
    >"$out/unsorted"
printf '1000 T a\nnot a line\n' >"$out/bad-line"
printf '1000 T a\n\0001010 T b\n' >"$out/bad-nul"
printf 'ffffffffffffffffff T a\n' >"$out/bad-range"
printf '1000 T\n' >"$out/bad-noname"
: >"$out/empty"
