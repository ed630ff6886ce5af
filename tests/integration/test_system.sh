# System mode: qemu-system-x86_64 and qemu-system-aarch64 -perf on the
# bare-metal guests of tests/guests/baremetal/, whose hot functions have
# known names (bm_fib, bm_checksum, bm_sieve in the kernel, bm_user_work in
# user mode) and are found in the -kernel ELF file by QEMU itself:
#  - perf record -k 1 + perf inject -j take the jitdump without a warning,
#    perf report names the four hot functions, and tbsym report --by sym
#    equals perf report --sort dso,sym (exact for TBs);
#  - the side file says system mode; bm_user_work's TBs were translated at
#    user level and bm_fib's at kernel level; code outside the ELF file (the
#    PC firmware) is named "[kernel] 0x...", never guest-0x...;
#  - -tb-stats all: executions x guest instructions equal QEMU's libinsn
#    plugin in the same run, and every bm_fib call is counted: its first TB
#    was entered ITER x 150049 times (fib(24) makes 150049 calls), or a few
#    more: a TB left at once for an exit request counts as entered;
#  - -perf-symbols with a System.map-style list (nm's output for the same
#    program) names the code as the ELF file does (given explicitly, it wins
#    over the -kernel file), and so does a list with every address 0x1000
#    lower given with offset=0x1000;
#  - a bad -perf-symbols argument: one line naming the option, exit 1, and
#    no file written.
. "$TOP/tests/integration/lib.sh"
need_perf
LIBINSN=$BUILD/plugins/libinsn.so
need_baremetal
CHECK="python3 $TOP/tests/integration/check_system.py"
ITER=6          # the runs checked against known counts
REC_ITER=40     # the perf record runs: enough samples (~1500) that one
                # corner case of QEMU's own symbols stays within 1 %

# sys_cmd ARCH [ITER]: the QEMU command line that boots ARCH's bare-metal
# guest for ITER iterations (default $ITER).
sys_cmd() {
    n=${2:-$ITER}
    case $1 in
    x86_64)
        echo "$SYS_X86 -M q35 -nographic -nodefaults -serial stdio" \
             "-L /usr/share/seabios -L $SYS_ROMS" \
             "-device isa-debug-exit,iobase=0xf4,iosize=0x04" \
             "-kernel $BM/x86_64.elf -append $n" ;;
    aarch64)
        echo "$SYS_ARM -M virt -cpu cortex-a57 -nographic -nodefaults" \
             "-serial stdio -semihosting -kernel $BM/aarch64.elf -append $n" ;;
    esac
}

# The guests' exit status: x86's isa-debug-exit gives (0 << 1) | 1.
ok_status() {
    case $1 in x86_64) echo 1 ;; aarch64) echo 0 ;; esac
}

# sys_run DIR ARCH QEMU-ARGS...: boot ARCH's guest in DIR; check its output.
sys_run() {
    dir=$1 arch=$2; shift 2
    mkdir -p "$dir"
    rc=0
    (cd "$dir" && $(sys_cmd "$arch") "$@" > guest.out 2> qemu.err < /dev/null) || rc=$?
    [ "$rc" -eq "$(ok_status "$arch")" ] ||
        fail "$arch: QEMU exited $rc: $(tail -n 3 "$dir/qemu.err")"
    grep -q "^baremetal $arch iter=$ITER fib=46368 " "$dir/guest.out" ||
        fail "$arch: unexpected guest output: $(tail -n 2 "$dir/guest.out")"
}

# tables DIR: tbsym's dump of DIR's side file and its key list, as JSON.
tables() {
    "$TBSYM" dump --format json "$1"/jit-*.tbstats > "$1/dump.json" ||
        fail "tbsym dump of $1 failed"
    (cd "$1" && "$TBSYM" tb-list --format json > tb-list.json) ||
        fail "tbsym tb-list of $1 failed"
}

for arch in x86_64 aarch64; do
    w=$WORK/$arch   # (not d: lib.sh's compare_with_perf sets d)
    # perf and tbsym on one recording.
    mkdir -p "$w/rec"
    rc=0
    (cd "$w/rec" && perf record -q -k 1 -e "$(perf_event)" -o perf.data \
        $(sys_cmd "$arch" "$REC_ITER") -perf > guest.out 2> record.err < /dev/null) || rc=$?
    [ "$rc" -eq "$(ok_status "$arch")" ] ||
        fail "$arch: perf record of QEMU exited $rc: $(tail -n 3 "$w/rec/record.err")"
    inject "$w/rec"
    compare_with_perf "$w/rec" "system-$arch"
    perf report -i "$w/rec/perf.jit.data" --stdio -g none --sort sym 2>/dev/null \
        > "$w/rec/perf-names.txt"
    $CHECK perf-names "$w/rec/perf-names.txt" bm_fib bm_checksum bm_sieve ||
        fail "$arch: perf report does not name the hot functions"
    # Names, privilege levels and counts against libinsn, in one run.
    sys_run "$w/stats" "$arch" -perf -tb-stats all -plugin "$LIBINSN" -d plugin -D libinsn.log
    f=$(ls "$w/stats"/jit-*.tbstats)
    tables "$w/stats"
    $CHECK side-file "$w/stats" "$BM/$arch.elf" "$ITER" || fail "$arch: side file"
    python3 "$TOP/tests/integration/check_tbstats.py" insns "$f" "$w/stats/libinsn.log" ||
        fail "$arch: executions x instructions differ from libinsn"
    # The same program's symbols as a System.map-style list, and moved down
    # by 0x1000 to be moved back by offset=.
    nm "$BM/$arch.elf" > "$w/System.map"
    python3 -c 'import sys
for l in sys.stdin:
    f = l.split()
    if len(f) == 3:
        print("%016x %s %s" % (int(f[0], 16) - 0x1000, f[1], f[2]))' < "$w/System.map" > "$w/System.map.low"
    sys_run "$w/map" "$arch" -perf -perf-symbols "$w/System.map"
    sys_run "$w/moved" "$arch" -perf -perf-symbols "$w/System.map.low,offset=0x1000"
    tables "$w/map"
    tables "$w/moved"
    $CHECK symbol-list "$w/stats" "$w/map" "$w/moved" 0x1000 ||
        fail "$arch: -perf-symbols with a symbol list"
    note "$arch: ok"
done

# Bad -perf-symbols arguments: one line naming the file, exit 1, no files.
mkdir "$WORK/bad"
printf 'not a symbol list\n' > "$WORK/bad/junk.map"
for arg in "$WORK/bad/nope.map" "$WORK/bad/junk.map" "$BM/x86_64.elf,offset=zz"; do
    rc=0
    (cd "$WORK/bad" && $(sys_cmd x86_64) -perf -perf-symbols "$arg" > out.txt 2> err.txt < /dev/null) || rc=$?
    [ "$rc" -eq 1 ] || fail "-perf-symbols $arg: exit $rc, not 1"
    [ "$(wc -l < "$WORK/bad/err.txt")" -eq 1 ] ||
        fail "-perf-symbols $arg: not one line: $(cat "$WORK/bad/err.txt")"
    grep -q -- "-perf-symbols" "$WORK/bad/err.txt" ||
        fail "-perf-symbols $arg: the message does not say which option: $(cat "$WORK/bad/err.txt")"
    [ -z "$(ls "$WORK/bad" | grep '^jit-')" ] || fail "-perf-symbols $arg: files were written"
    note "$(cat "$WORK/bad/err.txt")"
done
note "ok"
