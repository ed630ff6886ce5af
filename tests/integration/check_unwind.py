#!/usr/bin/env python3
"""Compare lib/unwind's call chains of samples in TBs with perf's own.

usage: check_unwind.py OURS PERF_SCRIPT [--min N]
  OURS is unwind_check's output (raw perf.data + jitdump unwound by
  lib/unwind); PERF_SCRIPT is
    perf script -i perf.jit.data -F tid,time,ip,sym,dso --ns --no-inline
  on the injected data, where perf unwinds TB frames through the
  jitted-*.so files.  Kernel frames are dropped from perf's chains, JIT
  frames compared by name, ELF frames by map-relative address and file.

Exit 0 when there are at least N (default 5) samples in TBs, perf has no
such sample that we lack, and for every sample perf's chain equals ours or
is a prefix of it (perf 6.1 sometimes stops a frame or two early, at
__libc_start_call_main; never the other way round).
"""
import re, sys

def blocks(path):
    out, cur = {}, None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        if not line.strip():
            cur = None
        elif not line.startswith('\t'):
            m = re.match(r'\s*\d+\s+([\d.]+):', line)
            cur = m.group(1) if m else None
            if cur:
                out[cur] = []
        elif cur is not None:
            out[cur].append(line.strip())
    return out

def perf_user_chain(frames):
    res = []
    for f in frames:
        m = re.match(r'([0-9a-f]+) (.*) \((.*)\)$', f)
        if not m:
            res.append('? ' + f)
            continue
        ip, sym, dso = m.groups()
        if dso == '[kernel.kallsyms]' or ip.startswith('ffffffff'):
            continue
        res.append('JIT ' + sym if re.search(r'/jitted-\d+-\d+\.so$', dso) else '%s (%s)' % (ip, dso))
    return res

def main():
    args = sys.argv[1:]
    min_samples = 5
    if '--min' in args:
        i = args.index('--min')
        min_samples = int(args[i + 1])
        del args[i:i + 2]
    ours = blocks(args[0])
    perf = {t: perf_user_chain(f) for t, f in blocks(args[1]).items()}
    same = prefix = bad = 0
    for t, chain in sorted(ours.items()):
        p = perf.get(t)
        if p == chain:
            same += 1
        elif p and chain[:len(p)] == p:
            prefix += 1
        else:
            bad += 1
            if bad <= 5:
                print('DIFFERENT %s\n  ours: %s\n  perf: %s' % (t, chain, p))
    perf_jit = {t for t, c in perf.items() if c and c[0].startswith('JIT ')}
    lacking = sorted(perf_jit - set(ours))
    for t in lacking[:5]:
        print('MISSING %s: perf has %s' % (t, perf[t]))
    depth = sum(len(c) for c in ours.values()) / max(len(ours), 1)
    print('%d samples in TBs: %d chains identical to perf\'s, %d longer than perf\'s '
          '(perf\'s a prefix), %d different; perf has %d samples in TBs, %d not unwound by us; '
          'mean depth %.1f' % (len(ours), same, prefix, bad, len(perf_jit), len(lacking), depth))
    return 0 if len(ours) >= min_samples and not bad and not lacking else 1

sys.exit(main())
