#!/usr/bin/env python3
"""Checks of test_system.sh on the runs of the bare-metal guests.

  perf-names PERF_REPORT NAME...   perf report --sort sym names each NAME
  side-file RUN_DIR ELF ITER       the side file of a -tb-stats all run:
                                   system mode, the ELF file mapped, privilege
                                   levels, names, bm_fib's call count
  symbol-list ELF_DIR MAP_DIR MOVED_DIR OFFSET
                                   -perf-symbols with nm's list, and with the
                                   list moved down by OFFSET given with
                                   offset=OFFSET, name the hot code as the
                                   ELF file does

Each RUN_DIR holds dump.json (tbsym dump --format json of the side file) and
tb-list.json (tbsym tb-list --format json).  Exit 0 when the check holds, 1
with the reasons otherwise.
"""
import json, os, re, subprocess, sys

PRIV_USER, PRIV_SUPERVISOR = 1, 2
FIB_CALLS = 150049          # bm_fib(24) calls itself 150048 times


def fail(msg):
    print('check_system: ' + msg, file=sys.stderr)
    sys.exit(1)


def load(run_dir):
    with open(os.path.join(run_dir, 'dump.json')) as f:
        dump = json.load(f)
    with open(os.path.join(run_dir, 'tb-list.json')) as f:
        keys = json.load(f)['keys']
    return dump, keys


def symbols(elf):
    """{name: (address, size)} of the ELF file's function symbols (what
    names code), from readelf."""
    out = subprocess.run(['readelf', '-sW', elf], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 8 and p[3] == 'FUNC' and p[6] != 'UND':
            syms[p[7]] = (int(p[1], 16), int(p[2], 0))
    return syms


def perf_names(report, names):
    text = open(report).read()
    missing = [n for n in names if not re.search(r'\b%s\b' % re.escape(n), text)]
    if missing:
        fail('perf report does not name %s' % ', '.join(missing))


def in_sym(pc, sym):
    return sym[0] <= pc < sym[0] + sym[1]


def side_file(run_dir, elf, iters):
    dump, keys = load(run_dir)
    h = dump['header']
    if 'SYSTEM' not in h['flag_names']:
        fail('the header does not say system mode: %s' % h['flag_names'])
    maps = [r for r in dump['records'] if r['type'] == 'MAPPING']
    if [m['path'] for m in maps] != [os.path.realpath(elf)] or maps[0].get('kind', 0) != 0:
        fail('expected one ELF mapping of %s, got %s' % (elf, maps))
    syms = symbols(elf)
    tbs = [r for r in dump['records'] if r['type'] == 'TB']
    for fn, want in (('bm_user_work', PRIV_USER), ('bm_fib', PRIV_SUPERVISOR)):
        got = {r.get('privilege') for r in tbs if in_sym(int(r['guest_pc'], 16), syms[fn])}
        if got != {want}:
            fail('%s: TBs translated at privilege %s, expected only %d' % (fn, got, want))
    for k in keys:
        if k['name'].startswith('guest-0x'):
            fail('key %s at %s is named %s in system mode' % (k['id'], k['guest_pc'], k['name']))
        pc = int(k['guest_pc'], 16)
        inside = [n for n, s in syms.items() if n.startswith('bm_') and in_sym(pc, s)]
        if inside and not k['name'].startswith(inside[0]):
            fail('key at %s is named %s, not after %s' % (k['guest_pc'], k['name'], inside[0]))
        if not inside and k['name'].startswith('bm_'):
            fail('key at %s outside every bm_ function is named %s' % (k['guest_pc'], k['name']))
    if h['guest'] == 'x86_64' and not any(k['name'].startswith('[kernel] 0x') for k in keys):
        fail('no firmware TB is named "[kernel] 0x..."')
    # A TB counts when it is entered, also when it is left at once for an
    # exit request (the main loop kicking the vCPU for I/O): in system mode
    # a few more entries than calls, never fewer.
    fib = [k for k in keys if int(k['guest_pc'], 16) == syms['bm_fib'][0]]
    want = iters * FIB_CALLS
    if len(fib) != 1 or not want <= fib[0]['exec_count'] <= want + max(10, want // 10000):
        fail('bm_fib entered %s times, expected %d x %d (and a few more at most)' %
             ([k['exec_count'] for k in fib], iters, FIB_CALLS))
    print('# %s: %d keys, bm_fib entered %d times, user and kernel levels as expected'
          % (h['guest'], len(keys), fib[0]['exec_count']))


def names_by_pc(keys):
    return {int(k['guest_pc'], 16): k['name'] for k in keys}


def symbol_list(elf_dir, map_dir, moved_dir, offset):
    _, elf_keys = load(elf_dir)
    map_dump, map_keys = load(map_dir)
    moved_dump, moved_keys = load(moved_dir)
    offset = int(offset, 0)
    lists = []
    for dump, what in ((map_dump, 'list'), (moved_dump, 'moved list')):
        maps = [r for r in dump['records'] if r['type'] == 'MAPPING' and r.get('kind') == 1]
        if len(maps) != 1:
            fail('%s: expected one symbol-list mapping, got %s' % (what, maps))
        lists.append(maps[0])
    if lists[0]['start'] != lists[1]['start'] or int(lists[1]['bias'], 16) != offset:
        fail('offset=%#x: the moved list maps %s with bias %s, the list %s' %
             (offset, lists[1]['start'], lists[1]['bias'], lists[0]['start']))
    hot = {pc: n for pc, n in names_by_pc(elf_keys).items()
           if n.split('+')[0] in ('bm_fib', 'bm_checksum', 'bm_sieve', 'bm_user_work')}
    if not hot:
        fail('the ELF run has no key in the hot functions')
    for keys, what in ((map_keys, 'list'), (moved_keys, 'moved list')):
        b = names_by_pc(keys)
        diff = [(hex(pc), n, b.get(pc)) for pc, n in hot.items() if b.get(pc) != n]
        if diff:
            fail('%s: names differ from the ELF file\'s: %s' % (what, diff[:5]))
    print('# symbol lists: the %d hot keys are named as with the ELF file' % len(hot))


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == 'perf-names' and len(args) >= 2:
        perf_names(args[0], args[1:])
    elif cmd == 'side-file' and len(args) == 3:
        side_file(args[0], args[1], int(args[2]))
    elif cmd == 'symbol-list' and len(args) == 4:
        symbol_list(*args)
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
