# perf record -k 1 + perf inject -j + perf report on the bundled demo guest,
# x86_64 and aarch64: the guest's functions appear by name, and -perf does not
# change what the guest prints.
. "$TOP/tests/integration/lib.sh"
need_perf

for arch in x86_64 aarch64; do
    [ "$arch" = aarch64 ] && need_arm
    prog=$GUESTS/$arch/demo
    d=$WORK/$arch
    record "$d" "$arch" "$prog" 8
    # the same guest without -perf prints the same
    $(qemu_for "$arch") "$prog" 8 > "$WORK/$arch.plain.out"
    cmp -s "$d/guest.out" "$WORK/$arch.plain.out" || fail "$arch: -perf changed the guest's output"
    ls "$d"/jit-*.dump >/dev/null 2>&1 || fail "$arch: no jit-PID.dump written"
    inject "$d"
    perf report -i "$d/perf.jit.data" --stdio --sort sym 2>/dev/null > "$d/report.txt"
    for fn in fib_recursive matrix_multiply float_kernel checksum_bytes; do
        grep -q "\] $fn\(+0x[0-9a-f]*\)\? *\$" "$d/report.txt" ||
            fail "$arch: $fn does not appear by name in perf report (see $d/report.txt)"
    done
    note "$arch: $(grep -c 'jitted\|\] [a-z_]*+0x' "$d/report.txt" || true) report lines name guest code"
done
