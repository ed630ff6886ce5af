# tbsym diff reads its two recordings in two threads.  Two recordings with
# dwarf call chains and guest call stacks (so both threads unwind with
# libunwind and resolve guest symbols, each on its own profile), diffed by a
# ThreadSanitizer build of tbsym (make tsan): no data race reported, and the
# same output as the regular build's.
. "$TOP/tests/integration/lib.sh"
TBSYM=$BUILD/bin/tbsym
TSAN_TBSYM=$BUILD/tsan/bin/tbsym
[ -x "$TBSYM" ] || skip "no $TBSYM"
[ -x "$TSAN_TBSYM" ] || skip "no $TSAN_TBSYM (make tsan)"
[ -x "$QEMU_X86" ] || skip "no $QEMU_X86"
guest=$BUILD/guests/x86_64/demo
[ -x "$guest" ] || skip "no $guest"
need_perf

for r in a b; do
    mkdir "$WORK/$r"
    (cd "$WORK/$r" && perf record -q -k 1 -e cpu-clock --call-graph dwarf,4096 -o perf.data -- \
        "$QEMU_X86" -perf -perf-callstack on -tb-stats all "$guest" 3 > guest.out 2> record.err) ||
        fail "perf record of run $r failed: $(tail -3 "$WORK/$r/record.err")"
done

"$TBSYM" diff "$WORK/a" "$WORK/b" > "$WORK/plain.out" 2> "$WORK/plain.err" ||
    fail "tbsym diff failed: $(cat "$WORK/plain.err")"
[ -s "$WORK/plain.out" ] || fail "tbsym diff printed nothing"
rc=0
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$TSAN_TBSYM" diff "$WORK/a" "$WORK/b" \
    > "$WORK/tsan.out" 2> "$WORK/tsan.err" || rc=$?
if [ "$rc" -ne 0 ] || grep -q 'ThreadSanitizer' "$WORK/tsan.err"; then
    head -40 "$WORK/tsan.err" >&2
    fail "ThreadSanitizer build of tbsym diff: exit $rc"
fi
cmp -s "$WORK/plain.out" "$WORK/tsan.out" || fail "the ThreadSanitizer build printed another diff"
note "diff of two dwarf-chain recordings: $(wc -l < "$WORK/plain.out") lines, no race"
