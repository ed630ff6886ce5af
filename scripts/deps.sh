#!/bin/sh
# Install what the toolkit needs on Debian bookworm, and only what is missing.
# Idempotent: a second run with everything present makes no apt call at all.
# chromium is for tests/integration/test_html_chromium.sh (tbsym html in a
# headless browser), which skips without it.
# g++ and g++-aarch64-linux-gnu build tests/guests/cxxexc.cc (C++ exceptions
# through guest call stacks).
# seabios is the PC firmware qemu-system-x86_64 boots the bare-metal guest
# of tests/guests/baremetal/ with (-L /usr/share/seabios).
# libfdt-dev and libpixman-1-dev build QEMU's system-mode targets; ccache
# keeps QEMU's objects in the cache directory (CACHE/ccache), so that the
# first build of a fresh clone is quick when the machine built QEMU before.
#
# bookworm-backports (meson >= 1.5, python3-pycotap, QEMU 10.0 source) and the
# deb-src entries are derived from the machine's own apt source entries, so no
# registry host name is written anywhere in this repository.
set -eu

SOURCES=/etc/apt/sources.list.d/qemu-jitdump.sources
PKGS="gcc g++ make pkg-config libelf-dev libdw-dev libunwind-dev libcapstone-dev \
libzstd-dev linux-perf ninja-build libglib2.0-dev python3-venv flex bison \
dpkg-dev xz-utils gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross \
device-tree-compiler chromium libc6-dbg seabios libfdt-dev libpixman-1-dev ccache"
BPO_PKGS="meson python3-pycotap"

log() { printf 'deps: %s\n' "$*" >&2; }

# The first URI that serves the main Debian archive (suite "bookworm"), from
# either deb822 .sources files or one-line .list files.
debian_uri() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$SOURCES" ] && continue
        awk '
            /^[ \t]*$/ { if (uri != "" && suite) { print uri; exit } uri = ""; suite = 0; next }
            /^URIs:/   { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
            END        { if (uri != "" && suite) print uri }
        ' "$f"
    done | head -n 1
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break;
                           if ($(i+1) == "bookworm") { print $i; exit } }' "$f"
    done | head -n 1
}

have_pkg() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

meson_ok() {
    command -v meson >/dev/null 2>&1 || return 1
    v=$(meson --version 2>/dev/null) || return 1
    major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
    [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 5 ]; }
}

if [ "$(id -u)" -ne 0 ]; then
    missing=""
    for p in $PKGS $BPO_PKGS; do have_pkg "$p" || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        log "missing packages:$missing; run 'make deps' as root"
        exit 1
    fi
    exit 0
fi

# The entries we want: deb-src for bookworm (QEMU's build dependencies),
# bookworm-backports (meson, pycotap) and deb-src for sid, whose source index
# lists the QEMU 10.2.2 source package the series is based on.  Rewritten
# whenever this script wants different entries, so an older machine catches up.
want_sources() {
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    signed=""
    [ -f "$keyring" ] && signed="Signed-By: $keyring"
    printf '%s\n' "# Written by qemu-jitdump's scripts/deps.sh, derived from the existing entry."
    printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\n%s\n\n' \
        deb-src "$1" "bookworm bookworm-updates" "$signed" \
        "deb deb-src" "$1" bookworm-backports "$signed" \
        deb-src "$1" sid "$signed"
}

updated=0
uri=$(debian_uri)
if [ -z "$uri" ] && [ ! -f "$SOURCES" ]; then
    log "no apt source entry for Debian bookworm found to derive backports from"
    exit 1
fi
if [ -n "$uri" ] && ! want_sources "$uri" | cmp -s - "$SOURCES"; then
    want_sources "$uri" > "$SOURCES.tmp"
    mv "$SOURCES.tmp" "$SOURCES"
    log "enabled bookworm-backports and deb-src (bookworm, sid) from $uri"
    apt-get update -qq
    updated=1
fi

missing=""
for p in $PKGS; do have_pkg "$p" || missing="$missing $p"; done
bpo_missing=""
for p in $BPO_PKGS; do have_pkg "$p" || bpo_missing="$bpo_missing $p"; done
meson_ok || case "$bpo_missing" in *meson*) ;; *) bpo_missing="$bpo_missing meson" ;; esac

if [ -n "$missing$bpo_missing" ]; then
    [ "$updated" -eq 1 ] || apt-get update -qq
    export DEBIAN_FRONTEND=noninteractive
    if [ -n "$missing" ]; then
        log "installing:$missing"
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
    if [ -n "$bpo_missing" ]; then
        log "installing from bookworm-backports:$bpo_missing"
        apt-get install -y -qq --no-install-recommends -t bookworm-backports $bpo_missing >/dev/null
    fi
fi
meson_ok || { log "meson >= 1.5 is required, found $(meson --version 2>/dev/null || echo none)"; exit 1; }
exit 0
