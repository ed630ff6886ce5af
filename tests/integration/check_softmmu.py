#!/usr/bin/env python3
"""Checks of test_system_softmmu.sh: a system emulator's software MMU in
tbsym, against oracles that share no code with it.

  softmmu REPORT_JSON PERF_SCRIPT QEMU WALK ALU
      tbsym report --format json's softmmu_samples, summed per guest
      function, against the same count made here from perf script's call
      chains (perf's own unwinding, after perf inject -j) and QEMU's DWARF
      as binutils reads it (readelf: the compilation unit of each frame's
      address): a helper sample is the software MMU's when a frame between
      it and the first JIT frame lies in one of SOFTMMU_SOURCES.  Within
      max(3, 5 %) for every function (the two unwinders may part on a few
      samples) and in all; WALK (a TLB miss per access by construction)
      must have most of its helper samples and at least half of its own
      samples there, ALU (no memory access) none.
  fast-paths ARCH ELF DIR FUNCTION...
      DIR/FUNCTION.json and DIR/FUNCTION.raw.json, tbsym annotate --format
      json of a guest function's keys, grouped and --raw: every TLB fast
      path shown belongs to a guest instruction that accesses memory, as
      many as the instruction makes accesses (the guest ELF disassembled by
      objdump, instructions classified here), every such instruction has
      them, both views have the same samples per guest instruction and the
      same fast paths, and there are some.
  no-fast-paths ANNOTATE_JSON...
      tbsym annotate --format json of user-mode TBs: no TLB fast path.
  tlb-flushes SIDE_FILE
      the END record's TLB flush counts: some flush counted, when the
      record has them (64 bytes); a 40-byte record (a QEMU built before
      them) is reported, not failed: exit 0 with a "# skipped:" line.

Exit 0 when the check holds, 1 with the reasons otherwise.
"""
import bisect
import json
import re
import struct
import subprocess
import sys

# The software MMU's source files (docs/system-mode.md), as this test knows
# them for the two targets it runs: written here, not taken from lib/.
SOFTMMU_SOURCES = ('accel/tcg/cputlb.c', 'target/i386/tcg/system/excp_helper.c',
                   'target/arm/ptw.c', 'target/arm/tcg/tlb_helper.c')


def fail(msg):
    print('check_softmmu: ' + msg, file=sys.stderr)
    sys.exit(1)


# --- softmmu ---------------------------------------------------------------

class Units(object):
    """The compilation unit of an address of an ELF file, from readelf's
    .debug_aranges and the CU DIEs (--dwarf-depth=1)."""

    def __init__(self, path):
        names, cu = {}, None
        out = subprocess.run(['readelf', '--debug-dump=info', '--dwarf-depth=1', path],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r'\s*Compilation Unit @ offset (0x[0-9a-f]+):', line)
            if m:
                cu = int(m.group(1), 16)
            m = re.search(r'DW_AT_name\s*:.*?([^\s:]+)\s*$', line)
            if m and cu is not None and cu not in names:
                names[cu] = m.group(1)
        ranges, cu = [], None
        out = subprocess.run(['readelf', '--debug-dump=aranges', path],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r'\s*Offset into \.debug_info:\s*(0x[0-9a-f]+|\d+)', line)
            if m:
                cu = int(m.group(1), 0)
                continue
            m = re.match(r'\s+([0-9a-f]{8,16})\s+([0-9a-f]{8,16})\s*$', line)
            if m and cu is not None and int(m.group(2), 16):
                start = int(m.group(1), 16)
                ranges.append((start, start + int(m.group(2), 16), names.get(cu, '')))
        if not ranges:
            fail('%s: no .debug_aranges (QEMU without DWARF?)' % path)
        ranges.sort()
        self.ranges, self.starts = ranges, [r[0] for r in ranges]

    def source(self, addr):
        i = bisect.bisect_right(self.starts, addr) - 1
        if i >= 0 and addr < self.ranges[i][1]:
            return self.ranges[i][2]
        return None


