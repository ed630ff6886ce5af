#!/usr/bin/env python3
"""An oracle for the side file, independent of lib/tbstats.c.

It reads jit-PID.tbstats with its own decoder, written from
lib/tbstats-format.h, and checks what the statistics promise (docs/devel/tcg-perf.rst in the series).

  check_tbstats.py insns FILE LIBINSN_LOG [TOLERANCE]
      sum over keys of insns_executed equals the "total insns" of QEMU's
      libinsn plugin within TOLERANCE (a fraction, default 0.005)
  check_tbstats.py spills FILE ELF HOT_SYMBOL TRIVIAL_SYMBOL
      the TBs inside HOT_SYMBOL spill; the ones inside TRIVIAL_SYMBOL do not,
      and no TB of at most 2 guest instructions spills
  check_tbstats.py ops FILE
      the optimiser removes ops: sum ops_opt < sum ops, and ops_opt <= ops
      for every key
  check_tbstats.py flush FILE_NOFLUSH FILE_FLUSH [TOLERANCE]
      with forced flushes, hot keys were translated more than once, and the
      totals of executions and instructions are unchanged (within TOLERANCE,
      default 0.005: two runs of a program need not execute the same)
  check_tbstats.py loops FILE ELF SYMBOL... COUNT_MIN COUNT_MAX
      the hottest key inside each SYMBOL ran between COUNT_MIN and COUNT_MAX
      times (exact counts under threads)
  check_tbstats.py atomic FILE ELF SYMBOL N
      the keys inside SYMBOL ran N times through the atomic single-step path
      (up to 2N: a TB entered only to leave for an exit request counts, and
      the other thread's exclusive sections make such requests), and no
      other code did
  check_tbstats.py level FILE jit|exec|time|keys|all|nostats
      the header flags and the fields collected match the level
  check_tbstats.py tbsym FILE TBSYM
      `TBSYM dump --format json FILE` (lib/tbstats.c) shows the same STATS
      records and totals as this decoder
  check_tbstats.py tb-records FILE some|none
      every TB record (-perf) names the STATS record of its key, each key
      has as many translations as TB records name it, and as many spanning
      two guest pages as those records' guest bytes do: some but not all
      (x86), or none (fixed-size instructions never cross a page)
  check_tbstats.py summary FILE
      print the totals (for humans and for comparing with tbsym dump)
"""
import struct
import subprocess
import sys

MAGIC = 0x53425451
REC_MAPPING, REC_UNMAP, REC_TB, REC_FLUSH, REC_END, REC_STATS = 1, 2, 3, 4, 5, 6
FLAG_STATS, FLAG_JIT, FLAG_EXEC, FLAG_TIME = 1 << 2, 1 << 3, 1 << 4, 1 << 5
HDR_PAGE_SIZE = 32          # tbs_file_header.guest_page_size

STATS_FIELDS = ('stats_id flags guest_pc cs_base phys_pc exec_count exec_atomic '
                'insns_executed translations translations_spanning '
                'translations_uncached restores guest_insns guest_bytes host_bytes '
                'ops ops_opt spills time_gen_ns time_opt_ns time_la_ns time_code_ns '
                'time_restore_ns nr_succ succ_dropped').split()
STATS_FMT = 'IIQQQQQQIIIIQQQQQQQQQQQII'


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def read(path):
    data = open(path, 'rb').read()
    if len(data) < 16:
        fail('%s: too short' % path)
    magic, = struct.unpack_from('<I', data, 0)
    e = '<' if magic == MAGIC else '>'
    if struct.unpack_from(e + 'I', data, 0)[0] != MAGIC:
        fail('%s: bad magic' % path)
    vmaj, vmin, hsize = struct.unpack_from(e + 'HHI', data, 4)
    flags, = struct.unpack_from(e + 'I', data, 28)
    f = {'flags': flags, 'version': (vmaj, vmin), 'stats': [], 'maps': [],
         'tb_records': [], 'end': None, 'flushes': 0,
         'page_size': struct.unpack_from(e + 'I', data, HDR_PAGE_SIZE)[0]}
    off = hsize
    while off + 8 <= len(data):
        rtype, size = struct.unpack_from(e + 'II', data, off)
        if size < 8 or size % 8 or off + size > len(data):
            fail('%s: bad record size %d at byte offset %d' % (path, size, off))
        if rtype == REC_STATS:
            s = dict(zip(STATS_FIELDS, struct.unpack_from(e + STATS_FMT, data, off + 8)))
            s['succ'] = list(struct.unpack_from(e + 'Q' * s['nr_succ'], data, off + 176))
            f['stats'].append(s)
        elif rtype == REC_MAPPING:
            start, end, offset, bias = struct.unpack_from(e + 'QQQQ', data, off + 16)
            path_ = data[off + 80:off + size].split(b'\0')[0].decode()
            f['maps'].append({'start': start, 'end': end, 'bias': bias, 'path': path_})
        elif rtype == REC_TB:
            pc, = struct.unpack_from(e + 'Q', data, off + 32)
            gsize, = struct.unpack_from(e + 'I', data, off + 68)
            sid, = struct.unpack_from(e + 'I', data, off + 84)
            f['tb_records'].append((pc, gsize, sid))
        elif rtype == REC_FLUSH:
            f['flushes'] += 1
        elif rtype == REC_END:
            f['end'] = struct.unpack_from(e + 'i', data, off + 16)[0]
        off += size
    if f['end'] is None:
        fail('%s: no END record' % path)
    return f


