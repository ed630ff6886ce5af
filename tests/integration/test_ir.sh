# The TCG ops of a chosen TB (QEMU -perf-ir, through qemu-perf record --ir)
# come out of `tbsym tb RUN ID --ir` exactly as QEMU's own -d op,op_opt log
# prints them for the same translation in the same run: the log is the
# oracle, written by upstream QEMU's logging path, not by the side file's.
# A run without --ir has no TB_IR record, and `tb --ir` says how to get one.
# Both runs are made without address space randomisation (setarch -R), so
# the guest code is at the same address in both.
. "$TOP/tests/integration/lib.sh"
NORAND="setarch $(uname -m) -R"
need_perf
QP="setarch $(uname -m) -R $BUILD/bin/qemu-perf"
for arch in x86_64 aarch64; do
    [ "$arch" = aarch64 ] && need_arm
    q=$(qemu_for "$arch")
    d=$WORK/$arch
    # 1. a first run names the hot TBs of float_kernel; take its first TB
    # Both runs without address-space randomisation and at the same level
    # (-tb-stats all, qemu-perf's default, as the second run has): the
    # second must load the guest where the first did, and QEMU places it
    # with mmap, after the vCPU's execution counters (an mmap of their own
    # that only the exec level makes).
    $NORAND $QP record -o "$d/r1" --tb-stats all -- $q "$GUESTS/$arch/demo" 1 > /dev/null 2>&1 ||
        fail "$arch: qemu-perf record failed"
    pc=$("$BUILD/bin/tbsym" tb-list "$d/r1" --format csv 2>/dev/null |
         awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                  $col["name"] == "float_kernel" { print $col["guest_pc"]; exit }')
    [ -n "$pc" ] || fail "$arch: no TB at float_kernel in the first run"
    # 2. the same program again with --ir for that PC and QEMU's own op log.
    # Once in a while (three times in about fifteen runs here, aarch64) the key
    # is not in the second run; the run is then made once more, saying so,
    # with what tbsym saw, so that the cause can be found.
    id=
    for attempt in 1 2; do
        rm -rf "$d/r2" "$d/op.log"
        $NORAND $QP record -o "$d/r2" --ir "$pc" -- $q -d op,op_opt -dfilter "$pc+0x1" \
            -D "$d/op.log" "$GUESTS/$arch/demo" 1 > "$d/r2.out" 2>&1 ||
            fail "$arch: qemu-perf record --ir failed: $(tail -n 3 "$d/r2.out")"
        "$BUILD/bin/tbsym" tb-list "$d/r2" --format csv > "$d/r2.csv" 2> "$d/r2.err" || true
        id=$(awk -F, -v pc="$pc" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                                  $col["guest_pc"] == pc { print $col["id"]; exit }' "$d/r2.csv")
        [ -n "$id" ] && break
        note "$arch: attempt $attempt: key $pc missing from the second run;" \
             "tbsym: $(head -c 300 "$d/r2.err"); float_kernel there:" \
             "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                         $col["name"] == "float_kernel" { print $col["guest_pc"] }' "$d/r2.csv" | head -3)"
    done
    [ -n "$id" ] || fail "$arch: key $pc missing from the second run, twice"
    "$BUILD/bin/tbsym" tb "$d/r2" "$id" --ir > "$d/ir.txt" || fail "$arch: tbsym tb $id --ir failed"
    python3 - "$d/op.log" "$d/ir.txt" "$arch" <<'PY' || fail "$arch: --ir differs from QEMU's -d op,op_opt"
import sys
log = open(sys.argv[1]).read()
ir = open(sys.argv[2]).read()
# QEMU's log: "OP:\n<ops>\n" and "OP after optimization and liveness analysis:\n<ops>\n"
def block(text, head):
    """The first block under a header line, to the next header (a line
    starting "OP") or the end; QEMU ends each block with a blank line."""
    lines = text.split('\n')
    i = lines.index(head) + 1
    j = i
    while j < len(lines) and not lines[j].startswith('OP'):
        j += 1
    return '\n'.join(lines[i:j])
want_op = block(log, 'OP:')
want_opt = block(log, 'OP after optimization and liveness analysis:')
# tbsym: "## ops (-d op)\n<ops>" and "## ops_opt (-d op_opt)\n<ops>"
parts = ir.split('## ')
got = {p.split('\n', 1)[0].split()[0]: p.split('\n', 1)[1] for p in parts[1:]}
ok = True
for name, want in (('ops', want_op), ('ops_opt', want_opt)):
    g = got.get(name, '').rstrip('\n') + '\n'
    w = want.rstrip('\n') + '\n'
    same = g == w
    print('%s %s: %d lines from QEMU -d, %d from tbsym, %s' % (sys.argv[3], name, w.count('\n') + 1,
                                                               g.count('\n') + 1, 'same' if same else 'DIFFERENT'))
    if not same:
        ok = False
        import difflib
        sys.stdout.writelines(list(difflib.unified_diff(w.splitlines(True), g.splitlines(True),
                                                         'qemu -d', 'tbsym --ir'))[:20])
sys.exit(0 if ok else 1)
PY
    # 3. no --ir: no TB_IR record, and tb --ir explains (exit 2)
    set +e
    "$BUILD/bin/tbsym" tb "$d/r1" 1 --ir > /dev/null 2> "$d/noir.err"
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "$arch: tb --ir without a record exited $rc, not 2"
    grep -q -- '--ir' "$d/noir.err" || fail "$arch: tb --ir without a record does not say how to get one"
done
