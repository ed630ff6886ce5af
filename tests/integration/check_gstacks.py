#!/usr/bin/env python3
"""Checks of guest call stacks against call paths known by construction.

The expected paths and shares below are those of tests/guests/callpaths.c and
cxxexc.cc (see their header comments): they come from the programs' iteration
counts, never from a tool's output, and test_gstack_native.sh checks them on
native runs with perf's own DWARF unwinding.

Input is the "folded" line format of FlameGraph (and of tbsym flame --folded):
one stack per line, root first, frames separated by ';', then a space and
the sample count.

  check_gstacks.py fold-perf SCRIPT.txt EXE    perf script --no-inline output of a native
                                               --call-graph dwarf recording ->
                                               folded, on stdout
  check_gstacks.py paths MODE FOLDED LABEL     path shares and exactness
  check_gstacks.py children MODE REPORT.json LABEL
                                               tbsym report --by function's
                                               inclusive (children) shares
  check_gstacks.py callgraph MODE FUNC CG.json LABEL
                                               tbsym callgraph FUNC's callers and
                                               callees (CALLGRAPH below)
  check_gstacks.py edges NATIVE QEMU EXE LABEL caller->callee edges among the
                                               hot functions of EXE agree
  check_gstacks.py mutate KIND FOLDED          a wrong copy of FOLDED (negative
                                               controls: see mutate())

Frame normalization (one place: normalize()):
  - a stack is cut at its outermost root function (main, or worker for the
    threads mode): libc's start frames above it do not count;
  - frames after the innermost guest function that are not guest functions
    (QEMU's own frames, "[helper] ..." and the like, or, natively, libc or
    the kernel) are dropped: they are where the guest function spent its
    time, not part of its path;
  - a signal delivery is tbsym's "[signal]" frame between the interrupted
    function and the handler; natively, fold-perf writes it for libc's
    signal trampoline (__restore_rt, recognized by its code), which perf
    shows there;
  - tbsym's "[truncated]" frame stays where it is;
  - FUNCTION.cold (gcc's unlikely part of FUNCTION) is FUNCTION.
"""
import collections, json, os, re, struct, subprocess, sys

MIN_LEAF_SAMPLES = 400      # fewer and a 3-point tolerance means nothing
SHARE_TOLERANCE = 3.0       # percentage points
EXACT_MIN = 98.0            # % of hot-leaf samples carrying a constructed path
HOT_LEAVES = ('leaf', 'leaf2', 'catcher_inline')


def p(*names):
    return tuple(n for name in names for n in name.split(';'))


SIG = '[signal]'            # tbsym's frames (symbolizer/gstack_view.h)
TRUNC = '[truncated]'

# mode -> (root functions, {path: share %}), from callpaths.c / cxxexc.cc
PLAIN_BC = {p('main;run_b;mid;leaf'): 30.0, p('main;run_c;leaf2'): 20.0}


def with_bc(path, share):
    return {path: share, **PLAIN_BC}


MODES = {
    'plain': (('main',), with_bc(p('main;run_a;mid;leaf'), 50.0)),
    'flush': (('main',), with_bc(p('main;run_a;mid;leaf'), 50.0)),
    'longjmp': (('main',), with_bc(p('main;run_lj;catcher;mid;leaf'), 50.0)),
    'longjmp-inline': (('main',), with_bc(p('main;run_lji;catcher_inline'), 50.0)),
    'signal': (('main',), with_bc(p('main;run_sig;trap_point', SIG, 'handler;sig_work;leaf'), 50.0)),
    'sigalt': (('main',), with_bc(p('main;run_sig;trap_point', SIG, 'handler;sig_work;leaf'), 50.0)),
    'cxxexc': (('main',), with_bc(p('main;run_exc;catcher;mid;leaf'), 50.0)),
    'threads': (('worker',), {p('worker;run_a;mid;leaf'): 40.0, p('worker;run_b;mid;leaf'): 30.0,
                              p('worker;run_c;leaf2'): 20.0, p('worker;run_d;leaf'): 10.0}),
    # deep: rec_ok(100) fits the shadow stack; rec_deep(600) is checked apart
    'deep': (('main',), {p('main;run_deep') + ('rec_ok',) * 100 + ('leaf',): 50.0}),
}
DEEP_DEPTH_MIN = 100        # rec_deep frames a truncated stack must still show

