#!/bin/sh
# Debian bookworm's own Linux kernel, for amd64 and arm64, and a tiny
# initramfs per architecture whose /init runs a few seconds of busybox work
# in user mode and powers the machine off: the real workload of
# tests/integration/test_system_kernel.sh and bench/bench_system.py.
#
# usage: [SYS_X86=...] [SYS_ARM=...] [SYS_ROMS=...] fetch-kernel.sh CACHE_DIR
#
# Prints KEY=VALUE lines a shell can eval:
#   KERNEL_X86_64= SYSTEM_MAP_X86_64= INITRD_X86_64= KVER_X86_64=
#   KERNEL_AARCH64= SYSTEM_MAP_AARCH64= INITRD_AARCH64= KVER_AARCH64=
#
# The System.map: Debian's package ships a placeholder (the real one is in
# the 800 MB linux-image-*-dbg package), so the map is the kernel's own
# symbol table instead: the kernel is booted once with "nokaslr
# qjd.kallsyms", and /init prints the text symbols of /proc/kallsyms (the
# same "ADDRESS TYPE NAME" lines) to the console.  Those are the addresses
# of every later boot with nokaslr.  That boot needs a qemu-system-x86_64
# and -aarch64 (SYS_X86, SYS_ARM; SeaBIOS and option ROMs in
# /usr/share/seabios and SYS_ROMS), by default the patched ones of make
# qemu in build/.
#
# The packages are downloaded, never installed: apt runs with a private
# configuration under CACHE_DIR/apt (its own source list, lists and archive
# cache, architectures amd64 and arm64), so the machine's dpkg and apt state
# are left alone.  The source entries are derived from the machine's own
# (apt-get indextargets), so no registry host name is written here.
# Idempotent: when CACHE_DIR/manifest lists files that are all present with
# their recorded sha256, nothing is fetched or booted; CACHE_DIR/packages,
# the same for the downloaded part, lets a second run skip the downloads
# when only the System.map is missing.  Both record the package versions and
# the .debs' sha256.  The initramfs is written with the amd64 busybox
# (cpio is not installed), so the host must run amd64 binaries.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SYS_X86=${SYS_X86:-$top/build/bin/qemu-system-x86_64}
SYS_ARM=${SYS_ARM:-$top/build/bin/qemu-system-aarch64}
SYS_ROMS=${SYS_ROMS:-$top/build/share/qemu}
[ $# -eq 1 ] || { echo "usage: fetch-kernel.sh CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
manifest=$cache/manifest
packages=$cache/packages
out=$cache/out

die() { echo "fetch-kernel: $*" >&2; exit 1; }

# verified FILE: FILE exists and every file it names is there with its sha256.
verified() {
    [ -f "$1" ] && grep -q '^sha256 ' "$1" &&
        (cd "$cache" && grep '^sha256 ' "$1" | cut -d' ' -f2- | sha256sum -c --status)
}

# Everything is there: print the paths.
if verified "$manifest"; then
    grep -v -e '^sha256 ' -e '^#' "$manifest"
    exit 0
fi

# --- the packages, with a private apt for both architectures ---------------
aptdir=$cache/apt
# apt_private TOOL ARGS...: apt-get or apt-cache with the private configuration.
apt_private() {
    tool=$1; shift
    "$tool" -q -o Dir::Etc::SourceList="$aptdir/sources.list" \
        -o Dir::Etc::SourceParts="$aptdir/parts" \
        -o Dir::State::Lists="$aptdir/lists" \
        -o Dir::Cache="$aptdir" -o Dir::Cache::archives="$aptdir/archives" \
        -o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
        -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64 \
        -o APT::Sandbox::User=root "$@"
}

# apt_update: the source list, derived from the machine's, and its indexes.
apt_update() {
    mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$aptdir/parts" "$aptdir/debs"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || die "no $keyring (the debian-archive-keyring package)"
    # The machine's entries for bookworm and its security and point-release
    # updates (main), as the Repo-URI apt already knows them.
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT) $(CREATED_BY)' 2>/dev/null |
        awk '$3 == "main" && $4 == "Packages" &&
             ($2 == "bookworm" || $2 == "bookworm-updates" || $2 == "bookworm-security") {
                 print "deb [arch=amd64,arm64 signed-by='"$keyring"'] " $1 " " $2 " main" }' |
        sort -u > "$aptdir/sources.list"
    grep -q ' bookworm main$' "$aptdir/sources.list" ||
        die "no apt source entry for Debian bookworm main on this machine to derive one from"
    # (apt-get update exits 0 when an index failed to download: its warnings say)
    if ! apt_private apt-get update > "$aptdir/update.log" 2>&1 ||
       grep -qE '^(E|W): (Failed to fetch|Some index files failed)' "$aptdir/update.log"; then
        die "apt-get update failed: $(grep -E '^(E|W):' "$aptdir/update.log" | head -n 1)"
    fi
}

