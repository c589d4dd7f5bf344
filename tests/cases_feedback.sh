#!/bin/sh
# cases_feedback.sh TUBAN WORK
# Feedback files move cases through the lifecycle in one transaction; a file with one
# or more bad rows among good ones is rejected whole: every bad row listed as
# FILE:LINE: reason, exit code 11, the store unchanged.
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o scan1 -q || fail "scan"
"$tuban" cases merge scan1 --store s.gpkg -q || fail "merge"
a=$(nth_case s.gpkg 1); b=$(nth_case s.gpkg 2); c=$(nth_case s.gpkg 3)
cat > good.csv <<CSV
case_id,status,time,note
$a,reported,2026-06-15T08:00:00+08:00,sent to the platform
$a,dispatched,2026-06-15T09:00:00+08:00,"grid worker 17, street office"
$a,handling,2026-06-15T10:00:00Z,
$a,rectified,2026-06-20,demolished
$b,false_alarm,2026-06-15T08:00:00Z,greenhouse
CSV
"$tuban" cases feedback good.csv --store s.gpkg || fail "good feedback"
[ "$(status_of s.gpkg "$a")" = rectified ] || fail "$a is $(status_of s.gpkg "$a"), expected rectified"
[ "$(status_of s.gpkg "$b")" = false_alarm ] || fail "$b is not false_alarm"
h=$("$tuban" cases show "$a" --store s.gpkg --format json | grep -c '"to_status"')
[ "$h" -eq 5 ] || fail "$a has $h history rows, expected 5 (detected + 4)"
"$tuban" cases show "$a" --store s.gpkg --format json | grep -q '"note":"grid worker 17, street office"' ||
    fail "quoted note with a comma not kept"
# JSON feedback.
cat > good.json <<JSON
[
  {"case_id": "$c", "status": "reported", "time": "2026-06-16T08:00:00Z", "note": "ok"},
  {"case_id": "$c", "status": "permitted", "time": "2026-06-17T08:00:00Z", "note": "permit 2026-113"}
]
JSON
"$tuban" cases feedback good.json --store s.gpkg || fail "good JSON feedback"
[ "$(status_of s.gpkg "$c")" = permitted ] || fail "$c is not permitted"

# One good row, then bad rows of every kind: rejected whole, each bad line listed.
dump s.gpkg > before.txt
d=$(nth_case s.gpkg 4)
printf 'case_id,status,time,note\n%s,reported,2026-06-18T08:00:00Z,fine\nTB-20990101-000000000000000-9999,reported,2026-06-18T08:00:00Z,unknown case\n%s,verified,2026-06-18T08:00:00Z,invalid transition\n%s,reported,yesterday,bad time\n%s,reported,2026-06-18T08:00:00Z,bad \377\376 bytes\n%s,reported\n%s,frobnicated,2026-06-18,bad status\n' \
    "$d" "$d" "$d" "$d" "$d" "$d" > bad.csv
"$tuban" cases feedback bad.csv --store s.gpkg 2> err.txt
rc=$?
cat err.txt
[ "$rc" -eq 11 ] || fail "bad feedback: exit code $rc, expected 11"
for line in 3 4 5 6 7 8; do
    grep -q "^bad.csv:$line: " err.txt || fail "bad row $line not listed"
done
grep -q "^bad.csv:2: " err.txt && fail "good row 2 listed as bad"
grep -q "^bad.csv:3: unknown case" err.txt || fail "unknown case not named"
grep -q "^bad.csv:4: invalid transition" err.txt || fail "invalid transition not named"
grep -q "^bad.csv:5: bad time" err.txt || fail "bad time not named"
grep -q "^bad.csv:6: not valid UTF-8" err.txt || fail "bad encoding not named"
grep -q "^bad.csv:7: expected 4 columns" err.txt || fail "missing column not named"
dump s.gpkg > after.txt
cmp -s before.txt after.txt || fail "a rejected feedback file changed the store"
[ "$(status_of s.gpkg "$d")" = detected ] || fail "$d moved although the file was rejected"
# A bad JSON row among good ones, with its line.
cat > bad.json <<JSON
[
  {"case_id": "$d", "status": "reported", "time": "2026-06-18T08:00:00Z", "note": ""},
  {"case_id": "$d", "status": "rectified",
   "time": "2026-06-18T09:00:00Z", "note": "skips steps"},
  {"case_id": "$d", "status": "dispatched"}
]
JSON
"$tuban" cases feedback bad.json --store s.gpkg 2> err.txt && fail "bad JSON accepted"
cat err.txt
grep -q "^bad.json:3: invalid transition" err.txt || fail "JSON row 3 not listed"
grep -q "^bad.json:5: missing key 'time'" err.txt || fail "JSON row 5 not listed"
dump s.gpkg > after.txt
cmp -s before.txt after.txt || fail "a rejected JSON file changed the store"
# A wrong header.
printf 'id,status,time,note\n%s,reported,2026-06-18,x\n' "$d" > header.csv
"$tuban" cases feedback header.csv --store s.gpkg 2> err.txt && fail "wrong header accepted"
grep -q "^header.csv:1: header" err.txt || fail "wrong header not named"
echo "ok: feedback applied and rejected whole"