# Inclusive shares of the functions relative to main's, by mode: only where
# main's time is all in the leaves (not cxxexc, whose unwinder takes its part).
CHILDREN = {
    'plain': {'run_a': 50, 'run_b': 30, 'run_c': 20, 'mid': 80, 'leaf': 80, 'leaf2': 20},
    'longjmp': {'run_lj': 50, 'catcher': 50, 'run_b': 30, 'run_c': 20, 'mid': 80,
                'leaf': 80, 'leaf2': 20},
}


# tbsym callgraph FUNC: callers and callees as shares of FUNC's children, by mode.
CALLGRAPH = {                # FUNC: (callers or None: not checked, callees)
    'plain': {
        # main's printf and atoi: QEMU translating them, a little, not checked
        'main': (None, {'run_a': 50, 'run_b': 30, 'run_c': 20, 'printf': None, 'atoi': None}),
        'mid': ({'run_a': 62.5, 'run_b': 37.5}, {'leaf': 100}),
        'leaf': ({'mid': 100}, {}),
        'leaf2': ({'run_c': 100}, {}),
    },
    'signal': {
        'trap_point': ({'run_sig': 100}, None),
        'handler': ({SIG: 100}, {'sig_work': 100}),
        'sig_work': ({'handler': 100}, {'leaf': 100}),
        'leaf': ({'mid': 37.5, 'sig_work': 62.5}, {}),
    },
}
CALLGRAPH_OTHER_MAX = 1.0   # % of FUNC's children an unexpected caller/callee may have


# --- what is not a guest function -------------------------------------------
def is_foreign(f):
    """QEMU's work at the leaf ("[helper] SYM", "[translate]", ...), or
    natively a frame outside the exe ("[DSO] SYM")."""
    return f.startswith('[') and f not in ('[unknown]', TRUNC, SIG)


def canon_frames(frames):
    """Frame names made comparable: gcc puts a function's unlikely part (a
    catch block) in FUNCTION.cold, which is still FUNCTION."""
    return [re.sub(r'\.cold(\.[0-9]+)?$', '', f) for f in frames]


def normalize(frames, roots):
    """(path from the outermost root, or None; the innermost guest function)."""
    frames = canon_frames(frames)
    while frames and is_foreign(frames[-1]):
        frames.pop()
    leaf = frames[-1] if frames else None
    idx = next((i for i, f in enumerate(frames) if f in roots), None)
    if idx is None:
        return None, leaf
    return tuple(frames[idx:]), leaf


def read_folded(path):
    stacks = collections.Counter()
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip():
                continue
            stack, _, n = line.rpartition(' ')
            try:
                stacks[tuple(stack.split(';'))] += int(n)
            except ValueError:
                sys.exit('%s: not a folded line: %r' % (path, line))
    return stacks


# --- fold-perf -----------------------------------------------------------------
FRAME_RE = re.compile(r'^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)$')


# x86_64 glibc's __restore_rt, which has no dynamic symbol: mov $15, %rax; syscall
SIGRETURN_X86_64 = bytes.fromhex('48c7c00f0000000f05')
_sigreturn_cache = {}


def is_sigreturn(dso, addr):
    """Whether perf's frame at addr of dso is the signal trampoline: perf
    shows a return address minus 1, here the byte before __restore_rt."""
    key = (dso, addr)
    if key not in _sigreturn_cache:
        _sigreturn_cache[key] = any(read_vaddr(dso, a, len(SIGRETURN_X86_64)) == SIGRETURN_X86_64
                                    for a in (addr, addr + 1))
    return _sigreturn_cache[key]


