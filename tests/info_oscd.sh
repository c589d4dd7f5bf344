#!/bin/sh
# info_oscd.sh TUBAN HONGKONG
# OSCD hongkong: each date is a directory of single-band files (listed band by band,
# in file-name order); the dates lie on different grids, so a scan warps the before
# date onto the after-image's grid (read as it is), whose size the target grid keeps.
tuban="$1"; d="$2"
set -e
out=$("$tuban" info "$d/A")
echo "$out"
echo "$out" | grep -q "driver       VRT: 4 GTiff files stacked" || { echo "FAIL: no stack"; exit 1; }
n=0
for b in B02 B03 B04 B08; do
    n=$((n + 1))
    echo "$out" | grep -q "band $n .*UInt16.*from .*_$b.tif" ||
        { echo "FAIL: band $n is not listed as the $b file"; exit 1; }
done

pair=$("$tuban" info "$d/A" "$d/B")
echo "$pair"
echo "$pair" | grep -q "reading      before warped, after read as it is" ||
    { echo "FAIL: the report does not say before is warped and after read as it is"; exit 1; }
echo "$pair" | grep -q "would run" || { echo "FAIL: the scan should run"; exit 1; }

"$tuban" info "$d/B" --json > "${TMPDIR:-/tmp}/info_oscd_b.$$.json"
"$tuban" info "$d/A" "$d/B" --json > "${TMPDIR:-/tmp}/info_oscd_pair.$$.json"
/usr/bin/python3 - "${TMPDIR:-/tmp}/info_oscd_b.$$.json" "${TMPDIR:-/tmp}/info_oscd_pair.$$.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["inputs"][0]
pair = json.load(open(sys.argv[2]))
p, ins = pair["pair"], pair["inputs"]
g = p["grid"]
print("B %d x %d, grid %d x %d, before covers %.3f" % (b["width"], b["height"], g["width"], g["height"], g["covered_before"]))
assert (g["width"], g["height"]) == (b["width"], b["height"]), "the target grid is not B's size"
assert (ins[0]["width"], ins[0]["height"]) != (b["width"], b["height"]), "A and B should differ"
assert p["before_warped"] is True and p["after_warped"] is False
assert p["scan"]["would_run"] and pair["exit_code"] == 0
assert g["crs"]["epsg"] == 4326
assert 9 < g["pixel_size_m"][0] < 11 and 9 < g["pixel_size_m"][1] < 11, g["pixel_size_m"]
for i in ins:
    assert i["stacked_files"] == 4
    assert [s["source"][-7:] for s in i["bands"]] == ["B02.tif", "B03.tif", "B04.tif", "B08.tif"]
PY
rm -f "${TMPDIR:-/tmp}/info_oscd_b.$$.json" "${TMPDIR:-/tmp}/info_oscd_pair.$$.json"
echo ok
