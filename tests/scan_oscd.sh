#!/bin/sh
# scan_oscd.sh TUBAN DATA OUT
# Every OSCD city whose dates share a grid scans to valid polygons, and its change
# mask scores against the city's label (printed: a figure to follow, not a target).
set -e
tuban="$1"; data="$2"; out="$3"
for city in aguasclaras bercy paris rennes; do
    d="$data/oscd-sentinel2/$city"
    "$tuban" scan "$d/A" "$d/B" -o "$out/$city" -q
    /usr/bin/python3 - "$out/$city" <<'PY'
import sys
from osgeo import ogr
ds = ogr.Open(sys.argv[1] + "/changes.gpkg")
lyr = ds.GetLayer(0)
for f in lyr:
    assert f.GetGeometryRef().IsValid(), "invalid polygon"
    assert f["area_m2"] > 0 and f["pixels"] > 0
print(sys.argv[1], lyr.GetFeatureCount(), "valid polygons")
PY
    "$tuban" eval "$out/$city/changes_mask.tif" "$d/label/$city-cm.tif" --pred-values 1,2 --truth-values 2
done
