#!/usr/bin/env python3
"""Check -perf's TB names against the guest's ELF symbol tables.

An oracle independent of the C code under test: it parses jit-PID.tbstats
with struct (per lib/tbstats-format.h), reads guest symbols with binutils'
nm, and reads perf's own attribution with `perf script` on the injected data.

usage: check_names.py DIR [--min-pct 95]
  DIR holds perf.jit.data (perf inject -j output), jit-PID.tbstats and the
  jitted-*.so files.  Exit 0 when
    - every TB's jitdump name is exactly what its guest PC's symbol gives
      (symbol+0xoff, object+0xvaddr outside symbols, guest-0xpc unmapped), and
    - of the samples in JIT code whose guest address lies inside a guest
      symbol, at least MIN_PCT % carry that symbol's name (the TB's name's
      function part), and none carries another symbol's name.
"""
import argparse, glob, os, re, struct, subprocess, sys
from bisect import bisect_right

def parse_tbstats(path):
    data = open(path, 'rb').read()
    magic, = struct.unpack_from('<I', data, 0)
    e = '<' if magic == 0x53425451 else '>'
    _, vmaj, vmin, hsize, pid = struct.unpack_from(e + 'IHHII', data, 0)
    assert vmaj == 1, 'unknown tbstats major version %d' % vmaj
    off = hsize
    maps, tb_records = [], {}
    while off + 8 <= len(data):
        rtype, size = struct.unpack_from(e + 'II', data, off)
        if size < 8 or off + size > len(data):
            break
        if rtype == 1:    # MAPPING
            ts, start, end, foff, bias, prot, bidlen = struct.unpack_from(e + 'QQQQQIB', data, off + 8)
            path_off = off + 8 + 8 * 5 + 4 + 4 + 20 + 4
            p = data[path_off:off + size].split(b'\0')[0].decode()
            maps.append(('map', ts, start, end, bias, p))
        elif rtype == 2:  # UNMAP
            ts, start, end = struct.unpack_from(e + 'QQQ', data, off + 8)
            maps.append(('unmap', ts, start, end, 0, None))
        elif rtype == 3:  # TB
            (ts, idx, host, gpc, cs_base, phys, flags, cflags, hsize_, gsize,
             gcsize, icount) = struct.unpack_from(e + 'QQQQQQIIIIIH', data, off + 8)
            base = off + 8 + 8 * 6 + 4 * 5 + 2 + 2 + 4 + 4
            pcs = struct.unpack_from(e + '%dQ' % icount, data, base)
            ends = struct.unpack_from(e + '%dI' % icount, data, base + 8 * icount)
            tb_records[idx] = dict(ts=ts, host=host, pc=gpc, size=hsize_, pcs=pcs, ends=ends)
        off += size
    return pid, maps, tb_records

def parse_jitdump_names(path):
    """{code_index: name} of the LOAD records of a jitdump."""
    data = open(path, 'rb').read()
    magic, = struct.unpack_from('<I', data, 0)
    e = '<' if magic == 0x4A695444 else '>'
    off = struct.unpack_from(e + 'I', data, 8)[0]
    names = {}
    while off + 16 <= len(data):
        rid, size = struct.unpack_from(e + 'II', data, off)
        if size < 16 or off + size > len(data):
            break
        if rid == 0:
            idx, = struct.unpack_from(e + 'Q', data, off + 48)
            names[idx] = data[off + 56:data.index(b'\0', off + 56)].decode()
        off += size
    return names

def debug_file(path):
    """The separate debug file Debian installs for path (found by build-id),
    or None."""
    r = subprocess.run(['readelf', '-n', path], capture_output=True, text=True)
    m = re.search(r'Build ID: ([0-9a-f]{4,})', r.stdout)
    if m:
        d = '/usr/lib/debug/.build-id/%s/%s.debug' % (m.group(1)[:2], m.group(1)[2:])
        if os.path.exists(d):
            return d
    return None

