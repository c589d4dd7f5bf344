#!/bin/sh
# levir_pixel_f1.sh [TUBAN] [DATA] [-- extra scan options]
# Scans every LEVIR-CD crop in ../shared/data/levir-cd-samples (0.5 m, no CRS) and
# prints pixel precision/recall/F1/IoU per tile and pooled over all tiles (the sums of
# the confusion counts). LEVIR-CD labels mark buildings that appeared or vanished.
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
    "$tuban" scan "$a" "$levir/B/$t.png" --pixel-size 0.5 -o "$out/$t" -q "$@"
    "$tuban" eval "$out/$t/changes_mask.tif" "$levir/label/$t.png" --pred-values 1,2 --json "$out/$t.json" >/dev/null
done
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
rows, tp, fp, fn = [], 0, 0, 0
def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    iou = tp / (tp + fp + fn) if tp + fp + fn else 1.0
    return p, r, f, iou
print("%-24s %9s %9s %9s %9s" % ("tile", "precision", "recall", "F1", "IoU"))
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    px = json.load(open(path))["pixel"]
    tp += px["tp"]; fp += px["fp"]; fn += px["fn"]
    print("%-24s %9.3f %9.3f %9.3f %9.3f" % ((os.path.basename(path)[:-5],) + prf(px["tp"], px["fp"], px["fn"])))
print("%-24s %9.3f %9.3f %9.3f %9.3f" % (("pooled",) + prf(tp, fp, fn)))
PY
