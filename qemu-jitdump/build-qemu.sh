#!/bin/sh
# Build QEMU 10.2.x from Debian's source tarball: linux-user (x86_64, aarch64)
# and, patched, system mode (x86_64, aarch64) with only the devices the tests
# use (devices/*.mak).
#
# usage: build-qemu.sh patched|ref BUILD_DIR CACHE_DIR [N]
#
#   patched: applies patches/ in `series` order and installs
#            BUILD_DIR/bin/qemu-{x86_64,aarch64},
#            BUILD_DIR/bin/qemu-system-{x86_64,aarch64},
#            BUILD_DIR/share/qemu/ (the x86 option ROMs -kernel needs) and
#            BUILD_DIR/plugins/lib{insn,hotblocks,uftrace}.so
#   patched N: only the first N patches of the series, in a tree and build
#            directory of its own (BUILD_DIR/series/), installed into
#            BUILD_DIR/series/bin/: what `make series-check` builds
#   ref:     the same QEMU without our patches, into BUILD_DIR/ref/
#
# Incremental: the tarball is unpacked once into BUILD_DIR/qemu-pristine; the
# patched tree BUILD_DIR/qemu/src is a copy of it in which only the files the
# series touches are rewritten, and only when their content changes, so ninja
# recompiles just what a changed patch affects.  With ccache installed, its
# cache lives in CACHE_DIR/ccache, so a fresh clone's first build is quick too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
variant=$1
build=$(mkdir -p "$2" && cd "$2" && pwd)
cache=$3
jobs=$(nproc 2>/dev/null || echo 2)

log() { printf 'qemu: %s\n' "$*" >&2; }

COMMON_ARGS="--disable-tools --disable-docs --disable-rust --enable-plugins
  --disable-install-blobs --disable-werror --python=/usr/bin/python3"
USER_TARGETS=x86_64-linux-user,aarch64-linux-user
SYSTEM_TARGETS=x86_64-softmmu,aarch64-softmmu
NINJA_TARGETS="qemu-x86_64 qemu-aarch64 tests/tcg/plugins/libinsn.so
  contrib/plugins/libhotblocks.so contrib/plugins/libuftrace.so"
upto=${4:-}
case $variant in
patched)
    system=1
    CONFIGURE_ARGS="--target-list=$USER_TARGETS,$SYSTEM_TARGETS $COMMON_ARGS
      --without-default-devices --with-devices-x86_64=qemu-jitdump
      --with-devices-aarch64=qemu-jitdump"
    NINJA_TARGETS="$NINJA_TARGETS qemu-system-x86_64 qemu-system-aarch64"
    ;;
*)
    system=
    CONFIGURE_ARGS="--target-list=$USER_TARGETS --disable-system $COMMON_ARGS"
    ;;
esac
if command -v ccache >/dev/null 2>&1; then
    # configure splits --cc on spaces: a one-word compiler that is ccache.
    # Paths below BUILD_DIR are hashed relative to it, so that another clone
    # (CI's, in a directory of its own) hits the same cache.
    export CCACHE_DIR="$cache/ccache" CCACHE_BASEDIR="$build" CCACHE_NOHASHDIR=1
    mkdir -p "$CCACHE_DIR"
    printf '#!/bin/sh\nexec ccache cc "$@"\n' > "$CCACHE_DIR/cc.tmp"
    chmod +x "$CCACHE_DIR/cc.tmp"
    cmp -s "$CCACHE_DIR/cc.tmp" "$CCACHE_DIR/cc" || mv "$CCACHE_DIR/cc.tmp" "$CCACHE_DIR/cc"
    rm -f "$CCACHE_DIR/cc.tmp"
    CONFIGURE_ARGS="$CONFIGURE_ARGS --cc=$CCACHE_DIR/cc"
fi

install_if_changed() {
    mkdir -p "$(dirname "$2")"
    cmp -s "$1" "$2" || cp "$1" "$2"
}

tarball=$("$here/fetch-qemu.sh" "$cache")
sum=$(sha256sum "$tarball" | cut -d' ' -f1)

# 1. Pristine tree, unpacked once per tarball.
pristine=$build/qemu-pristine
if [ "$(cat "$pristine/.tarball-sha256" 2>/dev/null)" != "$sum" ]; then
    log "unpacking $(basename "$tarball")"
    rm -rf "$pristine" "$pristine.tmp"
    mkdir -p "$pristine.tmp"
    tar -xf "$tarball" -C "$pristine.tmp" --strip-components=1
    echo "$sum" > "$pristine.tmp/.tarball-sha256"
    mv "$pristine.tmp" "$pristine"
    # Trees and objects of another QEMU version: their timestamps say nothing.
    rm -rf "$build/qemu" "$build/series" "$build/ref/obj"
fi

case $variant in
ref)
    src=$pristine
    obj=$build/ref/obj
    dest=$build/ref
    ;;
