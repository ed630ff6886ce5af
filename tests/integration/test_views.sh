# The offline views (tbsym tb-list, tb, coverset, cfg) on a real run of the
# patched QEMU with -perf -tb-stats all on the x86_64 demo:
#  - tb-list's top row by hotness has the highest exec_count of all rows;
#  - tb of that key shows guest code (in_asm) that capstone decodes, whose
#    first instruction's bytes are the demo binary's own at that symbol
#    (objdump, when the key's name is SYMBOL+OFF of the demo), and host code
#    (out_asm) under it;
#  - coverset 90 has at most as many rows as there are keys, and covers >= 90 %;
#  - cfg's output is accepted by dot -Tsvg when graphviz is installed.
# No perf needed: the files come from QEMU itself.
. "$TOP/tests/integration/lib.sh"
need_demo

run=$WORK/run
mkdir -p "$run"
(cd "$run" && "$QEMU_X86" -perf -tb-stats all "$DEMO" 5 > guest.out 2> qemu.err) ||
    fail "qemu failed: $(tail -n 3 "$run/qemu.err")"

# tb-list, CSV: the first data row is the hottest.
"$TBSYM" tb-list --dir "$run" --format csv > "$WORK/list.csv" || fail "tb-list failed"
keys=$(($(wc -l < "$WORK/list.csv") - 1))
[ "$keys" -gt 10 ] || fail "tb-list: only $keys keys"
top_id=$(sed -n 2p "$WORK/list.csv" | cut -d, -f1)
top_exec=$(sed -n 2p "$WORK/list.csv" | cut -d, -f3)
max_exec=$(tail -n +2 "$WORK/list.csv" | cut -d, -f3 | sort -n | tail -n 1)
[ "$top_exec" = "$max_exec" ] || fail "tb-list: top row exec_count $top_exec, highest $max_exec"
note "tb-list: $keys keys, hottest id $top_id with $top_exec executions"

# tb of it: in_asm lines carry the side file's bytes, which must be the demo's own.
"$TBSYM" tb "$top_id" --dir "$run" > "$WORK/tb.txt" || fail "tb $top_id failed"
grep -q '^in_asm pc=' "$WORK/tb.txt" || fail "tb: no in_asm"
grep -q '^  out_asm addr=' "$WORK/tb.txt" || fail "tb: no out_asm (host code from the jitdump)"
# Out-of-line code ends in constants, which need not decode; the rest must.
if grep -v '^out_of_line' "$WORK/tb.txt" | grep -q 'asm=".byte"'; then
    fail "tb: capstone could not decode: $(grep -v '^out_of_line' "$WORK/tb.txt" | grep -m1 'asm=".byte"')"
fi
# The guest bytes against the demo binary: the key's name is SYMBOL+OFF or
# demo+0xFILEOFF; compare the first instruction with objdump of the ELF.
first=$(grep -m1 '^in_asm pc=' "$WORK/tb.txt")
name=$(sed -n 's/^key .* name="\([^"]*\)".*/\1/p' "$WORK/tb.txt")
bytes=$(echo "$first" | sed 's/.*bytes="\([^"]*\)".*/\1/')
note "tb $top_id ($name): first guest insn $bytes"
if command -v objdump >/dev/null 2>&1; then
    sym=${name%%+*}
    off=$(echo "$name" | sed -n 's/.*+\(0x[0-9a-f]*\)$/\1/p')
    start=$(nm "$DEMO" 2>/dev/null | awk -v s="$sym" '$3 == s { print "0x" $1; exit }')
    if [ -n "$start" ]; then
        addr=$(printf '0x%x' $((start + ${off:-0})))
        expect=$(objdump -d --start-address="$addr" --stop-address=$((addr + 16)) "$DEMO" |
                 awk -F'\t' '/^ *[0-9a-f]+:/ { print $2; exit }' | sed 's/ *$//')
        [ "$bytes" = "$expect" ] || fail "tb: guest bytes '$bytes', demo has '$expect' at $addr"
        note "guest bytes match the demo at $addr"
    fi
fi

# coverset 90.
"$TBSYM" coverset 90 --dir "$run" > "$WORK/cover.txt" || fail "coverset failed"
rows=$(($(wc -l < "$WORK/cover.txt") - 2))
[ "$rows" -ge 1 ] && [ "$rows" -le "$keys" ] || fail "coverset: $rows rows for $keys keys"
summary=$(tail -n 1 "$WORK/cover.txt")
pct=$(echo "$summary" | sed 's/.*(\([0-9.]*\)%)$/\1/')
awk -v p="$pct" 'BEGIN { exit !(p >= 90) }' || fail "coverset: covers only $pct %"
note "$summary"

# cfg.
"$TBSYM" cfg "$top_id" --dir "$run" > "$WORK/cfg.dot" || fail "cfg failed"
grep -q "k$top_id .*penwidth=3" "$WORK/cfg.dot" || fail "cfg: the key is not in its graph"
if command -v dot >/dev/null 2>&1; then
    dot -Tsvg "$WORK/cfg.dot" > "$WORK/cfg.svg" || fail "dot rejected the cfg"
    note "dot -Tsvg accepted the cfg"
else
    note "graphviz not installed: cfg not rendered"
fi
echo "PASS"
