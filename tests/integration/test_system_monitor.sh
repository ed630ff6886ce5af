# TBStatistics from QEMU's monitor (QMP x-tb-stats, x-query-tb-list, -tb,
# -tb-coverset, -tb-cfg, and the HMP commands tb-stats, info tb-list, tb,
# coverset, cfg) on the bare-metal guests of tests/guests/baremetal/, for
# x86_64 and aarch64.  The guest counts its calls of bm_fib; read while the
# VM is stopped, that count is the oracle the executions of bm_fib's first
# TB must follow when collecting starts late, pauses, starts again and
# stops (check_system_monitor.py says what is checked).  Then -perf-ir on
# the command line, and the commands without -perf or -tb-stats: they fail
# with one message.
. "$TOP/tests/integration/lib.sh"
need_baremetal bm_fib_calls
CHECK="python3 $TOP/tests/integration/check_system_monitor.py"
FOREVER=999999999   # iterations: far more than the test lasts; QMP quits

for arch in x86_64 aarch64; do
    case $arch in
    x86_64) set -- "$SYS_X86" -M q35 -nographic -nodefaults -serial stdio \
                -L /usr/share/seabios -L "$SYS_ROMS" \
                -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
                -kernel "$BM/x86_64.elf" -append "$FOREVER" ;;
    aarch64) set -- "$SYS_ARM" -M virt -cpu cortex-a57 -nographic -nodefaults \
                -serial stdio -semihosting -kernel "$BM/aarch64.elf" -append "$FOREVER" ;;
    esac
    $CHECK "$BM/$arch.elf" "$WORK/$arch" "$TBSYM" -- "$@" ||
        fail "$arch: monitor control of TBStatistics"
    note "$arch: ok"
done

# -perf-ir on the command line, as in linux-user: the TCG ops of every
# translation of bm_fib, in the side file's TB_IR records.
fib=$(nm "$BM/aarch64.elf" | awk '$3 == "bm_fib" { print "0x" $1 }')
mkdir "$WORK/ir"
(cd "$WORK/ir" && "$SYS_ARM" -M virt -cpu cortex-a57 -nographic -nodefaults \
    -serial stdio -semihosting -kernel "$BM/aarch64.elf" -append 2 \
    -perf -perf-ir "$fib" > out.txt 2>&1 < /dev/null) || fail "-perf-ir: QEMU failed"
python3 - "$TOP/tests/integration" "$WORK"/ir/jit-*.tbstats "$fib" <<'PY' || fail "-perf-ir: no ops of bm_fib"
import sys
sys.path.insert(0, sys.argv[1])
import check_system_monitor as c
texts = c.ir_texts(sys.argv[2], int(sys.argv[3], 16))
assert texts and all(' ---- ' in t[0] and ' ---- ' in t[1] for t in texts), texts
print('# -perf-ir: %d translations of bm_fib with their ops' % len(texts))
PY
rc=0
(cd "$WORK/ir" && "$SYS_ARM" -M virt -nographic -nodefaults -perf -perf-ir zz \
    > bad.txt 2>&1 < /dev/null) || rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l < "$WORK/ir/bad.txt")" -eq 1 ] &&
    grep -q -- "-perf-ir: 'zz'" "$WORK/ir/bad.txt" || fail "-perf-ir zz: exit $rc: $(cat "$WORK/ir/bad.txt")"

# Without a side file the commands say what is missing, and QEMU runs on.
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
    '{"execute":"x-tb-stats","arguments":{"action":"start"}}' \
    '{"execute":"x-query-tb-list"}' '{"execute":"quit"}' |
    timeout 60 "$SYS_ARM" -M virt -cpu cortex-a57 -nographic -nodefaults -S \
        -semihosting -kernel "$BM/aarch64.elf" -qmp stdio 2>&1) ||
    fail "QEMU without -perf: exit $?: $out"
[ "$(printf '%s\n' "$out" | grep -c 'start QEMU with -perf or -tb-stats')" -eq 2 ] ||
    fail "QEMU without -perf: $out"
note "ok"
