#!/bin/sh
# levir_confidence_ap.sh [TUBAN] [DATA] [-- extra scan options]
# How well the polygons' `confidence` ranks them, on the LEVIR-CD crops: each tile is
# scanned (0.5 m, coreg.warn_only, as bench/eval_datasets.sh), every polygon is
# rasterised and matched one-to-one, in order of falling confidence, to the unmatched
# label building (8-connected component of the label) of highest IoU >= 0.3. Prints:
#   ranking AP: mean over the true polygons of the precision at their rank (1 = every
#               true polygon ranked above every false one; tied confidences: the mean
#               over random orders of the ties);
#   detection AP: the same sum over the label buildings (also counts the missed);
#   how many polygons share confidence 1.0 and how many distinct values there are.
# Buildings and polygons under MIN_AREA_M2 (env, default 50) are left out.
# Data: LEVIR-CD (Chen & Shi 2020), research and non-commercial use only.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
tuban=${1:-$here/build/pipeline/tuban}
data=${2:-$here/../shared/data}
[ $# -ge 2 ] && shift 2 || shift $#
[ "${1:-}" = "--" ] && shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
levir="$data/levir-cd-samples"
for a in "$levir"/A/*.png; do
    t=$(basename "$a" .png)
    "$tuban" scan "$a" "$levir/B/$t.png" --pixel-size 0.5 --set coreg.warn_only=true \
        -o "$out/$t" -q "$@"
done
/usr/bin/python3 - "$out" "$levir" "${MIN_AREA_M2:-50}" <<'PY'
import glob, os, sys
import numpy as np
from osgeo import gdal, ogr
from scipy import ndimage
out, levir, min_m2 = sys.argv[1], sys.argv[2], float(sys.argv[3])
min_px = min_m2 / 0.25
preds, n_truth = [], 0   # (confidence, tile order, matched)
for k, d in enumerate(sorted(glob.glob(out + "/*/"))):
    t = os.path.basename(d.rstrip("/"))
    lab = gdal.Open("%s/label/%s.png" % (levir, t)).ReadAsArray()
    if lab.ndim == 3:
        lab = lab[0]
    truth, nt = ndimage.label(lab > 0, structure=np.ones((3, 3)))
    tsize = np.bincount(truth.ravel(), minlength=nt + 1)
    big = [j for j in range(1, nt + 1) if tsize[j] >= min_px]
    n_truth += len(big)
    tmpl = gdal.Open(d + "changes_mask.tif")
    drv = gdal.GetDriverByName("MEM")
    ras = drv.Create("", tmpl.RasterXSize, tmpl.RasterYSize, 1, gdal.GDT_UInt32)
    ras.SetGeoTransform(tmpl.GetGeoTransform())
    ras.SetProjection(tmpl.GetProjection())
    vec = ogr.Open(d + "changes.gpkg")
    layer = vec.GetLayer(0)
    gdal.RasterizeLayer(ras, [1], layer, options=["ATTRIBUTE=id"])
    ids = ras.ReadAsArray()
    conf = {f["id"]: f["confidence"] for f in layer}
    psize = np.bincount(ids.ravel(), minlength=max(conf, default=0) + 1)
    cand = sorted((i for i in conf if psize[i] >= min_px), key=lambda i: (-conf[i], i))
    used = set()
    for i in cand:
        m = ids == i
        hits = np.bincount(truth[m], minlength=nt + 1)
        best, best_iou = 0, 0.3
        for j in big:
            if j in used or not hits[j]:
                continue
            iou = hits[j] / (psize[i] + tsize[j] - hits[j])
            if iou >= best_iou:
                best, best_iou = j, iou
        if best:
            used.add(best)
        preds.append((conf[i], k, bool(best)))
def ap(order):
    tp, s = 0, 0.0
    for rank, ok in enumerate(order, 1):
        if ok:
            tp += 1
            s += tp / rank
    return tp, s
# Tied confidences carry no order: their AP is the mean over 500 random orders of the ties.
rng = np.random.default_rng(1)
draws = []
for _ in range(500):
    key = rng.random(len(preds))
    order = sorted(range(len(preds)), key=lambda i: (-preds[i][0], key[i]))
    draws.append(ap([preds[i][2] for i in order])[1])
tp, ap_sum = ap([p[2] for p in preds]) [0], float(np.mean(draws))
confs = [p[0] for p in preds]
print("polygons %d (true %d), label buildings %d (>= %g m2)" % (len(preds), tp, n_truth, min_m2))
print("ranking AP %.3f   detection AP %.3f" % (ap_sum / max(tp, 1), ap_sum / max(n_truth, 1)))
print("confidence 1.0: %d of %d polygons; %d distinct values" %
      (sum(c >= 1.0 for c in confs), len(confs), len(set(confs))))
PY
