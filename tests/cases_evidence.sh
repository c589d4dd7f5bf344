#!/bin/sh
# cases_evidence.sh TUBAN WORK
# Evidence chips of the case store: every case opened by a merge carries a before and
# an after PNG beside the store (8-bit RGB, 256 px, yellow outline, a new roof inside
# the polygon of the after chip); verification and reopening by a later scan add a new
# pair to that case only; merging the same scan again writes nothing; a scan whose
# input rasters were moved away still merges, without chips, with a warning.
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
py=/usr/bin/python3
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
work=$(pwd -P)
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o scan1 -q || fail "scan 1"
"$tuban" scan pair/after.tif pair/after.tif -o gone -q || fail "scan of after against itself"
"$tuban" scan pair/before.tif pair/after.tif -o scan2 -q --set morphology.close_radius=2 || fail "scan 2"

# check.py STORE CASE_ID|- PAIRS MODE: every case (or one) has PAIRS chip pairs;
# MODE new: the last pair shows change inside the polygon; same: its two chips are equal.
cat > check.py <<'PY'
import json, os, sys
import numpy as np
from osgeo import gdal, ogr
from scipy import ndimage
gdal.UseExceptions()
store, only, pairs, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
evdir = os.path.join(os.path.dirname(os.path.abspath(store)), "evidence")
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
def chip(path):
    if not os.path.isfile(path): fail(f"{path}: missing")
    ds = gdal.Open(path)
    if ds.GetDriver().ShortName != "PNG": fail(f"{path}: not a PNG")
    if ds.RasterCount != 3 or ds.RasterXSize != 256 or ds.RasterYSize != 256: fail(f"{path}: {ds.RasterCount} bands {ds.RasterXSize}x{ds.RasterYSize}, expected RGB 256x256")
    if any(ds.GetRasterBand(i + 1).DataType != gdal.GDT_Byte for i in range(3)): fail(f"{path}: not 8-bit")
    return ds.ReadAsArray().astype(int)
ds = ogr.Open(store)
n = 0
for f in ds.GetLayerByName("cases"):
    cid = f.GetField("case_id")
    if only != "-" and cid != only: continue
    n += 1
    ev = json.loads(f.GetField("evidence"))
    pngs = [p for p in ev if p.endswith(".png")]
    if len(pngs) != 2 * pairs: fail(f"{cid}: {len(pngs)} PNGs in its evidence, expected {2 * pairs}: {pngs}")
    b, a = pngs[-2], pngs[-1]
    for p in (b, a): # the last pair beside this store (a copied store keeps older paths)
        if os.path.dirname(p) != os.path.join(evdir, cid): fail(f"{cid}: {p} not in {evdir}/{cid}")
    if not (b.endswith("_before.png") and a.endswith("_after.png") and b[:-11] == a[:-10]): fail(f"{cid}: not a before/after pair: {b} {a}")
    cb, ca = chip(b), chip(a)
    yb = (cb[0] == 255) & (cb[1] == 255) & (cb[2] == 0)
    ya = (ca[0] == 255) & (ca[1] == 255) & (ca[2] == 0)
    if ya.sum() < 16: fail(f"{cid}: {ya.sum()} yellow pixels in {a}: no outline")
    both = (yb & ya).sum() / max(1, (yb | ya).sum())
    if both < 0.9: fail(f"{cid}: the outlines of the two chips differ ({both:.2f} overlap)")
    # The outline is the polygon: centred in the chip, inside the 20 m margin.
    ys, xs = np.nonzero(ya)
    if abs((xs.min() + xs.max()) / 2 - 127.5) > 4 and abs((ys.min() + ys.max()) / 2 - 127.5) > 4: fail(f"{cid}: outline not centred")
    inside = ndimage.binary_fill_holes(ya) & ~ya
    if inside.sum() < 4: fail(f"{cid}: the outline encloses {inside.sum()} pixels")
    diff = np.abs(ca - cb).sum(axis=0)[inside].mean()
    if mode == "new" and diff < 60: fail(f"{cid}: after and before chips differ by only {diff:.1f} inside the polygon")
    if mode == "same" and diff != 0: fail(f"{cid}: chips of the same image differ by {diff:.1f}")