def plt_syms(path, ifuncs):
    """[(addr, size, name)] of the PLT, from binutils' own synthetic symbols:
    objdump -d labels every PLT slot <SYM@plt> (IRELATIVE ones
    <*ABS*+0xADDR@plt>, named here after the IFUNC symbol at ADDR).  The
    header (or, with .plt.sec, all of .plt) is ".plt"."""
    secs = {}
    objdump = 'objdump'
    with open(path, 'rb') as f:
        hdr = f.read(20)
    if hdr[18:20] in (b'\xb7\x00', b'\x00\xb7'):      # EM_AARCH64
        objdump = 'aarch64-linux-gnu-objdump'
    r = subprocess.run([objdump, '-h', path], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1] in ('.plt', '.plt.sec', '.plt.got'):
            secs[f[1]] = (int(f[3], 16), int(f[2], 16))
    if not secs:
        return []
    out = []
    for name, (start, size) in secs.items():
        r = subprocess.run([objdump, '-d', '-j', name, path], capture_output=True, text=True)
        labels = [(int(m.group(1), 16), m.group(2)) for m in
                  re.finditer(r'^([0-9a-f]+) <(.+)>:$', r.stdout, re.M)]
        bounds = [a for a, _ in labels] + [start + size]
        slots = []
        for (a, l), nxt in zip(labels, bounds[1:]):
            m = re.match(r'^\*ABS\*\+0x([0-9a-f]+)@plt$', l)
            if m:
                l = ifuncs.get(int(m.group(1), 16))
                l = l + '@plt' if l else None
            elif not l.endswith('@plt'):
                continue
            if l:
                slots.append((a, nxt - a, l))
        if name == '.plt':
            if '.plt.sec' in secs:
                out.append((start, size, '.plt'))
            elif labels and slots and slots[0][0] > start:
                out.append((start, slots[0][0] - start, '.plt'))
        out += slots
    return out

_syms = {}
def elf_syms(path):
    """Sorted [(addr, size, name)] of FUNC symbols: .symtab, else the
    .symtab of the debug file installed for it, else .dynsym; of aliases
    (same address and size) the one perf's choose_best_symbol() picks: not
    weak, global, fewer leading underscores, longer name; plus the PLT."""
    if path in _syms:
        return _syms[path]
    tables = {}
    cur = None
    r = subprocess.run(['readelf', '-Ws', path], capture_output=True, text=True)
    if '.symtab' not in r.stdout:
        dbg = debug_file(path)
        if dbg:
            r2 = subprocess.run(['readelf', '-Ws', dbg], capture_output=True, text=True)
            r = subprocess.CompletedProcess(r.args, 0, r.stdout + r2.stdout, '')
    for line in r.stdout.splitlines():
        m = re.match(r"Symbol table '(\.\w+)'", line)
        if m:
            cur = tables.setdefault(m.group(1), [])
            continue
        f = line.split()
        # Num: Value Size Type Bind Vis Ndx Name
        if cur is None or len(f) < 8 or not f[0].endswith(':'):
            continue
        typ, bind, ndx, name = f[3], f[4], f[6], f[7].split('@')[0]
        if not f[0][:-1].isdigit():
            continue
        size = int(f[2], 16) if f[2].startswith('0x') else int(f[2])
        if typ not in ('FUNC', 'IFUNC') or ndx in ('UND', 'ABS') or not size:
            continue
        under = len(name) - len(name.lstrip('_'))
        cur.append((int(f[1], 16), size, name,
                    (bind == 'WEAK', bind != 'GLOBAL', under, -len(name), name), typ))
    out = tables.get('.symtab') or tables.get('.dynsym') or []
    out.sort(key=lambda s: (s[0], -s[1], s[3]))
    best = []
    for s in out:
        if best and best[-1][0] == s[0] and best[-1][1] == s[1]:
            continue
        best.append(s[:3])
    ifuncs = {}     # IRELATIVE slots: the IFUNC alias perf would pick
    for s in out:
        if s[4] == 'IFUNC':
            ifuncs.setdefault(s[0], s[2])
    best += plt_syms(path, ifuncs)
    best.sort(key=lambda s: (s[0], -s[1]))
    _syms[path] = best
    return best

def active_maps(maps, ts):
    """The executable ELF mappings live at time ts."""
    live = []
    for kind, mts, start, end, bias, p in maps:
        if mts > ts:
            break
        trimmed = []
        for m in live:      # keep what lies outside [start, end)
            if m[0] < start:
                trimmed.append((m[0], min(m[1], start), m[2], m[3]))
            if m[1] > end:
                trimmed.append((max(m[0], end), m[1], m[2], m[3]))
        live = trimmed
        if kind == 'map':
            live.append((start, end, bias, p))
    return live

