#!/usr/bin/env python3
"""Speed and memory of tbsym report: against perf inject -j +
perf report on one real recording, and on a synthetic recording of 10^6
code loads and 10^6 samples.  Prints a Markdown section on stdout.

The real recording: perf record -k 1 -e cpu-clock -F 10000 of the patched
qemu-x86_64 -perf -tb-stats all running python3 tests/guests/workload.py
3000 (the translation-heavy workload of the other benchmarks), made once.
Then, interleaved REPEAT times:
  perf:  perf inject -j -i perf.data -o perf.jit.data, then
         perf report -i perf.jit.data --stdio --sort sym (time: the sum,
         peak RSS: the larger of the two); the jitted-*.so files and
         perf.jit.data are deleted after each round;
  tbsym: tbsym report -i perf.data (the raw inputs: no perf inject).
Wall time and peak RSS (ru_maxrss of the child) per run; medians; the
speed-up is the median of the per-round ratios.

usage: bench_report.py BUILD_DIR [--repeat N]
"""
import glob, os, shutil, statistics, subprocess, sys, tempfile, time

import benchlib as bl


def run(argv, cwd, stdout=subprocess.DEVNULL, env=None):
    """(seconds, peak RSS in KiB) of one child; exits on failure."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    err = p.stderr.read().decode(errors='replace')
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit('bench_report: %s failed: %s' % (' '.join(argv), err[-300:]))
    return t, ru.ru_maxrss


def main():
    a, b = bl.arguments(5)
    tbsym = b + '/bin/tbsym'
    d = tempfile.mkdtemp(prefix='qjd-bench-report.')
    try:
        rec = ['perf', 'record', '-q', '-k', '1', '-e', 'cpu-clock', '-F', '10000', '-o',
               'perf.data', '--', b + '/bin/qemu-x86_64', '-perf', '-tb-stats', 'all',
               '/usr/bin/python3', bl.TOP + '/tests/guests/workload.py', '3000']
        subprocess.run(rec, cwd=d, check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, PYTHONHASHSEED='0'))
        head = subprocess.run([tbsym, 'report', '-n', '0'], cwd=d, check=True,
                              capture_output=True, text=True).stdout.splitlines()
        loads = head[0].split(',')[-1].strip()
        samples = head[2].split(' samples')[0].lstrip('# ')
        jd = glob.glob(d + '/jit-*.dump')[0]
        inject = ['perf', 'inject', '-j', '-i', 'perf.data', '-o', 'perf.jit.data']
        report = ['perf', 'report', '-i', 'perf.jit.data', '--stdio', '--sort', 'sym']
        ours = [tbsym, 'report', '-i', 'perf.data']
        res = {'perf': [], 'tbsym': []}
        nfiles = 0
        for _ in range(a.repeat):
            with bl.PerfEnv() as pe:
                t1, m1 = run(inject, d, env=pe.env)
                nfiles = len(glob.glob(d + '/jitted-*.so'))
                t2, m2 = run(report, d, env=pe.env)
            res['perf'].append((t1 + t2, max(m1, m2), t1, m1))
            for f in glob.glob(d + '/jitted-*.so') + [d + '/perf.jit.data']:
                os.unlink(f)
            res['tbsym'].append(run(ours, d))
            print('bench: report round done', file=sys.stderr)
        ratios = sorted(p[0] / t[0] for p, t in zip(res['perf'], res['tbsym']))
        q = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
        med = lambda xs: statistics.median(xs)
        pt, pm = med([x[0] for x in res['perf']]), med([x[1] for x in res['perf']])
        it, im = med([x[2] for x in res['perf']]), med([x[3] for x in res['perf']])
        tt, tm = med([x[0] for x in res['tbsym']]), med([x[1] for x in res['tbsym']])
        print('Recording: python3 workload.py 3000 under `qemu-x86_64 -perf -tb-stats all`, '
              '%s samples, %s, jitdump %.1f MB; perf inject wrote %d jitted-*.so files.'
              % (samples, loads, os.path.getsize(jd) / 1e6, nfiles))
        print()
        print('| | wall time | peak RSS |')
        print('| --- | --- | --- |')
        print('| `perf inject -j` | %.2f s | %.0f MB |' % (it, im / 1024))
        print('| `perf inject -j` + `perf report --sort sym` | %.2f s | %.0f MB |' % (pt, pm / 1024))
        print('| `tbsym report` on the raw perf.data | %.3f s | %.0f MB |' % (tt, tm / 1024))
        print('| **tbsym vs perf** | **%.0fx faster** (IQR %.0f-%.0f) | **%.1f %%** of perf\'s |'
              % (statistics.median(ratios), q[0], q[2], 100.0 * tm / pm))
        print('| target | >= 30x faster | <= 10 % |')
        print()
        print('Medians of %d interleaved rounds.  %s  Commands, in the recording\'s '
              'directory:' % (a.repeat, bl.PERF_CACHE_NOTE))
        print()
        print('- record (once): `%s`' % bl.shown(rec))
        print('- perf: `%s && %s`' % (' '.join(inject), ' '.join(report)))
        print('- tbsym: `%s`' % bl.shown(ours))
    finally:
        shutil.rmtree(d)

    # Linear growth: 10^6 code loads and 10^6 samples made with the library's writers.
    d = tempfile.mkdtemp(prefix='qjd-bench-synth.')
    try:
        gen = [b + '/tests/synth-recording', d, '--loads', '1000000', '--samples', '1000000']
        subprocess.run(gen, check=True)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        runs = [run([tbsym, 'report', '-i', 'perf.data'], d) for _ in range(3)]
        runs_json = [run([tbsym, 'report', '-i', 'perf.data', '--format', 'json'], d)
                     for _ in range(3)]
        print()
        print('Synthetic recording (`%s`, %.0f MB: 10^6 code loads in a code buffer reset every '
              '125,000 loads, 10^6 samples, 500,000 keys):' % (bl.shown(gen).replace(d, 'DIR'), size / 1e6))
        print()
        print('| | wall time | peak RSS |')
        print('| --- | --- | --- |')
        print('| `tbsym report` (text, all 500,000 rows with samples) | %.2f s | %.0f MB |'
              % (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs) / 1024))
        print('| `tbsym report --format json` | %.2f s | %.0f MB |'
              % (statistics.median(r[0] for r in runs_json),
                 statistics.median(r[1] for r in runs_json) / 1024))
        print('| target | <= 5 s | |')
        print()
        print('Medians of 3 runs.')
    finally:
        shutil.rmtree(d)


if __name__ == '__main__':
    main()
