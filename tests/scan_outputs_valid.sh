#!/bin/sh
# scan_outputs_valid.sh TUBAN DATA OUT
# A real scan (OSCD Paris, EPSG:4326) writes every output; the GeoPackage passes
# GDAL's validate_gpkg.py and carries its metadata; every polygon is valid; a
# failing rerun into the same folder leaves the first outputs byte-identical.
set -e
tuban="$1"; data="$2"; out="$3"
rm -rf "$out"
"$tuban" scan "$data/oscd-sentinel2/paris/A" "$data/oscd-sentinel2/paris/B" -o "$out" -q
for f in changes.gpkg changes.geojson changes_mask.tif summary.json; do
    [ -s "$out/$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
ls -a "$out" | grep -q '^\.tuban-' && { echo "FAIL: temporary files left"; exit 1; }
validate=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
/usr/bin/python3 "$validate" "$out/changes.gpkg" || { echo "FAIL: validate_gpkg.py"; exit 1; }
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import ogr
out = sys.argv[1]
ds = ogr.Open(out + "/changes.gpkg")
lyr = ds.GetLayerByName("changes")
assert lyr is not None, "no layer 'changes'"
md = lyr.GetMetadata()
for key in ("TUBAN_VERSION", "BEFORE", "AFTER", "THRESHOLD", "CONFIG"):
    assert key in md, "metadata lacks " + key
names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(lyr.GetLayerDefn().GetFieldCount())]
for f in ("id", "area_m2", "perimeter_m", "pixels", "mean_score", "max_score", "centroid_x", "centroid_y"):
    assert f in names, "field missing: " + f
n = 0
summary = json.load(open(out + "/summary.json"))
for feat in lyr:
    g = feat.GetGeometryRef()
    assert g.IsValid(), "invalid polygon %d" % feat.GetFID()
    assert feat["area_m2"] >= summary["min_area_m2"], "polygon below min area"
    n += 1
assert n == summary["polygons"], "summary says %d polygons, layer has %d" % (summary["polygons"], n)
gj = json.load(open(out + "/changes.geojson"))
assert len(gj["features"]) == n and gj["tuban"]["THRESHOLD"], "geojson disagrees"
print("ok: %d valid polygons" % n)
PY
sum1=$(cat "$out/changes.gpkg" "$out/summary.json" | md5sum)
if "$tuban" scan "$data/oscd-sentinel2/paris/A" /no/such/after.tif -o "$out" -q 2>/dev/null; then
    echo "FAIL: scan with a missing input succeeded"; exit 1
fi
sum2=$(cat "$out/changes.gpkg" "$out/summary.json" | md5sum)
[ "$sum1" = "$sum2" ] || { echo "FAIL: a failed scan changed earlier outputs"; exit 1; }
echo "ok: earlier outputs intact after a failed scan"
