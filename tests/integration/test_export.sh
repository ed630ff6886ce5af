#!/bin/sh
# tbsym export (docs/tbsym-export.md): a real recording of the patched QEMU
# (perf record -k 1 --call-graph dwarf) rewritten as the guest program's own
# perf.data, then read by the real perf, unchanged:
#  - perf report --header-only: the guest's arch, the recording's event;
#  - perf report --sort comm,dso,sym: comm and dso the guest program's name,
#    its functions named from its own ELF;
#  - perf report --children: every function's inclusive and self share as
#    tbsym report --by function gives it, within 1 point
#    (check_export.py shares);
#  - perf script: the format FlameGraph's stackcollapse-perf.pl folds
#    (check_export.py fold; and stackcollapse-perf.pl itself when on PATH);
#    with guest call stacks the folded stacks hold the guest's call paths;
#  - perf annotate --stdio on a guest function: its disassembly with samples;
#  - aarch64 guest: perf report names its functions, perf annotate finds
#    aarch64-linux-gnu-objdump by the ARCH feature;
#  - bad input: one line, exit 2, no output file left behind.
# First on the synthetic recording with shadow stacks of the golden tests
# (tests/golden/make-gstack-fixtures.c, period 1: perf's shares are sample
# shares there), which needs perf but neither QEMU nor perf record; then on
# real runs of tests/guests/callpaths.c (plain: main;run_a|run_b;mid;leaf and
# main;run_c;leaf2), else demo.c.
. "$TOP/tests/integration/lib.sh"
command -v perf >/dev/null 2>&1 || skip "perf is not installed"
command -v python3 >/dev/null || skip "no python3"
CHECK="python3 $TOP/tests/integration/check_export.py"

# The synthetic recording: its guest ELF is mapped as /proc/self/cwd/gstack-guest.elf,
# so perf and tbsym run in tests/golden.
g=$WORK/gen
mkdir -p "$g"
cc -I"$TOP/lib" -D_GNU_SOURCE "$TOP/tests/golden/make-gstack-fixtures.c" "$BUILD/lib/libqjd.a" \
    $(pkg-config --libs libzstd 2>/dev/null || echo -lzstd) -o "$WORK/make-gstack-fixtures" ||
    fail "cannot build make-gstack-fixtures (make tools)"
"$WORK/make-gstack-fixtures" "$g" || fail "make-gstack-fixtures failed"
(
    cd "$TOP/tests/golden" || exit 1
    "$TBSYM" export -i "$g/gstack/perf.data" -o "$g/guest.data" 2> "$g/export.err" || exit 1
    "$TBSYM" report -i "$g/gstack/perf.data" --by function --format csv > "$g/report.csv" 2>/dev/null &&
    perf report -i "$g/guest.data" --children --stdio -g none --sort dso,sym --percent-limit 0 \
        > "$g/children.txt" 2>/dev/null &&
    perf script -i "$g/guest.data" > "$g/script.txt" 2>/dev/null
) || fail "fixture: tbsym export, tbsym report or perf failed: $(cat "$g/export.err")"
grep -q "42 samples of gstack-guest.el (pid 4242), 40 with a guest call stack (2 truncated)" \
    "$g/export.err" || fail "fixture: summary: $(cat "$g/export.err")"
$CHECK shares "$g/children.txt" "$g/report.csv" fixture || fail "fixture: perf report --children differs"
$CHECK fold "$g/script.txt" > "$g/folded.txt" || fail "fixture: perf script output does not fold"
for s in '_start;main;parse;lex 21' '_start;main;run;step 12' '_start;main;run;step;handler 2' \
         '_start;main;fib;fib;fib 3'; do
    grep -q "^gstack-guest.el;$s\$" "$g/folded.txt" || fail "fixture: no folded stack $s"
done

need_perf
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86 (make qemu)"

if [ -x "$GUESTS/x86_64/callpaths" ]; then
    prog=callpaths; set -- "$GUESTS/x86_64/callpaths" plain 20; hot=leaf
else
    prog=demo; set -- "$GUESTS/x86_64/demo" 4; hot=float_kernel
fi
[ -x "$1" ] || skip "no $1 (make guests)"
d=$WORK/x86
PERF_RECORD_ARGS="--call-graph dwarf" record "$d" x86_64 -perf-callstack on -tb-stats all "$@"
(cd "$d" && "$TBSYM" export -o guest.data 2> export.err) ||
    fail "tbsym export failed: $(cat "$d/export.err")"
grep -q "^tbsym export: guest.data: [0-9]* samples of $prog " "$d/export.err" ||
    fail "no summary line: $(cat "$d/export.err")"
stacks=yes
grep -q "no guest call stacks\|no user stacks" "$d/export.err" && stacks=no
note "x86_64 $prog: $(grep '^tbsym export: guest.data' "$d/export.err" | cut -d: -f3-)"

# The header.
perf report -i "$d/guest.data" --header-only > "$d/header.txt" 2>&1 || fail "perf report --header-only failed"
grep -q '^# arch : x86_64$' "$d/header.txt" || fail "no arch x86_64 in the header"
grep -q "^# event : name = $(perf_event)," "$d/header.txt" || fail "not the recording's event"
grep -q '^# nrcpus online : [1-9]' "$d/header.txt" || fail "no nrcpus in the header"

# The guest's comm, dso and functions, and nothing on perf's stderr.
perf report -i "$d/guest.data" --stdio -g none --sort comm,dso,sym > "$d/names.txt" 2> "$d/names.err" ||
    fail "perf report failed: $(head -n 3 "$d/names.err")"
