#!/bin/sh
# align_partial_overlap.sh TUBAN OUT
# The before-image covers only the left 60 % of the after-image (gdal_translate
# -srcwin: 614 of 1024 columns, same lattice). tuban plans the after-image's grid
# clipped to the intersection of the footprints, so the scan runs on the after-image's
# lattice restricted to the overlap: a 614 x 1024 grid with the after-image's origin and
# pixel size. Checked: summary.json before_covers = 0.6 +- 0.02; changes_mask.tif is
# that grid, 255 (no data) exactly where the before-image is missing (nowhere, on this
# grid) and 0/1/2 (no change, new, removed) elsewhere; every polygon lies in the overlap; structures inside the
# overlap are found (object recall >= 0.95 against the truth restricted to it).
set -e
tuban="$1"; out="$2"
rm -rf "$out"; mkdir -p "$out"
"$tuban" synth "$out/pair" --size 1024 --seed 3 >/dev/null
gdal_translate -q -srcwin 0 0 614 1024 "$out/pair/before.tif" "$out/before_left.tif"
"$tuban" scan "$out/before_left.tif" "$out/pair/after.tif" -o "$out/scan" -q
# The truth inside the overlap (structures whose envelope lies in it).
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import gdal, ogr
out = sys.argv[1]
b = gdal.Open(out + "/before_left.tif"); a = gdal.Open(out + "/pair/after.tif")
bg = b.GetGeoTransform(); ag = a.GetGeoTransform()
x_end = bg[0] + b.RasterXSize * bg[1]          # east edge of the before-image
src = ogr.Open(out + "/pair/truth.geojson")
lyr = src.GetLayer(0)
drv = ogr.GetDriverByName("GeoJSON")
dst = drv.CreateDataSource(out + "/truth_overlap.geojson")
ol = dst.CreateLayer("truth", lyr.GetSpatialRef(), ogr.wkbMultiPolygon)
kept = 0
for f in lyr:
    e = f.GetGeometryRef().GetEnvelope()        # minx, maxx, miny, maxy
    if e[1] <= x_end:
        g = ogr.Feature(ol.GetLayerDefn()); g.SetGeometry(f.GetGeometryRef().Clone())
        ol.CreateFeature(g); kept += 1
dst = None
print("truth structures inside the overlap:", kept)
PY
"$tuban" eval "$out/scan/changes.gpkg" "$out/truth_overlap.geojson" --min-area 20 --json "$out/eval.json" >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
import numpy as np
from osgeo import gdal, ogr
out = sys.argv[1]
s = json.load(open(out + "/scan/summary.json"))
b = gdal.Open(out + "/before_left.tif"); a = gdal.Open(out + "/pair/after.tif")
m = gdal.Open(out + "/scan/changes_mask.tif")
bg, ag, mg = b.GetGeoTransform(), a.GetGeoTransform(), m.GetGeoTransform()
x_end = bg[0] + b.RasterXSize * bg[1]
cov = s["grid"]["before_covers"]
print("grid %dx%d origin %.1f, %.1f (after-image: %dx%d origin %.1f, %.1f); before covers %.4f" %
      (m.RasterXSize, m.RasterYSize, mg[0], mg[3], a.RasterXSize, a.RasterYSize, ag[0], ag[3], cov))
assert abs(cov - 0.6) <= 0.02, "before_covers %.4f, expected 0.6 +- 0.02" % cov
# The after-image's lattice: same pixel size, origin on it.
assert mg[1] == ag[1] and mg[5] == ag[5] and mg[2] == 0 and mg[4] == 0
assert abs((mg[0] - ag[0]) / ag[1] - round((mg[0] - ag[0]) / ag[1])) < 1e-6
assert abs((mg[3] - ag[3]) / ag[5] - round((mg[3] - ag[3]) / ag[5])) < 1e-6
# Restricted to the overlap: 614 x 1024 at the after-image's origin.
assert (m.RasterXSize, m.RasterYSize) == (614, 1024), "grid is not the overlap"
assert (mg[0], mg[3]) == (ag[0], ag[3])
assert s["grid"]["after_warped"] is False and s["grid"]["before_warped"] is False
# No data exactly where the before-image is missing (column centres east of its edge).
mask = m.ReadAsArray()
assert set(np.unique(mask)) <= {0, 1, 2, 255}
xc = mg[0] + (np.arange(m.RasterXSize) + 0.5) * mg[1]
missing = np.broadcast_to(xc > x_end, mask.shape)
assert (mask[missing] == 255).all(), "pixels without a before-image are not no data"
assert (mask[~missing] != 255).all(), "no data where both dates are valid"
print("mask: %d change, %d no data, %d missing-before pixels" %
      (((mask == 1) | (mask == 2)).sum(), (mask == 255).sum(), missing.sum()))
# Polygons only in the overlap.
ds = ogr.Open(out + "/scan/changes.gpkg")
lyr = ds.GetLayer(0)
n = 0
for f in lyr:
    e = f.GetGeometryRef().GetEnvelope()
    assert e[0] >= bg[0] - 1e-6 and e[1] <= x_end + 1e-6, "polygon %d outside the overlap" % f.GetFID()
    n += 1
o = json.load(open(out + "/eval.json"))["object"]
print("%d polygons, all in the overlap; objects in the overlap: precision %.3f recall %.3f F1 %.3f" %
      (n, o["precision"], o["recall"], o["f1"]))
assert n > 50, "too few polygons"
assert o["recall"] >= 0.95, "recall in the overlap below 0.95"
PY
