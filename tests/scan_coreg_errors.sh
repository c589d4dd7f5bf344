#!/bin/sh
# scan_coreg_errors.sh TUBAN FIXTURES SAMPLE OUT
# Co-registration that cannot be trusted stops the scan (exit 14) with a message that
# says why; coreg.warn_only turns the stop into a warning on stderr.
set -e
tuban="$1"; fx="$2"; sample="$3"; out="$4"
rm -rf "$out"; mkdir -p "$out"
expect() {   # expect CODE NEEDLE -- command...
    code="$1"; needle="$2"; shift 3
    set +e
    "$@" >/dev/null 2>"$out/err"
    rc=$?
    set -e
    [ "$rc" -eq "$code" ] || { echo "FAIL: exit $rc, expected $code: $(cat "$out/err")"; exit 1; }
    grep -q -- "$needle" "$out/err" || { echo "FAIL: '$needle' not in: $(cat "$out/err")"; exit 1; }
    echo "ok: $(cat "$out/err")"
}
# A flat pair: no window matches.
expect 14 "cannot be estimated" -- "$tuban" scan "$fx/flat_256.tif" "$fx/flat_256.tif" -o "$out/flat"
expect 0 "warning: co-registration failed" -- "$tuban" scan "$fx/flat_256.tif" "$fx/flat_256.tif" -o "$out/flat" --set coreg.warn_only=true
"$tuban" scan "$fx/flat_256.tif" "$fx/flat_256.tif" -o "$out/flat" --set coreg.enabled=false -q
# A pair 2.3 px apart with a bound of 1 px.
/usr/bin/python3 - "$sample/before.tif" "$out/before_shifted.tif" <<'PY'
import shutil, sys
from osgeo import gdal
shutil.copy(sys.argv[1], sys.argv[2])
ds = gdal.Open(sys.argv[2], gdal.GA_Update)
gt = list(ds.GetGeoTransform()); gt[0] += 2.3 * gt[1]; ds.SetGeoTransform(gt); ds = None
PY
expect 14 "more than coreg.max_shift_px" -- "$tuban" scan "$out/before_shifted.tif" "$sample/after.tif" -o "$out/far" --set coreg.max_shift_px=1
expect 0 "warning: co-registration refused" -- "$tuban" scan "$out/before_shifted.tif" "$sample/after.tif" -o "$out/far" --set coreg.max_shift_px=1 --set coreg.warn_only=true
# Each 128-pixel block of the before-image moved by its own offset: the windows match,
# but they do not agree on one shift, so none is applied.
/usr/bin/python3 - "$sample/after.tif" "$out/before_patchwork.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal
src = gdal.Open(sys.argv[1])
a = src.ReadAsArray()
b = a.copy()
moves = [(4, -3), (-5, -3), (-1, 4), (-1, -5), (-2, 1), (4, 3), (6, -4), (5, -6),
         (1, -3), (-4, 2), (-3, 1), (-3, -5), (3, -1), (2, 2), (6, -1), (-4, 2)]
for k, (dy, dx) in enumerate(moves):
    qy, qx = divmod(k, 4)
    ys, xs = slice(qy * 128, qy * 128 + 128), slice(qx * 128, qx * 128 + 128)
    b[:, ys, xs] = np.roll(a, (dy, dx), axis=(1, 2))[:, ys, xs]
dst = gdal.GetDriverByName("GTiff").CreateCopy(sys.argv[2], src)
dst.WriteRaster(0, 0, src.RasterXSize, src.RasterYSize, b.tobytes(), buf_type=dst.GetRasterBand(1).DataType)
dst = None
PY
expect 14 "co-registration windows disagree" -- "$tuban" scan "$out/before_patchwork.tif" "$sample/after.tif" -o "$out/patch"
expect 0 "warning: co-registration failed: the windows disagree" -- "$tuban" scan "$out/before_patchwork.tif" "$sample/after.tif" -o "$out/patch" --set coreg.warn_only=true
# A looser bound accepts their median.
"$tuban" scan "$out/before_patchwork.tif" "$sample/after.tif" -o "$out/patch" --set coreg.max_spread_px=10 -q
