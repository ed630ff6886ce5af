# Shared helpers for integration tests (sourced).  Each test runs the patched
# QEMU on real guest programs under the real perf; it exits 77 with a reason
# when the machine cannot give what it needs.
set -eu
: "${BUILD:?}" "${TOP:?}"
# QEMU_X86 and QEMU_ARM may name other builds (a work tree of the series).
QEMU_X86=${QEMU_X86:-$BUILD/bin/qemu-x86_64}
QEMU_ARM=${QEMU_ARM:-$BUILD/bin/qemu-aarch64}
ARM_SYSROOT=/usr/aarch64-linux-gnu
GUESTS=$BUILD/guests
TBSYM=$BUILD/bin/tbsym
DEMO=$GUESTS/x86_64/demo
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qjd-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# perf keeps a copy of every jitted-*.so that perf inject writes and perf
# report reads in its build-id cache (~/.debug): thousands per recording,
# gigabytes over a few test runs.  Keep the tests' cache in WORK.
export PERF_BUILDID_DIR="$WORK/.debug"

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# qemu_for ARCH: the QEMU binary and its extra arguments for a guest arch.
qemu_for() {
    case $1 in
    x86_64)  echo "$QEMU_X86" ;;
    aarch64) echo "$QEMU_ARM -L $ARM_SYSROOT" ;;
    esac
}

# The sampling event: cycles where the machine counts them, else cpu-clock.
perf_event() {
    if [ -z "${PERF_EVENT:-}" ]; then
        if perf record -q -e cycles -o "$WORK/probe.data" true >/dev/null 2>&1 &&
           [ "$(perf report -i "$WORK/probe.data" --stdio 2>/dev/null | grep -c 'of event .cycles')" -gt 0 ]; then
            PERF_EVENT=cycles
        else
            PERF_EVENT=cpu-clock
        fi
        rm -f "$WORK/probe.data"
    fi
    echo "$PERF_EVENT"
}

need_perf() {
    command -v perf >/dev/null 2>&1 || skip "perf is not installed"
    perf record -q -e cpu-clock -o "$WORK/probe.data" true >/dev/null 2>&1 ||
        skip "perf record is refused here (not root, or perf_event_paranoid)"
    rm -f "$WORK/probe.data"
}

need_arm() {
    [ -x "$QEMU_ARM" ] || skip "no $QEMU_ARM"
    [ -d "$ARM_SYSROOT/lib" ] || skip "no aarch64 sysroot at $ARM_SYSROOT (libc6-dev-arm64-cross)"
}

# need_system: the patched qemu-system-x86_64 and -aarch64 ($SYS_X86,
# $SYS_ARM; their ROMs in $SYS_ROMS) and SeaBIOS.
SYS_X86=${SYS_X86:-$BUILD/bin/qemu-system-x86_64}
SYS_ARM=${SYS_ARM:-$BUILD/bin/qemu-system-aarch64}
SYS_ROMS=${SYS_ROMS:-$BUILD/share/qemu}
need_system() {
    [ -x "$SYS_X86" ] && [ -x "$SYS_ARM" ] || skip "no $SYS_X86 or $SYS_ARM (make qemu builds them)"
    [ -f /usr/share/seabios/bios-256k.bin ] || skip "no SeaBIOS (the seabios package)"
}

# need_baremetal [SYMBOL]: need_system and the bare-metal guests of
# tests/guests/baremetal/ in $BM, the x86_64 one defining SYMBOL when given
# (guests built before SYMBOL was added lack it).
BM=$GUESTS/baremetal
need_baremetal() {
    need_system
    [ -f "$BM/x86_64.elf" ] && [ -f "$BM/aarch64.elf" ] || skip "no bare-metal guests (make guests)"
    [ -z "${1:-}" ] || nm "$BM/x86_64.elf" | grep -q " $1\$" ||
        skip "bare-metal guests without $1 (make guests)"
}

# need_demo: tbsym, the patched qemu-x86_64 and the x86_64 demo guest ($DEMO).
need_demo() {
    [ -x "$TBSYM" ] || skip "no $TBSYM"
    [ -x "$QEMU_X86" ] || skip "no $QEMU_X86"
    [ -x "$DEMO" ] || skip "no $DEMO (make guests)"
}

# record DIR ARCH PROG ARGS...: perf record -k 1 the patched QEMU with -perf,
# in DIR, leaving DIR/perf.data and the dumps; the guest's stdout in DIR/guest.out.
record() {
    dir=$1 arch=$2; shift 2
    mkdir -p "$dir"
    (cd "$dir" && perf record -q -k 1 -e "$(perf_event)" ${PERF_RECORD_ARGS:-} -o perf.data \
        $(qemu_for "$arch") -perf "$@" > guest.out 2> record.err) ||
        fail "perf record failed: $(tail -n 3 "$dir/record.err")"
}

# inject DIR: perf inject -j into DIR/perf.jit.data; fails on any warning.
inject() {
    (cd "$1" && perf inject -j -i perf.data -o perf.jit.data 2> inject.err) ||
        fail "perf inject failed: $(tail -n 3 "$1/inject.err")"
    if grep -v '^$' "$1/inject.err" | grep -q .; then
        fail "perf inject -j warned: $(head -n 3 "$1/inject.err")"
    fi
}

# record_injected DIR ARCH PROG ARGS...: record (above), then inject.
record_injected() {
    record "$@"
    inject "$1"
}

# record_demo DIR ARCH ARGS...: record_injected ARCH's demo guest; skips
# the test where aarch64 guests cannot run.
record_demo() {
    if [ "$2" = aarch64 ]; then need_arm; fi
    dir=$1 arch=$2; shift 2
    record_injected "$dir" "$arch" "$GUESTS/$arch/demo" "$@"
}

# compare_with_perf DIR LABEL [TBSYM_ARGS...]: tbsym report on DIR's raw perf.data
# and on perf inject's perf.jit.data must be the same, and its --by sym
# attribution must equal perf report --sort dso,sym on the injected data
# (tests/integration/check_report.py: exact for TBs, 1 % for QEMU's code).
compare_with_perf() {
    d=$1 label=$2; shift 2
    (cd "$d" && "$TBSYM" report "$@" --format json > raw.json) || fail "$label: tbsym report (raw) failed"
    (cd "$d" && "$TBSYM" report "$@" -i perf.jit.data --format json > injected.json) ||
        fail "$label: tbsym report (injected) failed"
    python3 "$TOP/tests/integration/check_report.py" same "$d/raw.json" "$d/injected.json" ||
        fail "$label: raw and injected reports differ"
    (cd "$d" && "$TBSYM" report "$@" --by sym --format json > sym.json) || fail "$label: --by sym failed"
    perf report -i "$d/perf.jit.data" --stdio -g none --sort dso,sym -F sample,dso,sym \
        2>/dev/null > "$d/perf-sym.txt"
    python3 "$TOP/tests/integration/check_report.py" perf "$d/sym.json" "$d/perf-sym.txt" "$label" ||
        fail "$label: tbsym report --by sym differs from perf report"
}
