#!/bin/sh
# cases_kinds.sh TUBAN WORK
# Polygons of removed structures in the closed loop: the sample pair scanned backwards
# (after -> before) shows every new structure vanishing. Merged into a store holding the
# forward scan's cases, such polygons never open a case; a rectified case they overlap
# is verified ("seen removed") even when the scan's footprint is elsewhere (so the
# removal itself is the evidence); an open case they overlap keeps its status and gets
# a history row. Before polygons had a kind, the same merge reopened the rectified case
# as "still standing".
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o fwd -q || fail "forward scan"
"$tuban" scan pair/after.tif pair/before.tif -o rev -q || fail "backward scan"
r=$(ogrinfo -ro -q rev/changes.gpkg -sql "SELECT COUNT(*) AS n FROM changes WHERE kind = 'removed'" |
    sed -n 's/^ *n (Integer[0-9]*) = //p')
[ "$r" -gt 10 ] || fail "backward scan: only $r removed polygons"
k=$(new_polygons_of rev)
"$tuban" cases merge fwd --store s.gpkg -q || fail "merge forward"
n=$(count_cases s.gpkg)
a=$(nth_case s.gpkg 1); b=$(nth_case s.gpkg 2)
cat > fb.csv <<CSV
case_id,status,time,note
$a,reported,2026-06-15T08:00:00Z,
$a,dispatched,2026-06-15T09:00:00Z,
$a,handling,2026-06-15T10:00:00Z,
$a,rectified,2026-06-20T10:00:00Z,demolished
$b,reported,2026-06-15T08:00:00Z,
$b,dispatched,2026-06-15T09:00:00Z,
CSV
"$tuban" cases feedback fb.csv --store s.gpkg >/dev/null || fail "feedback"
# The backward scan alone, with a footprint far from the cases: only the removed
# polygons can verify. (The few polygons of the backward scan that come out new, where
# a car stood in the before-image, open cases as any new polygon does.)
mkdir -p revonly
cp rev/changes.gpkg revonly/
gdal_create -q -of GTiff -outsize 10 10 -bands 1 -a_srs EPSG:4548 \
    -a_ullr 480000 4410000 480010 4409990 far.tif || fail "gdal_create"
out=$("$tuban" cases merge revonly --store s.gpkg --footprint far.tif) || fail "merge backward"
echo "$out"
echo "$out" | grep -q "cases        $k new, 0 updated, 0 reopened, 1 verified" ||
    fail "the backward scan did not verify exactly the rectified case"
echo "$out" | grep -q "removed      $r polygons of structures gone" || fail "removed polygons not counted"
echo "$out" | grep -q "([1-9][0-9]* open cases noted)" || fail "no open case noted"
[ "$(count_cases s.gpkg)" -eq $((n + k)) ] || fail "removed polygons opened cases"
[ "$(status_of s.gpkg "$a")" = verified ] || fail "$a is $(status_of s.gpkg "$a"), expected verified"
"$tuban" cases show "$a" --store s.gpkg --format json | grep -q "seen removed" ||
    fail "no 'seen removed' history row on $a"
[ "$(status_of s.gpkg "$b")" = dispatched ] || fail "$b is $(status_of s.gpkg "$b"), expected dispatched"
"$tuban" cases show "$b" --store s.gpkg --format json | grep -q "seen removed" ||
    fail "no 'seen removed' history row on $b"
echo "ok: $r removed polygons, 1 verified, open cases noted, no case from a removed polygon"