if n == 0: fail(f"no case {only} in {store}")
print(f"ok: {n} case(s), {pairs} pair(s) each, {mode}")
PY

mkdir -p S R M
"$tuban" cases merge scan1 --store S/cases.gpkg -q || fail "merge"
cp S/cases.gpkg R/cases.gpkg
$py check.py S/cases.gpkg - 1 new || fail "chips of the new cases"
[ "$(find S/evidence -name '*.png' | wc -l)" -eq $((2 * $(count_cases S/cases.gpkg))) ] ||
    fail "$(find S/evidence -name '*.png' | wc -l) PNGs for $(count_cases S/cases.gpkg) cases"
[ -z "$(find S/evidence -name '*.tmp*')" ] || fail "temporary files left behind"
a=$(nth_case S/cases.gpkg 1); b=$(nth_case S/cases.gpkg 2)
[ -f "$work/S/evidence/$a/20260614_before.png" ] || fail "no S/evidence/$a/20260614_before.png"

# The same scan again: nothing written.
find S/evidence -type f | sort > files1.txt
"$tuban" cases merge scan1 --store S/cases.gpkg | grep -q "already merged" || fail "second merge"
find S/evidence -type f | sort > files2.txt
cmp -s files1.txt files2.txt || fail "the same scan merged twice wrote chips"

cat > fb.csv <<CSV
case_id,status,time,note
$a,reported,2026-06-15T08:00:00Z,
$a,dispatched,2026-06-15T09:00:00Z,
$a,handling,2026-06-15T10:00:00Z,
$a,rectified,2026-06-20T10:00:00Z,demolished
CSV
for s in S R; do
    "$tuban" cases feedback fb.csv --store $s/cases.gpkg >/dev/null || fail "feedback"
done

# Verification (after against itself, the same after date): a second pair, _2, for
# that case only; both chips show after.tif around the stored polygon.
"$tuban" cases merge gone --store S/cases.gpkg -q || fail "merge of the empty scan"
[ "$(status_of S/cases.gpkg "$a")" = verified ] || fail "$a is $(status_of S/cases.gpkg "$a"), expected verified"
$py check.py S/cases.gpkg "$a" 2 same || fail "chips of the verification"
[ -f "$work/S/evidence/$a/20260614_2_after.png" ] || fail "no second pair named 20260614_2_*"
$py check.py S/cases.gpkg "$b" 1 new || fail "an unverified case got chips"

# Reopening (still standing): a new pair around the new detection.
"$tuban" cases merge scan2 --store R/cases.gpkg -q || fail "merge scan 2"
[ "$(status_of R/cases.gpkg "$a")" = reopened ] || fail "$a is $(status_of R/cases.gpkg "$a"), expected reopened"
$py check.py R/cases.gpkg "$a" 2 new || fail "chips of the reopening"
[ -f "$work/R/evidence/$a/20260614_after.png" ] || fail "reopening chips not beside the store R"

# Inputs moved away after the scan: the merge succeeds, warns, writes no chip.
mkdir moved
cp pair/before.tif pair/after.tif moved/
"$tuban" scan moved/before.tif moved/after.tif -o scan3 -q || fail "scan 3"
mv moved gone_away
"$tuban" cases merge scan3 --store M/cases.gpkg -q 2> warn.txt || fail "merge with the inputs moved away failed"
cat warn.txt
grep -q "warning: .*moved/before.tif" warn.txt || fail "no warning for the missing before image"
grep -q "warning: .*moved/after.tif" warn.txt || fail "no warning for the missing after image"
[ "$(count_cases M/cases.gpkg)" -gt 10 ] || fail "the cases were not opened"
[ ! -e M/evidence ] || [ -z "$(find M/evidence -name '*.png')" ] || fail "chips from rasters that are gone"
echo "ok: evidence chips"
