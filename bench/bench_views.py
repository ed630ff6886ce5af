#!/usr/bin/env python3
"""Speed of every tbsym view on a Python recording, against tbsym report
--by tb (the view that needs no guest symbols) and against perf inject -j +
perf report.  Prints a Markdown section on stdout.

Two recordings of python3 tests/guests/workload.py 3000 (the workload of the
other benchmarks) under the patched qemu-x86_64 -perf -tb-stats all, made
once each with perf record -k 1 -e cpu-clock -F 10000:
  plain:  no call chains (as bench_report.py records);
  stacks: --call-graph dwarf and QEMU's -perf-callstack on, so that the
          function views and flame --guest have guest call stacks to walk.
Then, per recording, REPEAT interleaved rounds (each round starts one
command later) of every view and of the perf pipeline (perf inject -j, then
perf report --stdio --sort sym; jitted-*.so and perf.jit.data deleted
after each round).  Wall time per run; medians; a ratio is the median of the
per-round ratios.

usage: bench_views.py BUILD_DIR [--repeat N]
"""
import glob, os, shutil, statistics, subprocess, sys, tempfile, time

import benchlib as bl

VIEWS = [
    ('report --by tb', ['report', '--by', 'tb']),
    ('report --by function', ['report', '--by', 'function']),
    ('report --by sym', ['report', '--by', 'sym']),
    ('annotate _PyEval_EvalFrameDefault', ['annotate', '_PyEval_EvalFrameDefault']),
    ('diff (the run against itself)', ['diff', '.', '.']),
    ('flame', ['flame']),
    ('flame --guest', ['flame', '--guest']),
    ('html', ['html', '-o', 'bench.html']),
]
BASE = 'report --by tb'
PERF = 'perf inject -j + perf report'


def timed(argv, cwd, env=None):
    """Seconds of one run; exits on failure."""
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=bl.no_thp, env=env)
    t = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit('bench_views: %s failed: %s' % (' '.join(argv), p.stderr.decode()[-300:]))
    return t


def perf_pipeline(d):
    with bl.PerfEnv() as pe:
        t = timed(['perf', 'inject', '-j', '-i', 'perf.data', '-o', 'perf.jit.data'], d, pe.env)
        t += timed(['perf', 'report', '-i', 'perf.jit.data', '--stdio', '--sort', 'sym'], d,
                   pe.env)
    for f in glob.glob(d + '/jitted-*.so') + [d + '/perf.jit.data']:
        os.unlink(f)
    return t


def measure(tbsym, d, repeat, perf_rounds):
    """{name: [seconds per round]} for every view, and the perf pipeline in
    the first perf_rounds rounds."""
    names = [v[0] for v in VIEWS] + [PERF]
    argv = dict(VIEWS)
    times = {n: [] for n in names}
    for r in range(repeat):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            if n == PERF and r >= perf_rounds:
                continue
            times[n].append(perf_pipeline(d) if n == PERF else timed([tbsym] + argv[n], d))
        print('bench: views round %d done' % (r + 1), file=sys.stderr)
    return times


def ratio(times, num, den):
    if len(times[num]) != len(times[den]):     # perf ran once: the ratio of the medians
        m = statistics.median(times[num]) / statistics.median(times[den])
        return m, m, m
    r = sorted(a / b for a, b in zip(times[num], times[den]))
    q = statistics.quantiles(r, n=4) if len(r) >= 2 else [r[0]] * 3
    return statistics.median(r), q[0], q[2]


def table(times):
    print('| view | wall time | vs `report --by tb` | vs perf inject + report |')
    print('| --- | --- | --- | --- |')
    for name, _ in VIEWS:
        vs_tb = ratio(times, name, BASE)
        vs_perf = ratio(times, PERF, name)
        print('| `tbsym %s` | %.3f s | %.2fx (IQR %.2f-%.2f) | %.0fx faster (IQR %.0f-%.0f) |'
              % (name, statistics.median(times[name]), vs_tb[0], vs_tb[1], vs_tb[2],
                 vs_perf[0], vs_perf[1], vs_perf[2]))
    print('| `perf inject -j` + `perf report --stdio --sort sym` | %.2f s | | |'
          % statistics.median(times[PERF]))
    print('| target | | <= 1.5x | >= 30x faster |')


def main():
    a, b = bl.arguments(5)
    tbsym = b + '/bin/tbsym'
    prog = ['/usr/bin/python3', bl.TOP + '/tests/guests/workload.py', '3000']
    # perf report walks the dwarf call chains of the stacks recording for two
    # minutes: it runs in the first round only.
    recordings = [
        ('plain', 'no call chains', a.repeat,
         ['perf', 'record', '-q', '-k', '1', '-e', 'cpu-clock', '-F', '10000', '-o', 'perf.data',
          '--', b + '/bin/qemu-x86_64', '-perf', '-tb-stats', 'all'] + prog),
        ('stacks', 'guest and host call stacks', 1,
         ['perf', 'record', '-q', '-k', '1', '-e', 'cpu-clock', '-F', '10000',
          '--call-graph', 'dwarf', '-o', 'perf.data', '--', b + '/bin/qemu-x86_64', '-perf',
          '-perf-callstack', 'on', '-tb-stats', 'all'] + prog),
    ]
    for label, what, perf_rounds, rec in recordings:
        d = tempfile.mkdtemp(prefix='qjd-bench-views.')
        try:
            subprocess.run(rec, cwd=d, check=True, stdout=subprocess.DEVNULL,
                           env=dict(os.environ, PYTHONHASHSEED='0'), preexec_fn=bl.no_thp)
            head = subprocess.run([tbsym, 'report', '-n', '0'], cwd=d, check=True,
                                  capture_output=True, text=True).stdout.splitlines()
            samples = head[2].split(' samples')[0].lstrip('# ')
            loads = head[0].split(',')[-1].strip()
            times = measure(tbsym, d, a.repeat, perf_rounds)
            print('Recording "%s" (%s): %s samples, %s, perf.data %.0f MB; the perf '
                  'pipeline ran in %d of the rounds.'
                  % (label, what, samples, loads, os.path.getsize(d + '/perf.data') / 1e6,
                     min(perf_rounds, a.repeat)))
            print()
            table(times)
            print()
            print('- record (once): `%s`' % bl.shown(rec))
            print()
        finally:
            shutil.rmtree(d)
    print('Medians of %d interleaved rounds, in the recording\'s directory: `tbsym VIEW` as '
          'in the first column (RUN: the current directory), against `perf inject -j -i '
          'perf.data -o perf.jit.data && perf report -i perf.jit.data --stdio --sort sym`.  '
          'Guest symbols come from one sorted index per guest file (lib/elfsyms.h), libdw '
          'only for source lines and inlined frames.  %s  %s'
          % (a.repeat, bl.PERF_CACHE_NOTE, bl.THP_NOTE))


if __name__ == '__main__':
    main()
