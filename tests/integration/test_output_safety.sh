# QEMU never writes through a planted symlink, warns once and runs
# the guest unharmed when the directory is unwritable or the disk is full.
. "$TOP/tests/integration/lib.sh"
prog=$GUESTS/x86_64/demo
"$QEMU_X86" "$prog" 3 > "$WORK/plain.out"

# 1. planted symlink at the dump path: not followed, target untouched
d=$WORK/sym; mkdir -p "$d"; echo precious > "$WORK/victim"
# the pid is not known in advance: plant links for the next pids
next=$(( $(cat /proc/sys/kernel/ns_last_pid) + 1 ))
for p in $(seq "$next" $((next + 50))); do
    ln -s "$WORK/victim" "$d/jit-$p.dump"
    ln -s "$WORK/victim" "$d/jit-$p.tbstats.part"
done
"$QEMU_X86" -perf -perf-dir "$d" "$prog" 3 > "$d/guest.out" 2> "$d/err"
cmp -s "$d/guest.out" "$WORK/plain.out" || fail "guest output changed (symlink case)"
[ "$(cat "$WORK/victim")" = precious ] || fail "QEMU wrote through a planted symlink"

# 2. unwritable directory: one warning, guest unharmed
d=$WORK/ro; mkdir -p "$d"; chmod 555 "$d"
if [ "$(id -u)" -eq 0 ]; then
    # root ignores permissions: use a read-only bind mount instead, if possible
    mount --bind -o ro "$d" "$d" 2>/dev/null && ro_mounted=1 || ro_mounted=0
fi
QEMU_PERF_DIR=$d "$QEMU_X86" -perf "$prog" 3 > "$WORK/ro.out" 2> "$WORK/ro.err"
[ "${ro_mounted:-0}" = 1 ] && umount "$d"
cmp -s "$WORK/ro.out" "$WORK/plain.out" || fail "guest output changed (unwritable dir)"
if [ "$(id -u)" -ne 0 ] || [ "${ro_mounted:-0}" = 1 ]; then
    [ "$(grep -c -- '-perf' "$WORK/ro.err")" -eq 1 ] || fail "expected exactly one warning: $(cat "$WORK/ro.err")"
fi

# 3. full disk: a 256 KiB tmpfs (root only)
d=$WORK/full; mkdir -p "$d"
if mount -t tmpfs -o size=256k tmpfs "$d" 2>/dev/null; then
    # tmpfs may be mounted noexec-free; the dump must be mappable PROT_EXEC
    "$QEMU_X86" -perf -perf-dir "$d" "$prog" 5 > "$WORK/full.out" 2> "$WORK/full.err"
    rc=$?
    warn=$(grep -c -- '-perf' "$WORK/full.err" || true)
    ls -la "$d" > "$WORK/full.ls"
    umount "$d"
    [ "$rc" -eq 0 ] || fail "guest exit status $rc on a full disk"
    "$QEMU_X86" "$prog" 5 > "$WORK/plain5.out"
    cmp -s "$WORK/full.out" "$WORK/plain5.out" || fail "guest output changed (full disk)"
    [ "$warn" -eq 1 ] || fail "expected one warning on a full disk, got $warn: $(cat "$WORK/full.err")"
else
    note "cannot mount a tmpfs here: full-disk case not run"
fi
