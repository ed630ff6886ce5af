# perf annotate on a TB (after perf inject -j and `tbsym listing`,
# which writes the guest listing jit-PID.s the debug info points into) shows
# every guest instruction -- address, disassembly, source line -- above the
# host instructions generated for it.
. "$TOP/tests/integration/lib.sh"
need_perf
for arch in x86_64 aarch64; do
    d=$WORK/$arch
    record_demo "$d" "$arch" 10
    "$BUILD/bin/tbsym" listing "$d" || fail "$arch: tbsym listing failed"
    # the hottest TB of float_kernel
    sym=$(perf report -i "$d/perf.jit.data" --stdio --sort dso,sym 2>/dev/null |
          awk '/jitted-.*float_kernel/ { print $NF; exit }')
    [ -n "$sym" ] || fail "$arch: no float_kernel TB among the samples"
    perf annotate -i "$d/perf.jit.data" --stdio -s "$sym" 2>/dev/null > "$d/annotate.txt"
    python3 - "$d/annotate.txt" "$arch" "$sym" <<'PY' || fail "$arch: annotate of $sym lacks guest instructions"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
guest = [l for l in lines if re.search(r':\s+\d+\s+0x[0-9a-f]+: \S+', l)]
header = [l for l in lines if ';; TB 0x' in l]
host = [l for l in lines if re.match(r'\s*[0-9.]+\s*:\s+[0-9a-f]+:\s+\S', l)]
with_src = [l for l in guest if 'demo.c:' in l]
# interleaving: a guest line is followed by at least one host line
inter = sum(1 for i, l in enumerate(lines[:-1]) if l in guest and lines[i + 1] in host)
print('%s %s: %d guest insn lines (%d with demo.c:N), %d host insns, %d guest lines directly above host code, header: %s'
      % (sys.argv[2], sys.argv[3], len(guest), len(with_src), len(host), inter, bool(header)))
sys.exit(0 if guest and header and host and inter >= len(guest) // 2 and with_src else 1)
PY
done
