# After perf inject -j, TB names are the guest's ELF symbols (main
# program and libc): every TB name matches an independent oracle
# (check_names.py: readelf + the side file) and >= 95 % of JIT samples inside
# a guest symbol carry its name, on x86_64 and aarch64.
. "$TOP/tests/integration/lib.sh"
need_perf
for arch in x86_64 aarch64; do
    d=$WORK/$arch
    record_demo "$d" "$arch" 10
    python3 "$TOP/tests/integration/check_names.py" "$d" --min-pct 95 ||
        fail "$arch: TB names do not match the guest's symbols"
    # libc's own functions are named too, not guest-0x...
    grep -q 'libc.so.6' "$d"/jit-*.tbstats || fail "$arch: libc mapping missing from the side file"
done
