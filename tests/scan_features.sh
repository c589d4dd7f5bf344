#!/bin/sh
# scan_features.sh TUBAN OUT
# Object features on a pair with known shapes (4 bands B, G, R, NIR, 1 m pixels):
#  - a 20 x 12 m roof without shadow: kind new, rectangularity 1, solidity 1, 240 m2;
#  - an L (20 x 20 m minus a 10 x 10 m corner) without shadow: rectangularity 0.75
#    (300 / 400 m2), solidity 6/7 (300 / 350 m2 of hull);
#  - a 16 x 10 m roof present only before: kind removed;
#  - six roofs with their shadows and six irregular blobs of disturbed ground: every
#    roof has a shadow adjacency above 0.25, every blob below 0.1, and the confidence
#    ranks every roof above every blob;
#  - a patch of soil turned green and one flooded: explained by vegetation and water
#    (explained share > 0.9), ranked below every roof; with evidence.mask_explained
#    neither is a polygon any more, and every roof still is;
#  - with evidence.mbi the roofs' building-index rise (mbi_rise) exceeds every blob's;
#    without it the field is empty.
set -e
tuban="$1"; out="$2"
rm -rf "$out"; mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys
import numpy as np
from osgeo import gdal, osr
out = sys.argv[1]
H = W = 300
rng = np.random.default_rng(5)
def smooth(a, k):
    """Box filter of size k along both axes (cumulative sums)."""
    for ax in (0, 1):
        c = np.cumsum(np.pad(a, [(k, k) if i == ax else (0, 0) for i in range(2)], mode="edge"), axis=ax)
        a = (np.take(c, range(k, k + a.shape[ax]), axis=ax) - np.take(c, range(0, a.shape[ax]), axis=ax)) / k
    return a
soil = np.array([1200, 1300, 1400, 2000], float)
tex = smooth(rng.normal(0, 1, (H, W)), 9)
ground = soil[:, None, None] * (1 + 0.15 * tex / tex.std())[None]
before = ground.copy()
after = ground.copy()
roof = np.array([2800, 2900, 3000, 3050], float)
def put(img, y0, x0, h, w, val):
    img[:, y0:y0 + h, x0:x0 + w] = val[:, None, None]
