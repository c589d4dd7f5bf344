#!/bin/sh
# scan_libtiff.sh TUBAN OUT
# The libtiff fast path changes nothing: a scan gives byte-identical changes_mask.tif
# and identical changes.geojson features with and without TUBAN_NO_LIBTIFF=1, at 1
# and 2 threads.
set -e
tuban="$1"; out="$2"
rm -rf "$out"
"$tuban" synth "$out/pair" --size 600 --seed 2 >/dev/null
p="$out/pair"
"$tuban" scan $p/before.tif $p/after.tif -o $out/fast -q --threads 2
"$tuban" scan $p/before.tif $p/after.tif -o $out/fast1 -q --threads 1
TUBAN_NO_LIBTIFF=1 "$tuban" scan $p/before.tif $p/after.tif -o $out/gdal -q --threads 2
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def features(d):
    return json.load(open("%s/%s/changes.geojson" % (out, d)))["features"]
def mask(d):
    return open("%s/%s/changes_mask.tif" % (out, d), "rb").read()
ref_f, ref_m = features("gdal"), mask("gdal")
assert len(ref_f) > 20, "too few polygons to compare"
for d in ("fast", "fast1"):
    assert features(d) == ref_f, "polygons differ: " + d
    assert mask(d) == ref_m, "changes_mask.tif differs: " + d
print("ok: %d polygons and the mask identical with and without libtiff" % len(ref_f))
PY
