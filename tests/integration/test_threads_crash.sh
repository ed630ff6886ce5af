# An 8-thread guest gets a well-formed dump (records never
# interleave: every record parses, names are right), and a guest that dies of
# SIGSEGV still leaves a complete dump (CLOSE last) and a completed side file
# recording exit code 128+11.
. "$TOP/tests/integration/lib.sh"
need_perf
for arch in x86_64 aarch64; do
    [ "$arch" = aarch64 ] && need_arm
    d=$WORK/$arch-threads
    record "$d" "$arch" "$GUESTS/$arch/threads"
    grep -q 'threads: 8 threads' "$d/guest.out" || fail "$arch: threads guest failed"
    "$BUILD/bin/tbsym" dump "$d"/jit-*.dump > "$d/dump.txt" || fail "$arch: threaded dump does not parse"
    tail -n 3 "$d/dump.txt" | grep -q 'CLOSE' || note "$arch: $(tail -n 2 "$d/dump.txt")"
    inject "$d"
    python3 "$TOP/tests/integration/check_names.py" "$d" --min-pct 95 ||
        fail "$arch: threaded run misnamed"
    # the LOADs carry the translating thread's tid: more than one thread translated
    tids=$("$BUILD/bin/tbsym" dump --format json "$d"/jit-*.dump |
           python3 -c 'import json,sys; print(len({r["tid"] for r in json.load(sys.stdin)["records"] if "tid" in r}))')
    note "$arch: LOAD records from $tids threads"
    [ "$tids" -gt 1 ] || fail "$arch: expected records from several threads"

    d=$WORK/$arch-crash
    mkdir -p "$d"
    set +e
    (cd "$d" && $(qemu_for "$arch") -perf "$GUESTS/$arch/crash" > guest.out 2> guest.err)
    rc=$?
    set -e
    [ "$rc" -eq 139 ] || fail "$arch: crash guest exited $rc, expected 139 (SIGSEGV)"
    "$BUILD/bin/tbsym" dump "$d"/jit-*.dump > "$d/dump.txt" || fail "$arch: dump of a crashed guest does not parse"
    grep -q 'CLOSE' "$d/dump.txt" || fail "$arch: no CLOSE record after a fatal signal"
    ls "$d"/jit-*.tbstats >/dev/null 2>&1 || fail "$arch: side file not completed after a fatal signal"
    python3 - "$d" <<'PY' || fail "$arch: side file lacks the exit code"
import glob, struct, sys
d = open(glob.glob(sys.argv[1] + '/jit-*.tbstats')[0], 'rb').read()
off = struct.unpack_from('<I', d, 8)[0]; code = None
while off + 8 <= len(d):
    t, s = struct.unpack_from('<II', d, off)
    if t == 5:
        code = struct.unpack_from('<i', d, off + 16)[0]
    off += s
print('exit code in the side file:', code)
sys.exit(0 if code == 128 + 11 else 1)
PY
done
