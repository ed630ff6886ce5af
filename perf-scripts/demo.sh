#!/bin/sh
# make demo: profile the bundled guest program (tests/guests/demo.c) under the
# patched QEMU with the real perf, and print the report.
#
# usage: perf-scripts/demo.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
dir=$build/demo
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"

event=cpu-clock
if perf record -q -e cycles -o probe.data true >/dev/null 2>&1 &&
   perf report -i probe.data --stdio 2>/dev/null | grep -q "of event 'cycles"; then
    event=cycles
fi
rm -f probe.data

echo "demo: perf record -k 1 -e $event -- qemu-x86_64 -perf -tb-stats all demo 40   (in $dir)" >&2
perf record -q -k 1 -e "$event" -o perf.data \
    "$build/bin/qemu-x86_64" -perf -tb-stats all "$build/guests/x86_64/demo" 40 >guest.out 2>record.err || {
    echo "demo: perf record failed:" >&2
    cat record.err >&2
    exit 1
}
cat guest.out
echo "demo: tbsym report -n 25   (perf samples x TBStatistics, straight from perf.data)" >&2
"$build/bin/tbsym" report -n 25
echo >&2
echo "demo: tbsym report --by function -n 10" >&2
"$build/bin/tbsym" report --by function -n 10
echo >&2
echo "demo: perf inject -j -i perf.data -o perf.jit.data" >&2
perf inject -j -i perf.data -o perf.jit.data
echo "demo: tbsym listing .   (the guest listing perf annotate shows)" >&2
"$build/bin/tbsym" listing .
echo "demo: perf report --sort dso,sym" >&2
perf report -i perf.jit.data --stdio --sort dso,sym 2>/dev/null |
    grep -v '^$' | grep -v '^# \(To display\|$\)' | sed -n '1,15p'
hot=$(perf report -i perf.jit.data --stdio --sort dso,sym 2>/dev/null |
      awk '/jitted-/ { print $NF; exit }')
if [ -n "$hot" ]; then
    echo >&2
    echo "demo: perf annotate -s $hot   (guest instructions above their host code)" >&2
    perf annotate -i perf.jit.data --stdio -s "$hot" 2>/dev/null | sed -n '1,40p'
fi
