# The build as a packager runs it: plain `make` builds the library, tbsym
# and qemu-perf with nothing but their build dependencies, never calls apt,
# honours CFLAGS and LDFLAGS and adds -Werror only with WERROR=1; a missing
# -dev package stops it with one line naming the Debian package; `make
# install` puts everything under DESTDIR/PREFIX, where the installed
# qemu-perf finds tbsym, its helpers and the patched QEMU.
. "$TOP/tests/integration/lib.sh"
# Not the flags of a make this runs under (make check): a packager's make.
unset MAKEFLAGS MFLAGS MAKELEVEL WERROR CFLAGS LDFLAGS

# apt and dpkg that leave a mark when called: plain make must not.
stubs=$WORK/stubs
mkdir -p "$stubs"
for t in apt apt-get dpkg dpkg-query sudo; do
    printf '#!/bin/sh\necho "$0 $*" >> %s/called\nexit 1\n' "$WORK" > "$stubs/$t"
    chmod +x "$stubs/$t"
done

b=$WORK/build
PATH=$stubs:$PATH make -C "$TOP" -j2 BUILD="$b" CFLAGS='-O1 -g' LDFLAGS='-Wl,-z,now' \
    > "$WORK/make.log" 2>&1 || { tail -20 "$WORK/make.log"; fail "plain make failed"; }
[ ! -e "$WORK/called" ] || fail "plain make called: $(cat "$WORK/called")"
for f in bin/tbsym bin/qemu-perf lib/libqjd.a share/qemu-perf/tbstats-report.py; do
    [ -e "$b/$f" ] || fail "plain make did not build $f"
done
[ ! -e "$b/bin/qemu-x86_64" ] || fail "plain make built QEMU"
grep -q -- '-O1 -g' "$WORK/make.log" || fail "CFLAGS not used"
grep -q -- '-Werror' "$WORK/make.log" && fail "-Werror without WERROR=1"
readelf -d "$b/bin/tbsym" | grep -q 'NOW' || fail "LDFLAGS not used for tbsym"
"$b/bin/tbsym" help > /dev/null || fail "the tbsym built runs not"

# A missing -dev package: one line naming it, nothing compiled, exit non-zero.
cat > "$stubs/pkg-config" <<'STUB'
#!/bin/sh
[ "$1" = --exists ] && [ "$2" = libdw ] && exit 1
exec /usr/bin/pkg-config "$@"
STUB
chmod +x "$stubs/pkg-config"
if PATH=$stubs:$PATH make -C "$TOP" BUILD="$WORK/b2" > "$WORK/missing.out" 2> "$WORK/missing.err"; then
    fail "make succeeded without libdw"
fi
grep -q 'libdw-dev' "$WORK/missing.err" || fail "no line naming libdw-dev: $(cat "$WORK/missing.err")"
[ "$(grep -c 'libdw-dev' "$WORK/missing.err")" -eq 1 ] || fail "more than one line naming libdw-dev"
[ ! -e "$WORK/b2/obj" ] || fail "objects compiled although libdw is missing"
rm "$stubs/pkg-config"

# make install: the tools built above, then the patched QEMU of $BUILD.
root=$WORK/root
make -C "$TOP" BUILD="$b" install DESTDIR="$root" PREFIX=/opt/qj > "$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log"; fail "make install failed"; }
for f in bin/tbsym bin/qemu-perf share/qemu-perf/tbstats-report.py share/qemu-perf/tbstats_format.py \
         share/qemu-perf/tbstats-fields.h share/doc/qemu-jitdump/README.md; do
    [ -e "$root/opt/qj/$f" ] || fail "make install did not install $f"
done
[ ! -e "$root/opt/qj/libexec" ] || fail "installed a QEMU that was not built"
"$root/opt/qj/bin/qemu-perf" help report > /dev/null || fail "installed qemu-perf help failed"

[ -x "$BUILD/bin/qemu-x86_64" ] || skip "no patched QEMU in $BUILD to install"
make -C "$TOP" BUILD="$BUILD" install DESTDIR="$root" PREFIX=/opt/qj > "$WORK/install2.log" 2>&1 ||
    { cat "$WORK/install2.log"; fail "make install with QEMU failed"; }
q=$root/opt/qj/libexec/qemu-jitdump/qemu-x86_64
[ -x "$q" ] || fail "make install did not put qemu-x86_64 in libexec/qemu-jitdump"
[ ! -e "$root/opt/qj/bin/qemu-x86_64" ] || fail "qemu-x86_64 installed on PATH"
guest=$BUILD/guests/x86_64/demo
[ -x "$guest" ] || skip "no demo guest"
"$root/opt/qj/bin/qemu-perf" record -o "$WORK/rec" -- qemu-x86_64 "$guest" 1 > "$WORK/rec.out" 2>&1 ||
    { tail -5 "$WORK/rec.out"; fail "installed qemu-perf record failed"; }
ls "$WORK/rec" | grep -q '^jit-[1-9][0-9]*\.tbstats$' || fail "no side file in the recording"
"$root/opt/qj/bin/qemu-perf" report "$WORK/rec" -n 3 > "$WORK/report.out" 2>&1 ||
    { cat "$WORK/report.out"; fail "installed qemu-perf report failed"; }
echo "build and install: ok"
