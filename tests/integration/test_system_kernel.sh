# System mode on a real workload: Debian bookworm's own Linux kernel (amd64
# and arm64) boots a tiny initramfs whose /init runs a few seconds of busybox
# work in user mode and powers off (scripts/fetch-kernel.sh downloads the
# packages and builds the initramfs and, from the kernel's /proc/kallsyms,
# the System.map; it is cached in $KERNEL_CACHE).  For each architecture,
# one perf record -k 1 of qemu-system-* -perf -perf-symbols System.map:
#  - the guest finishes its work and QEMU exits 0 when it powers off;
#  - perf inject -j takes the jitdump without a warning;
#  - perf report names the kernel's code after System.map: no guest-0x name,
#    every TB named after a System.map symbol, "[kernel] 0x..." or
#    "[user] 0x...", many distinct kernel functions, one of the
#    memcpy/memset/clear_page family among them, a share of the samples in
#    named kernel TBs, and the busybox work in "[user] 0x..." TBs
#    (tests/integration/check_system_kernel.py);
#  - tbsym report --by sym equals perf report --sort dso,sym (exact for TBs).
. "$TOP/tests/integration/lib.sh"
need_perf
KERNEL_CACHE=${KERNEL_CACHE:-${CACHE:-/var/cache/qemu-jitdump}/kernel}
[ -x "$TBSYM" ] || skip "no $TBSYM"
need_system
[ -f "$SYS_ROMS/linuxboot_dma.bin" ] || skip "no linuxboot_dma.bin in $SYS_ROMS (make qemu)"
# Instant when the cache is complete; otherwise it downloads (make check's
# set-up does that first).
export SYS_X86 SYS_ARM SYS_ROMS
kernels=$("$TOP/scripts/fetch-kernel.sh" "$KERNEL_CACHE" 2> "$WORK/fetch.err") ||
    skip "no kernel: $(tail -n 1 "$WORK/fetch.err")"
eval "$kernels"
CHECK="python3 $TOP/tests/integration/check_system_kernel.py"

# kernel_cmd ARCH: the QEMU command line that boots ARCH's kernel, but for
# its -append (kernel_append ARCH).
kernel_cmd() {
    case $1 in
    x86_64)
        echo "$SYS_X86 -M q35 -m 256 -nographic -nodefaults -no-reboot -serial stdio" \
             "-L /usr/share/seabios -L $SYS_ROMS -kernel $KERNEL_X86_64 -initrd $INITRD_X86_64" ;;
    aarch64)
        echo "$SYS_ARM -M virt -cpu cortex-a57 -m 256 -nographic -nodefaults -no-reboot -serial stdio" \
             "-kernel $KERNEL_AARCH64 -initrd $INITRD_AARCH64" ;;
    esac
}

# kernel_append ARCH: quiet, a panic reboots at once (and -no-reboot makes
# that QEMU's exit, which the missing workload line then fails), and nokaslr: the
# System.map's addresses are those of a boot without KASLR.
kernel_append() {
    case $1 in x86_64) c=ttyS0 ;; aarch64) c=ttyAMA0 ;; esac
    echo "console=$c quiet panic=-1 nokaslr"
}

for arch in x86_64 aarch64; do
    d=$WORK/$arch
    mkdir -p "$d"
    case $arch in x86_64) map=$SYSTEM_MAP_X86_64 ;; aarch64) map=$SYSTEM_MAP_AARCH64 ;; esac
    rc=0
    (cd "$d" && perf record -q -k 1 -e "$(perf_event)" -o perf.data \
        $(kernel_cmd "$arch") -append "$(kernel_append "$arch")" \
        -perf -perf-symbols "$map" > guest.out 2> record.err < /dev/null) || rc=$?
    [ "$rc" -eq 0 ] || fail "$arch: perf record of QEMU exited $rc: $(tail -n 3 "$d/record.err")"
    grep -q "qjd-workload-done $arch " "$d/guest.out" ||
        fail "$arch: the guest did not finish its work: $(tail -n 2 "$d/guest.out")"
    inject "$d"
    perf report -i "$d/perf.jit.data" --stdio -g none --sort dso,sym -F sample,dso,sym \
        2>/dev/null > "$d/perf-names.txt"
    $CHECK "$d/perf-names.txt" "$map" "$arch" || fail "$arch: the kernel's code is not named as expected"
    compare_with_perf "$d" "system-kernel-$arch"
    # The jitted-*.so files of perf inject: tens of thousands per boot.
    find "$d" -name "jitted-*.so" -delete
    note "$arch: ok"
done
note "ok"
