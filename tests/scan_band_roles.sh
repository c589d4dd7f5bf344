#!/bin/sh
# scan_band_roles.sh TUBAN DATA SAMPLE OUT
# Band roles (blue, green, red, NIR) as the scan reports them in summary.json, from
# each source `input.sensor = auto` reads: band descriptions (tuban synth), stacked
# Sentinel-2 file names (OSCD), ENVI wavelengths (Landsat Taizhou), colour
# interpretation (LEVIR-CD PNG); a preset and a *_band key override them; a role band
# the raster lacks is refused (exit 7).
set -e
tuban="$1"; data="$2"; sample="$3"; out="$4"
rm -rf "$out"; mkdir -p "$out"
roles() { # DIR -> "blue green red nir | source"
    /usr/bin/python3 -c "
import json, sys
e = json.load(open(sys.argv[1] + '/summary.json'))['evidence']
print(e['blue_band'], e['green_band'], e['red_band'], e['nir_band'], '|', e['roles_source'])" "$1"
}
check() { # DIR EXPECTED
    got=$(roles "$1")
    echo "$1: $got"
    [ "$got" = "$2" ] || { echo "FAIL: expected '$2'"; exit 1; }
}
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/synth" -q
check "$out/synth" "1 2 3 4 | auto: band descriptions"
"$tuban" scan "$data/oscd-sentinel2/rennes/A" "$data/oscd-sentinel2/rennes/B" -o "$out/oscd" -q
check "$out/oscd" "1 2 3 4 | auto: band file names"
"$tuban" scan "$data/landsat-taizhou/A/2000TM" "$data/landsat-taizhou/B/2003TM" -o "$out/tm" -q \
    --set coreg.warn_only=true 2>/dev/null
check "$out/tm" "1 2 3 4 | auto: wavelengths"
t=test_7_0256_0512
"$tuban" scan "$data/levir-cd-samples/A/$t.png" "$data/levir-cd-samples/B/$t.png" -o "$out/levir" -q \
    --pixel-size 0.5 --set coreg.warn_only=true 2>/dev/null
check "$out/levir" "3 2 1 0 | auto: colour interpretation"
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/rgbn" -q --set input.sensor=rgbn \
    --set input.nir_band=0 --set input.blue_band=1
check "$out/rgbn" "1 2 1 4 | sensor rgbn, blue_band"
# Bands the scan does not read take no role.
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/three" -q --bands 1,2,3
check "$out/three" "1 2 3 0 | auto: band descriptions"
set +e
"$tuban" scan "$sample/before.tif" "$sample/after.tif" -o "$out/bad" -q --set input.nir_band=9 2>"$out/err"
rc=$?
set -e
grep -q "nir_band asks for band 9" "$out/err" || { cat "$out/err"; echo "FAIL: message"; exit 1; }
[ $rc -eq 7 ] || { echo "FAIL: exit $rc, expected 7"; exit 1; }
echo ok
