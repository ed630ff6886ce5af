# tbsym's TB view names what QEMU's jitdump leaves as BASENAME+0xVADDR:
#   - PLT slots: every TB in the guest's .plt, .plt.sec or .plt.got is named
#     after objdump -d's label there ("strcmp@plt", "strcmp@plt+0x6"), on
#     x86_64 and aarch64;
#   - libc's internal functions, from its separate debug file (libc6-dbg,
#     found by build-id): every TB in libc's code that lies in a function of
#     nm -S of the debug file is named after it ("__strcmp_avx2+0x17"; or
#     after its .dynsym name without "@VERSION" when the jitdump has that), and
#     the demo's strcmp calls reach __strcmp_avx2 or another __strcmp_*.
# The guest is tests/guests/demo.c (build/guests/ARCH/demo), recorded with
# perf record -k 1 under the patched QEMU; rows of tbsym report --by tb --all.
. "$TOP/tests/integration/lib.sh"
need_perf
command -v objdump >/dev/null || skip "no objdump (binutils)"
libc=/lib/x86_64-linux-gnu/libc.so.6
bid=$(readelf -n "$libc" 2>/dev/null | awk '/Build ID:/ { print $3 }')
debug=/usr/lib/debug/.build-id/$(echo "$bid" | cut -c1-2)/$(echo "$bid" | cut -c3-).debug
[ -n "$bid" ] && [ -f "$debug" ] || skip "no separate debug file for $libc (install libc6-dbg)"

# check ARCH DIR OBJDUMP [LIBC DEBUG]: the names of DIR's report against the oracles.
check() {
    arch=$1 d=$2 od=$3
    (cd "$d" && "$TBSYM" report --by tb --all --format csv > tb.csv) || fail "$arch: tbsym report failed"
    "$od" -d -j .plt -j .plt.sec -j .plt.got "$GUESTS/$arch/demo" > "$d/plt.txt" 2>/dev/null || true
    nm -S --defined-only "$GUESTS/$arch/demo" > "$d/demo.nm"
    [ $# -gt 3 ] && nm -S --defined-only "$5" > "$d/libc.nm"
    python3 - "$arch" "$d" <<'PY' || fail "$arch: TB names differ from objdump's and nm's"
import bisect, csv, os, re, sys
arch, d = sys.argv[1], sys.argv[2]
rows = [(int(r['guest_pc'], 16), r['symbol']) for r in csv.DictReader(open(d + '/tb.csv'))]

def funcs(path):
    """nm -S: [(addr, size, name)] of the functions."""
    out = []
    for line in open(path):
        f = line.split()
        if len(f) == 4 and f[2] in 'tTiW' and int(f[1], 16):
            out.append((int(f[0], 16), int(f[1], 16), f[3]))
    return out

def bias_of(fs):
    """The load bias of a file: voted by rows named SYM[+0xOFF] after its functions."""
    by_name = {n: a for a, s, n in fs}
    votes = {}
    for pc, name in rows:
        m = re.fullmatch(r'(.+?)(?:\+0x([0-9a-f]+))?', name)
        if m.group(1) in by_name:
            b = pc - by_name[m.group(1)] - int(m.group(2) or '0', 16)
            votes[b] = votes.get(b, 0) + 1
    return max(votes, key=votes.get) if votes else None

def want_name(label, off):
    return label if off == 0 else '%s+0x%x' % (label, off)

bad = 0
# PLT slots: objdump's labels and their extents.
labels = [(int(a, 16), n) for a, n in re.findall(r'^([0-9a-f]+) <([^>]+@plt)>:', open(d + '/plt.txt').read(), re.M)]
labels.sort()
bias = bias_of(funcs(d + '/demo.nm'))
if bias is None:
    sys.exit('%s: no row named after a function of demo' % arch)
in_plt = 0
for pc, name in rows:
    v = pc - bias
    for i, (a, label) in enumerate(labels):
        end = labels[i + 1][0] if i + 1 < len(labels) else a + 16
        if a <= v < end:
            in_plt += 1
            if name != want_name(label, v - a):
                print('%s: TB 0x%x (demo+0x%x) named %s, objdump says %s' % (arch, pc, v, name, want_name(label, v - a)))
                bad += 1
print('# %s: %d TBs in demo\'s PLT, named as objdump names them' % (arch, in_plt))
if in_plt < 3:
    print('%s: only %d TBs in the PLT (want >= 3)' % (arch, in_plt))
    bad += 1
# libc from its debug file.
if os.path.exists(d + '/libc.nm'):
    fs = sorted(funcs(d + '/libc.nm'))
    lbias = bias_of(fs)
    if lbias is None:
        sys.exit('%s: no row named after a function of libc\'s debug file' % arch)
    starts = [a for a, s, n in fs]
    named = 0
    strcmp = set()
    for pc, name in rows:
        v = pc - lbias
        best = None
        # The largest function holding v at the greatest start (nested ones are near).
        for a, s, n in fs[max(0, bisect.bisect_right(starts, v) - 64):bisect.bisect_right(starts, v)]:
            if a <= v < a + s and (best is None or a > best[0] or (a == best[0] and s > best[1])):
                best = (a, s, n)
        if best is None:
            continue
        same = [n for a, s, n in fs if a == best[0] and s == best[1]]
        # QEMU's jitdump names (kept when not BASENAME+0x...) are .dynsym's: unversioned.
        same += [n.split('@')[0] for n in same]
        got = re.fullmatch(r'(.+?)(?:\+0x([0-9a-f]+))?', name)
        if got.group(1) in same and int(got.group(2) or '0', 16) == v - best[0]:
            named += 1
            if got.group(1).startswith('__strcmp_'):
                strcmp.add(got.group(1))
        else:
            print('%s: TB 0x%x (libc+0x%x) named %s, nm of the debug file says %s' % (arch, pc, v, name, want_name(same[0], v - best[0])))
            bad += 1
    print('# %s: %d TBs in libc named from its debug file; strcmp: %s' % (arch, named, ', '.join(sorted(strcmp)) or '-'))
    if named < 20 or not strcmp:
        print('%s: too few libc TBs named from the debug file (%d), or none in __strcmp_*' % (arch, named))
        bad += 1
sys.exit(1 if bad else 0)
PY
}

d=$WORK/x86_64
record "$d" x86_64 "$GUESTS/x86_64/demo" 10
check x86_64 "$d" objdump "$libc" "$debug"
# QEMU's own name for those TBs: what tbsym renamed (a jitdump from a QEMU
# that names them itself is fine too).
grep -aq 'libc.so.6+0x' "$d"/jit-*.dump && note "x86_64: the jitdump names some libc TBs libc.so.6+0x..."

if [ -x "$QEMU_ARM" ] && [ -d "$ARM_SYSROOT/lib" ] && command -v aarch64-linux-gnu-objdump >/dev/null; then
    d=$WORK/aarch64
    record "$d" aarch64 "$GUESTS/aarch64/demo" 10
    check aarch64 "$d" aarch64-linux-gnu-objdump
else
    note "aarch64: no qemu-aarch64, sysroot or aarch64-linux-gnu-objdump: PLT names not checked there"
fi
