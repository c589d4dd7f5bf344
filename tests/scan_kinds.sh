#!/bin/sh
# scan_kinds.sh TUBAN OUT
# Direction of change on a generated pair with 40 demolished buildings besides the new
# structures: new structures come out as kind "new" and demolitions as "removed"
# (object recall and precision of each kind against its own truth), the mask holds
# 1 for new and 2 for removed, the summary counts both, and `tuban eval --kinds`
# scores each kind. Scanning the pair backwards (after -> before) turns the new
# structures into removed ones.
set -e
tuban="$1"; out="$2"
rm -rf "$out"; mkdir -p "$out"
"$tuban" synth "$out/pair" --size 1024 --seed 7 --removed 40 >"$out/synth.txt"
grep -q "(40 demolished)" "$out/synth.txt" || { cat "$out/synth.txt"; echo "synth did not demolish 40"; exit 1; }
p="$out/pair"
"$tuban" scan $p/before.tif $p/after.tif -o $out/fwd -q
"$tuban" scan $p/after.tif $p/before.tif -o $out/rev -q
ogr2ogr -f GeoJSON $out/truth_new.geojson $p/truth.geojson -where "kind = 'new'"
ogr2ogr -f GeoJSON $out/truth_removed.geojson $p/truth.geojson -where "kind = 'removed'"
for k in new removed; do
    "$tuban" eval $out/fwd/changes.gpkg $out/truth_$k.geojson --kinds $k --min-area 20 --json $out/obj_$k.json >/dev/null
    # Backwards, the new structures are what vanished.
done
"$tuban" eval $out/rev/changes.gpkg $out/truth_new.geojson --kinds removed --min-area 20 --json $out/rev_removed.json >/dev/null
"$tuban" eval $out/fwd/changes_mask.tif $p/truth_mask.tif --kinds removed --truth-values 2 --json $out/pix_removed.json >/dev/null
"$tuban" eval $out/fwd/changes_mask.tif $p/truth_mask.tif --kinds new --truth-values 1 --json $out/pix_new.json >/dev/null
"$tuban" eval $out/fwd/changes_mask.tif $p/truth_mask.tif --json $out/pix_all.json >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
import numpy as np
from osgeo import gdal, ogr
out = sys.argv[1]
def obj(name):
    return json.load(open("%s/%s.json" % (out, name)))["object"]
def pix(name):
    return json.load(open("%s/%s.json" % (out, name)))["pixel"]
for name in ("obj_new", "obj_removed", "rev_removed"):
    o = obj(name)
    print("%-12s objects: precision %.3f recall %.3f (%d predicted, %d true, %d matched)" %
          (name, o["precision"], o["recall"], o["pred"], o["truth"], o["matched"]))
n, r, b = obj("obj_new"), obj("obj_removed"), obj("rev_removed")
assert n["truth"] > 150 and r["truth"] >= 30, "truth too small"
assert n["recall"] >= 0.95 and n["precision"] >= 0.90, "new structures not found as new"
assert r["recall"] >= 0.60 and r["precision"] >= 0.80, "demolitions not found as removed"
assert b["recall"] >= 0.90 and b["precision"] >= 0.90, "backwards, new structures are not removed"
for name in ("pix_new", "pix_removed", "pix_all"):
    q = pix(name)
    print("%-12s pixels: precision %.3f recall %.3f F1 %.3f" % (name, q["precision"], q["recall"], q["f1"]))
assert pix("pix_removed")["recall"] >= 0.5, "the mask does not mark demolitions with 2"
# The mask's kinds agree with the polygons' and the summary counts them.
s = json.load(open(out + "/fwd/summary.json"))
ds = ogr.Open(out + "/fwd/changes.gpkg")
kinds = [f["kind"] for f in ds.GetLayer(0)]
assert s["kinds"]["new"] == kinds.count("new") and s["kinds"]["removed"] == kinds.count("removed")
assert s["kinds"]["new"] + s["kinds"]["removed"] == s["polygons"]
m = gdal.Open(out + "/fwd/changes_mask.tif").ReadAsArray()
assert set(np.unique(m)) <= {0, 1, 2}, np.unique(m)
t = gdal.Open(out + "/pair/truth_mask.tif").ReadAsArray()
assert (t == 2).sum() > 0 and set(np.unique(t)) <= {0, 1, 2}
rev = json.load(open(out + "/rev/summary.json"))
print("kinds forward %s, backward %s" % (s["kinds"], rev["kinds"]))
assert rev["kinds"]["removed"] > rev["kinds"]["new"]
print("ok")
PY
