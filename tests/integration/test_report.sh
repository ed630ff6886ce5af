# tbsym report on real recordings of the patched QEMU.
#  - the raw perf.data (+ jitdump + export) and perf inject -j's output (+ export)
#    give the same report;
#  - its per-symbol attribution (--by sym) equals perf report --sort dso,sym on
#    the injected data: exactly for every TB; for QEMU's own code within 1 %
#    of the samples (exact on every recording tried, PLT stubs included: the
#    margin is for symbol-table corner cases of other distributions' QEMU);
#  - with --call-graph dwarf, samples in softfloat helpers are charged to the
#    TB that called them, and translation is found under tb_gen_code;
#  - a synthetic recording with a known answer (address reuse after flushes,
#    byte-identical host code for every TB) is attributed exactly;
#  - bad input: one line naming the file, exit 2, nothing on stdout.
. "$TOP/tests/integration/lib.sh"
need_perf
CHECK="python3 $TOP/tests/integration/check_report.py"

# x86_64: a dynamically linked interpreter (main program + libc symbols) and the demo.
export PYTHONHASHSEED=0
record_injected "$WORK/py" x86_64 /usr/bin/python3 "$TOP/tests/guests/workload.py" 300
compare_with_perf "$WORK/py" x86_64-python3
record_injected "$WORK/demo" x86_64 "$GUESTS/x86_64/demo" 8
compare_with_perf "$WORK/demo" x86_64-demo

# aarch64.
if [ -x "$QEMU_ARM" ] && [ -d "$ARM_SYSROOT/lib" ]; then
    record_injected "$WORK/arm" aarch64 "$GUESTS/aarch64/demo" 8
    compare_with_perf "$WORK/arm" aarch64-demo
else
    note "aarch64 part skipped: no $QEMU_ARM or sysroot"
fi

# Helpers under the TB that called them, from --call-graph dwarf stacks.
PERF_RECORD_ARGS="--call-graph dwarf" record "$WORK/dwarf" x86_64 "$GUESTS/x86_64/demo" 4
(cd "$WORK/dwarf" && "$TBSYM" report --format json > report.json) || fail "dwarf: tbsym report failed"
$CHECK helpers "$WORK/dwarf/report.json" || fail "dwarf: helpers are not charged to their TBs"

# A known answer.
SYNTH=$BUILD/tests/synth-recording
for variant in "" --identical-code; do
    rm -rf "$WORK/synth"; mkdir "$WORK/synth"
    "$SYNTH" "$WORK/synth" --loads 6000 --samples 20000 --flush-every 700 $variant ||
        fail "synth-recording failed"
    (cd "$WORK/synth" && "$TBSYM" report --all --format json > report.json) ||
        fail "synthetic $variant: tbsym report failed"
    $CHECK truth "$WORK/synth/report.json" "$WORK/synth/truth.txt" ||
        fail "synthetic $variant: attribution differs from the known answer"
done

# Bad input: exit 2, one line naming the file, no output.
bad() { # LABEL PATTERN ARGS...
    label=$1 pattern=$2; shift 2
    rc=0
    (cd "$WORK/bad" && "$TBSYM" report "$@" > out.txt 2> err.txt) || rc=$?
    [ "$rc" -eq 2 ] || fail "$label: exit $rc, not 2 ($(cat "$WORK/bad/err.txt"))"
    [ ! -s "$WORK/bad/out.txt" ] || fail "$label: wrote a partial report"
    [ "$(wc -l < "$WORK/bad/err.txt")" -eq 1 ] || fail "$label: not one line: $(cat "$WORK/bad/err.txt")"
    grep -q -- "$pattern" "$WORK/bad/err.txt" || fail "$label: '$pattern' not in: $(cat "$WORK/bad/err.txt")"
    note "$label: $(cat "$WORK/bad/err.txt")"
}
mkdir "$WORK/bad"
cp "$WORK/synth/perf.data" "$WORK/synth/jit-4242.dump" "$WORK/synth/jit-4242.tbstats" "$WORK/bad/"
bad "no perf.data" "nope.data" -i nope.data
size=$(stat -c %s "$WORK/bad/perf.data")
head -c $((size / 2)) "$WORK/synth/perf.data" > "$WORK/bad/perf.data"
bad "truncated perf.data" "perf.data: .*byte offset" 
cp "$WORK/synth/perf.data" "$WORK/bad/perf.data"
printf 'XXXXXXXX' | dd of="$WORK/bad/perf.data" conv=notrunc 2>/dev/null
bad "not a perf.data" "perf.data" 
cp "$WORK/synth/perf.data" "$WORK/bad/perf.data"
# (tbsym also looks where QEMU wrote it, as the recording's mmap says: move both)
mv "$WORK/bad/jit-4242.dump" "$WORK/bad/jit-4242.dump.away"
mv "$WORK/synth/jit-4242.dump" "$WORK/synth/jit-4242.dump.away"
bad "no jitdump" "jit-4242.dump"
mv "$WORK/bad/jit-4242.dump.away" "$WORK/bad/jit-4242.dump"
mv "$WORK/synth/jit-4242.dump.away" "$WORK/synth/jit-4242.dump"
cp "$WORK/demo/"jit-*.tbstats "$WORK/bad/other.tbstats"
bad "export of another run" "pid" --tbstats other.tbstats
head -c 1000 "$WORK/synth/jit-4242.tbstats" > "$WORK/bad/jit-4242.tbstats"
bad "truncated export" "jit-4242.tbstats.*byte offset"
note "ok"
