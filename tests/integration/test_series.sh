#!/bin/sh
# The QEMU patch series as a reviewer reads it:
#  - every patch has a Signed-off-by and a subject in QEMU's "area: what"
#    form, and no patch is over 1000 lines (split it);
#  - the format headers the series adds (include/tcg/jitdump-format.h and
#    include/tcg/tbstats-format.h, written whole by one patch) are byte for
#    byte the ones lib/ compiles against: one definition of each layout;
#  - QEMU's own scripts/checkpatch.pl, from the pristine tree the build
#    unpacked (build/qemu-pristine), reports no error and no warning on any
#    patch, the cover letter aside.
# Needs no perf; the checkpatch part needs the unpacked QEMU tree (make qemu).
. "$TOP/tests/integration/lib.sh"
P=$TOP/qemu-jitdump/patches
patches=$(grep -v '^[[:space:]]*\(#\|$\)' "$P/series")
[ -n "$patches" ] || fail "$P/series lists no patch"

for p in $patches; do
    f=$P/$p
    [ -f "$f" ] || fail "$p is listed in series but missing"
    grep -q '^Signed-off-by: .* <.*@.*>$' "$f" || fail "$p has no Signed-off-by"
    subj=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$f")
    echo "$subj" | grep -q '^[a-z][a-z0-9/_.-]*: ' || fail "$p: subject is not 'area: what': $subj"
    lines=$(wc -l < "$f")
    [ "$lines" -le 1000 ] || fail "$p has $lines lines: more than 1000"
done
note "$(echo "$patches" | wc -l) patches, each signed off and at most 1000 lines"

# The file as the one patch that creates it writes it: its '+' lines.
extract_new_file() { # patchdir path -> stdout
    for p in $patches; do
        awk -v path="$2" '
            /^diff --git / { on = 0 }
            $0 == "--- /dev/null" { maybe = 1; next }
            maybe && $0 == "+++ b/" path { on = 1; maybe = 0; next }
            { maybe = 0 }
            on && /^@@/ { next }
            on && /^\+/ { print substr($0, 2) }
        ' "$1/$p"
    done
}
for h in jitdump-format.h tbstats-format.h; do
    extract_new_file "$P" "include/tcg/$h" > "$WORK/$h"
    [ -s "$WORK/$h" ] || fail "no patch creates include/tcg/$h"
    n=$(grep -l "^+++ b/include/tcg/$h\$" $(for p in $patches; do echo "$P/$p"; done) | wc -l)
    [ "$n" = 1 ] || fail "include/tcg/$h is changed by $n patches: one creates it, lib/ has the same"
    diff -u "$TOP/lib/$h" "$WORK/$h" > "$WORK/$h.diff" ||
        fail "include/tcg/$h in the series differs from lib/$h: $(head -n 20 "$WORK/$h.diff")"
done
note "include/tcg/{jitdump,tbstats}-format.h in the series are lib/'s, byte for byte"

CHECKPATCH=$BUILD/qemu-pristine/scripts/checkpatch.pl
[ -f "$CHECKPATCH" ] || skip "no $CHECKPATCH (make qemu unpacks QEMU's tree)"
command -v perl >/dev/null 2>&1 || skip "no perl for checkpatch.pl"
for p in $patches; do
    out=$(cd "$BUILD/qemu-pristine" && perl "$CHECKPATCH" "$P/$p" 2>&1) || true
    case $(echo "$out" | grep '^total:') in
    "total: 0 errors, 0 warnings,"*) ;;
    *) fail "checkpatch.pl $p: $(echo "$out" | grep -A3 '^\(ERROR\|WARNING\)' | head -n 20)" ;;
    esac
done
note "checkpatch.pl of QEMU $(cat "$BUILD/qemu-pristine/VERSION"): 0 errors, 0 warnings on every patch"
echo PASS
