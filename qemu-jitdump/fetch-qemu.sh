#!/bin/sh
# Fetch QEMU's upstream source as Debian's source package ships it (the "+ds"
# orig tarball from bookworm-backports) into a cache directory outside git,
# and check it against qemu-source.sha256.
#
# usage: fetch-qemu.sh CACHE_DIR    prints the path of the verified tarball
#
# `apt-get source --download-only` fetches the .dsc, the orig tarball and the
# Debian tarball; an older backports revision's .dsc can vanish from the pool
# while its orig tarball stays.  So we accept the orig tarball whatever
# happened to the rest, and as a last resort ask apt for the tarball's URI
# (from the source index) and fetch it with apt's own helper.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=$1
mkdir -p "$cache"
cd "$cache"

while read -r sum name; do
    [ -n "$sum" ] || continue
    if [ -f "$name" ] && echo "$sum  $name" | sha256sum -c --status; then
        echo "$cache/$name"
        exit 0
    fi
    # qemu_10.2.2+ds.orig.tar.xz -> upstream version 10.2.2+ds
    upstream=${name#qemu_}; upstream=${upstream%.orig.tar.xz}
    version=$(apt-cache showsrc qemu 2>/dev/null |
              awk -v up="$upstream" '/^Version:/ { v = $2; sub(/^[0-9]+:/, "", v);
                                                   if (index(v, up "-") == 1) print $2 }' | tail -n 1)
    if [ -z "$version" ]; then
        echo "fetch-qemu: no source package for qemu $upstream in the apt source index" \
             "(run 'make deps' first)" >&2
        exit 1
    fi
    echo "fetch-qemu: fetching qemu $version source" >&2
    rm -f "$name"
    apt-get source --download-only -qq "qemu=$version" >/dev/null 2>&1 || true
    if [ ! -f "$name" ]; then
        uri=$(apt-get source --print-uris -qq "qemu=$version" 2>/dev/null |
              awk -v n="$name" '{ gsub(/\x27/, "", $1) } $2 == n { print $1 }')
        if [ -n "$uri" ]; then
            /usr/lib/apt/apt-helper download-file "$uri" "$name" "SHA256:$sum" >/dev/null 2>&1 || true
        fi
    fi
    if [ ! -f "$name" ]; then
        echo "fetch-qemu: could not download $name" >&2
        exit 1
    fi
    if ! echo "$sum  $name" | sha256sum -c --status; then
        echo "fetch-qemu: $cache/$name: sha256 mismatch, expected $sum" >&2
        mv "$name" "$name.bad"
        exit 1
    fi
    echo "$cache/$name"
    exit 0
done < "$here/qemu-source.sha256"
echo "fetch-qemu: qemu-source.sha256 lists no tarball" >&2
exit 1
