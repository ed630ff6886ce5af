# Upstream's -perfmap still works on its own (it shares -perf's lock and
# guest symbol tables) and names code after guest symbols, libc's included.
. "$TOP/tests/integration/lib.sh"
d=$WORK/perfmap
mkdir -p "$d"
sh -c 'echo $$ > "$1/pid"; exec "$2" -perfmap "$3" 1' sh "$d" "$QEMU_X86" "$GUESTS/x86_64/demo" \
    > "$d/guest.out" 2> "$d/err" || fail "qemu-x86_64 -perfmap failed: $(cat "$d/err")"
map=/tmp/perf-$(cat "$d/pid").map
[ -s "$map" ] || fail "no $map"
note "$(wc -l < "$map") lines in $map"
for name in tcg-prologue-buffer fib_recursive matrix_multiply _IO_default_xsputn; do
    grep -q " $name\(+0x[0-9a-f]*\)\?\$" "$map" || { rm -f "$map"; fail "$name missing from $map"; }
done
rm -f "$map"
