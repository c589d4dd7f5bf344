#!/bin/sh
# scan_no_change.sh TUBAN DATA FIXTURES OUT
# Pairs without change give no polygons: a real image against itself, and a flat one.
set -e
tuban="$1"; data="$2"; fx="$3"; out="$4"
count() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['polygons'])" "$1/summary.json"; }
"$tuban" scan "$data/oscd-sentinel2/rennes/A" "$data/oscd-sentinel2/rennes/A" -o "$out/same" -q
[ "$(count "$out/same")" = 0 ] || { echo "FAIL: same image twice gave polygons"; exit 1; }
"$tuban" scan "$fx/two_bands.tif" "$fx/two_bands.tif" -o "$out/flat" -q
[ "$(count "$out/flat")" = 0 ] || { echo "FAIL: flat pair gave polygons"; exit 1; }
echo "ok: no polygons without change"
