"""A small decoder of jit-PID.tbstats, the side file of QEMU's -perf.

Written from lib/tbstats-format.h (format 1.x), independently of lib/tbstats.c,
for the Python tools: perf-scripts/tbstats-report.py (under perf script -s) and
the tests.  Python 3.5 or later, standard library only, so that the Python
embedded in perf can import it.

    side = tbstats_format.read_file(path)          # or decode(data, name)
    side.header['pid'], side.tb_records[i]['code_index'], side.stats[stats_id]

read_file() and decode() raise TbstatsError, whose str() is
"FILE: what at byte offset N (detail)", on a file that is not a side file, has
an unknown major version, a corrupt record or (unless partial=True) a record
cut short.  With partial=True a file cut inside its last record (a .part file
of a QEMU that was killed) decodes up to that record and side.truncated_at
says where.
"""
import os
import re
import struct

MAGIC = 0x53425451
VERSION_MAJOR = 1

FLAG_GUEST_BIG_ENDIAN = 1 << 0
FLAG_GUEST_LISTING = 1 << 1
FLAG_STATS = 1 << 2
FLAG_STATS_JIT = 1 << 3
FLAG_STATS_EXEC = 1 << 4
FLAG_STATS_TIME = 1 << 5
FLAG_NO_TB_RECORDS = 1 << 6
FLAG_SHADOW_STACK = 1 << 7
FLAG_SYSTEM = 1 << 8            # version 1.4: from qemu-system-*

# MAPPING 'kind' and TB 'privilege' (version 1.4; 0 in older files, whose
# bytes there were zero padding)
MAPPING_ELF, MAPPING_SYMBOL_LIST = 0, 1
PRIV_NONE, PRIV_USER, PRIV_SUPERVISOR = 0, 1, 2

REC_MAPPING, REC_UNMAP, REC_TB, REC_FLUSH, REC_END, REC_STATS = 1, 2, 3, 4, 5, 6
REC_SHADOW_STACK = 7
REC_TB_IR = 8
# END's end_flags (version 1.4): the file is a snapshot of a running QEMU
END_SNAPSHOT = 1 << 0
# END records: 40 bytes as older writers wrote them (end_flags was padding,
# no TLB flush counts), END_SIZE with the TLB flush counts (version 1.4)
END_SIZE_NO_TLB, END_SIZE = 40, 64
_END_TLB = ('QQQ', 'tlb_flush_full tlb_flush_part tlb_flush_elided')
TB_IR_RETRANSLATED = (1 << 64) - 1
REC_NAMES = {REC_MAPPING: 'MAPPING', REC_UNMAP: 'UNMAP', REC_TB: 'TB',
             REC_FLUSH: 'FLUSH', REC_END: 'END', REC_STATS: 'STATS',
             REC_SHADOW_STACK: 'SHADOW_STACK', REC_TB_IR: 'TB_IR'}

# struct tbs_file_header, after magic: the fields up to qemu_version.
_HEADER = ('HHIIQHHIII16s32s',
           'version_major version_minor header_size pid timestamp guest_machine '
           'host_machine flags guest_page_size guest_addr_bits guest_arch qemu_version')
HEADER_SIZE = 88



def stats_counters():
    """[(name, bits, level)]: the STATS record's counters, in its order, as
    TBS_STATS_COUNTERS in lib/tbstats-fields.h lists them (the one list the C
    code expands too).  The header is next to this file where make install
    and the build put it, else in the source tree's lib/."""
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (here, os.path.join(here, '..', 'lib')):
        path = os.path.join(d, 'tbstats-fields.h')
        if os.path.exists(path):
            with open(path) as f:
                found = re.findall(r'X\((\w+), (32|64), (\w+)\)', f.read())
            if found:
                return [(name, int(bits), level) for name, bits, level in found]
    raise ImportError('tbstats-fields.h: not next to %s nor in ../lib' % here)


def _stats_record():
    """struct tbs_stats: the key, the counters, nr_succ and succ_dropped."""
    counters = stats_counters()
    fmt = 'IIQQQ' + ''.join('Q' if bits == 64 else 'I' for _, bits, _ in counters) + 'II'
    names = ['stats_id', 'flags', 'guest_pc', 'cs_base', 'phys_pc']
    names += [name for name, _, _ in counters] + ['nr_succ', 'succ_dropped']
    return fmt, ' '.join(names), 8 + struct.calcsize('<' + fmt)


