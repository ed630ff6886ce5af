#!/usr/bin/env python3
"""Checks of tests/integration/test_report.sh on tbsym report's JSON output.

  check_report.py same A.json B.json         same rows and summary (raw vs injected)
  check_report.py perf SYM.json PERF.txt L   --by sym against perf report --sort dso,sym
  check_report.py helpers REPORT.json        dwarf chains charge helpers to TBs
  check_report.py truth REPORT.json TRUTH    per-key samples equal the known answer
"""
import collections, json, re, sys


def load(path):
    with open(path) as f:
        return json.load(f)


def same(a, b):
    ra, rb = load(a), load(b)
    for k in ('total_samples', 'summary', 'rows'):
        if ra[k] != rb[k]:
            if k == 'rows':
                for x, y in zip(ra[k], rb[k]):
                    if x != y:
                        print('first differing row:\n  %s\n  %s' % (x, y))
                        break
                print('rows: %d vs %d' % (len(ra[k]), len(rb[k])))
            else:
                print('%s: %s vs %s' % (k, ra[k], rb[k]))
            return 1
    print('same report: %d samples, %d rows' % (ra['total_samples'], len(ra['rows'])))
    return 0


def perf(sym_json, perf_txt, label):
    r = load(sym_json)
    ours = collections.Counter()
    for row in r['rows']:
        ours[(row['dso'] == '[jit]', row['symbol'])] += row['samples']
    theirs = collections.Counter()
    with open(perf_txt) as f:
        for line in f:
            # (a sample in TCG's prologue lands in perf's "[JIT] tid PID")
            m = re.match(r'\s*(\d+)\s+(\[JIT\] tid \d+|\S+)\s+\[(.)\]\s+(.*\S)\s*$', line)
            if m:
                n, dso, _, sym = m.groups()
                theirs[(dso.startswith('jitted-'), sym)] += int(n)
    total = sum(theirs.values())
    if r['total_samples'] != total:
        print('%s: %d samples, perf report has %d' % (label, r['total_samples'], total))
        return 1
    jit_bad = [(k[1], ours[k], theirs[k]) for k in set(ours) | set(theirs)
               if k[0] and ours[k] != theirs[k]]
    host_diff = sum(abs(ours[k] - theirs[k]) for k in set(ours) | set(theirs) if not k[0])
    jit_samples = sum(v for k, v in theirs.items() if k[0])
    jit_names = sum(1 for k in theirs if k[0])
    print('%s: %d samples, %d in %d TB names: %d names differ; QEMU code: %d samples '
          'attributed differently (%.2f %%)' % (label, total, jit_samples, jit_names,
                                                 len(jit_bad), host_diff, 100.0 * host_diff / max(total, 1)))
    for b in sorted(jit_bad, key=lambda x: -abs(x[1] - x[2]))[:10]:
        print('  TB %s: tbsym %d, perf %d' % b)
    for k in sorted(set(ours) | set(theirs)):
        if not k[0] and ours[k] != theirs[k]:
            print('  host %s: tbsym %d, perf %d' % (k[1], ours[k], theirs[k]))
    if jit_samples < 10:
        print('%s: too few JIT samples to compare' % label)
        return 1
    return 1 if jit_bad or host_diff > 0.01 * total else 0


def helpers(path):
    r = load(path)
    s = r['summary']
    charged = sum(row['helper_samples'] for row in r['rows'])
    fk = [row for row in r['rows'] if row['symbol'].startswith('float_kernel')]
    fk_helper = sum(row['helper_samples'] for row in fk)
    print('callchains %s: helpers %d samples, %d charged to TBs (%d to float_kernel TBs); '
          'translation %d' % (r['input']['callchains'], s['helpers'], charged, fk_helper,
                              s['translation']))
    ok = (r['input']['callchains'] == 'dwarf' and s['helpers'] > 0 and charged == s['helpers']
          and fk_helper >= 0.5 * charged and s['translation'] > 0)
    return 0 if ok else 1


def truth(path, truth_path):
    r = load(path)
    want = {}
    with open(truth_path) as f:
        for line in f:
            k, n = line.split()
            want[int(k)] = int(n)
    got = {}
    for row in r['rows']:
        pc = int(row['guest_pc'], 16) if isinstance(row['guest_pc'], str) else row['guest_pc']
        if row['samples']:
            got[(pc - 0x400000) // 16 + 1] = row['samples']
    bad = [(k, got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want)
           if got.get(k, 0) != want.get(k, 0)]
    print('known answer: %d keys with samples, %d differ' % (len(want), len(bad)))
    for b in sorted(bad)[:10]:
        print('  key %d: tbsym %d, expected %d' % b)
    return 1 if bad or not want else 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    return {'same': same, 'perf': perf, 'helpers': helpers, 'truth': truth}[cmd](*args)


if __name__ == '__main__':
    sys.exit(main())
