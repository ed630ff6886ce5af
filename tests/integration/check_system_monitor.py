#!/usr/bin/env python3
"""TBStatistics controlled and read from QEMU's monitor, on a bare-metal guest.

  check_system_monitor.py ELF WORK_DIR TBSYM -- QEMU_COMMAND...

QEMU_COMMAND boots ELF (tests/guests/baremetal) for more iterations than the
test lasts; this script adds -S, -perf, -tb-stats none and a QMP socket, runs
it in WORK_DIR and drives it through QMP (x-tb-stats, x-query-tb*) and HMP
(human-monitor-command: tb-stats, info tb-list/tb/coverset/cfg).

The oracle is the guest itself: bm_fib counts its calls in bm_fibcalls
(bm_fib_calls), which the script reads with `xp` while the VM is stopped.
Every call of bm_fib enters its first TB once, so between two stops the
executions TBStatistics count for the key at bm_fib equal the calls the
guest counted, plus at most a few: a TB entered only to leave at once for
an exit request (the stop) counts as entered.  With that:
  - started late, the count is the calls since the start;
  - paused, it stays put while the guest goes on calling;
  - started again, it adds the calls since;
  - stopped, every entry is zero, and started again it counts afresh;
  - `tb-stats write` writes a complete side file with those counts, marked
    as a snapshot, that tbsym reads; the file at exit has the final ones;
  - `info tb ID in_asm` lists the guest instructions objdump lists at bm_fib,
    `op`/`op_opt` keep the ops of the next translation, the same text the
    side file's TB_IR record has, one insn_start per guest instruction;
  - errors are one message and change nothing;
  - the TLB flushes in the END record at exit are those "info jit" showed
    just before (the VM stopped in between);
  - `tbsym tb` decodes bm_fib in the CPU's mode, as objdump does (32-bit
    code on x86).
Exit 0 when all holds, 1 with the reason otherwise.
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_tbstats  # noqa: E402  (the independent side-file decoder)

REC_END, REC_TB_IR = 5, 8
END_SNAPSHOT = 1


def fail(msg):
    print('check_system_monitor: ' + msg, file=sys.stderr)
    sys.exit(1)


class QMP:
    def __init__(self, path, proc):
        deadline = time.time() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if proc.poll() is not None or time.time() > deadline:
                    fail('QEMU did not open its QMP socket (exit %s)' % proc.poll())
                time.sleep(0.05)
        self.f = self.sock.makefile('rw')
        self.read()                     # the greeting
        self.cmd('qmp_capabilities')

    def read(self):
        while True:
            line = self.f.readline()
            if not line:
                fail('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def call(self, name, **args):
        self.f.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        self.f.flush()
        return self.read()

    def cmd(self, name, **args):
        r = self.call(name, **args)
        if 'error' in r:
            fail('%s %s: %s' % (name, args, r['error']['desc']))
        return r['return']

    def error(self, name, **args):
        r = self.call(name, **args)
        if 'error' not in r:
            fail('%s %s did not fail' % (name, args))
        return r['error']['desc']

    def hmp(self, line):
        # (the monitor ends HMP lines with CRLF)
        return self.cmd('human-monitor-command',
                        **{'command-line': line}).replace('\r\n', '\n')

    def text(self, name, **args):
        return self.cmd(name, **args)['human-readable-text']


def nm(elf):
    out = subprocess.run(['nm', elf], capture_output=True, text=True, check=True).stdout
    return {p[2]: int(p[0], 16) for p in (l.split() for l in out.splitlines()) if len(p) == 3}


def objdump_insns(elf, start, end):
    """The instructions objdump lists in [start, end): (address, mnemonic)."""
    for tool in ('objdump', 'aarch64-linux-gnu-objdump', 'llvm-objdump'):
        try:
            r = subprocess.run([tool, '-d', '--no-show-raw-insn',
                                '--start-address=%#x' % start, '--stop-address=%#x' % end,
                                elf], capture_output=True, text=True)
        except FileNotFoundError:
            continue
        if r.returncode == 0:
            out = r.stdout
            break
    else:
        fail('no objdump disassembles %s' % elf)
    insns = []
    for line in out.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s+(\S+)', line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2)))
    return insns


def elf_class(elf):
    with open(elf, 'rb') as f:
        return 32 if f.read(5)[4] == 1 else 64


def rows(text):
    """tb-list/coverset rows: dicts of id, pc, exec, insns, name."""
    out = []
    for line in text.splitlines():
        p = line.split()
        if len(p) >= 9 and p[0].isdigit() and p[1].startswith('0x'):
            out.append({'id': int(p[0]), 'pc': int(p[1], 16), 'exec': int(p[2]),
                        'insns': int(p[3]), 'gi': int(p[4]), 'name': p[8]})
    return out


def end_record(path):
    """(end_flags, tlb full, part, elided) of the file's END record."""
    data = open(path, 'rb').read()
    hsize, = struct.unpack_from('<I', data, 8)
    off = hsize
    while off + 8 <= len(data):
        rtype, size = struct.unpack_from('<II', data, off)
        if rtype == REC_END:
            if size < 64:
                fail('%s: END record of %d bytes, not 64' % (path, size))
            flags, = struct.unpack_from('<I', data, off + 20)
            return (flags,) + struct.unpack_from('<QQQ', data, off + 40)
        off += size
    fail('%s: no END record' % path)