# Each record's fixed part after struct tbs_record (type, size), and its size
# with the prefix: the minimum a record of that type may have.
_RECORDS = {
    REC_MAPPING: ('QQQQQIBB2x20s4x', 'timestamp start end file_offset bias prot build_id_size kind '
                  'build_id', 80),
    REC_UNMAP: ('QQQ', 'timestamp start end', 32),
    REC_TB: ('QQQQQQIIIIIHBxII', 'timestamp code_index host_addr guest_pc cs_base phys_pc flags '
             'cflags host_size guest_size guest_code_size icount privilege listing_line stats_id', 88),
    REC_FLUSH: ('Q', 'timestamp', 16),
    REC_END: ('QiIQQ', 'timestamp exit_code end_flags nr_tbs nr_flushes', 40),
    REC_STATS: _stats_record(),
    REC_SHADOW_STACK: ('QQII', 'timestamp addr tid capacity', 32),
    REC_TB_IR: ('QQQQIIII', 'timestamp code_index guest_pc cs_base flags stats_id ops_len ops_opt_len',
                56),
}


class TbstatsError(Exception):
    """A bad side file: name, byte offset and what is wrong."""

    def __init__(self, name, offset, what, detail=None):
        self.name, self.offset, self.what, self.detail = name, offset, what, detail
        msg = '%s: %s at byte offset %d' % (name, what, offset)
        if detail:
            msg += ' (%s)' % detail
        Exception.__init__(self, msg)


class SideFile(object):
    """A decoded side file.

    header      dict of struct tbs_file_header (guest_arch, qemu_version as str,
                byte_order 'little' or 'big')
    records     every record in file order: dicts with 'type' (a name, or
                'UNKNOWN' with 'id'), 'offset', 'size' and the struct's fields
                (MAPPING's offset field is 'file_offset'); MAPPING adds 'path'
                (str) and 'build_id' (hex str); TB adds 'insn_pc' and
                'host_end' (lists) and 'guest_code' (bytes); STATS adds
                'succ_pc' (list)
    tb_records  the TB records, in file order
    code        {code_index: TB record}: the jitdump LOAD's code_index (the N of
                perf inject's jitted-PID-N.so) to its translation
    stats       {stats_id: STATS record}
    maps        the MAPPING records
    end         the END record, or None (a .part file); 'no_tlb' is True for the
                40-byte record of older writers, whose end_flags and TLB flush
                counts are then 0; 'snapshot' (64-byte records) says that the
                file is a copy of a running QEMU's (monitor: tb-stats write)
    truncated_at  byte offset of a record cut short (partial=True), or None
    """

    def __init__(self, name):
        self.name = name
        self.header = {}
        self.records, self.tb_records, self.maps = [], [], []
        self.code, self.stats = {}, {}
        self.end = None
        self.truncated_at = None

    def tb_stats(self, code_index):
        """The STATS record of the translation code_index, or None."""
        tb = self.code.get(code_index)
        if tb is None:
            return None
        return self.stats.get(tb['stats_id'])


def _cstr(b):
    return b.split(b'\0', 1)[0].decode('utf-8', 'replace')


def decode(data, name='<memory>', partial=False):
    """Decode a side file held in bytes; raises TbstatsError."""
    ex = SideFile(name)
    if len(data) < 4:
        raise TbstatsError(name, 0, 'file too short for a header', '%d bytes' % len(data))
    if struct.unpack_from('<I', data, 0)[0] == MAGIC:
        e = '<'
    elif struct.unpack_from('>I', data, 0)[0] == MAGIC:
        e = '>'
    else:
        raise TbstatsError(name, 0, 'not a side file (bad magic)')
    if len(data) < HEADER_SIZE:
        raise TbstatsError(name, 0, 'truncated header', 'needs %d bytes, %d left' % (HEADER_SIZE, len(data)))
    h = dict(zip(_HEADER[1].split(), struct.unpack_from(e + _HEADER[0], data, 4)))
    h['guest_arch'] = _cstr(h['guest_arch'])
    h['qemu_version'] = _cstr(h['qemu_version'])
    h['byte_order'] = 'little' if e == '<' else 'big'
    if h['version_major'] != VERSION_MAJOR:
        raise TbstatsError(name, 4, 'unsupported version %d.%d' % (h['version_major'], h['version_minor']),
                           'this reader knows %d.x' % VERSION_MAJOR)
    if h['header_size'] < HEADER_SIZE or h['header_size'] % 8 or h['header_size'] > len(data):
        raise TbstatsError(name, 8, 'bad header_size %d' % h['header_size'])
    ex.header = h
    off = h['header_size']
    while off < len(data):
        left = len(data) - off
        if left < 8:
            if partial:
                ex.truncated_at = off
                break
            raise TbstatsError(name, off, 'truncated record', '%d bytes left' % left)
        rtype, size = struct.unpack_from(e + 'II', data, off)
        if size < 8 or size % 8:
            raise TbstatsError(name, off, 'bad record size %d' % size)
        if size > left:
            if partial:
                ex.truncated_at = off
                break
            raise TbstatsError(name, off, 'truncated record', 'record needs %d bytes, %d left' % (size, left))
        ex.records.append(_record(data, e, name, off, rtype, size, ex))
        off += size
    return ex