# Exact shapes, no shadow.
put(after, 20, 20, 12, 20, roof)                 # rectangle
put(after, 20, 60, 20, 20, roof)                 # L: square minus its lower-right corner
after[:, 30:40, 70:80] = ground[:, 30:40, 70:80]
put(before, 20, 110, 10, 16, roof)               # removed
# Roofs with shadows to the south-east (shadow: 30 % of the light left).
for i, (h, w) in enumerate([(12, 16), (10, 10), (14, 22), (9, 14), (16, 16), (11, 20)]):
    y0, x0 = 90 + 55 * (i // 3), 20 + 50 * (i % 3)
    sh = after[:, y0 + 3:y0 + h + 4, x0 + 3:x0 + w + 4]
    after[:, y0 + 3:y0 + h + 4, x0 + 3:x0 + w + 4] = sh * 0.3
    put(after, y0, x0, h, w, roof)
# Irregular blobs of disturbed ground (dumped earth, darker and redder).
blob_noise = smooth(rng.normal(0, 1, (H, W)), 5)
for i in range(6):
    y0, x0 = 210 + 45 * (i // 3) - 0, 180 + 40 * (i % 3) - 170 * (i // 3 == 1) * 0
    y0, x0 = [(205, 20), (205, 80), (205, 140), (250, 20), (250, 80), (250, 140)][i]
    yy, xx = np.mgrid[0:40, 0:40]
    r = np.hypot(yy - 20, xx - 20)
    shape = (blob_noise[y0:y0 + 40, x0:x0 + 40] * 6 + (14 - r) / 3) > 0.8
    f = np.array([0.75, 0.8, 0.95, 0.7])
    after[:, y0:y0 + 40, x0:x0 + 40] = np.where(shape[None], ground[:, y0:y0 + 40, x0:x0 + 40] * f[:, None, None],
                                                after[:, y0:y0 + 40, x0:x0 + 40])
# Vegetation grown and water where there was soil.
after[:, 100:130, 220:250] = np.array([400, 700, 450, 3500], float)[:, None, None]
after[:, 160:190, 220:250] = np.array([600, 700, 400, 200], float)[:, None, None]
for img, name in ((before, "before"), (after, "after")):
    img = img + rng.normal(0, 15, img.shape)
    ds = gdal.GetDriverByName("GTiff").Create("%s/%s.tif" % (out, name), W, H, 4, gdal.GDT_UInt16)
    ds.SetGeoTransform((500000, 1, 0, 4400000, 0, -1))
    s = osr.SpatialReference(); s.ImportFromEPSG(32650); ds.SetProjection(s.ExportToWkt())
    for b in range(4):
        ds.GetRasterBand(b + 1).WriteArray(np.clip(img[b], 1, 65535).astype(np.uint16))
    ds = None
PY
"$tuban" scan "$out/before.tif" "$out/after.tif" -o "$out/scan" -q --set input.sensor=bgrn
"$tuban" scan "$out/before.tif" "$out/after.tif" -o "$out/masked" -q --set input.sensor=bgrn \
    --set evidence.mask_explained=true
"$tuban" scan "$out/before.tif" "$out/after.tif" -o "$out/mbi" -q --set input.sensor=bgrn \
    --set evidence.mbi=true
/usr/bin/python3 - "$out" <<'PY'
import sys
from osgeo import ogr
out = sys.argv[1]
ds = ogr.Open(out + "/scan/changes.gpkg")
feats = []
for f in ds.GetLayer(0):
    e = f.GetGeometryRef().GetEnvelope()   # minx, maxx, miny, maxy
    col, row = e[0] - 500000, 4400000 - e[3]
    feats.append((col, row, f))
def at(col, row):
    hits = [f for c, r, f in feats if abs(c - col) < 2 and abs(r - row) < 2]
    assert len(hits) == 1, "no single polygon at column %d row %d" % (col, row)
    return hits[0]
def close(a, b, what):
    assert abs(a - b) < 1e-6, "%s: %.9f, expected %.9f" % (what, a, b)
rect, ell, gone = at(20, 20), at(60, 20), at(110, 20)
print("rectangle: kind %s rectangularity %.6f solidity %.6f area %.1f" %
      (rect["kind"], rect["rectangularity"], rect["solidity"], rect["area_m2"]))
print("L:         kind %s rectangularity %.6f solidity %.6f area %.1f" %
      (ell["kind"], ell["rectangularity"], ell["solidity"], ell["area_m2"]))
print("removed:   kind %s" % gone["kind"])
assert rect["kind"] == "new" and ell["kind"] == "new" and gone["kind"] == "removed"
close(rect["rectangularity"], 1.0, "rectangle rectangularity")
close(rect["solidity"], 1.0, "rectangle solidity")
close(rect["area_m2"], 240.0, "rectangle area")
close(ell["rectangularity"], 0.75, "L rectangularity")
close(ell["solidity"], 6.0 / 7.0, "L solidity")
roofs = [at(20 + 50 * (i % 3), 90 + 55 * (i // 3)) for i in range(6)]
blobs = [f for c, r, f in feats if r >= 195]
print("roofs: confidence %s shadow %s" % ([round(f["confidence"], 3) for f in roofs],
                                           [round(f["shadow_adjacency"], 3) for f in roofs]))
print("blobs: confidence %s shadow %s" % ([round(f["confidence"], 3) for f in blobs],
                                           [round(f["shadow_adjacency"], 3) for f in blobs]))
assert len(blobs) >= 5, "the blobs were not detected"
assert all(f["kind"] == "new" for f in roofs)
assert min(f["shadow_adjacency"] for f in roofs) > 0.25
assert max(f["shadow_adjacency"] for f in blobs) < 0.1
assert min(f["confidence"] for f in roofs) > max(f["confidence"] for f in blobs), "a blob outranks a roof"
green, water = at(220, 100), at(220, 160)
print("green patch: explained %.3f confidence %.3f; water: explained %.3f confidence %.3f" %
      (green["explained_share"], green["confidence"], water["explained_share"], water["confidence"]))
assert green["explained_share"] > 0.9 and water["explained_share"] > 0.9
assert max(green["confidence"], water["confidence"]) < min(f["confidence"] for f in roofs)
ds2 = ogr.Open(out + "/masked/changes.gpkg")
left = []
for f in ds2.GetLayer(0):
    e = f.GetGeometryRef().GetEnvelope()
    left.append((e[0] - 500000, 4400000 - e[3]))
assert not any(c >= 215 and 95 <= r <= 195 for c, r in left), "explained patches still in the mask"
for i in range(6):
    c, r = 20 + 50 * (i % 3), 90 + 55 * (i // 3)
    assert any(abs(c - x) < 2 and abs(r - y) < 2 for x, y in left), "a roof left the mask"
assert rect["mbi_rise"] is None, "mbi_rise set without evidence.mbi"
ds3 = ogr.Open(out + "/mbi/changes.gpkg")
rise = {}
for f in ds3.GetLayer(0):
    e = f.GetGeometryRef().GetEnvelope()
    rise[(round(e[0] - 500000), round(4400000 - e[3]))] = f["mbi_rise"]
roof_rise = [rise[(20 + 50 * (i % 3), 90 + 55 * (i // 3))] for i in range(6)]
blob_rise = [v for (c, r), v in rise.items() if r >= 195 and c < 200]
print("MBI rise: roofs %s blobs %s" % ([round(v, 2) for v in roof_rise], [round(v, 2) for v in blob_rise]))
assert min(roof_rise) > 1.0 and min(roof_rise) > max(blob_rise)
print("ok")
PY