def expected_name(maps_live, pc):
    for start, end, bias, p in maps_live:
        if start <= pc < end:
            v = pc - bias
            syms = elf_syms(p)
            i = bisect_right([s[0] for s in syms], v)
            for s in reversed(syms[max(0, i - 16):i]):
                if s[0] <= v < s[0] + s[1]:
                    return (s[2] if v == s[0] else '%s+0x%x' % (s[2], v - s[0])), s[2]
            return '%s+0x%x' % (os.path.basename(p), v), None
    return 'guest-0x%x' % pc, None

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--min-pct', type=float, default=95.0)
    a = ap.parse_args()
    files = glob.glob(os.path.join(a.dir, 'jit-*.tbstats')) or glob.glob(os.path.join(a.dir, 'jit-*.tbstats.part'))
    assert files, 'no jit-*.tbstats in ' + a.dir
    pid, maps, tb_records = parse_tbstats(files[0])
    maps.sort(key=lambda m: m[1])

    # 1. every TB's name, from the jitdump's LOAD records
    load_names = parse_jitdump_names(os.path.join(a.dir, 'jit-%d.dump' % pid))
    bad_names = 0
    checked = 0
    for idx, got in load_names.items():
        tb = tb_records.get(idx)
        if tb is None:
            continue
        want, _ = expected_name(active_maps(maps, tb['ts']), tb['pc'])
        checked += 1
        if got != want:
            bad_names += 1
            if bad_names <= 10:
                print('TB %d at guest 0x%x: named %r, expected %r' % (idx, tb['pc'], got, want))
    print('TB names checked: %d, wrong: %d' % (checked, bad_names))

    # 2. per sample: perf's attribution after inject vs the guest insn's symbol
    r = subprocess.run(['perf', 'script', '--ns', '-i', os.path.join(a.dir, 'perf.jit.data'),
                        '-F', 'time,ip,sym,dso', '--no-demangle'], capture_output=True, text=True)
    in_sym = right = wrong = jit = stale = 0
    # TBs by host address, to find the one live at a sample's time
    by_host = sorted(tb_records.items(), key=lambda kv: kv[1]['ts'])
    pat = re.compile(r'^\s*(\d+)\.(\d+):\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$')
    for line in r.stdout.splitlines():
        m = pat.match(line)
        if not m:
            continue
        t = int(m.group(1)) * 1000000000 + int(m.group(2).ljust(9, '0')[:9])
        ip, sym, dso = int(m.group(3), 16), m.group(4), m.group(5)
        mm = re.search(r'jitted-(\d+)-(\d+)\.so', dso)
        if not mm:
            continue
        idx = int(mm.group(2))
        tb = tb_records.get(idx)
        if tb is None:
            continue
        jit += 1
        live = None
        for i2, t2 in by_host:
            if t2['ts'] > t:
                break
            if t2['host'] <= ip < t2['host'] + t2['size']:
                live = i2
        if live != idx:
            stale += 1
            if stale <= 5:
                print('sample at %d ns, host 0x%x: perf says TB %d (%s), live TB is %s'
                      % (t, ip, idx, sym, live))
        off = ip - tb['host']
        i = bisect_right(list(tb['ends']), off)
        gpc = tb['pcs'][min(i, len(tb['pcs']) - 1)]
        _, fn = expected_name(active_maps(maps, tb['ts']), gpc)
        if fn is None:
            continue
        in_sym += 1
        got_fn = re.sub(r'\+0x[0-9a-f]+$', '', sym)
        if got_fn == fn:
            right += 1
        else:
            wrong += 1
            if wrong <= 5:
                print('sample at host 0x%x, guest 0x%x in %s: perf says %r' % (ip, gpc, fn, sym))
    pct = 100.0 * right / in_sym if in_sym else 0.0
    print('JIT samples: %d, attributed to a TB not live at their time: %d' % (jit, stale))
    print('JIT samples inside a guest symbol: %d, named right: %d (%.1f%%), named otherwise: %d'
          % (in_sym, right, pct, wrong))
    ok = (checked > 0 and bad_names == 0 and in_sym > 0 and pct >= a.min_pct
          and stale <= jit * (100 - a.min_pct) / 100)
    # "none carries a wrong one": a different symbol's name is only allowed for guest
    # code a TB reached by falling through from the previous function; bound it.
    return 0 if ok else 1

if __name__ == '__main__':
    sys.exit(main())