def _record(data, e, name, off, rtype, size, ex):
    if rtype not in _RECORDS:
        return {'type': 'UNKNOWN', 'id': rtype, 'offset': off, 'size': size}
    fmt, fields, minsize = _RECORDS[rtype]
    tname = REC_NAMES[rtype]
    if size < minsize:
        raise TbstatsError(name, off, '%s record too small' % tname, '%d bytes, needs %d' % (size, minsize))
    r = dict(zip(fields.split(), struct.unpack_from(e + fmt, data, off + 8)))
    r.update(type=tname, offset=off, size=size)
    if ex.header['version_minor'] < 4:      # 1.4's fields were padding
        if rtype == REC_MAPPING:
            r['kind'] = MAPPING_ELF
        elif rtype == REC_TB:
            r['privilege'] = PRIV_NONE
    if rtype == REC_MAPPING:
        r['build_id'] = r['build_id'][:min(r['build_id_size'], 20)].hex()
        path = data[off + minsize:off + size]
        if b'\0' not in path:
            raise TbstatsError(name, off, 'MAPPING path not NUL-terminated')
        r['path'] = _cstr(path)
        if r['start'] > r['end']:
            raise TbstatsError(name, off, 'MAPPING start above end')
        ex.maps.append(r)
    elif rtype == REC_TB:
        n = r['icount']
        if minsize + 12 * n > size:    # errors name the field's offset, as lib/tbstats.c does
            raise TbstatsError(name, off + 76, 'TB icount %d too large for the record' % n,
                               '%d bytes, room for %d instructions' % (size, (size - minsize) // 12))
        if minsize + 12 * n + r['guest_code_size'] > size:
            raise TbstatsError(name, off + 72, 'TB guest_code_size %d too large for the record'
                               % r['guest_code_size'], '%d bytes' % size)
        p = off + minsize
        r['insn_pc'] = list(struct.unpack_from(e + '%dQ' % n, data, p))
        r['host_end'] = list(struct.unpack_from(e + '%dI' % n, data, p + 8 * n))
        r['guest_code'] = bytes(data[p + 12 * n:p + 12 * n + r['guest_code_size']])
        ex.tb_records.append(r)
        ex.code[r['code_index']] = r
    elif rtype == REC_STATS:
        n = r['nr_succ']
        if minsize + 8 * n > size:
            raise TbstatsError(name, off + 168, 'STATS nr_succ %d too large for the record' % n,
                               '%d bytes, room for %d successors' % (size, (size - minsize) // 8))
        r['succ_pc'] = list(struct.unpack_from(e + '%dQ' % n, data, off + minsize))
        ex.stats[r['stats_id']] = r
    elif rtype == REC_TB_IR:
        n0, n1 = r['ops_len'], r['ops_opt_len']
        if n0 > size - minsize:
            raise TbstatsError(name, off + 48, 'TB_IR ops_len %d too large for the record' % n0,
                               '%d bytes' % size)
        if n1 > size - minsize - n0:
            raise TbstatsError(name, off + 52, 'TB_IR ops_opt_len %d too large for the record' % n1,
                               '%d bytes' % size)
        r['retranslated'] = r['code_index'] == TB_IR_RETRANSLATED
        text = bytes(data[off + minsize:off + minsize + n0 + n1])
        if b'\0' in text:
            raise TbstatsError(name, off + minsize + text.index(b'\0'), 'TB_IR text holds a NUL')
        r['ops'] = text[:n0].decode('utf-8', 'replace')
        r['ops_opt'] = text[n0:].decode('utf-8', 'replace')
    elif rtype == REC_END:
        if size != END_SIZE_NO_TLB and size < END_SIZE:
            raise TbstatsError(name, off + 4, 'END record size %d invalid' % size,
                               '%d, or at least %d' % (END_SIZE_NO_TLB, END_SIZE))
        r['no_tlb'] = size < END_SIZE
        if r['no_tlb']:
            r['end_flags'] = 0
            r.update(dict.fromkeys(_END_TLB[1].split(), 0))
        else:
            r.update(zip(_END_TLB[1].split(), struct.unpack_from(e + _END_TLB[0], data, off + 40)))
            r['snapshot'] = bool(r['end_flags'] & END_SNAPSHOT)
        ex.end = r
    return r


def read_file(path, partial=False):
    """Read and decode the side file at path; raises TbstatsError or OSError."""
    with open(path, 'rb') as f:
        data = f.read()
    return decode(data, path, partial)
