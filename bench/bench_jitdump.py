#!/usr/bin/env python3
"""Cost of -perf: wall time of the patched QEMU with -perf against
the same binary without it, the patched binary against unpatched QEMU
(build/ref), and upstream -jitdump (built with libdw) for comparison.
Method: see benchlib.py.  Prints a Markdown section on stdout.

usage: bench_jitdump.py BUILD_DIR [--repeat N]
"""
import os, sys

import benchlib as bl


def main():
    a, b = bl.arguments(7)
    q, ref = b + '/bin/qemu-x86_64', b + '/ref/bin/qemu-x86_64'
    variants = [
        ('ref', [ref]),
        ('patched', [q]),
        ('patched -perf', [q, '-perf']),
        ('patched -perf -tb-stats none', [q, '-perf', '-tb-stats', 'none']),
        ('ref -jitdump (libdw)', [ref, '-jitdump']),
    ]
    out = ['| workload | ref | patched | patched -perf | ref -jitdump (libdw) | patched / ref | -perf / patched | -perf -tb-stats none / patched | -jitdump / ref | -perf output |',
           '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for wname, cmd in bl.workloads(b):
        size = [0]

        def measure(vname, d):
            if vname == 'patched -perf':
                size[0] = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        t = bl.run_interleaved(variants, cmd, a.repeat, wname, measure)
        out.append('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %s | **%s** | %s | %s | %.1f MB |' % (
            wname, bl.median(t, 'ref'), bl.median(t, 'patched'), bl.median(t, 'patched -perf'),
            bl.median(t, 'ref -jitdump (libdw)'), bl.paired(t, 'patched', 'ref'),
            bl.paired(t, 'patched -perf', 'patched'),
            bl.paired(t, 'patched -perf -tb-stats none', 'patched'),
            bl.paired(t, 'ref -jitdump (libdw)', 'ref'),
            size[0] / 1e6))
        print('bench: -perf: %s done' % wname, file=sys.stderr)
    print('\n'.join(out))
    print()
    print('`-perf` alone implies `-tb-stats jit`; `-perf -tb-stats none` is the jitdump'
          ' and side file without statistics.')
    print('Times: median of %d interleaved runs per variant, wall time of the QEMU process alone'
          ' (no perf record running).  Ratios: median of the %d per-round paired ratios, with'
          ' the interquartile range.' % (a.repeat, a.repeat))
    print(bl.THP_NOTE)
    print()
    bl.print_commands(variants, bl.workloads(b))


if __name__ == '__main__':
    main()
