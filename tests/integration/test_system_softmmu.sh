# The software MMU of a system emulator in tbsym, on the bare-metal guests
# of tests/guests/baremetal/ under qemu-system-x86_64 and
# qemu-system-aarch64 (x86-64 host), recorded with perf record --call-graph
# dwarf; check_softmmu.py has the oracles:
#  - tbsym report's softmmu_samples per guest function equal (within
#    max(3, 5 %)) the count made from perf script's own call chains after
#    perf inject -j, with QEMU's compilation units read by readelf: helper
#    samples with a frame of accel/tcg/cputlb.c or the target's page-table
#    walk between them and their TB; bm_tlb_walk, which misses the TLB on
#    every read by construction (2048 pages, more than QEMU's TLB holds),
#    has most of its samples there, bm_alu (no memory access) none;
#  - tbsym annotate's TLB fast paths: each at a guest instruction that
#    accesses memory, as many as its accesses (objdump's disassembly of the
#    guest ELF, classified by check_softmmu.py), none missing, the samples
#    of every guest instruction the same with --raw; and none in the TBs of
#    a user-mode run (the demo guest under qemu-x86_64);
#  - the side file's TLB flush counts: some flush counted, when its END
#    record has the counts (64 bytes); a QEMU built before them writes the
#    40-byte record, and only that check is skipped, with a note.
. "$TOP/tests/integration/lib.sh"
need_perf
need_demo
need_baremetal bm_tlb_walk
command -v readelf >/dev/null && command -v objdump >/dev/null || skip "no binutils"
command -v aarch64-linux-gnu-objdump >/dev/null || skip "no aarch64-linux-gnu-objdump (binutils-aarch64-linux-gnu)"
CHECK="python3 $TOP/tests/integration/check_softmmu.py"
ITER=40

# The flush-count check itself, on the golden fixtures: counts (1234 full)
# pass, the older record is a note, a record of neither size fails.
$CHECK tlb-flushes "$TOP/tests/golden/dump-side-system.tbs" | grep -q '1234 full' ||
    fail "check_softmmu.py tlb-flushes does not read the counts"
$CHECK tlb-flushes "$TOP/tests/golden/dump-side-system-old-end.tbs" | grep -q '^# skipped:' ||
    fail "check_softmmu.py tlb-flushes does not recognise the 40-byte END record"
! $CHECK tlb-flushes "$TOP/tests/golden/dump-side-end-size.tbs" 2>/dev/null ||
    fail "check_softmmu.py tlb-flushes accepts a 48-byte END record"
FUNCS="bm_fib bm_checksum bm_sieve bm_user_work bm_tlb_walk bm_alu"

for arch in x86_64 aarch64; do
    w=$WORK/$arch
    mkdir -p "$w"
    case $arch in
    x86_64) qemu=$SYS_X86; ok=1
            set -- -M q35 -nographic -nodefaults -serial stdio -L /usr/share/seabios \
                -L "$SYS_ROMS" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
                -kernel "$BM/x86_64.elf" -append "$ITER" ;;
    aarch64) qemu=$SYS_ARM; ok=0
            set -- -M virt -cpu cortex-a57 -nographic -nodefaults -serial stdio \
                -semihosting -kernel "$BM/aarch64.elf" -append "$ITER" ;;
    esac
    rc=0
    (cd "$w" && perf record -q -k 1 -e "$(perf_event)" --call-graph dwarf -o perf.data \
        "$qemu" -perf "$@" > guest.out 2> record.err < /dev/null) || rc=$?
    [ "$rc" -eq "$ok" ] || fail "$arch: perf record of QEMU exited $rc: $(tail -n 3 "$w/record.err")"
    grep -q "^baremetal $arch iter=$ITER " "$w/guest.out" ||
        fail "$arch: unexpected guest output: $(tail -n 2 "$w/guest.out")"
    inject "$w"

    # (a) softmmu_samples against perf script's chains and readelf.
    (cd "$w" && "$TBSYM" report --format json > report.json) || fail "$arch: tbsym report failed"
    perf script -i "$w/perf.jit.data" -F pid,tid,ip,sym,dso --no-inline > "$w/script.txt" \
        2> "$w/script.err" || fail "$arch: perf script failed: $(tail -n 3 "$w/script.err")"
    $CHECK softmmu "$w/report.json" "$w/script.txt" "$qemu" bm_tlb_walk bm_alu ||
        fail "$arch: softmmu_samples differ from perf script's"

    # (b) annotate's TLB fast paths against the guest's own instructions.
    for f in $FUNCS; do
        (cd "$w" && "$TBSYM" annotate "$f" --format json > "$f.json" &&
            "$TBSYM" annotate "$f" --format json --raw > "$f.raw.json") ||
            fail "$arch: tbsym annotate $f failed"
    done
    # shellcheck disable=SC2086 # the list is split on purpose
    $CHECK fast-paths "$arch" "$BM/$arch.elf" "$w" $FUNCS ||
        fail "$arch: TLB fast paths do not match the guest's loads and stores"

    # (c) TLB flush counts, where the QEMU binary writes them.
    $CHECK tlb-flushes "$w"/jit-*.tbstats || fail "$arch: TLB flush counts"
    note "$arch: ok"
done

# No fast path in user mode: guest memory at guest_base, no TLB.
record "$WORK/user" x86_64 "$DEMO" 1
(cd "$WORK/user" && "$TBSYM" report --format json -n 10 > report.json) ||
    fail "user mode: tbsym report failed"
ids=$(python3 -c 'import json, sys
print(" ".join(str(r["guest_pc"]) for r in json.load(open(sys.argv[1]))["rows"]))' \
    "$WORK/user/report.json")
[ -n "$ids" ] || fail "user mode: no TB with samples"
n=0
for pc in $ids; do
    n=$((n + 1))
    (cd "$WORK/user" && "$TBSYM" annotate "$pc" --format json > "annotate-$n.json") ||
        fail "user mode: tbsym annotate $pc failed"
done
$CHECK no-fast-paths "$WORK"/user/annotate-*.json || fail "user mode: TLB fast paths found"
note "ok"
