#!/bin/sh
# synth_no_change.sh TUBAN OUT
# A generated pair with every distractor (seasonal vegetation, noise, gain/offset,
# moving cars) and no new structure. Cars queued bumper to bumper are a real change
# that a change-vector score cannot tell from a small shed, so the bound is: at most
# one polygon per square kilometre, none above 40 m2.
set -e
tuban="$1"; out="$2"
rm -rf "$out"
for seed in 5 11 12; do
    "$tuban" synth "$out/pair$seed" --size 1024 --seed "$seed" --structures 0 >/dev/null
    "$tuban" scan "$out/pair$seed/before.tif" "$out/pair$seed/after.tif" -o "$out/scan$seed" -q
    /usr/bin/python3 - "$out/scan$seed" <<'PY'
import json, sys
d = sys.argv[1]
gj = json.load(open(d + "/changes.geojson"))
areas = [f["properties"]["area_m2"] for f in gj["features"]]
print(d, "false polygons:", areas)
assert len(areas) <= 1, "too many polygons without change"
assert all(a <= 40 for a in areas), "a large polygon without change"
PY
done
