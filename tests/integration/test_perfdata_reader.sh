# tbsym dump reads real perf.data files exactly as perf does: perf record -k 1
# of the patched QEMU running the demo guest, plain and with -z (COMPRESSED
# records, one zstd stream), must give the same samples (tid, time, ip) and
# the same mmaps (pid, tid, start, len, pgoff, filename) in tbsym dump as in
# perf script.
. "$TOP/tests/integration/lib.sh"
need_perf
[ -x "$BUILD/bin/tbsym" ] || skip "no $BUILD/bin/tbsym"
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86 (make qemu)"
[ -x "$GUESTS/x86_64/demo" ] || skip "no $GUESTS/x86_64/demo (make guests)"

for mode in plain zstd; do
    d=$WORK/$mode
    if [ $mode = zstd ]; then
        PERF_RECORD_ARGS=-z record "$d" x86_64 "$GUESTS/x86_64/demo" 10
    else
        PERF_RECORD_ARGS= record "$d" x86_64 "$GUESTS/x86_64/demo" 10
    fi
    "$BUILD/bin/tbsym" dump "$d/perf.data" > "$d/dump.txt" 2> "$d/dump.err" ||
        fail "$mode: tbsym dump failed: $(cat "$d/dump.err")"
    grep -q 'end=clean' "$d/dump.txt" || fail "$mode: dump did not end clean"
    if [ $mode = zstd ]; then
        grep -q '^  compressed type=1' "$d/dump.txt" || fail "zstd: no COMPRESSED feature"
        grep -q 'from_compressed=0 ' "$d/dump.txt" && fail "zstd: no event came from a compressed record"
    fi

    # samples: "tid time ip", time in ns, ip in hex without 0x, sorted
    perf script -i "$d/perf.data" -F tid,time,ip --ns 2>/dev/null |
        awk '{ t = $2; sub(":", "", t); sub("\\.", "", t); sub("^0+", "", t);
               printf "%s %s %s\n", $1, t, $3 }' | sort > "$d/perf-samples.txt"
    # key=value fields of the SAMPLE lines of tbsym dump
    awk '/ type=SAMPLE / { delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                           ip = f["ip"]; sub("^0x", "", ip); print f["tid"], f["time"], ip }' \
        "$d/dump.txt" | sort > "$d/tbsym-samples.txt"
    n=$(wc -l < "$d/perf-samples.txt")
    [ "$n" -gt 10 ] || fail "$mode: only $n samples in perf script"
    diff -u "$d/perf-samples.txt" "$d/tbsym-samples.txt" > "$d/samples.diff" ||
        fail "$mode: samples differ from perf script: $(head -n 8 "$d/samples.diff")"

    # mmaps: "pid/tid start len pgoff filename" (perf script prints pgoff 0 as "0")
    perf script -i "$d/perf.data" --show-mmap-events -F tid 2>/dev/null |
        sed -n 's/.*PERF_RECORD_MMAP2\{0,1\} \(-\{0,1\}[0-9]*\/[0-9]*\): \[\(0x[0-9a-f]*\)(\(0x[0-9a-f]*\)) @ \(0x\)\{0,1\}\([0-9a-f]*\)[^]]*\]: [^ ]* \(.*\)/\1 \2 \3 0x\5 \6/p' |
        sed 's/^-1\//4294967295\//' | sort > "$d/perf-mmaps.txt"
    sed -n 's/.* type=MMAP2\{0,1\} .* pid=\([0-9]*\) tid=\([0-9]*\) start=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) pgoff=\(0x[0-9a-f]*\) .*filename="\([^"]*\)".*/\1\/\2 \3 \4 \5 \6/p' \
        "$d/dump.txt" | sort > "$d/tbsym-mmaps.txt"
    [ -s "$d/perf-mmaps.txt" ] || fail "$mode: no mmaps parsed from perf script"
    diff -u "$d/perf-mmaps.txt" "$d/tbsym-mmaps.txt" > "$d/mmaps.diff" ||
        fail "$mode: mmaps differ from perf script: $(head -n 8 "$d/mmaps.diff")"
    note "$mode: $n samples and $(wc -l < "$d/perf-mmaps.txt") mmaps agree with perf script"
done
