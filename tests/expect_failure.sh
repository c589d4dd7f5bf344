#!/bin/sh
# expect_failure.sh CODE NEEDLE -- COMMAND...
# Runs COMMAND and checks that it fails with exit code CODE and writes exactly one
# line to stderr that contains NEEDLE (normally the offending file's name).
code="$1"; needle="$2"; shift 3
err=$(mktemp)
"$@" >/dev/null 2>"$err"
rc=$?
lines=$(wc -l < "$err")
msg=$(cat "$err"); rm -f "$err"
if [ "$rc" -ne "$code" ]; then
    echo "FAIL: exit code $rc, expected $code: $msg"; exit 1
fi
if [ "$lines" -ne 1 ]; then
    echo "FAIL: expected one line on stderr, got $lines: $msg"; exit 1
fi
case "$msg" in
    *"$needle"*) echo "ok: $msg" ;;
    *) echo "FAIL: message does not name '$needle': $msg"; exit 1 ;;
esac
