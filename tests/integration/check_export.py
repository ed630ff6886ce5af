#!/usr/bin/env python3
"""Checks of tbsym export's output (a guest perf.data) through perf's own tools.

  check_export.py shares PERF.txt REPORT.csv LABEL [DSO]
      PERF.txt: perf report -i guest.data --children --stdio -g none
      --sort dso,sym --percent-limit 0 (lines "CHILDREN% SELF% DSO [.] SYM");
      REPORT.csv: tbsym report --by function --format csv of the same
      recording.  Every function with 1 % or more in the report must show
      in perf with the same inclusive share (children%, or without guest
      call stacks the report's self share: samples + helper_samples) within
      1 point, and the same self share.  With DSO, only the functions
      perf finds in DSO (the guest program) are compared, _start excepted
      (see shares()).
  check_export.py fold SCRIPT.txt
      perf script output folded as FlameGraph's stackcollapse-perf.pl folds
      it (its two regular expressions: the event line "comm pid[/tid] ...
      time: ... event:", then one "\\taddr sym+off (dso)" line per frame,
      leaf first); prints "root;...;leaf COUNT" lines and fails when a
      sample has no frame or a line matches neither form.
"""
import csv, re, sys

TOLERANCE = 1.0     # percentage points
MIN_SHARE = 1.0     # functions below this share in tbsym report are not compared


def perf_shares(path, dso=None):
    """{symbol: (children %, self %)} from perf report --children --stdio
    --sort dso,sym, of one dso's functions when dso is given.  Symbol
    versions (__libc_start_main@@GLIBC_2.34) are dropped: tbsym names
    functions without them."""
    out = {}
    line_re = re.compile(r'^\s*([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(.+?)\s*$')
    for line in open(path):
        m = line_re.match(line)
        if not m or (dso and m.group(3) != dso):
            continue
        children, self_, sym = float(m.group(1)), float(m.group(2)), m.group(4).split('@')[0]
        old = out.get(sym, (0.0, 0.0))
        out[sym] = (max(old[0], children), max(old[1], self_))
    return out


def report_shares(path):
    """[(symbol, children %, self %)] from tbsym report --by function --format csv."""
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            if 'children%' in r:
                children, self_ = float(r['children%']), float(r['self%'])
            else:
                total = float(r['%']) * (1 + int(r['helper_samples']) / max(int(r['samples']), 1))
                children = self_ = total
            rows.append((r['symbol'], children, self_))
    return rows


# Names that are not one function: every program and the dynamic loader
# have a _start, and tbsym's function views merge functions by name.
SHARED_NAMES = {'_start'}


def shares(perf_txt, report_csv, label, dso=None):
    """tbsym report's shares against perf's, for the functions of dso when
    given (the guest program: perf and tbsym name the loader's and libc's
    startup frames differently, since perf looks a return address up as it
    is, not one byte back, and tbsym adds inlined frames)."""
    perf = perf_shares(perf_txt, dso)
    bad, compared = [], 0
    for sym, children, self_ in report_shares(report_csv):
        if max(children, self_) < MIN_SHARE:
            continue
        if dso and (sym not in perf or sym in SHARED_NAMES):
            continue
        compared += 1
        if sym not in perf:
            bad.append('%s: %.2f%% in tbsym report, not in perf report' % (sym, children))
            continue
        pc, ps = perf[sym]
        if abs(pc - children) > TOLERANCE or abs(ps - self_) > TOLERANCE:
            bad.append('%s: children %.2f%% self %.2f%% in perf, %.2f%% %.2f%% in tbsym report'
                       % (sym, pc, ps, children, self_))
    if not compared:
        bad.append('no function with %.0f %% or more in tbsym report' % MIN_SHARE)
    for b in bad:
        print('%s: %s' % (label, b), file=sys.stderr)
    print('# %s: %d functions compared, %d differ' % (label, compared, len(bad)))
    return 1 if bad else 0


def fold(script_txt):
    # The two patterns of stackcollapse-perf.pl (FlameGraph), simplified to
    # what perf script's default output needs.
    event_re = re.compile(r'^(\S.+?)\s+(\d+)/*(\d+)*\s+')
    frame_re = re.compile(r'^\s*(\w+)\s*(.+) \((\S*)\)')
    stacks, counts = [], {}
    comm, samples = None, 0

    def flush():
        if comm is None:
            return True
        if not stacks:
            return False
        key = ';'.join([comm] + stacks[::-1])
        counts[key] = counts.get(key, 0) + 1
        return True

    for n, line in enumerate(open(script_txt), 1):
        line = line.rstrip('\n')
        if not line.strip():
            if not flush():
                print('line %d: a sample without frames' % n, file=sys.stderr)
                return 1
            comm, stacks = None, []
            continue
        if comm is None:
            m = event_re.match(line)
            if not m:
                print('line %d: not an event line: %s' % (n, line), file=sys.stderr)
                return 1
            comm, samples = m.group(1), samples + 1
            continue
        m = frame_re.match(line)
        if not m:
            print('line %d: not a frame line: %s' % (n, line), file=sys.stderr)
            return 1
        sym = re.sub(r'\+0x[0-9a-f]+$', '', m.group(2))
        stacks.append('[%s]' % m.group(3).split('/')[-1] if sym == '[unknown]' else sym)
    if not flush():
        return 1
    for k in sorted(counts):
        print('%s %d' % (k, counts[k]))
    return 0 if samples else 1


def main(argv):
    if len(argv) in (4, 5) and argv[0] == 'shares':
        return shares(*argv[1:])
    if len(argv) == 2 and argv[0] == 'fold':
        return fold(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
