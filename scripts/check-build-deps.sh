#!/bin/sh
# The build dependencies of the library, tbsym and qemu-perf, checked with
# pkg-config; nothing is installed.  Arguments: PKGCONFIG_NAME:DEBIAN_PACKAGE
# pairs.  A missing one stops the build with one line naming the Debian
# package (exit 1); `make deps` (as root) installs everything.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
cc=${CC:-cc}

if ! command -v "${cc%% *}" >/dev/null 2>&1; then
    echo "make: no C compiler '$cc': install the Debian package gcc (or set CC)" >&2
    exit 1
fi
if ! command -v pkg-config >/dev/null 2>&1; then
    echo "make: pkg-config is missing: install the Debian package pkg-config" >&2
    exit 1
fi
missing=""
for dep in "$@"; do
    name=${dep%%:*}
    pkg=${dep#*:}
    pkg-config --exists "$name" 2>/dev/null || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "make: missing build dependencies: install the Debian packages$missing (or run 'make deps' as root)" >&2
    exit 1
fi
exit 0
