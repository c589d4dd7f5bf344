#!/bin/sh
# scan_nodata.sh TUBAN OUT
# No-data is honoured: a block of the after-image set to its nodata value yields no
# change there, and the mask marks it 255; a mask band (alpha) does the same.
set -e
tuban="$1"; out="$2"
rm -rf "$out"
"$tuban" synth "$out/pair" --size 512 --seed 4 >/dev/null
p="$out/pair"
/usr/bin/python3 - "$p" "$out" <<'PY'
import sys
from osgeo import gdal
p, out = sys.argv[1], sys.argv[2]
src = gdal.Open(p + "/after.tif")
ds = gdal.GetDriverByName("GTiff").CreateCopy(out + "/after_nodata.tif", src)
for b in range(1, ds.RasterCount + 1):
    band = ds.GetRasterBand(b)
    band.SetNoDataValue(0)
    band.WriteRaster(0, 0, 256, 512, b"\0" * (256 * 512 * 2))
ds = None
# The same hole as an alpha band instead of a nodata value.
ds = gdal.Translate(out + "/after_alpha.tif", src, options="-b 1 -b 2 -b 3 -b 4 -b 1 -colorinterp_5 alpha")
alpha = ds.GetRasterBand(5)
alpha.WriteRaster(0, 0, 512, 512, b"\xff\xff" * 512 * 512)
alpha.WriteRaster(0, 0, 256, 512, b"\0" * (256 * 512 * 2))
ds = None
PY
"$tuban" scan $p/before.tif $out/after_nodata.tif -o $out/nd -q
"$tuban" scan $p/before.tif $out/after_alpha.tif -o $out/alpha -q
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import gdal
out = sys.argv[1]
for d in ("nd", "alpha"):
    ds = gdal.Open(out + "/" + d + "/changes_mask.tif")
    left = ds.ReadRaster(0, 0, 256, 512)
    right = ds.ReadRaster(256, 0, 256, 512)
    assert set(left) == {255}, d + ": no-data half not marked 255"
    assert 255 not in set(right) and 1 in set(right), d + ": data half wrong"
    gj = json.load(open(out + "/" + d + "/changes.geojson"))
    gt = ds.GetGeoTransform()
    xmid = gt[0] + 256 * gt[1]
    assert gj["features"], d + ": no polygons in the data half"
    assert all(f["properties"]["centroid_x"] > xmid for f in gj["features"]), d + ": polygon in no-data"
    print("ok:", d, len(gj["features"]), "polygons, all in the data half")
PY
