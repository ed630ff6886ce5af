#!/bin/sh
# --help on every command, and a page for each in docs/:
#  - for every command "tbsym help" lists, "tbsym X --help", "tbsym X -h" and
#    "tbsym help X" exit 0, print the same usage starting "usage: tbsym X" on
#    stdout and nothing on stderr; docs/tbsym-X.md exists;
#  - for every command "qemu-perf help" lists, "qemu-perf X --help" and
#    "qemu-perf help X" exit 0 and print "usage: qemu-perf X"; qemu-perf wraps
#    every tbsym command but dump (a file of any run, not a recording).
# Needs neither QEMU nor perf.
. "$TOP/tests/integration/lib.sh"
TBSYM=$BUILD/bin/tbsym
QP=$BUILD/bin/qemu-perf
[ -x "$TBSYM" ] || skip "no $TBSYM (make tools)"

cmds=$("$TBSYM" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || fail "tbsym help lists no commands"
for c in $cmds; do
    "$TBSYM" help "$c" >"$WORK/help" 2>"$WORK/help.err" || fail "tbsym help $c exited $?"
    head -n 1 "$WORK/help" | grep -q "^usage: tbsym $c" || fail "tbsym help $c: $(head -n 1 "$WORK/help")"
    for h in --help -h; do
        "$TBSYM" "$c" $h >"$WORK/opt" 2>>"$WORK/help.err" || fail "tbsym $c $h exited $?"
        cmp -s "$WORK/help" "$WORK/opt" || fail "tbsym $c $h differs from tbsym help $c"
    done
    [ ! -s "$WORK/help.err" ] || fail "tbsym $c --help wrote to stderr: $(head -n 2 "$WORK/help.err")"
    [ -f "$TOP/docs/tbsym-$c.md" ] || fail "no docs/tbsym-$c.md"
done
note "tbsym: $(echo $cmds | wc -w) commands"

[ -x "$QP" ] || skip "no $QP (make tools)"
command -v python3 >/dev/null || skip "no python3"
qcmds=$("$QP" help | awk '/^Record/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^DIR/ { on = 0 }')
[ -n "$qcmds" ] || fail "qemu-perf help lists no commands"
for c in $qcmds; do
    for how in "$c --help" "help $c"; do
        # shellcheck disable=SC2086 # split on purpose
        "$QP" $how >"$WORK/qhelp" 2>"$WORK/qhelp.err" || fail "qemu-perf $how exited $?"
        grep -q "^usage: qemu-perf $c" "$WORK/qhelp" || fail "qemu-perf $how: no usage line"
    done
done
for c in $cmds; do
    [ "$c" = dump ] && continue
    echo " $qcmds " | tr '\n' ' ' | grep -q " $c " || fail "qemu-perf has no $c"
done
[ -f "$TOP/docs/qemu-perf.md" ] || fail "no docs/qemu-perf.md"
note "qemu-perf: $(echo $qcmds | wc -w) commands"
