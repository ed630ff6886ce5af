# tbstats-report.py: perf samples per QEMU translation block, with the
# TBStatistics QEMU's -perf exported, for people who live in perf script.
#
#   perf inject -j -i perf.data -o perf.jit.data
#   perf script -i perf.jit.data -s perf-scripts/tbstats-report.py -- \
#       [--tbstats jit-PID.tbstats] [-n N] [--by tb|load] [--format text|json] [--partial]
#
# perf inject -j names each translation's code jitted-PID-N.so, N being the
# jitdump LOAD's code_index; the side file's TB record with that code_index
# gives the TBStatistics key (stats_id) and so the counters.  Rows (--by tb,
# the default) are TBStatistics keys, summed over their translations, as in
# tbsym report; --by load gives one row per jitted-PID-N.so.
#
# Columns: samples and their share of all samples in the file, guest_pc,
# exec_count, guest_insns (translated, summed over translations), h/g (host
# code bytes per guest code byte), spills, translations, loads (jitted .so
# files sampled), symbol (perf's name of the code).  Counters a -tb-stats
# level did not collect are 0; "-" where the side file has no STATS record.
#
# The side file is jit-PID.tbstats next to the jitted-PID-N.so files (where perf
# inject wrote them: the jitdump's directory) unless --tbstats names it.
# Exit status (perf's): 0 success, 2 bad arguments or a bad side file, 3 I/O error.
# SPDX-License-Identifier: GPL-2.0-or-later
from __future__ import print_function

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0] if sys.argv and sys.argv[0] else __file__)))
import tbstats_format  # noqa: E402  (perf-scripts/tbstats_format.py)

USAGE = """usage: perf script -i perf.jit.data -s tbstats-report.py -- [--tbstats FILE] [-n N]
                                          [--by tb|load] [--format text|json] [--partial]
  --tbstats FILE  the side file (default: jit-PID.tbstats next to the jitted-PID-N.so files)
  -n N            the first N rows (default 30; 0: all)
  --by tb|load    one row per TBStatistics key (default) or per jitted-PID-N.so
  --format F      text (default) or json: {"total_samples", "jit_samples", "rows"}
  --partial       accept a side file cut short (jit-PID.tbstats.part of a killed QEMU)
"""

JITTED = re.compile(r'jitted-([1-9]\d*)-(\d+)\.so$')


def usage_error(msg):
    sys.stderr.write('tbstats-report.py: %s\n%s' % (msg, USAGE))
    sys.exit(2)


