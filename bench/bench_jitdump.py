#!/usr/bin/env python3
"""Cost of -perf (issue 3): wall time of the patched QEMU with -perf against
the same binary without it, the patched binary against unpatched QEMU
(build/ref), and upstream -jitdump (built with libdw) for comparison.

Method: the variants of one workload run interleaved (A B C D A B C D ...),
REPEAT times, each in a fresh empty directory (dump files are deleted after
each run).  We report the median wall time of each variant, and for each
comparison the median of the per-round paired ratios (each round's runs are
seconds apart, so this cancels the machine's drift between rounds) with its
interquartile range.  Prints a Markdown section on stdout.

usage: bench_jitdump.py BUILD_DIR [--repeat N]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--repeat', type=int, default=7)
    a = ap.parse_args()
    b = os.path.abspath(a.build)
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    q, ref = b + '/bin/qemu-x86_64', b + '/ref/bin/qemu-x86_64'
    workloads = [
        ('python3 json+regex (translation-heavy, dynamically linked interpreter)',
         ['/usr/bin/python3', top + '/tests/guests/workload.py', '3000']),
        ('demo 60 (compute loop: float, matrix, qsort)', [b + '/guests/x86_64/demo', '60']),
        ('manytbs 4000 (many short-lived TBs: self-modifying code)',
         [b + '/guests/x86_64/manytbs', '4000']),
    ]
    variants = [
        ('ref', [ref]),
        ('patched', [q]),
        ('patched -perf', [q, '-perf']),
        ('ref -jitdump (libdw)', [ref, '-jitdump']),
    ]
    out = []
    out.append('| workload | ref | patched | patched -perf | ref -jitdump (libdw) | patched / ref | -perf / patched | -jitdump / ref | -perf output |')
    out.append('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')

    def paired(num, den, times):
        r = sorted(a / b for a, b in zip(times[num], times[den]))
        q = statistics.quantiles(r, n=4) if len(r) >= 2 else [r[0], r[0], r[0]]
        return '%.3f (IQR %.3f-%.3f)' % (statistics.median(r), q[0], q[2])
    for wname, cmd in workloads:
        times = {v[0]: [] for v in variants}
        size = 0
        for r in range(a.repeat):
            for vname, pre in variants:
                d = tempfile.mkdtemp(prefix='qjd-bench.')
                t0 = time.perf_counter()
                p = subprocess.run(pre + cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                t = time.perf_counter() - t0
                if p.returncode != 0:
                    sys.exit('%s %s failed: %s' % (vname, wname, p.stderr.decode()[-300:]))
                if vname == 'patched -perf':
                    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
                shutil.rmtree(d)
                times[vname].append(t)
        m = {k: statistics.median(v) for k, v in times.items()}
        out.append('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %s | **%s** | %s | %.1f MB |' % (
            wname, m['ref'], m['patched'], m['patched -perf'], m['ref -jitdump (libdw)'],
            paired('patched', 'ref', times), paired('patched -perf', 'patched', times),
            paired('ref -jitdump (libdw)', 'ref', times), size / 1e6))
        print('bench: %s done' % wname, file=sys.stderr)
    print('\n'.join(out))
    print()
    print('Times: median of %d interleaved runs per variant, wall time of the QEMU process alone'
          ' (no perf record running).  Ratios: median of the %d per-round paired ratios, with'
          ' the interquartile range.' % (a.repeat, a.repeat))
    print('Commands (in a fresh empty directory each):')
    print()
    for vname, pre in variants:
        print('- %s: `%s <workload>`' % (vname, ' '.join(os.path.relpath(x, top) if x.startswith(top) else x for x in pre)))
    for wname, cmd in workloads:
        print('- workload: `%s`' % ' '.join(os.path.relpath(x, top) if x.startswith(top) else x for x in cmd))

if __name__ == '__main__':
    main()
