#!/bin/sh
# perf-scripts/tbstats_format.py (the Python decoder of jit-PID.tbstats used by
# tbstats-report.py) against lib/tbstats.c, through tbsym dump --format json,
# on the side-file fixtures tests/golden/*.tbs (written by
# tests/golden/make-tbstats-fixtures.c and make-views-fixtures.c): every
# record and field of the good files, the byte offset of the error of the bad
# ones, and --partial on the cut ones.  No QEMU, no perf.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "no python3"
[ -x "$BUILD/bin/tbsym" ] || skip "no $BUILD/bin/tbsym (make tools)"
PYTHONPATH=$TOP/perf-scripts python3 - "$BUILD/bin/tbsym" "$TOP"/tests/golden/*.tbs <<'EOF'
import json, re, subprocess, sys
import tbstats_format as tf

tbsym, files = sys.argv[1], sys.argv[2:]
bad = 0


def num(v):
    return int(v, 16) if isinstance(v, str) and v.startswith('0x') else v


def compare(path, ours, doc):
    global bad
    theirs = doc['records']
    if len(theirs) != len(ours.records):
        print('%s: %d records, tbsym %d' % (path, len(ours.records), len(theirs)))
        bad += 1
        return
    for a, b in zip(ours.records, theirs):
        for k, v in b.items():
            if k in ('h/insn', 'first_insn_pc', 'last_insn_pc', 'last_host_end'):
                want = {'first_insn_pc': a.get('insn_pc', [None])[0] if a.get('insn_pc') else None,
                        'last_insn_pc': a['insn_pc'][-1] if a.get('insn_pc') else None,
                        'last_host_end': a['host_end'][-1] if a.get('host_end') else None}.get(k)
                if k == 'h/insn' or want is None:
                    continue
                got = num(v)
                if got != want:
                    print('%s: offset %d %s: ours %s, tbsym %s' % (path, a['offset'], k, want, v))
                    bad += 1
                continue
            if k == 'succ_pc':
                v = [num(x) for x in v]
            if a.get(k) != num(v):
                print('%s: offset %d %s: ours %r, tbsym %r' % (path, a['offset'], k, a.get(k), v))
                bad += 1
    h = doc['header']
    for k in ('version_major', 'version_minor', 'header_size', 'pid', 'guest_arch', 'qemu_version',
              'byte_order', 'guest_machine'):
        if ours.header[k] != h[k]:
            print('%s: header %s: ours %r, tbsym %r' % (path, k, ours.header[k], h[k]))
            bad += 1


for path in files:
    p = subprocess.run([tbsym, 'dump', '--format', 'json', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    try:
        ours, err = tf.read_file(path), None
    except tf.TbstatsError as e:
        ours, err = None, e
    if p.returncode == 0:
        if err:
            print('%s: tbsym reads it, we fail: %s' % (path, err))
            bad += 1
            continue
        compare(path, ours, json.loads(p.stdout))
        print('# %s: %d records agree' % (path.rsplit('/', 1)[-1], len(ours.records)))
        continue
    m = re.search(r'at byte offset (\d+)', p.stderr)
    if not err or not m or int(m.group(1)) != err.offset:
        print('%s: tbsym: %s; ours: %s' % (path, p.stderr.strip(), err))
        bad += 1
        continue
    print('# %s: both fail at byte offset %d: %s' % (path.rsplit('/', 1)[-1], err.offset, err.what))
    if 'truncated' in err.what:
        ours = tf.read_file(path, partial=True)
        p = subprocess.run([tbsym, 'dump', '--format', 'json', '--partial', path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if ours.truncated_at != err.offset or p.returncode != 0:
            print('%s: partial: truncated_at %s, tbsym --partial exit %d' % (path, ours.truncated_at, p.returncode))
            bad += 1
            continue
        compare(path, ours, json.loads(p.stdout))
        print('# %s: --partial: %d records agree' % (path.rsplit('/', 1)[-1], len(ours.records)))

# Hostile input: every cut of a good file, and garbage sizes, give TbstatsError, never another exception.
good = open([f for f in files if f.endswith('/dump-side.tbs')][0], 'rb').read()
for n in range(len(good)):
    try:
        tf.decode(good[:n], 'cut%d' % n)
    except tf.TbstatsError:
        pass
for off in range(88, len(good) - 8, 8):
    for v in (0, 4, 0xfffffff8, 0x7fffffff):
        d = bytearray(good)
        d[off + 4:off + 8] = v.to_bytes(4, 'little')
        try:
            tf.decode(bytes(d), 'size@%d' % off)
        except tf.TbstatsError:
            pass
print('# cut and corrupted copies: only TbstatsError')
sys.exit(1 if bad else 0)
EOF