def ir_texts(path, pc):
    """The ops-before-optimisation texts of the TB_IR records of @pc."""
    data = open(path, 'rb').read()
    hsize, = struct.unpack_from('<I', data, 8)
    off, texts = hsize, []
    while off + 8 <= len(data):
        rtype, size = struct.unpack_from('<II', data, off)
        if rtype == REC_TB_IR:
            rpc, = struct.unpack_from('<Q', data, off + 24)
            n0, n1 = struct.unpack_from('<II', data, off + 48)
            if rpc == pc:
                body = data[off + 56:off + 56 + n0 + n1].decode()
                texts.append((body[:n0], body[n0:]))
        off += size
    return texts


def main():
    if len(sys.argv) < 6 or sys.argv[4] != '--':
        fail('usage: check_system_monitor.py ELF WORK_DIR TBSYM -- QEMU_COMMAND...')
    elf, work, tbsym, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]
    syms = nm(elf)
    fib, calls_addr = syms['bm_fib'], syms['bm_fib_calls']
    sock_dir = tempfile.mkdtemp(prefix='qmp-')
    sock = os.path.join(sock_dir, 'qmp.sock')
    os.makedirs(work, exist_ok=True)
    out = open(os.path.join(work, 'qemu.out'), 'w')
    proc = subprocess.Popen(command + ['-S', '-perf', '-tb-stats', 'none',
                                       '-qmp', 'unix:%s,server=on,wait=off' % sock],
                            cwd=work, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT)
    try:
        run(QMP(sock, proc), proc, work, tbsym, elf, fib, calls_addr)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.unlink(sock) if os.path.exists(sock) else None
        os.rmdir(sock_dir)