# candidate ARCH PKG: the version of PKG:ARCH apt would take.
candidate() {
    apt_private apt-cache policy "$2:$1" 2>/dev/null | awk '/^ *Candidate:/ { print $2; exit }'
}

# download ARCH PKG: fetch PKG:ARCH's candidate into debs/; prints the .deb path.
download() {
    v=$(candidate "$1" "$2")
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "no package $2 for $1 in the package index"
    (cd "$aptdir/debs" && apt_private apt-get download "$2:$1=$v" > download.log 2>&1) ||
        die "cannot download $2:$1: $(grep -E '^(E|W):' "$aptdir/debs/download.log" | head -n 1)"
    deb=$(ls "$aptdir/debs/$2_$(echo "$v" | sed 's/:/%3a/g')_$1.deb" 2>/dev/null) ||
        die "downloaded $2:$1 $v but cannot find its .deb"
    echo "$deb"
}

# kernel_pkg ARCH: the linux-image-*-ARCH package linux-image-ARCH depends on.
kernel_pkg() {
    apt_private apt-cache show "linux-image-$1:$1=$(candidate "$1" "linux-image-$1")" 2>/dev/null |
        awk '/^Depends:/ { for (i = 2; i <= NF; i++) { p = $i; sub(/,$/, "", p);
                            if (p ~ /^linux-image-[0-9]/) { print p; exit } } }' | head -n 1
}

# --- the workload ---------------------------------------------------------
# /init: user-mode busybox work (seq, md5sum, sort, gzip over generated
# data), a marker line on the console, then power off at once.  The marker
# says the workload finished; the tests look for it.
write_init() {
    cat > "$1" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmp /tmp
if grep -q qjd.kallsyms /proc/cmdline; then
    # The kernel's own symbol table, for a System.map (boot with nokaslr).
    echo qjd-kallsyms-begin
    grep -E '^[0-9a-f]+ [tTwW] ' /proc/kallsyms
    echo qjd-kallsyms-end
    poweroff -f
fi
i=0
while [ $i -lt 3 ]; do
    seq 1 60000 > /tmp/n
    md5sum /tmp/n > /tmp/sum
    sort -r /tmp/n | sort -n | md5sum >> /tmp/sum
    gzip -c /tmp/n | gunzip -c | sha1sum >> /tmp/sum
    i=$((i + 1))
done
echo "qjd-workload-done $(uname -m) $(wc -l < /tmp/sum) $(md5sum /tmp/n | cut -c1-8)"
poweroff -f
EOF
    chmod 755 "$1"
}

