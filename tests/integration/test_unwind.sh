# lib/unwind on real --call-graph dwarf samples: unwinding the raw perf.data
# with the jitdump's UNWINDING_INFO (tests/integration/unwind_check.c) gives,
# for every sample in a TB, the chain perf itself gives on the injected data
# (JIT frame -> cpu_tb_exec -> ... -> main), checked by check_unwind.py.
# Host unwinding is x86-64; the guest is x86_64 and, if available, aarch64.
. "$TOP/tests/integration/lib.sh"
[ -f "$TOP/lib/perfdata.h" ] || skip "needs lib/perfdata.h (the perf.data reader) to read samples"
need_perf
cc -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP/lib" $(pkg-config --cflags libunwind-generic) \
    -o "$WORK/unwind_check" "$TOP/tests/integration/unwind_check.c" "$BUILD/lib/libqjd.a" \
    $(pkg-config --libs libelf libdw libzstd capstone libunwind-generic) -lm ||
    fail "cannot build unwind_check"
for arch in x86_64 aarch64; do
    if [ "$arch" = aarch64 ]; then
        [ -x "$QEMU_ARM" ] && [ -d "$ARM_SYSROOT/lib" ] || { note "no aarch64 guest"; continue; }
    fi
    d=$WORK/$arch
    PERF_RECORD_ARGS="--call-graph dwarf" record_injected "$d" "$arch" "$GUESTS/$arch/demo" 10
    "$WORK/unwind_check" "$d/perf.data" "$d"/jit-*.dump > "$d/ours.txt" ||
        fail "$arch: unwind_check failed"
    perf script -i "$d/perf.jit.data" -F tid,time,ip,sym,dso --ns --no-inline 2>/dev/null \
        > "$d/perf.txt"
    printf '%s: ' "$arch"
    python3 "$TOP/tests/integration/check_unwind.py" "$d/ours.txt" "$d/perf.txt" ||
        fail "$arch: chains differ from perf's"
done