def run(q, proc, work, tbsym, elf, fib, calls_addr):
    def calls():
        text = q.hmp('xp /1wx %#x' % calls_addr)
        m = re.search(r':\s*(0x[0-9a-f]+)', text)
        if not m:
            fail('xp printed %r' % text)
        return int(m.group(1), 16)

    def listing():
        return rows(q.text('x-query-tb-list', count=1000000))

    def fib_entry():
        r = [e for e in listing() if e['pc'] == fib]
        if len(r) != 1:
            fail('%d TBStatistics entries start at bm_fib (%#x), not 1' % (len(r), fib))
        return r[0]

    def run_for(seconds):
        q.cmd('cont')
        time.sleep(seconds)
        q.cmd('stop')

    def expect(what, got, lo, slack=True):
        hi = lo + (max(10, lo // 1000) if slack else 0)
        if not lo <= got <= hi:
            fail('%s: bm_fib counted %d executions, the guest %d calls' % (what, got, lo))
        print('check_system_monitor: %s: %d executions, %d calls' % (what, got, lo))

    # Before any tb-stats command nothing is collected.
    run_for(0.3)
    head = q.text('x-query-tb-list')
    if 'collecting none' not in head or listing():
        fail('entries before tb-stats start:\n' + head)

    # Start late.
    c1 = calls()
    q.cmd('x-tb-stats', action='start', level='jit,exec')
    run_for(1.0)
    c2 = calls()
    if c2 - c1 < 1000:
        fail('the guest made only %d calls of bm_fib in a second' % (c2 - c1))
    e1 = fib_entry()
    expect('started late', e1['exec'], c2 - c1)
    fib_id = e1['id']

    # Paused: the count stays while the guest goes on.
    q.hmp('tb-stats pause')
    run_for(0.5)
    c3 = calls()
    e2 = fib_entry()
    if c3 <= c2 or e2['exec'] != e1['exec']:
        fail('paused: %d calls since, count %d -> %d' % (c3 - c2, e1['exec'], e2['exec']))
    # Started again: it adds.
    q.hmp('tb-stats start exec')
    run_for(0.5)
    c4 = calls()
    e3 = fib_entry()
    expect('started again', e3['exec'] - e1['exec'], c4 - c3)

    # The statistics so far, as a complete side file tbsym reads.
    q.cmd('x-tb-stats', action='write')
    snaps = [f for f in os.listdir(work) if re.fullmatch(r'jit-\d+\.tbstats', f)]
    if len(snaps) != 1:
        fail('tb-stats write left %s' % os.listdir(work))
    snap = os.path.join(work, snaps[0])
    s = check_tbstats.read(snap)
    got = sum(st['exec_count'] for st in s['stats'] if st['guest_pc'] == fib)
    if got != e3['exec']:
        fail('snapshot: bm_fib %d executions, the monitor said %d' % (got, e3['exec']))
    if not end_record(snap)[0] & END_SNAPSHOT:
        fail('snapshot: END record without TBS_END_SNAPSHOT')
    if not s['flags'] & check_tbstats.FLAG_EXEC:
        fail('snapshot: header does not say execution counts were collected')
    r = subprocess.run([tbsym, 'tb-list', '--format', 'json', snap], capture_output=True,
                       text=True)
    if r.returncode:
        fail('tbsym tb-list of the snapshot: %s' % r.stderr.strip())
    keys = json.loads(r.stdout)['keys']
    got = sum(k['exec_count'] for k in keys if int(k['guest_pc'], 16) == fib)
    if got != e3['exec']:
        fail('tbsym on the snapshot: bm_fib %d executions, the monitor %d' % (got, e3['exec']))
    other = os.path.join(work, 'other.tbstats')
    q.hmp('tb-stats write %s' % other)
    if check_tbstats.read(other)['stats'] != s['stats']:
        fail('two snapshots of a stopped VM differ')

    # Listings.
    gi = e3['gi']
    text = q.hmp('info tb %d in_asm' % fib_id)
    lines = [l for l in text.splitlines() if re.match(r'\s*0x[0-9a-f]+:', l)]
    want = objdump_insns(elf, fib, fib + 64)[:gi]
    if len(lines) != gi or len(want) != gi:
        fail('in_asm: %d lines for %d guest instructions:\n%s' % (len(lines), gi, text))
    for line, (addr, mnem) in zip(lines, want):
        if int(line.split(':')[0], 16) != addr or mnem.split('.')[0] not in line:
            fail('in_asm: %r, objdump has %#x %s' % (line, addr, mnem))
    text = q.hmp('info tb %d out_asm' % fib_id)
    if 'host code at' not in text or len(text.splitlines()) < 10:
        fail('out_asm:\n' + text)
    first = q.hmp('info tb %d op' % fib_id)
    if 'next translation' not in first:
        fail('op, first request:\n' + first)
    run_for(0.3)
    ops = q.hmp('info tb %d op' % fib_id)
    ops_opt = q.hmp('info tb %d op_opt' % fib_id)
    for name, t in (('op', ops), ('op_opt', ops_opt)):
        starts = len(re.findall(r'^\s*-{4} ', t, re.M))
        if starts != gi:
            fail('%s: %d insn_start markers for %d guest instructions:\n%s' % (name, starts, gi, t))
    if ops == ops_opt:
        fail('op and op_opt are the same listing')

    # Coverset and CFG.
    text = q.text('x-query-tb-coverset', percent=90)
    m = re.match(r'(\d+) of (\d+) TBs executed ([\d.]+)%', text)
    cover = rows(text)
    if not m or float(m.group(3)) < 90 or len(cover) != int(m.group(1)) or \
            not any(r['name'].startswith('bm_') for r in cover):
        fail('coverset:\n' + text)
    text = q.hmp('info cfg %d' % fib_id)
    if not text.startswith('digraph') or ('tb%d ->' % fib_id) not in text:
        fail('cfg:\n' + text)

    # Errors: one message, nothing changes.
    before = fib_entry()['exec']
    for name, args, want in (('x-tb-stats', {'action': 'start', 'level': 'bogus'}, 'not a TBStatistics level'),
                             ('x-tb-stats', {'action': 'pause', 'level': 'exec'}, 'only'),
                             ('x-query-tb', {'id': 0}, 'no TBStatistics entry'),
                             ('x-query-tb-coverset', {'percent': 101}, 'percentage')):
        msg = q.error(name, **args)
        if want not in msg:
            fail('%s %s: %r' % (name, args, msg))
    for line, want in (('tb-stats frobnicate', 'frobnicate'), ('info tb 1 sideways', 'sideways'),
                       ('tb-stats pause now', 'takes no argument'),
                       ('info coverset lots', 'percentage')):
        msg = q.hmp(line)
        if want not in msg:
            fail('%s: %r' % (line, msg))
    if fib_entry()['exec'] != before:
        fail('an erroneous command changed the counts')
    if 'collecting keys,exec ' not in q.text('x-query-tb-list', count=0):
        fail('an erroneous command changed the level')

    # Stopped: everything forgotten; started again: counted afresh.
    q.hmp('tb-stats stop')
    run_for(0.2)
    if any(e['exec'] or e['insns'] for e in listing()):
        fail('stopped: entries still have counts')
    c5 = calls()
    q.cmd('x-tb-stats', action='start')
    run_for(0.5)
    c6 = calls()
    e4 = fib_entry()
    expect('after stop, started again', e4['exec'], c6 - c5)

    # At exit, the complete side file has the last counts and the ops, and
    # the TLB flushes QEMU's own "info jit" counts (the VM stays stopped).
    jit = q.hmp('info jit')
    tlb = []
    for kind in ('full', 'partial', 'elided'):
        m = re.search(r'TLB %s flushes\s+(\d+)' % kind, jit)
        if not m:
            fail('info jit has no TLB %s flushes:\n%s' % (kind, jit))
        tlb.append(int(m.group(1)))
    q.cmd('quit')
    proc.wait(timeout=60)
    final = os.path.join(work, snaps[0])
    f = check_tbstats.read(final)
    got = sum(st['exec_count'] for st in f['stats'] if st['guest_pc'] == fib)
    if got != e4['exec']:
        fail('side file at exit: bm_fib %d executions, the monitor said %d' % (got, e4['exec']))
    flags, full, part, elided = end_record(final)
    if flags & END_SNAPSHOT or [full, part, elided] != tlb or not sum(tlb):
        fail('side file at exit: end_flags %#x, TLB flushes %d/%d/%d, info jit %s' %
             (flags, full, part, elided, tlb))
    texts = ir_texts(final, fib)
    if not any(t[0] in ops for t in texts):
        fail('the side file has %d TB_IR records of bm_fib, none with the '
             'monitor\'s ops' % len(texts))
    # tbsym disassembles the guest code in the mode the CPU was in (the
    # x86 guest runs 32-bit code: no %r registers), as objdump does.
    r = subprocess.run([tbsym, 'tb', '--format', 'json', final, '%#x' % fib],
                       capture_output=True, text=True)
    if r.returncode:
        fail('tbsym tb %#x: %s' % (fib, r.stderr.strip()))
    code = json.loads(r.stdout)['code']
    for c, (addr, mnem) in zip(code, objdump_insns(elf, fib, fib + 64)[:gi]):
        asm = c.get('asm', '')
        if int(c['pc'], 16) != addr or not asm.startswith(mnem.split('.')[0]) or \
                (elf_class(elf) == 32 and '%r' in asm):
            fail('tbsym tb: %s %r, objdump has %#x %s' % (c['pc'], asm, addr, mnem))
    print('check_system_monitor: ok (TLB flushes %d full, %d partial, %d elided)' %
          (full, part, elided))


if __name__ == '__main__':
    main()
