# tbsym listing -o never replaces what it writes into: /dev/null and a FIFO
# stay a device and a FIFO (a temp-file-and-rename there once replaced
# /dev/null with a regular file), while a regular file gets the listing.
. "$TOP/tests/integration/lib.sh"
fixture=$TOP/tests/golden/listing-aarch64-be.tbs
"$BUILD/bin/tbsym" listing -o /dev/null "$fixture" || fail "listing into /dev/null failed"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkfifo "$WORK/fifo"
cat "$WORK/fifo" > "$WORK/from-fifo" &
"$BUILD/bin/tbsym" listing -o "$WORK/fifo" "$fixture" || fail "listing into a FIFO failed"
wait
[ -p "$WORK/fifo" ] || fail "the FIFO was replaced"
"$BUILD/bin/tbsym" listing -o "$WORK/file.s" "$fixture" || fail "listing into a file failed"
cmp -s "$WORK/from-fifo" "$WORK/file.s" || fail "FIFO and file got different listings"
[ -s "$WORK/file.s" ] || fail "empty listing"
