#!/bin/sh
# info_sample.sh TUBAN SAMPLE
# `tuban info` on the bundled after-image names its CRS, size, bands, type, pixel
# size on the ground, footprint and date.
tuban="$1"; sample="$2"
out=$("$tuban" info "$sample/after.tif") || { echo "FAIL: exit code $?"; exit 1; }
echo "$out"
for needle in "EPSG:4548 CGCS2000" "512 x 512 px, 4 bands, UInt16" "band 4       UInt16" \
              "0.800 x 0.800 m on the ground" "UL 470000.000, 4420000.000" \
              "LR 470409.600, 4419590.400" "(CGCS2000, EPSG:4490)" "2026-06-14T02:30:00Z"; do
    case "$out" in
        *"$needle"*) ;;
        *) echo "FAIL: the report does not say '$needle'"; exit 1 ;;
    esac
done
# Lon/lat of the upper-left corner (gdalinfo: 116d38'56.86"E, 39d54'49.13"N), lon first.
echo "$out" | grep -q "lon/lat      UL 116.64912[0-9]*, 39.91364[0-9]*" ||
    { echo "FAIL: upper-left lon/lat is not 116.6491, 39.9136"; exit 1; }
echo "ok"
