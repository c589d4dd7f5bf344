#!/bin/sh
# scan_hysteresis.sh TUBAN SAMPLE OUT
# Hysteresis (detect.hysteresis_low < 1): the mask is cut at threshold x low and a
# component is kept only if it reaches the threshold. Opening and closing are increasing
# operators, so every change pixel of the plain scan is still a change pixel with
# hysteresis (the result is a superset), every kept polygon reaches the threshold, and
# weak components are counted as dropped.
set -e
tuban="$1"; sample="$2"; out="$3"
rm -rf "$out"
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/plain" -q
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/hyst" -q --set detect.hysteresis_low=0.3
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import gdal
out = sys.argv[1]
plain = gdal.Open(out + "/plain/changes_mask.tif").ReadRaster()
hyst = gdal.Open(out + "/hyst/changes_mask.tif").ReadRaster()
lost = sum(1 for a, b in zip(plain, hyst) if a == 1 and b != 1)
gained = sum(1 for a, b in zip(plain, hyst) if a != 1 and b == 1)
s = json.load(open(out + "/hyst/summary.json"))
gj = json.load(open(out + "/hyst/changes.geojson"))
t = s["threshold"]["value"]
print("hysteresis: %d change pixels gained, %d lost; %d polygons, %d weak components dropped" %
      (gained, lost, s["polygons"], s["dropped"]["below_threshold"]))
assert lost == 0, "hysteresis lost change pixels of the plain scan"
assert gained > 0, "hysteresis changed nothing"
assert s["dropped"]["below_threshold"] > 0, "no weak component dropped"
assert all(f["properties"]["max_score"] > t for f in gj["features"]), "a polygon below the threshold"
PY