def is_softmmu_source(path):
    return any(path == s or path.endswith('/' + s) for s in SOFTMMU_SOURCES)


def perf_samples(path, qemu):
    """[(pid, [(addr, sym, dso)])] from perf script -F pid,tid,ip,sym,dso."""
    samples, frames, pid = [], None, None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        if not line.strip():
            if frames is not None:
                samples.append((pid, frames))
            frames = None
            continue
        m = re.match(r'^\s*(\d+)/(\d+)\s*$', line)
        if m:
            if frames is not None:
                samples.append((pid, frames))
            pid, frames = int(m.group(1)), []
            continue
        m = re.match(r'^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)$', line)
        if m and frames is not None:
            frames.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if frames is not None:
        samples.append((pid, frames))
    return samples


def function_of(name):
    return name.split('+')[0]


def softmmu(report_path, script_path, qemu, walk, alu):
    report = json.load(open(report_path))
    units = Units(qemu)
    ours, helpers, samples = {}, {}, {}
    for row in report['rows']:
        f = function_of(row['symbol'])
        ours[f] = ours.get(f, 0) + row['softmmu_samples']
        helpers[f] = helpers.get(f, 0) + row['helper_samples']
        samples[f] = samples.get(f, 0) + row['samples']
    pid = report['input']['pid']
    qemu_name = qemu.rsplit('/', 1)[-1]
    any_frame, leaf_only = {}, {}
    for spid, frames in perf_samples(script_path, qemu):
        if spid != pid:
            continue
        jit = [i for i, fr in enumerate(frames) if re.search(r'/jitted-\d+-\d+\.so$', fr[2])]
        if not jit or jit[0] == 0:
            continue            # no TB in the chain, or a sample in a TB's own code
        below = frames[:jit[0]]
        soft = [fr[2].rsplit('/', 1)[-1] == qemu_name and
                is_softmmu_source(units.source(fr[0]) or '') for fr in below]
        f = function_of(frames[jit[0]][1])
        if any(soft):
            any_frame[f] = any_frame.get(f, 0) + 1
        if soft[0]:
            leaf_only[f] = leaf_only.get(f, 0) + 1
    bad = []
    for f in sorted(set(ours) | set(any_frame)):
        a, b = ours.get(f, 0), any_frame.get(f, 0)
        if abs(a - b) > max(3, b // 20):
            bad.append('%s: tbsym %d, perf script %d' % (f, a, b))
    total_a, total_b = sum(ours.values()), sum(any_frame.values())
    print('# softmmu samples: tbsym %d, perf script %d (%d with a software-MMU leaf)'
          % (total_a, total_b, sum(leaf_only.values())))
    for f in (walk, alu):
        print('#   %s: samples %d, helper %d, softmmu tbsym %d, perf script %d (leaf %d)'
              % (f, samples.get(f, 0), helpers.get(f, 0), ours.get(f, 0),
                 any_frame.get(f, 0), leaf_only.get(f, 0)))
    if abs(total_a - total_b) > max(3, total_b // 20):
        bad.append('in all: tbsym %d, perf script %d' % (total_a, total_b))
    w = ours.get(walk, 0)
    if w < 20 or w < 0.9 * helpers.get(walk, 0) or w < 0.5 * (w + samples.get(walk, 0)):
        bad.append('%s: %d softmmu samples of %d helper and %d own samples: not most'
                   % (walk, w, helpers.get(walk, 0), samples.get(walk, 0)))
    if samples.get(alu, 0) < 5 or ours.get(alu, 0) > max(1, samples.get(alu, 0) // 50):
        bad.append('%s: %d softmmu samples for %d own samples: not ~0'
                   % (alu, ours.get(alu, 0), samples.get(alu, 0)))
    if bad:
        fail('; '.join(bad))


# --- fast-paths --------------------------------------------------------------

RMW = {'add', 'sub', 'and', 'or', 'xor', 'adc', 'sbb', 'inc', 'dec', 'neg', 'not', 'shl',
       'shr', 'sar', 'rol', 'ror', 'sal'}


def x86_accesses(text):
    """Guest memory accesses of one i386 instruction in objdump's Intel
    syntax: a number, a set of possible numbers, or None when this test
    does not know the instruction (a helper may do its accesses)."""
    parts = text.split(None, 1)
    op, args = parts[0], parts[1] if len(parts) > 1 else ''
    # [ebx+8], DWORD PTR ds:0x10a2a0, and "mov eax,ds:0x10a2a0" (moffs)
    mem = '[' in args or re.search(r'\b[cdefgs]s:', args) is not None
    if op in ('push', 'call'):
        return 1 + mem            # the store to the stack (and a load of the operand)
    if op in ('pop', 'ret', 'leave'):
        return 1 + mem
    if op in ('lea', 'nop') or op.startswith('nop'):
        return 0
    if not mem:
        if op in ('int', 'iret', 'in', 'out', 'hlt', 'lgdt', 'lidt', 'ltr', 'cli', 'sti',
                  'cpuid', 'rdtsc') or op.startswith(('rep', 'movs', 'stos', 'lods', 'cmps',
                                                      'scas')):
            return None
        return 0
    dest = args.split(',')[0]
    dest_mem = '[' in dest or re.search(r'\b[cdefgs]s:', dest) is not None
    if op in ('mov', 'movzx', 'movsx', 'cmp', 'test') or op.startswith(('movz', 'movs')):
        return 1
    if op in RMW:
        return 2 if dest_mem else 1
    return None


def arm_accesses(text):
    op = text.split(None, 1)[0]
    mem = '[' in text
    if not mem:
        return 0 if not op.startswith(('ld', 'st', 'svc', 'hvc', 'msr', 'mrs')) else None
    if op in ('ldp', 'stp', 'ldpsw', 'ldnp', 'stnp'):
        return {1, 2}             # one 128-bit access or two halves
    if re.match(r'^(ldr|str|ldur|stur)(b|h|sb|sh|sw)?$', op):
        return 1
    return None


def objdump(arch, elf):
    """{pc: instruction text} of the guest ELF (Intel syntax for x86)."""
    if arch == 'x86_64':
        cmd = ['objdump', '-d', '--no-show-raw-insn', '-M', 'intel', elf]
    else:
        cmd = ['aarch64-linux-gnu-objdump', '-d', '--no-show-raw-insn', elf]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    insns = {}
    for line in out.splitlines():
        m = re.match(r'^\s+([0-9a-f]+):\s+(\S.*?)\s*(?:<.*>)?\s*$', line)
        if m:
            insns[int(m.group(1), 16)] = m.group(2)
    return insns


def groups(insn):
    return [x for x in insn['out_asm'] if 'tlb_fast_path' in x]


def fast_paths(arch, elf, workdir, functions):
    guest = objdump(arch, elf)
    total = 0
    for f in functions:
        total += fast_paths_of(arch, guest, elf, '%s/%s.json' % (workdir, f),
                               '%s/%s.raw.json' % (workdir, f))
    if not total:
        fail('no TLB fast path in %s' % ', '.join(functions))


def no_fast_paths(paths):
    n = 0
    for path in paths:
        for k in json.load(open(path))['keys']:
            n += 1
            found = sum(len(groups(i)) for i in k.get('code', []))
            if found or 'tlb_fast_paths' in k:
                fail('%s: key %d of a user-mode run has %d TLB fast paths' % (path, k['id'], found))
    print('# %d user-mode keys: no TLB fast path' % n)


def fast_paths_of(arch, guest, elf, grouped_path, raw_path):
    """The checks of fast-paths on one function; returns its fast paths."""
    grouped, raw = json.load(open(grouped_path)), json.load(open(raw_path))
    accesses = x86_accesses if arch == 'x86_64' else arm_accesses
    bad, checked, total, unknown = [], 0, 0, 0
    if len(grouped['keys']) != len(raw['keys']) or not grouped['keys']:
        fail('%d keys grouped, %d raw' % (len(grouped['keys']), len(raw['keys'])))
    for kg, kr in zip(grouped['keys'], raw['keys']):
        if (kg['id'], kg['samples'], kg.get('tlb_fast_paths'), kg.get('tlb_fast_path_samples')) != \
           (kr['id'], kr['samples'], kr.get('tlb_fast_paths'), kr.get('tlb_fast_path_samples')):
            bad.append('key %d: header differs from --raw' % kg['id'])
        n_key = 0
        for ig, ir in zip(kg.get('code', []), kr.get('code', [])):
            pc = int(ig['pc'], 16)
            n = len(groups(ig))
            n_key += n
            total += n
            if groups(ir):
                bad.append('%#x: --raw still groups' % pc)
            if sum(x['samples'] for x in ig['out_asm']) != sum(x['samples'] for x in ir['out_asm']):
                bad.append('%#x: samples differ from --raw' % pc)
            if pc not in guest:
                bad.append('%#x: not an instruction of %s' % (pc, elf))
                continue
            want = accesses(guest[pc])
            if want is None:
                unknown += 1
                if n > 2:
                    bad.append('%#x %s: %d fast paths' % (pc, guest[pc], n))
                continue
            checked += 1
            if n not in (want if isinstance(want, set) else {want}):
                bad.append('%#x %s: %d fast paths, the instruction makes %s accesses'
                           % (pc, guest[pc], n, want))
        if n_key != kg.get('tlb_fast_paths', 0):
            bad.append('key %d: %d fast paths listed, the header says %s'
                       % (kg['id'], n_key, kg.get('tlb_fast_paths')))
    print('# %s: %d TLB fast paths in %d keys; %d guest instructions checked against '
          'objdump, %d not classified' % (grouped_path.rsplit('/', 1)[-1], total,
                                          len(grouped['keys']), checked, unknown))
    if bad:
        fail('; '.join(bad[:10]) + (' (%d more)' % (len(bad) - 10) if len(bad) > 10 else ''))
    return total


# --- tlb-flushes -------------------------------------------------------------

REC_END = 5


def tlb_flushes(path):
    data = open(path, 'rb').read()
    e = '<' if struct.unpack_from('<I', data, 0)[0] == 0x53425451 else '>'
    off = struct.unpack_from(e + 'I', data, 8)[0]
    end = None
    while off + 8 <= len(data):
        rtype, size = struct.unpack_from(e + 'II', data, off)
        if size < 8 or off + size > len(data):
            fail('%s: bad record at byte offset %d' % (path, off))
        if rtype == REC_END:
            end = (off, size)
        off += size
    if end is None:
        fail('%s: no END record' % path)
    off, size = end
    if size == 40:
        print('# skipped: %s has the 40-byte END record of a QEMU built before the TLB '
              'flush counts (rebuild it: make qemu); the counts are not checked' % path)
        return
    if size < 64:
        fail('%s: END record of %d bytes' % (path, size))
    full, part, elided = struct.unpack_from(e + 'QQQ', data, off + 40)
    print('# TLB flushes: %d full, %d partial, %d elided' % (full, part, elided))
    if full + part + elided == 0:
        fail('%s: no TLB flush counted in a system emulator\'s run' % path)


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ('', [])
    if cmd == 'softmmu' and len(args) == 5:
        softmmu(*args)
    elif cmd == 'fast-paths' and len(args) >= 4:
        fast_paths(args[0], args[1], args[2], args[3:])
    elif cmd == 'no-fast-paths' and args:
        no_fast_paths(args)
    elif cmd == 'tlb-flushes' and len(args) == 1:
        tlb_flushes(args[0])
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