def read_vaddr(path, vaddr, n):
    """n bytes at ELF virtual address vaddr of a 64-bit little-endian ELF file."""
    try:
        with open(path, 'rb') as f:
            eh = f.read(64)
            if eh[:4] != b'\x7fELF' or eh[4] != 2:
                return None
            phoff, = struct.unpack_from('<Q', eh, 32)
            phentsize, phnum = struct.unpack_from('<HH', eh, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                ptype, _, off, va, _, filesz = struct.unpack('<IIQQQQ', f.read(40))
                if ptype == 1 and va <= vaddr and vaddr + n <= va + filesz:
                    f.seek(off + vaddr - va)
                    return f.read(n)
    except OSError:
        pass
    return None


def fold_perf(script, exe):
    """perf script --no-inline -F comm,tid,ip,sym,dso (callchains) -> folded."""
    exe_base = os.path.basename(exe)
    stacks = collections.Counter()
    with open(script) as f:
        text = f.read()
    for block in text.split('\n\n'):
        frames = []
        for line in block.splitlines():
            m = FRAME_RE.match(line)
            if not m:
                continue
            sym, dso = m.group(2), m.group(3)
            sym = re.sub(r'\+0x[0-9a-f]+$', '', sym)
            base = os.path.basename(dso)
            if base.startswith('[kernel') or dso.startswith('[kernel'):
                continue
            if base != exe_base and is_sigreturn(dso, int(m.group(1), 16)):
                frames.append(SIG)          # libc's signal trampoline: tbsym's marker
            else:
                frames.append(sym if base == exe_base else '[%s] %s' % (base, sym))
        if frames:
            stacks[tuple(reversed(frames))] += 1
    for st, n in sorted(stacks.items()):
        print('%s %d' % (';'.join(st), n))
    return 0


# --- paths -----------------------------------------------------------------------
def show(path):
    if path is None:
        return '(no root)'
    # compress recursion for display
    out, i = [], 0
    while i < len(path):
        j = i
        while j < len(path) and path[j] == path[i]:
            j += 1
        out.append(path[i] if j - i == 1 else '%s x%d' % (path[i], j - i))
        i = j
    return ';'.join(out)


def deep_ok(path):
    """main;run_deep;rec_deep x N;<truncated>;[rec_deep x M;]leaf, N >= DEEP_DEPTH_MIN."""
    if path is None or path[:3] != p('main;run_deep;rec_deep') or TRUNC not in path:
        return False
    t = path.index(TRUNC)
    outer, inner = path[2:t], path[t + 1:]
    return (len(outer) >= DEEP_DEPTH_MIN and all(f == 'rec_deep' for f in outer)
            and inner and inner[-1] == 'leaf' and all(f == 'rec_deep' for f in inner[:-1]))


def paths(mode, folded, label):
    roots, expected = MODES[mode]
    stacks = read_folded(folded)
    total = sum(stacks.values())
    leafn, per_path, other = 0, collections.Counter(), collections.Counter()
    deep_n, truncated_ok = 0, 0
    for frames, n in stacks.items():
        path, leaf = normalize(list(frames), roots)
        if leaf not in HOT_LEAVES:
            continue
        leafn += n
        if path in expected:
            per_path[path] += n
        elif mode == 'deep' and deep_ok(path):
            deep_n += n
        else:
            other[path] += n
    print('%s: %d samples, %d in the hot leaves' % (label, total, leafn))
    if leafn < MIN_LEAF_SAMPLES:
        print('%s: too few samples in the hot leaves (%d < %d)' % (label, leafn, MIN_LEAF_SAMPLES))
        return 1
    bad = 0
    for path, want in expected.items():
        got = 100.0 * per_path[path] / leafn
        ok = abs(got - want) <= SHARE_TOLERANCE
        bad += not ok
        print('  %-6s %6.2f %% (constructed %5.1f %%)  %s' % ('ok' if ok else 'WRONG', got, want, show(path)))
    if mode == 'deep':
        got = 100.0 * deep_n / leafn
        ok = abs(got - 50.0) <= SHARE_TOLERANCE
        bad += not ok
        print('  %-6s %6.2f %% (constructed  50.0 %%)  main;run_deep;rec_deep x>=%d;%s;...;leaf'
              % ('ok' if ok else 'WRONG', got, DEEP_DEPTH_MIN, TRUNC))
    exact = 100.0 * (sum(per_path.values()) + deep_n) / leafn
    ok = exact >= EXACT_MIN
    bad += not ok
    print('  %-6s %6.2f %% of the hot-leaf samples carry exactly a constructed path (>= %.0f %%)'
          % ('ok' if ok else 'WRONG', exact, EXACT_MIN))
    if other:
        print('  other paths of hot-leaf samples, most frequent first:')
        for path, n in other.most_common(8):
            print('    %6d  %s' % (n, show(path)))
    if bad:
        print('%s: %d check(s) failed' % (label, bad))
    return 1 if bad else 0


# --- children ----------------------------------------------------------------------
def children(mode, report, label):
    """tbsym report --by function JSON: inclusive shares relative to main."""
    with open(report) as f:
        r = json.load(f)
    rows = r['rows']
    incl = collections.Counter()
    for row in rows:
        name = row.get('function', row.get('symbol', row.get('key')))
        c = row.get('children', row.get('children_samples', row.get('inclusive')))
        if isinstance(c, dict):
            c = c.get('samples')
        incl[name] += c or 0
    if not incl['main']:
        print('%s: no inclusive samples for main in %s' % (label, report))
        return 1
    bad = 0
    print('%s: main inclusive %d samples' % (label, incl['main']))
    for fn, want in CHILDREN[mode].items():
        got = 100.0 * incl[fn] / incl['main']
        ok = abs(got - want) <= SHARE_TOLERANCE
        bad += not ok
        print('  %-6s %-8s %6.2f %% of main (constructed %d %%)' % ('ok' if ok else 'WRONG', fn, got, want))
    return 1 if bad else 0


# --- callgraph ----------------------------------------------------------------------
def callgraph(mode, func, cg_json, label):
    """tbsym callgraph FUNC --format json against CALLGRAPH[mode][func]."""
    with open(cg_json) as f:
        cg = json.load(f)
    bad = 0
    print('%s: callgraph %s, children %d' % (label, func, cg['children']))
    for side, key in (('callers', 'caller'), ('callees', 'callee')):
        want = CALLGRAPH[mode][func][0 if side == 'callers' else 1]
        if want is None:
            continue
        got = {r[key]: r['share%'] for r in cg[side]}
        for name in sorted(set(want) | set(got)):
            w, g = want.get(name), got.get(name, 0.0)
            if name in want and w is None:
                continue
            ok = abs(g - w) <= SHARE_TOLERANCE if w is not None else g <= CALLGRAPH_OTHER_MAX
            bad += not ok
            print('  %-6s %s %-10s %6.2f %% of its children (constructed %s)'
                  % ('ok' if ok else 'WRONG', side[:-1], name, g,
                     '%.1f %%' % w if w is not None else 'none'))
    return 1 if bad else 0


# --- edges -------------------------------------------------------------------------
HOT_MIN = 5.0               # % inclusive for a function to be hot (native)
EDGE_MIN = 1.0              # % of samples for an edge to exist


def exe_functions(exe):
    out = subprocess.run(['nm', '--defined-only', exe], capture_output=True, text=True,
                         check=True).stdout
    return {l.split()[2] for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in 'tTwW'}


def profile(stacks, funcs):
    """inclusive share per function, edge weight per (caller, callee), in %."""
    total = sum(stacks.values())
    incl, edges = collections.Counter(), collections.Counter()
    for frames, n in stacks.items():
        frames = [f for f in canon_frames(list(frames))]
        incl.update({f: n for f in set(frames) if f in funcs})
        pairs = {(a, b) for a, b in zip(frames, frames[1:]) if a in funcs and b in funcs}
        edges.update({e: n for e in pairs})
    return ({f: 100.0 * c / total for f, c in incl.items()},
            {e: 100.0 * c / total for e, c in edges.items()}, total)


def edges(native, qemu, exe, label):
    funcs = exe_functions(exe)
    ni, ne, nt = profile(read_folded(native), funcs)
    qi, qe, qt = profile(read_folded(qemu), funcs)
    print('%s: %d native samples, %d under QEMU' % (label, nt, qt))
    if nt < 500 or qt < 500:
        print('%s: too few samples' % label)
        return 1
    hot = {f for f, s in ni.items() if s >= HOT_MIN}
    print('  hot functions (>= %.0f %% inclusive natively): native %% / QEMU %%' % HOT_MIN)
    for f in sorted(hot, key=lambda f: -ni[f]):
        print('    %-10s %6.2f  %6.2f' % (f, ni[f], qi.get(f, 0.0)))
    en = {e for e, w in ne.items() if w >= EDGE_MIN and e[0] in hot and e[1] in hot}
    eq = {e for e, w in qe.items() if w >= EDGE_MIN and e[0] in hot and e[1] in hot}
    print('  edges among them (>= %.0f %% of samples): native %% / QEMU %%' % EDGE_MIN)
    for e in sorted(en | eq):
        mark = 'ok' if (e in en) == (e in eq) else ('ONLY-NATIVE' if e in en else 'ONLY-QEMU')
        print('    %-11s %-22s %6.2f  %6.2f' % (mark, '%s -> %s' % e, ne.get(e, 0.0), qe.get(e, 0.0)))
    if en != eq or len(en) < 5:
        print('%s: edge sets differ (%d native, %d QEMU, %d common)' % (label, len(en), len(eq), len(en & eq)))
        return 1
    print('%s: the same %d edges' % (label, len(en)))
    return 0


# --- negative controls ---------------------------------------------------------------
def mutate(kind, folded):
    """A wrong copy of a right profile, on stdout, that paths must reject:
      drop-mid     every other stack through mid loses that frame (a missed call)
      swap-shares  the run_a and run_c stacks trade their counts
      no-signal    the [signal] frames are gone"""
    stacks = read_folded(folded)
    out = collections.Counter()
    odd = False
    counts = {}
    for st, n in stacks.items():
        if kind == 'drop-mid' and 'mid' in st:
            odd = not odd
            if odd:
                st = tuple(f for f in st if f != 'mid')
        elif kind == 'no-signal':
            st = tuple(f for f in st if f != SIG)
        elif kind == 'swap-shares':
            counts[st] = n
            continue
        out[st] += n
    if kind == 'swap-shares':
        total = lambda fn: sum(n for st, n in counts.items() if fn in st)
        a, c = total('run_a'), total('run_c')
        for st, n in counts.items():
            if 'run_a' in st:
                n = round(n * c / a)
            elif 'run_c' in st:
                n = round(n * a / c)
            out[st] += n
    for st, n in sorted(out.items()):
        print('%s %d' % (';'.join(st), n))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == 'fold-perf':
        return fold_perf(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == 'paths':
        return paths(argv[2], argv[3], argv[4])
    if len(argv) == 5 and argv[1] == 'children':
        return children(argv[2], argv[3], argv[4])
    if len(argv) == 6 and argv[1] == 'edges':
        return edges(argv[2], argv[3], argv[4], argv[5])
    if len(argv) == 6 and argv[1] == 'callgraph':
        return callgraph(argv[2], argv[3], argv[4], argv[5])
    if len(argv) == 4 and argv[1] == 'mutate':
        return mutate(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
