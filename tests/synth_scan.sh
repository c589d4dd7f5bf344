#!/bin/sh
# synth_scan.sh TUBAN OUT
# End to end on a generated pair with known truth (new steel roofs among seasonal
# vegetation change, sensor noise, a gain/offset between dates and moving cars):
# object recall >= 0.95 and precision >= 0.90 for structures of 20 m2 and more.
set -e
tuban="$1"; out="$2"
rm -rf "$out"
"$tuban" synth "$out/pair" --size 1024 --seed 7 >/dev/null
"$tuban" scan "$out/pair/before.tif" "$out/pair/after.tif" -o "$out/scan" -q
"$tuban" eval "$out/scan/changes.gpkg" "$out/pair/truth.geojson" --min-area 20 --json "$out/objects.json" >/dev/null
"$tuban" eval "$out/scan/changes_mask.tif" "$out/pair/truth_mask.tif" --pred-values 1 --json "$out/pixels.json" >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
o = json.load(open(out + "/objects.json"))["object"]
p = json.load(open(out + "/pixels.json"))["pixel"]
print("objects: precision %.3f recall %.3f F1 %.3f (%d predicted, %d true, %d matched)" %
      (o["precision"], o["recall"], o["f1"], o["pred"], o["truth"], o["matched"]))
print("pixels:  precision %.3f recall %.3f F1 %.3f IoU %.3f" % (p["precision"], p["recall"], p["f1"], p["iou"]))
assert o["truth"] > 150, "too few structures in the synthetic truth"
assert o["recall"] >= 0.95, "object recall below 0.95"
assert o["precision"] >= 0.90, "object precision below 0.90"
PY
