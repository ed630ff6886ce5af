#!/usr/bin/env python3
"""Cost of -perf (issue 3): wall time of the patched QEMU with -perf against
the same binary without it, the patched binary against unpatched QEMU
(build/ref), and upstream -jitdump (built with libdw) for comparison.

Method: the variants of one workload run interleaved (A B C D A B C D ...),
REPEAT times, each in a fresh empty directory (dump files are deleted after
each run); we report the median wall time of each variant and ratios of
medians.  Prints a Markdown section on stdout.

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
        out.append('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f | **%.3f** | %.2f | %.1f MB |' % (
            wname, m['ref'], m['patched'], m['patched -perf'], m['ref -jitdump (libdw)'],
            m['patched'] / m['ref'], m['patched -perf'] / m['patched'],
            m['ref -jitdump (libdw)'] / m['ref'], size / 1e6))
        print('bench: %s done' % wname, file=sys.stderr)
    print('\n'.join(out))
    print()
    print('Median of %d interleaved runs per variant; wall time of the QEMU process alone (no perf record running).' % a.repeat)
    print('Commands (in a fresh empty directory each):')
    print()
    for vname, pre in variants:
        print('- %s: `%s <workload>`' % (vname, ' '.join(os.path.relpath(x, top) if x.startswith(top) else x for x in pre)))
    for wname, cmd in workloads:
        print('- workload: `%s`' % ' '.join(os.path.relpath(x, top) if x.startswith(top) else x for x in cmd))

if __name__ == '__main__':
    main()
