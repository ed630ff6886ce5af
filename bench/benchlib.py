"""Shared pieces of the benchmarks: the guest workloads, interleaved timing
and the paired-ratio estimator.

Method: the variants of one workload run interleaved (A B C, B C A, C A B,
...: each round starts one variant later), REPEAT times, each in a fresh
empty directory deleted after the run.  Times
are medians per variant; a comparison is the median of the per-round
ratios of two variants (runs seconds apart, which cancels most of the
machine's drift between rounds), with its interquartile range.

Transparent huge pages are off for the measured processes (THP_NOTE): on
these VMs whether the kernel hands QEMU's code buffer huge pages changes
from run to run, and with it up to a quarter of a run's time (page
zeroing), for every variant alike.
"""
import argparse, ctypes, os, shutil, statistics, subprocess, sys, tempfile, time

THP_NOTE = ('Transparent huge pages are off for the measured processes'
            ' (`prctl(PR_SET_THP_DISABLE)`, inherited by QEMU): on these VMs whether the'
            ' kernel gives QEMU\'s code buffer huge pages changes from run to run, and with it'
            ' up to a quarter of a run\'s time (kernel page zeroing), for every variant alike;'
            ' with it on, the interquartile range of two identical variants was 0.79-1.23.')

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_THP_DISABLE = 41


def no_thp():
    """preexec_fn: no transparent huge pages for this process and its children."""
    _libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def workloads(build):
    """The guest workloads of the -perf and TBStatistics benchmarks: (name, argv)."""
    return [
        ('python3 json+regex (translation-heavy, dynamically linked interpreter)',
         ['/usr/bin/python3', TOP + '/tests/guests/workload.py', '3000']),
        ('demo 30 (compute loop: float, matrix, qsort)', [build + '/guests/x86_64/demo', '30']),
        ('manytbs 4000 (many short-lived TBs: self-modifying code)',
         [build + '/guests/x86_64/manytbs', '4000']),
        ('bytecode 150 (interpreter dispatch: short TBs ending in indirect jumps)',
         [build + '/guests/x86_64/bytecode', '150']),
    ]


def run_interleaved(variants, cmd, repeat, wname='', on_run=None):
    """Time each (name, argv prefix) of variants on cmd, interleaved.
    on_run(name, dir) is called after each run, before its directory goes.
    Returns {name: [seconds, ...]} in round order."""
    env = dict(os.environ, PYTHONHASHSEED='0')
    times = {v[0]: [] for v in variants}
    for r in range(repeat):
        # Each round starts one variant later, so no variant always runs
        # right after the same other one (what a run leaves behind, page
        # cache to reclaim or a cold cache, lands on every variant alike).
        k = r % len(variants)
        for vname, pre in variants[k:] + variants[:k]:
            d = tempfile.mkdtemp(prefix='qjd-bench.')
            t0 = time.perf_counter()
            p = subprocess.run(pre + cmd, cwd=d, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=no_thp)
            t = time.perf_counter() - t0
            if p.returncode != 0:
                sys.exit('%s %s failed: %s' % (vname, wname, p.stderr.decode()[-300:]))
            if on_run:
                on_run(vname, d)
            shutil.rmtree(d)
            times[vname].append(t)
    return times


def paired(times, num, den):
    """'median (IQR lo-hi)' of the per-round ratios num/den."""
    r = sorted(a / b for a, b in zip(times[num], times[den]))
    q = statistics.quantiles(r, n=4) if len(r) >= 2 else [r[0], r[0], r[0]]
    return '%.3f (IQR %.3f-%.3f)' % (statistics.median(r), q[0], q[2])


def median(times, name):
    return statistics.median(times[name])


def shown(argv):
    """argv as a command line, with paths inside the repository relative."""
    return ' '.join(os.path.relpath(x, TOP) if x.startswith(TOP) else x for x in argv)


PERF_CACHE_NOTE = ('perf runs with an empty home directory and its build-id cache off'
                   ' (`buildid.dir = /dev/null` in the file PERF_CONFIG names): by default'
                   ' `perf inject -j` copies every jitted-*.so it writes into ~/.debug, which'
                   ' took from 5 s to 30 s here depending on what the cache held already, and'
                   ' added 800 MB to it per run.  Off, it is the cheapest perf can be.')


class PerfEnv:
    """An environment for perf with an empty HOME and no build-id cache
    (PERF_CACHE_NOTE), so that its timings do not depend on ~/.debug.
    Use as a context manager; .env is the environment."""

    def __enter__(self):
        self.home = tempfile.mkdtemp(prefix='qjd-bench-home.')
        conf = os.path.join(self.home, 'perfconfig')
        with open(conf, 'w') as f:
            f.write('[buildid]\n\tdir = /dev/null\n')
        self.env = dict(os.environ, HOME=self.home, PERF_CONFIG=conf)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.home, ignore_errors=True)
        return False


def arguments(default_repeat, extra=None):
    """The benchmarks' command line, BUILD_DIR [--repeat N] (extra(parser)
    adds options of one script): (parsed arguments, absolute build dir)."""
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--repeat', type=int, default=default_repeat)
    if extra:
        extra(ap)
    a = ap.parse_args()
    return a, os.path.abspath(a.build)


def print_commands(variants, loads):
    """The closing list of a QEMU benchmark's section: each variant's
    command line, then each workload's ((name, argv) as workloads() gives)."""
    print('Commands (in a fresh empty directory each):')
    print()
    for vname, pre in variants:
        print('- %s: `%s <workload>`' % (vname, shown(pre)))
    for _, cmd in loads:
        print('- workload: `%s`' % shown(cmd))
