#!/usr/bin/env python3
"""Cost of TBStatistics: -perf with each -tb-stats level against
-perf -tb-stats none, next to QEMU's hotblocks plugin (inline counters and
callbacks) on the same runs, and the GSoC 2019 seed's published overheads.
Method: see benchlib.py.  Prints a Markdown section on stdout.

usage: bench_tbstats.py BUILD_DIR [--repeat N]
"""
import os, sys

import benchlib as bl

# The seed's figures (QEMU GSoC 2019 TBStatistics), against no statistics.
SEED = {'keys': '1.007', 'jit': '1.017', 'jit,exec': '3.27', 'all': '-'}
LIMIT = {'keys': '1.01', 'jit': '1.02', 'jit,exec': '1.05', 'all': '1.12'}


def main():
    a, b = bl.arguments(7)
    q = [b + '/bin/qemu-x86_64', '-perf']
    hb = b + '/plugins/libhotblocks.so'
    levels = ['keys', 'jit', 'jit,exec', 'all']
    variants = [('none', q + ['-tb-stats', 'none'])]
    variants += [(l, q + ['-tb-stats', l]) for l in levels]
    variants += [('hotblocks inline', q + ['-tb-stats', 'none', '-plugin', hb + ',inline=on']),
                 ('hotblocks callback', q + ['-tb-stats', 'none', '-plugin', hb])]
    names = [v[0] for v in variants[1:]]
    out = ['| workload | none | ' + ' | '.join(names) + ' |',
           '| --- | --- |' + ' --- |' * len(names)]
    for wname, cmd in bl.workloads(b):
        t = bl.run_interleaved(variants, cmd, a.repeat, wname)
        out.append('| %s | %.3f s | ' % (wname, bl.median(t, 'none')) +
                   ' | '.join('%.3f s: **%s**' % (bl.median(t, n), bl.paired(t, n, 'none'))
                              for n in names) + ' |')
        print('bench: tb-stats: %s done' % wname, file=sys.stderr)
    out.append('| target | | ' + ' | '.join(LIMIT.get(n, '') and '<= ' + LIMIT[n]
                                                     for n in names) + ' |')
    out.append('| GSoC 2019 seed | | ' + ' | '.join(SEED.get(n, '') for n in names) + ' |')
    print('\n'.join(out))
    print()
    print('Each cell: median wall time of %d interleaved runs, then the median of the per-round'
          ' ratios to `none` with their interquartile range.  `keys` creates the per-TB'
          ' entries and links TBs to them (the seed\'s "stats creation"); `jit` adds the'
          ' translation statistics, `jit,exec` the execution counts, `all` the translation'
          ' times.  The seed\'s row is its published overheads (creation +0.7 %%, JIT'
          ' statistics +1.7 %%, execution counts +227 %%).' % a.repeat)
    print(bl.THP_NOTE)
    print()
    bl.print_commands(variants, bl.workloads(b))


if __name__ == '__main__':
    main()
