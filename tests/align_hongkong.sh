#!/bin/sh
# align_hongkong.sh TUBAN DATA OUT
# OSCD hongkong: its dates lie on different grids (A from MGRS tile T49QHE, 540 x 695;
# B from T50QKK, 538 x 693 with another pixel size; both EPSG:4326, same origin). The
# scan puts A onto B's grid and must give valid polygons. The label (no georeferencing
# of its own; it is on A's grid) gets A's geotransform and CRS and is warped with
# gdalwarp -r near onto the scan's output grid, read from changes_mask.tif; pixel F1
# against it must be in the range of the same-grid OSCD cities with defaults
# (aguasclaras 0.25, bercy 0.27, paris 0.09, rennes 0.58): asserted >= 0.05, printed.
set -e
tuban="$1"; data="$2"; out="$3"
d="$data/oscd-sentinel2/hongkong"
rm -rf "$out"; mkdir -p "$out"
"$tuban" scan "$d/A" "$d/B" -o "$out/scan" -q
a_band=$(ls "$d"/A/*_B02.tif)
b_band=$(ls "$d"/B/*_B02.tif)
# Georeference the label with A's grid, then warp it onto the scan's grid.
set -- $(/usr/bin/python3 - "$a_band" "$out/scan/changes_mask.tif" "$out/a.wkt" "$out/grid.wkt" <<'PY'
import sys
from osgeo import gdal
a = gdal.Open(sys.argv[1]); m = gdal.Open(sys.argv[2])
open(sys.argv[3], "w").write(a.GetProjection())
open(sys.argv[4], "w").write(m.GetProjection())
g = a.GetGeoTransform(); t = m.GetGeoTransform()
assert g[2] == 0 and g[4] == 0 and t[2] == 0 and t[4] == 0
print(repr(g[0]), repr(g[3]), repr(g[0] + a.RasterXSize * g[1]), repr(g[3] + a.RasterYSize * g[5]),
      repr(t[0]), repr(t[3] + m.RasterYSize * t[5]), repr(t[0] + m.RasterXSize * t[1]), repr(t[3]),
      m.RasterXSize, m.RasterYSize)
PY
)
gdal_translate -q -a_srs "$out/a.wkt" -a_ullr "$1" "$2" "$3" "$4" "$d/label/hongkong-cm.tif" "$out/label_a.tif"
gdalwarp -q -overwrite -r near -t_srs "$out/grid.wkt" -te "$5" "$6" "$7" "$8" -ts "$9" "${10}" \
    "$out/label_a.tif" "$out/label_on_grid.tif"
"$tuban" eval "$out/scan/changes_mask.tif" "$out/label_on_grid.tif" --pred-values 1,2 --truth-values 2 \
    --json "$out/eval.json" >/dev/null
/usr/bin/python3 - "$out" "$b_band" <<'PY'
import json, sys
from osgeo import gdal, ogr
out, b_band = sys.argv[1], sys.argv[2]
s = json.load(open(out + "/scan/summary.json"))
m = gdal.Open(out + "/scan/changes_mask.tif"); b = gdal.Open(b_band)
lab = gdal.Open(out + "/label_on_grid.tif")
# The grid is B's (the after-image's) own grid; A was warped onto it.
assert (m.RasterXSize, m.RasterYSize) == (b.RasterXSize, b.RasterYSize), "grid is not B's size"
assert all(abs(x - y) <= 1e-9 for x, y in zip(m.GetGeoTransform(), b.GetGeoTransform())), \
    "grid is not B's geotransform"
assert s["grid"]["before_warped"] and not s["grid"]["after_warped"]
assert lab.GetGeoTransform() == m.GetGeoTransform() and lab.RasterXSize == m.RasterXSize
ds = ogr.Open(out + "/scan/changes.gpkg")
lyr = ds.GetLayer(0)
n = 0
for f in lyr:
    g = f.GetGeometryRef()
    assert g.IsValid(), "invalid polygon %d" % f.GetFID()
    assert f["area_m2"] > 0 and f["pixels"] > 0
    n += 1
assert n > 0, "no polygons"
c = s["coregistration"]
p = json.load(open(out + "/eval.json"))["pixel"]
print("hongkong: %d valid polygons; grid %dx%d (B's), before covers %.3f; shift %+.3f, %+.3f px (%s)" %
      (n, m.RasterXSize, m.RasterYSize, s["grid"]["before_covers"], c["shift_px"][0], c["shift_px"][1],
       c["status"]))
print("hongkong pixels: precision %.3f recall %.3f F1 %.3f IoU %.3f" %
      (p["precision"], p["recall"], p["f1"], p["iou"]))
assert p["f1"] >= 0.05, "pixel F1 %.3f below 0.05" % p["f1"]
PY
