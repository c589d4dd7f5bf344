#!/bin/sh
# cases_closed_loop.sh TUBAN WORK
# Closing the loop from the sky: a false_alarm suppresses the same detection on the
# next merge; a rectified case is verified when a later scan of its place shows
# nothing (after.tif against itself: no change, no polygons) and reopened when the
# structure is still standing.
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o scan1 -q || fail "scan 1"
# The same pair again with a wider closing: new polygons (a new scan key) over the
# same structures.
"$tuban" scan pair/before.tif pair/after.tif -o scan2 -q --set morphology.close_radius=2 || fail "scan 2"
"$tuban" scan pair/after.tif pair/after.tif -o gone -q || fail "scan of after against itself"
[ "$(polygons_of gone)" -eq 0 ] || fail "after against itself gave polygons"

for s in v.gpkg r.gpkg; do
    "$tuban" cases merge scan1 --store $s -q || fail "merge scan 1"
done
n=$(count_cases v.gpkg)
a=$(nth_case v.gpkg 1); b=$(nth_case v.gpkg 2)
cat > fb.csv <<CSV
case_id,status,time,note
$a,reported,2026-06-15T08:00:00Z,
$a,dispatched,2026-06-15T09:00:00Z,
$a,handling,2026-06-15T10:00:00Z,
$a,rectified,2026-06-20T10:00:00Z,demolished
$b,false_alarm,2026-06-15T08:00:00Z,greenhouse
CSV
for s in v.gpkg r.gpkg; do
    "$tuban" cases feedback fb.csv --store $s >/dev/null || fail "feedback"
done

# Nothing there any more: the rectified case is verified, others untouched.
out=$("$tuban" cases merge gone --store v.gpkg) || fail "merge of the empty scan"
echo "$out"
echo "$out" | grep -q "0 new, 0 updated, 0 reopened, 1 verified" || fail "empty scan did not verify exactly one case"
[ "$(status_of v.gpkg "$a")" = verified ] || fail "$a is $(status_of v.gpkg "$a"), expected verified"
"$tuban" cases show "$a" --store v.gpkg --format json | grep -q '"source":"scan"' || fail "no scan history row"

# Still standing: the rectified case is reopened; the false alarm suppresses its
# detection (no new case, still false_alarm).
out=$("$tuban" cases merge scan2 --store r.gpkg) || fail "merge scan 2"
echo "$out"
[ "$(status_of r.gpkg "$a")" = reopened ] || fail "$a is $(status_of r.gpkg "$a"), expected reopened"
[ "$(status_of r.gpkg "$b")" = false_alarm ] || fail "$b is $(status_of r.gpkg "$b"), expected false_alarm"
echo "$out" | grep -q "suppressed   [1-9]" || fail "no detection suppressed"
m=$(count_cases r.gpkg)
k=$(echo "$out" | sed -n 's/^  cases        \([0-9]*\) new.*/\1/p')
[ "$m" -eq $((n + k)) ] || fail "case count $m, expected $n + $k new"
# Growth past reopen_growth (1.5) reopens the false alarm: the same polygons, twice
# the area.
mkdir -p grown
ogr2ogr -f GPKG grown/changes.gpkg scan1/changes.gpkg -dialect sqlite -nln changes \
    -sql "SELECT ST_Buffer(geom, 4) AS geom, id, area_m2 * 2 AS area_m2, mean_score FROM changes" ||
    fail "ogr2ogr"
out=$("$tuban" cases merge grown --store r.gpkg) || fail "merge of the grown scan"
echo "$out"
[ "$(status_of r.gpkg "$b")" = reopened ] || fail "$b is $(status_of r.gpkg "$b"), expected reopened by growth"
echo "ok: suppression, verification, reopening"
