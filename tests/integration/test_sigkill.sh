# A guest SIGKILLed mid-run leaves a jitdump perf can inject (whole
# records only, flushed at least every 100 ms) and a usable .tbstats.part.
. "$TOP/tests/integration/lib.sh"
need_perf
d=$WORK/kill
mkdir -p "$d"
cd "$d"
# the guest would run for minutes; timeout only guards against a stuck test
timeout 120 perf record -q -k 1 -e "$(perf_event)" -o perf.data \
    "$QEMU_X86" -perf "$GUESTS/x86_64/demo" 5000 > guest.out 2> record.err &
sleep 1.5
# Kill once translation has gone quiet (the side file stopped growing for
# 0.4 s: the guest is in its hot loops and QEMU has flushed both files, as
# it does after 100 ms without new TBs), so that the hot TBs are in the
# .part whatever the machine's load; at most 15 s.
prev=-1
for _ in $(seq 30); do
    size=$(cat jit-*.tbstats.part 2>/dev/null | wc -c)
    [ "$size" -gt 0 ] && [ "$size" -eq "$prev" ] && break
    prev=$size
    sleep 0.4
done
perfpid=$(pgrep -f "^perf record -q -k 1 -e [a-z-]* -o perf.data $QEMU_X86" | head -n 1)
[ -n "$perfpid" ] || fail "perf record is not running"
qpid=$(pgrep -P "$perfpid" | head -n 1)
[ -n "$qpid" ] || fail "QEMU is not running"
kill -KILL "$qpid"
wait || true
ls jit-*.tbstats.part >/dev/null 2>&1 || fail "no jit-PID.tbstats.part left behind"
! ls jit-*.tbstats >/dev/null 2>&1 || fail "a killed QEMU cannot have renamed its side file"
inject "$d"
loads=$(perf report -i perf.jit.data --stdio --sort dso 2>/dev/null | grep -c 'jitted-' || true)
note "JIT DSOs with samples after the kill: $loads"
[ "$loads" -gt 0 ] || fail "no samples landed in injected JIT code"
python3 "$TOP/tests/integration/check_names.py" "$d" --min-pct 95 || fail "names wrong in the killed run"
# tbsym report reads what the killed run left: without --partial it
# says what is cut and exits 2; with it, raw and injected inputs agree.
rc=0
"$TBSYM" report -i perf.data > report.out 2> report.err || rc=$?
[ "$rc" -eq 2 ] || fail "tbsym report on a killed run: exit $rc, not 2"
grep -q 'tbstats.part.*--partial\|--partial' report.err || fail "no hint at --partial: $(cat report.err)"
note "without --partial: $(cat report.err)"
compare_with_perf "$d" killed --partial
