#!/bin/sh
# Maintainer tool: regenerate patches/ and patches/series from a QEMU git tree
# whose first commit is the pristine source and whose later commits are the
# series.  The cover letter, patches/0000-cover-letter.patch, is written by
# hand and kept.  usage: export-patches.sh QEMU_GIT_TREE
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=$1
base=$(git -C "$tree" rev-list --max-parents=0 HEAD)
find "$here/patches" -name '0*.patch' ! -name '0000-*' -delete
git -C "$tree" format-patch -q --no-signature --zero-commit --no-stat \
    -o "$here/patches" "$base..HEAD"
{
    echo "# qemu-jitdump: patch series for QEMU 10.2.x, applied in this order"
    (cd "$here/patches" && ls 0*.patch | grep -v '^0000-')
} > "$here/patches/series"
cat "$here/patches/series"
