#!/usr/bin/env python3
"""Cost of -perf in system mode on a real workload: Debian bookworm's Linux
kernel (x86_64 and aarch64) booting the initramfs of scripts/fetch-kernel.sh
(a few seconds of busybox work in user mode, then poweroff), from QEMU's
start to its exit, with and without -perf, and with -perf -tb-stats all.
Method: see benchlib.py.  Prints a Markdown section on stdout.

usage: bench_system.py BUILD_DIR [--repeat N] [--kernel-cache DIR]

The QEMUs are BUILD_DIR/bin/qemu-system-x86_64 and -aarch64, their option
ROMs in BUILD_DIR/share/qemu; SYS_X86, SYS_ARM and SYS_ROMS override them
(as for tests/integration/test_system_kernel.sh).
"""
import os, shlex, subprocess, sys

import benchlib as bl

MARKER = b'qjd-workload-done'


def kernels(cache, env):
    """fetch-kernel.sh's KEY=VALUE lines as a dict (it is instant when cached)."""
    p = subprocess.run([bl.TOP + '/scripts/fetch-kernel.sh', cache], env=env,
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit('bench_system: no kernel: %s' % p.stderr.strip().splitlines()[-1:])
    return dict(line.split('=', 1) for line in p.stdout.split())


def boots(k, sys_x86, sys_arm, roms):
    """(name, QEMU, boot arguments, System.map) per architecture.  The
    console goes to guest.out in the run's directory, where the run is
    checked for the workload's last line."""
    common = ['-m', '256', '-nographic', '-nodefaults', '-no-reboot', '-serial', 'file:guest.out']
    append = 'quiet panic=-1 nokaslr'
    return [
        ('x86_64 (q35, Linux %s)' % k['KVER_X86_64'], sys_x86,
         ['-M', 'q35'] + common + ['-L', '/usr/share/seabios', '-L', roms,
                                   '-kernel', k['KERNEL_X86_64'], '-initrd', k['INITRD_X86_64'],
                                   '-append', 'console=ttyS0 ' + append],
         k['SYSTEM_MAP_X86_64']),
        ('aarch64 (virt, cortex-a57, Linux %s)' % k['KVER_AARCH64'], sys_arm,
         ['-M', 'virt', '-cpu', 'cortex-a57'] + common +
         ['-kernel', k['KERNEL_AARCH64'], '-initrd', k['INITRD_AARCH64'],
          '-append', 'console=ttyAMA0 ' + append],
         k['SYSTEM_MAP_AARCH64']),
    ]


def main():
    a, b = bl.arguments(5, lambda ap: ap.add_argument(
        '--kernel-cache', default=os.environ.get('KERNEL_CACHE', '/var/cache/qemu-jitdump/kernel')))
    sys_x86 = os.environ.get('SYS_X86', b + '/bin/qemu-system-x86_64')
    sys_arm = os.environ.get('SYS_ARM', b + '/bin/qemu-system-aarch64')
    roms = os.environ.get('SYS_ROMS', b + '/share/qemu')
    k = kernels(a.kernel_cache, dict(os.environ, SYS_X86=sys_x86, SYS_ARM=sys_arm, SYS_ROMS=roms))
    # QEMU's console is a file: nothing of the terminal for -nographic to take.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    out = ['| guest | system | -perf | -perf -tb-stats all | -perf / system | '
           '-perf -tb-stats all / system | -perf output | -tb-stats all output |',
           '| --- | --- | --- | --- | --- | --- | --- | --- |']
    loads = []
    all_variants = []
    for gname, qemu, args, smap in boots(k, sys_x86, sys_arm, roms):
        perf = [qemu, '-perf', '-perf-symbols', smap]
        variants = [
            ('system', [qemu]),
            ('-perf', perf),
            ('-perf -tb-stats all', perf + ['-tb-stats', 'all']),
        ]
        size = {}

        def check(vname, d):
            with open(os.path.join(d, 'guest.out'), 'rb') as f:
                if MARKER not in f.read():
                    sys.exit('bench_system: %s %s: the guest did not finish its work' % (vname, gname))
            size[vname] = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                              if f.startswith('jit-'))
        t = bl.run_interleaved(variants, args, a.repeat, gname, check)
        out.append('| %s | %.2f s | %.2f s | %.2f s | **%s** | %s | %.0f MB | %.0f MB |' % (
            gname, bl.median(t, 'system'), bl.median(t, '-perf'),
            bl.median(t, '-perf -tb-stats all'), bl.paired(t, '-perf', 'system'),
            bl.paired(t, '-perf -tb-stats all', 'system'),
            size['-perf'] / 1e6, size['-perf -tb-stats all'] / 1e6))
        loads.append((gname, args))
        all_variants += [('%s, %s' % (gname.split()[0], v), pre) for v, pre in variants]
        print('bench: system: %s done' % gname, file=sys.stderr)
    print('\n'.join(out))
    print()
    print('Boot to exit: QEMU starts, the kernel boots, /init runs its busybox work'
          ' (seq, md5sum, sort, gzip, sha1sum) and powers off, QEMU exits.'
          ' `-perf` alone implies `-tb-stats jit`; both -perf variants name the code after'
          ' the kernel\'s System.map (`-perf-symbols`).  Output: the jitdump and the side'
          ' file together.')
    print('Times: median of %d interleaved runs per variant, wall time of the QEMU process alone'
          ' (no perf record running).  Ratios: median of the %d per-round paired ratios, with'
          ' the interquartile range.' % (a.repeat, a.repeat))
    print(bl.THP_NOTE)
    print()
    print('Commands (in a fresh empty directory each):')
    print()
    for vname, pre in all_variants:
        print('- %s: `%s <boot>`' % (vname, bl.shown(pre)))
    for gname, args in loads:
        print('- boot %s: `%s`' % (gname.split()[0], ' '.join(shlex.quote(x) for x in args)))


if __name__ == '__main__':
    main()
