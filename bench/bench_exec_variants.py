#!/usr/bin/env python3
"""Where the cost of TBStatistics execution counts goes: one QEMU built with
bench/experiments/exec-count-variants.diff, run on the bench workloads with
-tb-stats jit (no counter) and with jit,exec and each EXEC_COUNT_VARIANT
(what the counter instruction is replaced with; see the diff).  Only the
times mean anything: most variants count wrongly on purpose.
Method: see benchlib.py.  Prints a Markdown section on stdout.

usage: bench_exec_variants.py BUILD_DIR --qemu QEMU_X86_64 [--repeat N]
           [--workloads python3,bytecode]
"""
import sys

import benchlib as bl

VARIANTS = [
    ('0', 'the counter as built: addq $1, %gs:slot*8'),
    ('1', 'a 9-byte nop in its place (same code size, no memory access)'),
    ('3', 'no code at all (slots and everything else as with the counter)'),
    ('2', 'all counters folded into 512 cache lines (32 KiB: always in L1)'),
    ('4', '32-bit counters (addl: half the cache footprint)'),
    ('5', 'no %gs: load the array from the CPU state, then add to memory'),
    ('6', 'the counter before the last guest instruction, not at the TB start'),
]


def main():
    def extra(ap):
        ap.add_argument('--qemu', required=True)
        ap.add_argument('--workloads', default='python3,bytecode')
    a, b = bl.arguments(9, extra)
    q = [a.qemu, '-perf', '-tb-stats']
    variants = [('jit', ['env', 'EXEC_COUNT_VARIANT=0'] + q + ['jit'])]
    variants += [('variant ' + v, ['env', 'EXEC_COUNT_VARIANT=' + v] + q + ['jit,exec'])
                 for v, _ in VARIANTS]
    loads = [w for w in bl.workloads(b)
             if w[0].split()[0] in a.workloads.split(',')]
    names = [v[0] for v in variants[1:]]
    out = ['| workload | jit | ' + ' | '.join(names) + ' |',
           '| --- | --- |' + ' --- |' * len(names)]
    for wname, cmd in loads:
        t = bl.run_interleaved(variants, cmd, a.repeat, wname)
        out.append('| %s | %.3f s | ' % (wname, bl.median(t, 'jit')) +
                   ' | '.join('**%s**' % bl.paired(t, n, 'jit') for n in names) + ' |')
        print('bench: exec variants: %s done' % wname, file=sys.stderr)
    print('\n'.join(out))
    print()
    print('Each cell: the median of %d interleaved rounds\' ratios to `jit` (no counter),'
          ' with their interquartile range.  Variants:' % a.repeat)
    print()
    for v, what in VARIANTS:
        print('- variant %s: %s' % (v, what))
    print()
    print(bl.THP_NOTE)
    print()
    bl.print_commands(variants, loads)


if __name__ == '__main__':
    main()
