#!/bin/sh
# scan_invariance.sh TUBAN OUT
# The scan gives the same result whatever the thread count, the strip height, the
# sample type of the input (UInt16, Int16, Float32 with the same values) and the
# input layout (tiled or striped GeoTIFF). OpenMP threads wait passively unless the
# environment chooses (the summary says which), and either way the result is the same.
set -e
tuban="$1"; out="$2"
rm -rf "$out"
"$tuban" synth "$out/pair" --size 600 --seed 21 >/dev/null
p="$out/pair"
env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u KMP_BLOCKTIME \
    "$tuban" scan $p/before.tif $p/after.tif -o $out/t1 -q --threads 1
OMP_WAIT_POLICY=active "$tuban" scan $p/before.tif $p/after.tif -o $out/t2 -q --threads 2 --strip-rows 37
for t in Int16 Float32; do
    gdal_translate -q -ot $t -co TILED=NO $p/before.tif $out/before_$t.tif
    gdal_translate -q -ot $t -co TILED=NO $p/after.tif $out/after_$t.tif
    "$tuban" scan $out/before_$t.tif $out/after_$t.tif -o $out/$t -q --strip-rows 100
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
from osgeo import gdal
out = sys.argv[1]
def features(d):
    return json.load(open("%s/%s/changes.geojson" % (out, d)))["features"]
def mask(d):
    return gdal.Open("%s/%s/changes_mask.tif" % (out, d)).ReadRaster()
ref_f, ref_m = features("t1"), mask("t1")
def wait(d):
    return json.load(open("%s/%s/summary.json" % (out, d)))["omp_wait_policy"]
assert wait("t1") == "passive", "default wait policy: " + wait("t1")
assert wait("t2") == "active", "wait policy from the environment: " + wait("t2")
for d in ("t1", "t2"):
    sec = json.load(open("%s/%s/summary.json" % (out, d)))["seconds"]
    assert 0 <= sec["detect_input"] <= sec["detect"], "detect input time: %s" % sec
assert len(ref_f) > 20, "too few polygons to compare"
for d in ("t2", "Int16", "Float32"):
    assert features(d) == ref_f, "polygons differ: " + d
    assert mask(d) == ref_m, "mask differs: " + d
print("ok: %d polygons identical across threads, strips and sample types" % len(ref_f))
PY
