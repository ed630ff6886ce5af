#!/usr/bin/env python3
"""Check of test_system_kernel.sh: how perf report names the TBs of a Linux
boot recorded with qemu-system-* -perf -perf-symbols System.map.

  check_system_kernel.py PERF_REPORT SYSTEM_MAP ARCH

PERF_REPORT is perf report --stdio -g none --sort dso,sym -F sample,dso,sym
of the injected recording; the TBs are its rows in jitted-*.so.  Their names
are "SYMBOL" or "SYMBOL+0xOFF" (the TB starts inside SYMBOL), "[kernel] 0x..."
(kernel code outside the map: the x86 bzImage's decompressor, firmware) or
"[user] 0x..." (user-mode code: the initramfs's busybox).  The check holds
when
  - no TB is named guest-0x... and every name is one of the three kinds;
  - at least MIN_KERNEL_NAMES distinct System.map symbols name TBs, one of
    WELL_KNOWN among them;
  - TBs named after System.map symbols hold at least MIN_NAMED_SHARE of the
    TB samples, and "[user] 0x..." TBs at least MIN_USER_SHARE.
The thresholds are a fraction of what every recording tried gave (6.1.0
kernels, x86_64 and aarch64: 600+ names, 14-60 % named, 30-40 % user).
Exit 0 when the check holds, 1 with the reasons otherwise.
"""
import collections, re, sys

MIN_KERNEL_NAMES = 150
MIN_NAMED_SHARE = 0.05
MIN_USER_SHARE = 0.05
WELL_KNOWN = ('memcpy', 'memset', 'memmove', 'clear_page', 'clear_page_rep',
              'clear_page_erms', 'clear_page_orig', 'copy_page', '__memcpy',
              '__memset', '__pi_memcpy', '__pi_memset', 'do_idle')


def system_map(path):
    names = set()
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                names.add(p[2])
    return names


def tb_rows(report):
    with open(report) as f:
        for line in f:
            m = re.match(r'\s*(\d+)\s+(\S+)\s+\[(.)\]\s+(.*\S)\s*$', line)
            if m and m.group(2).startswith('jitted-'):
                yield int(m.group(1)), m.group(4)


def main(report, map_path, arch):
    syms = system_map(map_path)
    kinds = collections.Counter()
    names = collections.Counter()
    errors = []
    total = 0
    for n, name in tb_rows(report):
        total += n
        base = re.sub(r'\+0x[0-9a-f]+$', '', name)
        if name.startswith('guest-0x'):
            errors.append('TB named %s' % name)
        elif re.fullmatch(r'\[user\] 0x[0-9a-f]+', name):
            kinds['user'] += n
        elif re.fullmatch(r'\[kernel\] 0x[0-9a-f]+', name):
            kinds['kernel-unnamed'] += n
        elif base in syms:
            kinds['named'] += n
            names[base] += n
        else:
            errors.append('TB named %s, not after a System.map symbol' % name)
    if not total:
        print('%s: no TB samples' % arch)
        return 1
    share = {k: kinds[k] / total for k in ('named', 'user', 'kernel-unnamed')}
    known = sorted(n for n in names if n in WELL_KNOWN)
    print('%s: %d TB samples: %.0f %% in %d System.map functions, %.0f %% "[user] 0x...", '
          '%.0f %% "[kernel] 0x..."; well-known: %s' %
          (arch, total, 100 * share['named'], len(names), 100 * share['user'],
           100 * share['kernel-unnamed'], ', '.join(known) or 'none'))
    print('%s: top kernel functions: %s' % (arch, ', '.join(
        '%s %d' % kv for kv in names.most_common(8))))
    if len(names) < MIN_KERNEL_NAMES:
        errors.append('only %d System.map functions name TBs (want %d)' % (len(names), MIN_KERNEL_NAMES))
    if not known:
        errors.append('none of %s names a TB' % ', '.join(WELL_KNOWN))
    if share['named'] < MIN_NAMED_SHARE:
        errors.append('%.1f %% of the TB samples in System.map functions (want %.0f %%)' %
                      (100 * share['named'], 100 * MIN_NAMED_SHARE))
    if share['user'] < MIN_USER_SHARE:
        errors.append('%.1f %% of the TB samples in "[user] 0x..." TBs (want %.0f %%)' %
                      (100 * share['user'], 100 * MIN_USER_SHARE))
    for e in errors[:10]:
        print('%s: %s' % (arch, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
