#!/usr/bin/env python3
"""Cost of guest call stacks: wall time of -perf -perf-callstack on
(the shadow call stack) against -perf alone, on the bench workloads and a
call-heavy guest; and QEMU 10.2's uftrace plugin (contrib/plugins/uftrace.c,
the one upstream way to get guest call stacks) against plain QEMU on the same
workloads.  Method: see benchlib.py.  Prints a Markdown section on stdout.

The uftrace plugin runs in a second pass of its own, --uftrace-repeat times
(default 1): it is an order of magnitude slower and writes gigabytes of trace
on the Python workload, so one run gives its cost far above the noise.

usage: bench_callstack.py BUILD_DIR [--repeat N] [--uftrace-repeat N]
"""
import os, sys

import benchlib as bl

CALLSTACK = ['-perf-callstack', 'on']


def du(d):
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def main():
    a, b = bl.arguments(7, lambda ap: ap.add_argument(
        '--uftrace-repeat', type=int, default=1,
        help='runs of the uftrace plugin and plain QEMU beside it (0: none)'))
    q = b + '/bin/qemu-x86_64'
    variants = [
        ('patched', [q]),
        ('-perf', [q, '-perf']),
        ('-perf -perf-callstack on', [q, '-perf'] + CALLSTACK),
    ]
    uftrace = [('patched', [q]), ('uftrace plugin', [q, '-plugin', b + '/plugins/libuftrace.so'])]
    workloads = bl.workloads(b) + [
        ('calls 1000 (call-heavy: recursive fib, small indirect calls, 2000-deep recursion)',
         [b + '/guests/x86_64/calls', '1000'])]
    out = ['| workload | patched | -perf | -perf -perf-callstack on | callstack on / -perf |'
           ' uftrace plugin | uftrace / patched | uftrace.data |',
           '| --- | --- | --- | --- | --- | --- | --- | --- |']
    # First every workload without the plugin, then the plugin's pass: the
    # gigabytes it writes are still being written back long after its run.
    rows = []
    for wname, cmd in workloads:
        t = bl.run_interleaved(variants, cmd, a.repeat, wname)
        rows.append('| %s | %.3f s | %.3f s | %.3f s | **%s** |' % (
            wname, bl.median(t, 'patched'), bl.median(t, '-perf'),
            bl.median(t, '-perf -perf-callstack on'),
            bl.paired(t, '-perf -perf-callstack on', '-perf')))
        print('bench: call stacks: %s done' % wname, file=sys.stderr)
    for i, (wname, cmd) in enumerate(workloads):
        if not a.uftrace_repeat:
            rows[i] += ' - | - | - |'
            continue
        size = [0]

        def measure(vname, d):
            if vname == 'uftrace plugin':
                size[0] = du(d)
        u = bl.run_interleaved(uftrace, cmd, a.uftrace_repeat, wname, measure)
        os.sync()
        rows[i] += ' %.3f s | %.2fx | %.0f MB |' % (
            bl.median(u, 'uftrace plugin'),
            bl.median(u, 'uftrace plugin') / bl.median(u, 'patched'), size[0] / 1e6)
        print('bench: uftrace: %s done' % wname, file=sys.stderr)
    out += rows
    print('\n'.join(out))
    print()
    print('Times: median of %d interleaved runs per variant, wall time of the QEMU process alone'
          ' (no perf record running: the shadow stack costs the same with and without it).'
          '  Ratios: median of the %d per-round paired ratios, with the interquartile range.'
          '  The uftrace plugin: %d run(s) beside as many of plain QEMU, in a second pass'
          ' after all the others (it writes gigabytes of trace on the Python workload, and'
          ' their write-back slowed the runs after it); its trace size is that of the'
          ' last run.' % (a.repeat, a.repeat, a.uftrace_repeat))
    print('The uftrace plugin needs guests built with frame pointers (it reads rbp);'
          ' the bench guests are, so its traces are complete.')
    print(bl.THP_NOTE)
    print()
    bl.print_commands(variants + uftrace[1:], workloads)


if __name__ == '__main__':
    main()