def totals(f):
    st = f['stats']
    return {k: sum(s[k] for s in st) for k in
            ('exec_count', 'exec_atomic', 'insns_executed', 'translations', 'ops',
             'ops_opt', 'spills', 'guest_insns', 'host_bytes')}


def symbol_ranges(f, elf, names):
    """Guest address ranges of ELF symbols, through the file's MAPPING records."""
    out = subprocess.run(['readelf', '-sW', elf], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        w = line.split()
        if len(w) >= 8 and w[3] == 'FUNC' and w[7] in names:
            syms[w[7]] = (int(w[1], 16), int(w[2], 0))
    missing = set(names) - set(syms)
    if missing:
        fail('%s: no symbol %s' % (elf, ', '.join(sorted(missing))))
    base = elf.rsplit('/', 1)[-1]
    biases = {m['bias'] for m in f['maps'] if m['path'].rsplit('/', 1)[-1] == base}
    if len(biases) != 1:
        fail('no single mapping of %s in the side file (%s)' % (elf, biases))
    bias = biases.pop()
    return {n: (a + bias, a + bias + sz) for n, (a, sz) in syms.items()}


def inside(f, lo, hi):
    return [s for s in f['stats'] if lo <= s['guest_pc'] < hi]


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'summary':
        f = read(args[0])
        t = totals(f)
        print(' '.join('%s=%d' % kv for kv in [('keys', len(f['stats']))] + list(t.items())))
    elif cmd == 'insns':
        f = read(args[0])
        tol = float(args[2]) if len(args) > 2 else 0.005
        ref = None
        for line in open(args[1]):
            if line.startswith('total insns:'):
                ref = int(line.split(':')[1])
        if ref is None:
            fail('%s: no "total insns" line from libinsn' % args[1])
        ours = totals(f)['insns_executed']
        err = abs(ours - ref) / ref
        print('# insns executed: tbstats %d, libinsn %d, difference %.4f %%' % (ours, ref, err * 100))
        if err > tol:
            fail('instructions executed differ by %.3f %% (> %.2f %%)' % (err * 100, tol * 100))
    elif cmd == 'spills':
        f = read(args[0])
        r = symbol_ranges(f, args[1], [args[2], args[3]])
        hot, triv = inside(f, *r[args[2]]), inside(f, *r[args[3]])
        if not hot or not triv:
            fail('no TB inside %s or %s' % (args[2], args[3]))
        hs = sum(s['spills'] for s in hot)
        print('# %s: %d keys, %d spills; %s: %d keys, %d spills' % (
            args[2], len(hot), hs, args[3], len(triv), sum(s['spills'] for s in triv)))
        if hs == 0:
            fail('no spills in %s' % args[2])
        if any(s['spills'] for s in triv):
            fail('spills in the trivial function %s' % args[3])
        small = [s for s in f['stats'] if s['translations'] and
                 s['guest_insns'] <= 2 * s['translations'] and s['spills']]
        if small:
            fail('%d keys of at most 2 instructions spill, e.g. %#x' % (len(small), small[0]['guest_pc']))
    elif cmd == 'ops':
        f = read(args[0])
        t = totals(f)
        print('# TCG ops: %d before optimisation, %d after (%.1f %% removed)' % (
            t['ops'], t['ops_opt'], 100.0 * (t['ops'] - t['ops_opt']) / t['ops']))
        if not t['ops_opt'] < t['ops']:
            fail('the optimiser removed no op')
        bad = [s for s in f['stats'] if s['ops_opt'] > s['ops']]
        if bad:
            fail('%d keys have more ops after optimisation' % len(bad))
    elif cmd == 'flush':
        a, b = read(args[0]), read(args[1])
        ta, tb = totals(a), totals(b)
        if not b['flushes']:
            fail('%s: no code-buffer flush happened' % args[1])
        hot = sorted(b['stats'], key=lambda s: -s['exec_count'])[:10]
        print('# %d flushes; translations of the 10 hottest keys: %s' % (
            b['flushes'], [s['translations'] for s in hot]))
        if not all(s['translations'] > 1 for s in hot):
            fail('a hot key was translated only once despite the flushes')
        for k in ('exec_count', 'insns_executed'):
            err = abs(ta[k] - tb[k]) / ta[k]
            print('# %s: %d without flushes, %d with (%.4f %%)' % (k, ta[k], tb[k], err * 100))
            if err > (float(args[2]) if len(args) > 2 else 0.005):
                fail('%s changed by %.3f %% with flushes' % (k, err * 100))
    elif cmd == 'loops':
        f = read(args[0])
        lo, hi = int(args[-2]), int(args[-1])
        names = args[2:-2]
        r = symbol_ranges(f, args[1], names)
        for n in names:
            keys = inside(f, *r[n])
            if not keys:
                fail('no TB inside %s' % n)
            top = max(s['exec_count'] for s in keys)
            print('# %s: hottest TB ran %d times' % (n, top))
            if not lo <= top <= hi:
                fail('%s: hottest TB ran %d times, expected %d..%d' % (n, top, lo, hi))
    elif cmd == 'atomic':
        f = read(args[0])
        r = symbol_ranges(f, args[1], [args[2]])
        n = int(args[3])
        ours = sum(s['exec_atomic'] for s in inside(f, *r[args[2]]))
        total = totals(f)['exec_atomic']
        print('# atomic single-step executions: %d in %s, %d in all' % (ours, args[2], total))
        if not n <= ours <= 2 * n or total != ours:
            fail('expected %d..%d atomic single-step executions, all in %s' % (n, 2 * n, args[2]))
    elif cmd == 'tbsym':
        import json
        f = read(args[0])
        p = subprocess.run([args[1], 'dump', '--format', 'json', args[0]],
                           capture_output=True, text=True)
        if p.returncode != 0:
            fail('tbsym dump failed (%d): %s' % (p.returncode, p.stderr.strip()))
        doc = json.loads(p.stdout)
        theirs = [r for r in doc['records'] if r['type'] == 'STATS']
        if len(theirs) != len(f['stats']):
            fail('tbsym shows %d STATS records, expected %d' % (len(theirs), len(f['stats'])))
        for a, b in zip(f['stats'], theirs):
            for k in STATS_FIELDS:
                v = b[k]
                v = int(v, 16) if isinstance(v, str) else v
                if v != a[k]:
                    fail('stats_id %d: tbsym %s=%s, expected %d' % (a['stats_id'], k, b[k], a[k]))
            if [int(x, 16) for x in b['succ_pc']] != a['succ']:
                fail('stats_id %d: successors differ' % a['stats_id'])
        t, sm = totals(f), doc['summary']
        if (sm['total_executions'], sm['total_insns_executed'], sm['total_translations']) != \
                (t['exec_count'], t['insns_executed'], t['translations']):
            fail('tbsym totals differ: %s' % sm)
        print('# tbsym dump agrees on %d STATS records and the totals' % len(theirs))
    elif cmd == 'tb-records':
        f = read(args[0])
        if not f['page_size']:
            fail('%s: the header\'s guest_page_size is 0' % args[0])
        by_id = {s['stats_id']: s for s in f['stats']}
        seen, spanning = {}, {}
        for pc, gsize, sid in f['tb_records']:
            if sid not in by_id:
                fail('a TB record at %#x names stats_id %d, which has no STATS record' % (pc, sid))
            if by_id[sid]['guest_pc'] != pc:
                fail('the TB record at %#x names the STATS record of %#x' % (pc, by_id[sid]['guest_pc']))
            seen[sid] = seen.get(sid, 0) + 1
            two = gsize and (pc // f['page_size']) != ((pc + gsize - 1) // f['page_size'])
            spanning[sid] = spanning.get(sid, 0) + bool(two)
        for sid, n in seen.items():
            s = by_id[sid]
            if (s['translations'], s['translations_spanning']) != (n, spanning[sid]):
                fail('stats_id %d: %d translations, %d spanning; its TB records: %d, %d' % (
                    sid, s['translations'], s['translations_spanning'], n, spanning[sid]))
        nspan = sum(spanning.values())
        print('# %d TB records, all named by their key\'s STATS record; %d span two pages' % (
            len(f['tb_records']), nspan))
        if not f['tb_records']:
            fail('no TB records')
        if not (0 < nspan < len(f['tb_records']) if args[1] == 'some' else nspan == 0):
            fail('expected %s translations to span two guest pages' % args[1])
    elif cmd == 'level':
        f = read(args[0])
        lvl, fl, t = args[1], f['flags'], totals(f)
        want = {'nostats': 0,
                'keys': FLAG_STATS,
                'jit': FLAG_STATS | FLAG_JIT,
                'exec': FLAG_STATS | FLAG_EXEC,
                'time': FLAG_STATS | FLAG_TIME,
                'all': FLAG_STATS | FLAG_JIT | FLAG_EXEC | FLAG_TIME}[lvl]
        got = fl & (FLAG_STATS | FLAG_JIT | FLAG_EXEC | FLAG_TIME)
        if got != want:
            fail('level %s: header flags %#x, expected %#x' % (lvl, got, want))
        if lvl == 'nostats':
            if f['stats']:
                fail('STATS records without statistics')
            return
        if not f['stats']:
            fail('no STATS records')
        if bool(t['exec_count']) != bool(want & FLAG_EXEC):
            fail('level %s: executions %d' % (lvl, t['exec_count']))
        if bool(t['translations']) != bool(want & FLAG_JIT):
            fail('level %s: translations %d' % (lvl, t['translations']))
        timed = sum(s['time_gen_ns'] + s['time_code_ns'] for s in f['stats'])
        if bool(timed) != bool(want & FLAG_TIME):
            fail('level %s: translation time %d ns' % (lvl, timed))
    else:
        fail('unknown command %s' % cmd)


if __name__ == '__main__':
    main()
