#!/usr/bin/env python3
"""Write the seed corpus of fuzz_unwind.c into DIR (tests/fuzz/corpus/unwind).

The unwinding data is what QEMU -perf writes for a TB on an x86-64 host
(the template of tests/unit/test_unwind.c, patched for the code size as
qemu-jitdump/patches/0002's write_unwinding_info() does); the stack holds
the TCG prologue's frame whose return address leads into the second TB.
usage: make-seeds-unwind.py DIR
"""
import os, struct, sys

TEMPLATE = bytes.fromhex(
    '1400000000000000017a5200017810011b00000000000000'
    '240000001c00000070ffffff70000000000c07c0099001860283038c048d058e068f0700000000'
    '00011b033bbcffffff0100000050ffffffd8ffffff')
HDR, FRAME = 20, 1216
TB_ADDR = 0x7f0000001000

def blob(code_size):
    d = bytearray(TEMPLATE)
    to_eh = (code_size + 7) & ~7
    e = len(d) - HDR
    struct.pack_into('<iI', d, 32, -(to_eh + 32), code_size)
    struct.pack_into('<i', d, e + 12, -(to_eh + e))
    return bytes(d)

def seed(code_size, ip_off, stack, data=None):
    b = data if data is not None else blob(code_size)
    return struct.pack('<HHHH', len(b), HDR, code_size, ip_off) + b + stack

def frame_stack(ra, extra=64):
    s = bytearray(FRAME + extra)
    struct.pack_into('<Q', s, FRAME - 8, ra)
    return bytes(s)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
tb2 = lambda cs: TB_ADDR + ((cs + 7) & ~7) + 128
seeds = {
    'tb-112': seed(0x70, 0x10, frame_stack(0x5555deadbe00)),
    'tb-unaligned': seed(0x6d, 0x6c, frame_stack(0x5555deadbe00)),
    # TB -> second TB -> (its frame again, one frame up) -> stop
    'tb-to-tb': seed(0x70, 0, frame_stack(tb2(0x70) + 4) + frame_stack(0x1234)),
    'short-stack': seed(0x70, 0x10, frame_stack(0x5555deadbe00)[:FRAME - 8]),
    'past-code': seed(0x70, 0x70, frame_stack(0x5555deadbe00)),
    'no-blob': seed(0x70, 0x10, frame_stack(0x5555deadbe00), b''),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
