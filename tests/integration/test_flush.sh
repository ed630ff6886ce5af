# With a 1 MiB code buffer QEMU flushes translated code and reuses
# host addresses; every sample must still land on the TB live at its time.
. "$TOP/tests/integration/lib.sh"
need_perf
d=$WORK/flush
mkdir -p "$d"
(cd "$d" && perf record -q -k 1 -e "$(perf_event)" -o perf.data \
    "$QEMU_X86" -perf -tb-size 1 "$GUESTS/x86_64/demo" 10 > guest.out 2> record.err) ||
    fail "perf record failed"
flushes=$(python3 - "$d" <<'PY'
import struct, glob, sys
d = open(glob.glob(sys.argv[1] + '/jit-*.tbstats')[0], 'rb').read()
off = struct.unpack_from('<I', d, 8)[0]; n = 0
while off + 8 <= len(d):
    t, s = struct.unpack_from('<II', d, off); n += t == 4; off += s
print(n)
PY
)
note "code buffer flushes: $flushes"
[ "$flushes" -ge 1 ] || fail "no code-buffer flush happened with -tb-size 1"
inject "$d"
python3 "$TOP/tests/integration/check_names.py" "$d" --min-pct 95 ||
    fail "attribution after flushes is wrong"
# tbsym report attributes like perf does after the flushes, from the raw data too.
compare_with_perf "$d" flush
# QEMU copies each TB's host code into the jitdump after translation (in its
# flusher thread): every copied TB must still be the code its instruction
# ends were recorded for, across the flushes.  The negative control (each
# TB's ends against the previous TB's code) shows the check can fail.
"$BUILD/tests/check-code" "$d" || fail "jitdump code is not the TBs' code after flushes"
if "$BUILD/tests/check-code" "$d" --shift > "$d/shift.out"; then
    fail "check-code found nothing wrong with shifted code: $(cat "$d/shift.out")"
fi
note "negative control: $(cat "$d/shift.out")"
