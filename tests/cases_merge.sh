#!/bin/sh
# cases_merge.sh TUBAN WORK
# Merging a scan opens one case per polygon of a new structure (removed ones are
# counted, never cases); merging it again changes nothing; a
# second scan of the same pair whose polygons have grown updates the cases (growth)
# instead of opening duplicates.
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o scan1 -q || fail "scan 1"
n=$(new_polygons_of scan1)
[ "$n" -gt 10 ] || fail "only $n new polygons"
"$tuban" cases merge scan1 --store s.gpkg || fail "merge"
c=$(count_cases s.gpkg)
[ "$c" -eq "$n" ] || fail "$c cases for $n new polygons"
"$tuban" cases list --store s.gpkg --format json > list1.json
dump s.gpkg > dump1.txt
out=$("$tuban" cases merge scan1 --store s.gpkg) || fail "second merge"
echo "$out" | grep -q "already merged" || fail "second merge not reported as already merged: $out"
"$tuban" cases list --store s.gpkg --format json > list2.json
dump s.gpkg > dump2.txt
cmp -s list1.json list2.json || fail "the same scan merged twice changed the case list"
cmp -s dump1.txt dump2.txt || fail "the same scan merged twice changed the store"
# Case ids: TB-YYYYMMDD-<15 zeros without a grid>-NNNN, after date 2026-06-14.
id=$(nth_case s.gpkg 1)
[ "$id" = "TB-20260614-000000000000000-0001" ] || fail "first case id is '$id'"
# A grown structure: every polygon of the scan buffered by 1.5 m (a bigger footprint,
# a new scan key) must update the same cases, never add any.
mkdir -p scan2
ogr2ogr -f GPKG scan2/changes.gpkg scan1/changes.gpkg -dialect sqlite -nln changes \
    -sql "SELECT ST_Buffer(geom, 1.5) AS geom, id, kind, area_m2 * 1.3 AS area_m2, mean_score, lon_cgcs2000, lat_cgcs2000 FROM changes" ||
    fail "ogr2ogr"
out=$("$tuban" cases merge scan2 --store s.gpkg) || fail "merge of the grown scan"
echo "$out"
echo "$out" | grep -q "cases        0 new, $n updated" || fail "grown scan did not update all $n cases"
c=$(count_cases s.gpkg)
[ "$c" -eq "$n" ] || fail "grown scan: $c cases, expected $n"
g=$("$tuban" cases show "$id" --store s.gpkg --format json | sed -n 's/^  "growth_m2":\([0-9.]*\).*/\1/p')
awk -v g="$g" 'BEGIN { exit !(g > 0) }' || fail "growth of $id is '$g'"
# Filters.
[ "$(count_cases s.gpkg detected)" -eq "$n" ] || fail "--status detected"
[ "$(count_cases s.gpkg verified)" -eq 0 ] || fail "--status verified"
m=$("$tuban" cases list --store s.gpkg --until 2026-06-13 --format csv | tail -n +2 | wc -l)
[ "$m" -eq 0 ] || fail "--until 2026-06-13 kept $m cases (first seen 2026-06-14)"
m=$("$tuban" cases list --store s.gpkg --since 2026-06-14 --format csv | tail -n +2 | wc -l)
[ "$m" -eq "$n" ] || fail "--since 2026-06-14 kept $m cases"
m=$("$tuban" cases list --store s.gpkg --until 2026-06-14 --format csv | tail -n +2 | wc -l)
[ "$m" -eq "$n" ] || fail "--until 2026-06-14 kept $m cases"
"$tuban" cases list --store s.gpkg --format geojson > cases.geojson || fail "geojson"
[ "$(ogrinfo -ro -so cases.geojson cases | sed -n "s/^Feature Count: //p")" = "$n" ] || fail "geojson feature count"
echo "ok: $n cases, idempotent, growth updates"
