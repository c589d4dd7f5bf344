#!/bin/sh
# align_rpc.sh TUBAN OUT
# An after-image georeferenced only by RPCs (as an L1A scene is). The synthetic
# after-image is reprojected to EPSG:4326 (gdalwarp -r cubic, no data 0 outside) and
# written again with NO geotransform or CRS but an RPC model that is exact for a
# north-up lon/lat grid. GDAL's RPC model (gdal_rpc.cpp, RPCComputeTerms and
# RPCTransformPoint): terms 1, L, P, H, LP, ... of the normalised longitude L, latitude
# P and height H; column = SAMP_NUM/SAMP_DEN * SAMP_SCALE + SAMP_OFF + 0.5 and row the
# same with LINE_* (pixel-corner convention, hence the 0.5). With the offsets at the
# image centre, SAMP_NUM_COEFF = (0, 1, 0, ...) gives column = L, LINE_NUM_COEFF =
# (0, 0, -1, 0, ...) gives row = -P (rows run south), denominators (1, 0, ...),
# HEIGHT_OFF 0, HEIGHT_SCALE 1.
# Checked: the before-image (EPSG:4548) against this RPC after-image with
# align.crs=EPSG:4548 and align.pixel_size=0.8 scans like the pair itself (object F1
# against the truth >= 0.85 and within 0.05 of the plain scan's); align.dem naming a
# missing file stops with exit 4 and one line naming the DEM; without align.crs the
# scan stops with exit 9 and one line saying to set align.crs.
set -e
tuban="$1"; out="$2"
here=$(dirname "$0")
rm -rf "$out"; mkdir -p "$out"
"$tuban" synth "$out/pair" --size 1024 --seed 3 >/dev/null
gdalwarp -q -t_srs EPSG:4326 -r cubic -dstnodata 0 "$out/pair/after.tif" "$out/after_4326.tif"
/usr/bin/python3 - "$out/after_4326.tif" "$out/after_rpc.tif" <<'PY'
import sys
from osgeo import gdal
src, dst = sys.argv[1], sys.argv[2]
s = gdal.Open(src)
x0, dx, r1, y0, r2, dy = s.GetGeoTransform()
W, H = s.RasterXSize, s.RasterYSize
assert r1 == 0 and r2 == 0 and dy < 0
zeros = lambda n: ["0"] * n
rpc = {
    "SAMP_OFF": repr(W / 2 - 0.5), "SAMP_SCALE": repr(W / 2),
    "LINE_OFF": repr(H / 2 - 0.5), "LINE_SCALE": repr(H / 2),
    "LONG_OFF": repr(x0 + dx * W / 2), "LONG_SCALE": repr(dx * W / 2),
    "LAT_OFF": repr(y0 + dy * H / 2), "LAT_SCALE": repr(-dy * H / 2),
    "HEIGHT_OFF": "0", "HEIGHT_SCALE": "1",
    "SAMP_NUM_COEFF": " ".join(["0", "1"] + zeros(18)),
    "LINE_NUM_COEFF": " ".join(["0", "0", "-1"] + zeros(17)),
    "SAMP_DEN_COEFF": " ".join(["1"] + zeros(19)),
    "LINE_DEN_COEFF": " ".join(["1"] + zeros(19)),
}
mem = gdal.GetDriverByName("MEM").Create("", W, H, s.RasterCount, s.GetRasterBand(1).DataType)
for b in range(1, s.RasterCount + 1):
    band = mem.GetRasterBand(b)
    band.WriteArray(s.GetRasterBand(b).ReadAsArray())
    band.SetNoDataValue(0)
mem.SetMetadata(rpc, "RPC")
gdal.GetDriverByName("GTiff").CreateCopy(dst, mem, options=["TILED=YES", "COMPRESS=DEFLATE"])
mem = None
chk = gdal.Open(dst)
assert chk.GetProjection() == "" and chk.GetGeoTransform(can_return_null=True) is None, \
    "the RPC copy still has a geotransform or CRS"
assert chk.GetMetadata("RPC")["LINE_NUM_COEFF"].split()[2] == "-1"
# The model reproduces the lon/lat grid: pixel corners of the 4326 image map back.
tr = gdal.Transformer(chk, None, ["METHOD=RPC", "RPC_HEIGHT=0"])
for col, row in ((0, 0), (W, H), (W / 3, 2 * H / 3)):
    ok, (lon, lat, _) = tr.TransformPoint(0, col, row)
    assert ok and abs(lon - (x0 + col * dx)) < 1e-9 and abs(lat - (y0 + row * dy)) < 1e-9, \
        "RPC model off at pixel %g, %g: %r, %r" % (col, row, lon, lat)
PY
"$tuban" scan "$out/pair/before.tif" "$out/pair/after.tif" -o "$out/plain" -q
"$tuban" scan "$out/pair/before.tif" "$out/after_rpc.tif" -o "$out/rpc" -q \
    --set align.crs=EPSG:4548 --set align.pixel_size=0.8
for run in plain rpc; do
    "$tuban" eval "$out/$run/changes.gpkg" "$out/pair/truth.geojson" --min-area 20 \
        --json "$out/$run.json" >/dev/null
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
s = json.load(open(out + "/rpc/summary.json"))
plain = json.load(open(out + "/plain.json"))["object"]
rpc = json.load(open(out + "/rpc.json"))["object"]
c = s["coregistration"]
print("RPC after-image: grid %dx%d %r, after warped %s, before covers %.3f, shift %+.3f, %+.3f px (%s)" %
      (s["width"], s["height"], s["grid"]["geotransform"], s["grid"]["after_warped"],
       s["grid"]["before_covers"], c["shift_px"][0], c["shift_px"][1], c["status"]))
for name, o in (("plain pair", plain), ("RPC after ", rpc)):
    print("%s: objects precision %.3f recall %.3f F1 %.3f (%d predicted, %d true, %d matched)" %
          (name, o["precision"], o["recall"], o["f1"], o["pred"], o["truth"], o["matched"]))
assert s["grid"]["after_warped"], "the RPC image was not orthorectified"
assert s["grid"]["geotransform"][1] == 0.8 and s["grid"]["geotransform"][5] == -0.8
assert "4548" in s["crs"], "grid CRS: %r" % s["crs"]
assert rpc["f1"] >= 0.85, "object F1 with the RPC after-image %.3f below 0.85" % rpc["f1"]
assert rpc["f1"] >= plain["f1"] - 0.05, "RPC scan F1 %.3f far below the plain scan's %.3f" % (rpc["f1"], plain["f1"])
PY
# A DEM that does not exist is named (exit 4: an input file does not exist).
sh "$here/expect_failure.sh" 4 /no/such/dem.tif -- "$tuban" scan "$out/pair/before.tif" \
    "$out/after_rpc.tif" -o "$out/dem" --set align.crs=EPSG:4548 --set align.pixel_size=0.8 \
    --set align.dem=/no/such/dem.tif
# An RPC scene has no map grid: without align.crs the scan says to set it (exit 9).
sh "$here/expect_failure.sh" 9 "set align.crs" -- "$tuban" scan "$out/pair/before.tif" \
    "$out/after_rpc.tif" -o "$out/nocrs"