def parse_args(argv):
    o = {'tbstats': None, 'n': 30, 'by': 'tb', 'format': 'text', 'partial': False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-h', '--help'):
            sys.stdout.write(USAGE)
            sys.exit(0)
        if a == '--partial':
            o['partial'] = True
            i += 1
            continue
        if i + 1 >= len(argv):
            usage_error('unknown option or missing argument: %s' % a)
        v = argv[i + 1]
        if a == '--tbstats':
            o['tbstats'] = v
        elif a == '-n':
            if not v.isdigit():
                usage_error('bad -n: %s' % v)
            o['n'] = int(v)
        elif a == '--by' and v in ('tb', 'load'):
            o['by'] = v
        elif a == '--format' and v in ('text', 'json'):
            o['format'] = v
        else:
            usage_error('bad option: %s %s' % (a, v))
        i += 2
    return o


opts = parse_args(sys.argv[1:])
total = 0
# (pid, code_index) -> [samples, perf's symbol, dso path]
loads = {}


def process_event(param_dict):
    global total
    total += 1
    dso = param_dict.get('dso')
    if not dso:
        return
    m = JITTED.search(dso)
    if not m:
        return
    k = (int(m.group(1)), int(m.group(2)))
    e = loads.get(k)
    if e is None:
        loads[k] = [1, param_dict.get('symbol') or '', dso]
    else:
        e[0] += 1


def trace_unhandled(event_name, context, event_fields_dict):
    global total
    total += 1


def load_exports():
    """{pid: SideFile} for every pid sampled; exits on a missing or bad side file."""
    exports = {}
    for (pid, _), (_, _, dso) in loads.items():
        if pid in exports:
            continue
        path = opts['tbstats'] or os.path.join(os.path.dirname(dso), 'jit-%d.tbstats' % pid)
        if not opts['tbstats'] and opts['partial'] and not os.path.exists(path):
            path += '.part'
        try:
            ex = tbstats_format.read_file(path, opts['partial'])
        except tbstats_format.TbstatsError as err:
            sys.stderr.write('tbstats-report.py: %s\n' % err)
            sys.exit(2)
        except (IOError, OSError) as err:
            sys.stderr.write('tbstats-report.py: %s: %s\n' % (path, err.strerror))
            sys.exit(3)
        if ex.header['pid'] != pid:
            sys.stderr.write('tbstats-report.py: warning: %s is the side file of pid %d, the samples are of pid %d\n'
                             % (path, ex.header['pid'], pid))
        if ex.truncated_at is not None:
            sys.stderr.write('tbstats-report.py: warning: %s is cut short at byte offset %d\n'
                             % (path, ex.truncated_at))
        exports[pid] = ex
    return exports


def make_rows(exports):
    rows = {}
    for (pid, idx), (n, sym, _) in loads.items():
        ex = exports[pid]
        tb = ex.code.get(idx)
        st = ex.stats.get(tb['stats_id']) if tb else None
        if opts['by'] == 'tb' and st is not None:
            key = (pid, 'stats', st['stats_id'])
        else:
            key = (pid, 'load', idx)
        r = rows.get(key)
        if r is None:
            r = rows[key] = {'pid': pid, 'samples': 0, 'loads': 0, 'symbol': sym,
                             'code_index': idx, 'top': 0,
                             'stats_id': st['stats_id'] if st else None,
                             'guest_pc': tb['guest_pc'] if tb else None, 'stats': st}
        r['samples'] += n
        r['loads'] += 1
        if n > r['top']:        # name the row after its most sampled translation
            r['top'], r['symbol'], r['code_index'] = n, sym, idx
    out = []
    for r in rows.values():
        st = r.pop('stats')
        del r['top']
        if opts['by'] == 'tb':
            del r['code_index']
        r['%'] = round(100.0 * r['samples'] / total, 2) if total else 0.0
        for f in ('exec_count', 'guest_insns', 'spills', 'translations'):
            r[f] = st[f] if st else None
        r['h/g'] = round(float(st['host_bytes']) / st['guest_bytes'], 2) if st and st['guest_bytes'] else None
        out.append(r)
    out.sort(key=lambda r: (-r['samples'], r['guest_pc'] or 0))
    return out


def fmt(v, pct=False):
    if v is None:
        return '-'
    if isinstance(v, float):
        return '%.2f' % v
    return str(v)


def trace_end():
    exports = load_exports()
    rows = make_rows(exports)
    jit = sum(r['samples'] for r in rows)
    if opts['n']:
        rows = rows[:opts['n']]
    if opts['format'] == 'json':
        for r in rows:
            if r['guest_pc'] is not None:
                r['guest_pc'] = '0x%x' % r['guest_pc']
        json.dump({'total_samples': total, 'jit_samples': jit, 'rows': rows}, sys.stdout, indent=1)
        sys.stdout.write('\n')
        return
    print('# %d samples, %d in translated code (%d jitted .so files), exports: %s' % (
        total, jit, len(loads), ', '.join(ex.name for ex in exports.values()) or 'none'))
    cols = ['samples', '%', 'guest_pc', 'exec_count', 'guest_insns', 'h/g', 'spills',
            'translations', 'loads', 'symbol']
    if opts['by'] == 'load':
        cols.insert(2, 'code_index')
    table = [cols]
    for r in rows:
        line = []
        for c in cols:
            v = r[c]
            line.append('0x%x' % v if c == 'guest_pc' and v is not None else fmt(v))
        table.append(line)
    width = [max(len(t[i]) for t in table) for i in range(len(cols))]
    for t in table:
        print('  '.join(s.ljust(width[i]) if cols[i] == 'symbol' else s.rjust(width[i])
                        for i, s in enumerate(t)).rstrip())
