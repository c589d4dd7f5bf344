#!/bin/sh
# align_known_shift.sh TUBAN OUT
# Co-registration recovers a known geolocation error. The before-image of a synthetic
# pair is misregistered by editing only its geotransform (no resampling): its origin
# moves by (sx, sy) pixels, gt[0] += sx * gt[1] and gt[3] += sy * gt[5], so its pixel
# (c, r) lands on grid position (c + sx, r + sy) and the before-image seen on the
# after-image's grid is before_grid(x, y) = true(x - sx, y - sy).
# Sign: tuban re-warps the before-image so that before_shifted(x, y) =
# before_grid(x + dx, y + dy); that equals true(x, y) when (dx, dy) = (sx, sy). So the
# shift_px in summary.json must equal the origin move in pixels, sign included: +2.3
# east and -1.7 (northwards: rows decrease) give shift_px = [2.3, -1.7].
# Each component must be recovered within 0.1 px.
set -e
tuban="$1"; out="$2"
rm -rf "$out"; mkdir -p "$out"
"$tuban" synth "$out/pair" --size 1024 --seed 11 >/dev/null
for shift in "2.3 -1.7" "0.4 0.25"; do
    set -- $shift
    sx="$1"; sy="$2"; name="shift_${sx}_${sy}"
    /usr/bin/python3 - "$out/pair/before.tif" "$out/$name.tif" "$sx" "$sy" <<'PY'
import shutil, sys
from osgeo import gdal
src, dst, sx, sy = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
shutil.copy(src, dst)
ds = gdal.Open(dst, gdal.GA_Update)
gt = list(ds.GetGeoTransform())
gt[0] += sx * gt[1]
gt[3] += sy * gt[5]
ds.SetGeoTransform(gt)
ds = None
PY
    "$tuban" scan "$out/$name.tif" "$out/pair/after.tif" -o "$out/$name" -q
    /usr/bin/python3 - "$out/$name/summary.json" "$sx" "$sy" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sx, sy = float(sys.argv[2]), float(sys.argv[3])
c = s["coregistration"]
dx, dy = c["shift_px"]
print("origin moved %+.2f, %+.2f px: recovered %+.4f, %+.4f px (error %+.4f, %+.4f; "
      "spread %.4f, %.4f; %d of %d windows; %s)" %
      (sx, sy, dx, dy, dx - sx, dy - sy, c["spread_px"][0], c["spread_px"][1],
       c["windows_used"], c["windows_tried"], c["status"]))
assert c["status"] == "applied", "co-registration status: " + c["status"]
assert abs(dx - sx) <= 0.1, "x shift %.4f, expected %.2f" % (dx, sx)
assert abs(dy - sy) <= 0.1, "y shift %.4f, expected %.2f" % (dy, sy)
PY
done