# build ARCH QARCH: unpack ARCH's kernel and busybox, write the initramfs.
build() {
    arch=$1 qarch=$2
    pkg=$(kernel_pkg "$arch")
    [ -n "$pkg" ] || die "linux-image-$arch: no linux-image-* dependency in the package index"
    kdeb=$(download "$arch" "$pkg")
    bdeb=$(download "$arch" busybox-static)
    kver=${pkg#linux-image-}
    x=$cache/unpack/$arch
    rm -rf "$x" && mkdir -p "$x/kernel" "$x/busybox"
    # Only the files we use (dpkg-deb -x would unpack 400 MB of modules).
    dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$x/kernel" "./boot/vmlinuz-$kver" ||
        die "$kdeb has no /boot/vmlinuz-$kver"
    dpkg-deb --fsys-tarfile "$bdeb" | tar -x -C "$x/busybox" ./bin/busybox ||
        die "$bdeb has no /bin/busybox"
    # The amd64 busybox also writes the archives (cpio is not installed).
    [ "$arch" != amd64 ] || hostbb=$x/busybox/bin/busybox
    mkdir -p "$out/$qarch"
    # QEMU's -kernel takes both as they are: x86's bzImage, and arm64's
    # gzip-compressed Image (hw/arm/boot.c unpacks it, up to 64 MiB).
    cp "$x/kernel/boot/vmlinuz-$kver" "$out/$qarch/vmlinuz"
    # The initramfs: busybox and its applet links, /init, nothing else.
    r=$x/root
    mkdir -p "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp"
    cp "$x/busybox/bin/busybox" "$r/bin/busybox"
    for a in sh mount grep seq md5sum sha1sum sort gzip gunzip wc cut uname poweroff; do
        [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
    done
    write_init "$r/init"
    # Fixed times and owners (busybox cpio still records inode numbers).
    find "$r" -exec touch -h -d @0 {} +
    (cd "$r" && find . | LC_ALL=C sort | "$hostbb" cpio -o -H newc -R 0:0 2>/dev/null) |
        gzip -n -9 > "$out/$qarch/initrd.gz"
    for deb in "$kdeb" "$bdeb"; do
        echo "# $arch: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" \
             "sha256 $(sha256sum < "$deb" | cut -d' ' -f1)" >> "$packages.tmp"
    done
    u=$(echo "$qarch" | tr a-z A-Z)
    printf '%s\n' "KERNEL_$u=$out/$qarch/vmlinuz" "SYSTEM_MAP_$u=$out/$qarch/System.map" \
        "INITRD_$u=$out/$qarch/initrd.gz" "KVER_$u=$kver" >> "$packages.tmp"
}

# --- the System.map, from the kernel's /proc/kallsyms ----------------------
# kallsyms_map QARCH: boot QARCH's kernel in the symbol-dump mode of /init;
# write out/QARCH/System.map.
kallsyms_map() {
    a=$1 k=$out/$1
    args="quiet panic=-1 nokaslr qjd.kallsyms"
    case $1 in
    x86_64)
        [ -x "$SYS_X86" ] || die "no $SYS_X86 to read the kernel's symbols with (make qemu, or set SYS_X86)"
        set -- "$SYS_X86" -M q35 -L /usr/share/seabios -L "$SYS_ROMS" -append "console=ttyS0 $args" ;;
    aarch64)
        [ -x "$SYS_ARM" ] || die "no $SYS_ARM to read the kernel's symbols with (make qemu, or set SYS_ARM)"
        set -- "$SYS_ARM" -M virt -cpu cortex-a57 -append "console=ttyAMA0 $args" ;;
    esac
    timeout 300 "$@" -nographic -nodefaults -serial stdio -m 512 \
        -kernel "$k/vmlinuz" -initrd "$k/initrd.gz" < /dev/null > "$k/kallsyms.out" 2>&1 ||
        die "$a: the boot that reads /proc/kallsyms failed: $(tail -n 1 "$k/kallsyms.out")"
    tr -d '\r' < "$k/kallsyms.out" | sed -n '/qjd-kallsyms-begin$/,/^qjd-kallsyms-end$/p' |
        grep -E '^[0-9a-f]+ [tTwW] [^ ]+$' > "$k/System.map.tmp" || true
    n=$(wc -l < "$k/System.map.tmp")
    grep -q 'qjd-kallsyms-end' "$k/kallsyms.out" && [ "$n" -gt 10000 ] ||
        die "$a: only $n symbols from /proc/kallsyms (see $k/kallsyms.out)"
    mv "$k/System.map.tmp" "$k/System.map"
    rm -f "$k/kallsyms.out"
}

# The packages: once, unless their unpacked files changed.
if ! verified "$packages"; then
    apt_update
    echo "# Written by qemu-jitdump's scripts/fetch-kernel.sh" > "$packages.tmp"
    build amd64 x86_64
    build arm64 aarch64
    rm -rf "$cache/unpack"
    (cd "$cache" && for f in out/*/vmlinuz out/*/initrd.gz; do echo "sha256 $(sha256sum "$f")"; done) \
        >> "$packages.tmp"
    mv "$packages.tmp" "$packages"
fi
kallsyms_map x86_64
kallsyms_map aarch64
{ cat "$packages"
  (cd "$cache" && for f in out/*/System.map; do echo "sha256 $(sha256sum "$f")"; done); } > "$manifest.tmp"
mv "$manifest.tmp" "$manifest"
grep -v -e '^sha256 ' -e '^#' "$manifest"
