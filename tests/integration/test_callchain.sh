# With --call-graph dwarf, perf unwinds through TB frames using the
# jitdump's UNWINDING_INFO: a softfloat helper's chain reads
# helper -> JIT frame named after the guest function -> cpu_tb_exec -> ... -> main.
. "$TOP/tests/integration/lib.sh"
need_perf
for arch in x86_64 aarch64; do
    d=$WORK/$arch
    PERF_RECORD_ARGS="--call-graph dwarf" record_demo "$d" "$arch" 4
    perf script -i "$d/perf.jit.data" -F ip,sym --no-demangle 2>/dev/null > "$d/script.txt"
    python3 - "$d/script.txt" "$arch" <<'PY' || fail "$arch: no callchain passes through a TB frame"
import sys, re
text = open(sys.argv[1]).read()
chains = [[l.split(None, 1)[1] for l in block.splitlines() if len(l.split(None, 1)) == 2]
          for block in text.split('\n\n')]
through = 0
for c in chains:
    for i in range(1, len(c) - 1):
        if (c[i].startswith('float_kernel') and c[i - 1].startswith(('helper_', 'float64'))
                and any(f.startswith('cpu_tb_exec') for f in c[i + 1:])
                and any(f == 'main' for f in c[i + 1:])):
            through += 1
            break
print('%s: %d of %d chains go helper -> float_kernel TB -> cpu_tb_exec -> main'
      % (sys.argv[2], through, len(chains)))
sys.exit(0 if through >= 5 else 1)
PY
done