patched)
    src=$build/qemu/src
    obj=$build/qemu/obj
    dest=$build
    if [ -n "$upto" ]; then
        src=$build/series/src
        obj=$build/series/obj
        dest=$build/series
    fi
    if [ ! -d "$src" ]; then
        log "copying the pristine tree for patching"
        rm -rf "$src.tmp"
        mkdir -p "$(dirname "$src")"
        cp -a "$pristine" "$src.tmp"
        mv "$src.tmp" "$src"
        : > "$(dirname "$src")/touched"
    fi
    work=$(dirname "$src")
    # 2. Apply the series to copies of the files it touches, in a stage dir.
    stage=$work/stage
    rm -rf "$stage"
    mkdir -p "$stage"
    patches=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/patches/series" || true)
    if [ -n "$upto" ]; then
        patches=$(printf '%s\n' $patches | head -n "$upto")
    fi
    touched=$(for p in $patches; do
                  sed -n 's|^+++ b/\(.*\)$|\1|p; s|^--- a/\(.*\)$|\1|p' "$here/patches/$p"
              done | sort -u)
    for f in $touched; do
        if [ -f "$pristine/$f" ]; then
            mkdir -p "$stage/$(dirname "$f")"
            cp -p "$pristine/$f" "$stage/$f"
        fi
    done
    for p in $patches; do
        if ! patch -p1 -d "$stage" -s -f --no-backup-if-mismatch < "$here/patches/$p" >"$work/patch.log" 2>&1; then
            log "patch $p does not apply:"
            cat "$work/patch.log" >&2
            exit 1
        fi
    done
    # 3. Bring the live tree in line: files touched now or by the last build.
    for f in $(printf '%s\n' $touched $(cat "$work/touched") | sort -u); do
        if [ -f "$stage/$f" ]; then
            want=$stage/$f
        elif [ -f "$pristine/$f" ]; then
            want=$pristine/$f
        else
            want=
        fi
        if [ -z "$want" ]; then
            rm -f "$src/$f"
        elif ! cmp -s "$want" "$src/$f"; then
            mkdir -p "$src/$(dirname "$f")"
            cp "$want" "$src/$f"
            # the copy must look newer than any object built from the old one
            touch "$src/$f"
        fi
    done
    printf '%s\n' $touched > "$work/touched"
    rm -rf "$stage"
    # Debian's +ds tarball leaves the firmware images out, but meson still
    # unpacks the edk2 ones for x86 and Arm system targets; nothing here
    # boots with them: empty stand-ins.
    for f in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',\{0,1\}\$/\1/p" \
                   "$src/pc-bios/meson.build"); do
        [ -f "$src/pc-bios/$f.bz2" ] || bzip2 -c </dev/null > "$src/pc-bios/$f.bz2"
    done
    for a in x86_64 aarch64; do
        install_if_changed "$here/devices/$a.mak" \
            "$src/configs/devices/$a-softmmu/qemu-jitdump.mak"
    done
    ;;
*)
    echo "usage: build-qemu.sh patched|ref BUILD_DIR CACHE_DIR" >&2
    exit 2
    ;;
esac

# 4. Configure once per set of options, then let ninja decide what to rebuild.
args=$(printf '%s\n' $CONFIGURE_ARGS)
if [ ! -f "$obj/build.ninja" ] || [ "$(cat "$obj/.configure-args" 2>/dev/null)" != "$args" ]; then
    log "configuring $variant QEMU"
    rm -rf "$obj"
    mkdir -p "$obj"
    (cd "$obj" && "$src/configure" $CONFIGURE_ARGS >"$obj/configure.log" 2>&1) || {
        log "configure failed, see $obj/configure.log"
        tail -n 20 "$obj/configure.log" >&2
        exit 1
    }
    printf '%s\n' "$args" > "$obj/.configure-args"
fi
log "building $variant QEMU ($jobs jobs)"
ninja -C "$obj" -j "$jobs" $NINJA_TARGETS >"$obj/ninja.log" 2>&1 || {
    log "build failed, see $obj/ninja.log"
    grep -B2 -A12 'error' "$obj/ninja.log" | head -n 60 >&2
    exit 1
}

# The x86 option ROMs (-kernel needs multiboot_dma.bin, linuxboot_dma.bin or
# pvh.bin) are built by QEMU's make, not ninja, and only when configure finds
# a cross compiler for i386; the host's cc -m16 builds them.
if [ -n "$system" ]; then
    roms="multiboot_dma.bin linuxboot_dma.bin pvh.bin"
    printf 'TOPSRC_DIR=%s\nCC=cc\nOBJCOPY=objcopy\n' "$src" > "$obj/pc-bios/optionrom/config.mak"
    make -s -C "$obj/pc-bios/optionrom" $roms >"$obj/optionrom.log" 2>&1 || {
        log "option ROMs failed, see $obj/optionrom.log"
        tail -n 20 "$obj/optionrom.log" >&2
        exit 1
    }
fi

# 5. Install only what changed, so make's timestamps stay meaningful.
install_if_changed "$obj/qemu-x86_64" "$dest/bin/qemu-x86_64"
install_if_changed "$obj/qemu-aarch64" "$dest/bin/qemu-aarch64"
install_if_changed "$obj/tests/tcg/plugins/libinsn.so" "$dest/plugins/libinsn.so"
install_if_changed "$obj/contrib/plugins/libhotblocks.so" "$dest/plugins/libhotblocks.so"
install_if_changed "$obj/contrib/plugins/libuftrace.so" "$dest/plugins/libuftrace.so"
if [ -n "$system" ]; then
    for t in x86_64 aarch64; do
        install_if_changed "$obj/qemu-system-$t" "$dest/bin/qemu-system-$t"
    done
    for r in $roms; do
        install_if_changed "$obj/pc-bios/optionrom/$r" "$dest/share/qemu/$r"
    done
fi
touch "$dest/bin/qemu-x86_64" "$dest/bin/qemu-aarch64"
log "$variant QEMU ready in $dest/bin"
