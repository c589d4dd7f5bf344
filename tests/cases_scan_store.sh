#!/bin/sh
# cases_scan_store.sh TUBAN SAMPLE OUT
# `tuban scan --store` with the [cases] settings of a config file: every case gets the
# grid code, street and community of the unit grid its centroid falls in (a case outside
# every grid is flagged, not dropped); detections inside a permit layer are recorded as
# exclusions and never become cases; the event code comes from the config.
set -e
tuban="$1"; sample="$2"; out="$3"
rm -rf "$out"; mkdir -p "$out"
# The sample covers x 470000..470409.6, y 4419590.4..4420000 (EPSG:4548). Two grid cells
# cover the left 300 m; a permit polygon covers the top-right corner.
cat > "$out/grid.geojson" <<'GJ'
{"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
 "features": [
  {"type": "Feature", "properties": {"WGDM": "110112001002001", "JDMC": "北苑街道", "SQMC": "新华社区"},
   "geometry": {"type": "Polygon", "coordinates": [[[470000, 4419590], [470150, 4419590], [470150, 4420000], [470000, 4420000], [470000, 4419590]]]}},
  {"type": "Feature", "properties": {"WGDM": "110112001002002", "JDMC": "北苑街道", "SQMC": "新华社区"},
   "geometry": {"type": "Polygon", "coordinates": [[[470150, 4419590], [470300, 4419590], [470300, 4420000], [470150, 4420000], [470150, 4419590]]]}}
 ]}
GJ
cat > "$out/permits.geojson" <<'GJ'
{"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
 "features": [
  {"type": "Feature", "properties": {"permit": "2026-0042"},
   "geometry": {"type": "Polygon", "coordinates": [[[470300, 4419800], [470410, 4419800], [470410, 4420000], [470300, 4420000], [470300, 4419800]]]}}
 ]}
GJ
cat > "$out/scan.ini" <<INI
[cases]
store = $out/cases.gpkg
grid_layer = $out/grid.geojson
grid_code_field = WGDM
street_field = JDMC
community_field = SQMC
permit_layers = $out/permits.geojson
event_code = 01001
INI
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/scan" -c "$out/scan.ini" > "$out/stdout"
grep "cases " "$out/stdout"
"$tuban" cases list --store "$out/cases.gpkg" --format json > "$out/cases.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import ogr, osr
out = sys.argv[1]
cases = json.load(open(out + "/cases.json"))
scan = json.load(open(out + "/scan/summary.json"))
store = ogr.Open(out + "/cases.gpkg")
excl = store.GetLayerByName("exclusions")
n_excl = excl.GetFeatureCount()
# Only polygons of new structures become cases or exclusions; removed ones are counted.
new = scan["kinds"]["new"]
print("%d polygons (%d new) -> %d cases, %d exclusions" % (scan["polygons"], new, len(cases), n_excl))
assert n_excl > 0, "no detection fell in the permit area"
assert len(cases) + n_excl == new, "cases + exclusions != new polygons"
for f in excl:
    assert f["reason"] == "permitted", f["reason"]
# Centroids back in EPSG:4548 decide the expected grid cell.
src = osr.SpatialReference(); src.ImportFromEPSG(4490)
dst = osr.SpatialReference(); dst.ImportFromEPSG(4548)
for s in (src, dst):
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ct = osr.CoordinateTransformation(src, dst)
inside = outside = 0
for c in cases:
    x, y, _ = ct.TransformPoint(c["lon"], c["lat"])
    assert c["event_code"] == "01001", c["event_code"]
    if x < 470150:
        want = "110112001002001"
    elif x < 470300:
        want = "110112001002002"
    else:
        want = ""
    if want:
        inside += 1
        assert c["grid_code"] == want and not c["outside_grid"], (c["case_id"], x, c["grid_code"])
        assert c["street"] == "北苑街道" and c["community"] == "新华社区"
        assert want in c["case_id"], c["case_id"]
    else:
        outside += 1
        assert c["grid_code"] == "" and c["outside_grid"], (c["case_id"], x)
assert inside > 0 and outside > 0, (inside, outside)
print("ok: %d cases in the grid with their codes, %d outside flagged" % (inside, outside))
PY
# Every cases command takes its store from [cases] store of -c FILE when --store is absent.
"$tuban" cases list -c "$out/scan.ini" --format json > "$out/cases_c.json"
cmp "$out/cases.json" "$out/cases_c.json" || { echo "FAIL: cases list -c differs from --store"; exit 1; }
echo "ok: cases list -c reads the store named in the config"