[ ! -s "$d/names.err" ] || fail "perf report warned: $(head -n 3 "$d/names.err")"
grep -Eq "^ +[0-9.]+%( +[0-9.]+%)? +$prog +$prog +\[\.\] $hot\$" "$d/names.txt" ||
    fail "perf report does not show $hot in $prog: $(grep -m 3 '%' "$d/names.txt")"

# Inclusive and self shares: perf report --children against tbsym report --by function.
perf report -i "$d/guest.data" --children --stdio -g none --sort dso,sym --percent-limit 0 \
    > "$d/children.txt" 2>/dev/null || fail "perf report --children failed"
(cd "$d" && "$TBSYM" report --by function --format csv > report.csv 2>/dev/null) ||
    fail "tbsym report --by function failed"
$CHECK shares "$d/children.txt" "$d/report.csv" "x86_64 $prog" "$prog" || fail "perf report --children differs from tbsym report"
perf report -i "$d/guest.data" --stdio -g caller > "$d/callers.txt" 2>/dev/null || fail "perf report -g failed"

# perf script, folded as stackcollapse-perf.pl folds it.
perf script -i "$d/guest.data" > "$d/script.txt" 2>/dev/null || fail "perf script failed"
$CHECK fold "$d/script.txt" > "$d/folded.txt" || fail "perf script output does not fold"
if command -v stackcollapse-perf.pl >/dev/null; then
    stackcollapse-perf.pl "$d/script.txt" > "$d/folded-fg.txt" || fail "stackcollapse-perf.pl failed"
    grep -q "^$prog;.*$hot [0-9]*$" "$d/folded-fg.txt" || fail "stackcollapse-perf.pl: no stack to $hot"
fi
if [ "$stacks" = yes ] && [ "$prog" = callpaths ]; then
    for path in 'main;run_a;mid;leaf' 'main;run_b;mid;leaf' 'main;run_c;leaf2'; do
        grep -q "^callpaths;.*$path [0-9]*$" "$d/folded.txt" || fail "perf script: no stack $path"
    done
    grep -q -- '--run_a' "$d/callers.txt" || fail "perf report -g caller: no run_a above leaf"
else
    note "x86_64: no guest call stacks in this recording: leaf-only samples checked"
fi

# perf annotate on the guest's own code.
perf annotate -i "$d/guest.data" --stdio "$hot" > "$d/annotate.txt" 2> "$d/annotate.err" ||
    fail "perf annotate $hot failed: $(head -n 3 "$d/annotate.err")"
grep -q "<$hot>:" "$d/annotate.txt" || fail "perf annotate: no disassembly of $hot"
grep -Eq '^ +[1-9][0-9.]* :' "$d/annotate.txt" || fail "perf annotate: no instruction with samples"

# qemu-perf export DIR: DIR/guest.data, named on stderr.
mv "$d/guest.data" "$d/guest.first"
"$BUILD/bin/qemu-perf" export "$d" 2> "$d/qp.err" || fail "qemu-perf export exited $?: $(cat "$d/qp.err")"
grep -q "wrote $d/guest.data" "$d/qp.err" || fail "qemu-perf export: did not name its file"
[ "$(perf report -i "$d/guest.data" --header-only 2>/dev/null | grep -c '^# arch : x86_64$')" = 1 ] ||
    fail "qemu-perf export: not a guest perf.data"

# Bad input: one line, exit 2, nothing written.
rc=0
(cd "$d" && "$TBSYM" export -i guest.out -o bad.data 2> bad.err) || rc=$?
[ "$rc" = 2 ] || fail "export of a non-perf.data exited $rc, not 2"
[ "$(wc -l < "$d/bad.err")" = 1 ] || fail "export of a non-perf.data: not one line: $(cat "$d/bad.err")"
[ ! -e "$d/bad.data" ] && ! ls "$d"/.bad.data.* >/dev/null 2>&1 || fail "export of bad input left a file"
rc=0
"$TBSYM" export -i "$d/perf.data" 2> "$d/noout.err" || rc=$?
[ "$rc" = 2 ] || fail "export without -o exited $rc, not 2"

# aarch64: perf resolves the guest's aarch64 ELF files; annotate needs its objdump.
if [ -x "$QEMU_ARM" ] && [ -d "$ARM_SYSROOT/lib" ] && [ -x "$GUESTS/aarch64/demo" ]; then
    a=$WORK/arm
    PERF_RECORD_ARGS="--call-graph dwarf" record "$a" aarch64 -perf-callstack on -tb-stats all "$GUESTS/aarch64/demo" 2
    (cd "$a" && "$TBSYM" export -o guest.data 2> export.err) ||
        fail "aarch64: tbsym export failed: $(cat "$a/export.err")"
    perf report -i "$a/guest.data" --header-only 2>&1 | grep -q '^# arch : aarch64$' || fail "aarch64: no arch"
    perf report -i "$a/guest.data" --stdio -g none --sort comm,dso,sym > "$a/names.txt" 2>/dev/null ||
        fail "aarch64: perf report failed"
    grep -Eq '^ +[0-9.]+%( +[0-9.]+%)? +demo +demo +\[\.\] float_kernel$' "$a/names.txt" ||
        fail "aarch64: perf report does not show float_kernel"
    if command -v aarch64-linux-gnu-objdump >/dev/null; then
        perf annotate -i "$a/guest.data" --stdio float_kernel > "$a/annotate.txt" 2>/dev/null ||
            fail "aarch64: perf annotate failed"
        grep -Eq '^ +[0-9.]+ : +[0-9a-f]+: +fmul' "$a/annotate.txt" ||
            fail "aarch64: perf annotate shows no aarch64 code"
    fi
    note "aarch64 demo: $(grep '^tbsym export: guest.data' "$a/export.err" | cut -d: -f3-)"
else
    note "aarch64 part skipped: no $QEMU_ARM, sysroot or guest"
fi
