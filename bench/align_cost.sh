#!/bin/sh
# align_cost.sh [SIZE] [TUBAN]
# What alignment adds to a scan of a SIZE x SIZE synthetic pair (default 4096):
#   1. same grid, co-registration off       (no alignment work at all)
#   2. same grid, co-registration on        (the shift estimate; nothing to resample)
#   3. before displaced by (2.3, -1.7) px   (estimate, then the before-image is warped)
#   4. as 3 without co-registration         (what the displacement costs in accuracy)
# Prints wall time, the recovered shift and object precision/recall for each.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-4096}
tuban=${2:-$here/build/pipeline/tuban}
work=${TMPDIR:-/tmp}/tuban-align-$size
rm -rf "$work"
"$tuban" synth "$work/pair" --size "$size" --seed 3 >/dev/null
p="$work/pair"
/usr/bin/python3 - "$p" <<'PY'
import shutil, sys
from osgeo import gdal
p = sys.argv[1]
shutil.copy(p + "/before.tif", p + "/before_shifted.tif")
ds = gdal.Open(p + "/before_shifted.tif", gdal.GA_Update)
gt = list(ds.GetGeoTransform())
# Content displaced on the ground by (+2.3, -1.7) pixels: a geolocation error.
gt[0] += 2.3 * gt[1]
gt[3] += -1.7 * gt[5]
ds.SetGeoTransform(gt)
ds = None
PY
run() {
    name="$1"; before="$2"; shift 2
    start=$(date +%s.%N)
    "$tuban" scan "$before" "$p/after.tif" -o "$work/$name" -q "$@"
    end=$(date +%s.%N)
    "$tuban" eval "$work/$name/changes.gpkg" "$p/truth.geojson" --min-area 20 --json "$work/$name.json" >/dev/null
    /usr/bin/python3 - "$work/$name" "$work/$name.json" "$name" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
o = json.load(open(sys.argv[2]))["object"]
c = s["coregistration"]
print("%-22s wall %6.2f s  shift %7.3f %7.3f px (%s)  precision %.3f recall %.3f" % (
    sys.argv[3], float(sys.argv[5]) - float(sys.argv[4]), c["shift_px"][0], c["shift_px"][1],
    c["status"], o["precision"], o["recall"]))
PY
}
run same_grid_no_coreg "$p/before.tif" --set coreg.enabled=false
run same_grid_coreg "$p/before.tif"
run shifted_coreg "$p/before_shifted.tif"
run shifted_no_coreg "$p/before_shifted.tif" --set coreg.enabled=false
rm -rf "$work"
