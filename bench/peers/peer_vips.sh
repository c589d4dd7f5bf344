#!/bin/sh
# peer_vips.sh BEFORE AFTER OUTDIR THRESHOLD FITS MINPIX
# The tuban job with the libvips command line (package libvips-tools), then GDAL:
#   vips linear/subtract/multiply/bandmean/moreconst   per-band normalised difference
#        (FITS: "gain offset scale" x 4 from tuban's summary.json), mean of squares over
#        bands > THRESHOLD^2 (intermediates in vips' own .v format);
#   vips morph   opening (erode, dilate) then closing (dilate, erode) with a 3x3 square;
# libvips has NO connected-component filter and NO georeferencing, so the rest is GDAL:
#   gdal_edit.py   puts the before-image's CRS and corners back on the mask;
#   gdal_sieve.py  removes 8-connected regions below MINPIX pixels (it also fills holes
#                  below MINPIX, unlike tuban);
#   gdal_polygonize.py -f GPKG   polygons of the set regions.
set -e
before=$1 after=$2 out=$3 t=$4 fits=$5 minpix=$6
mkdir -p "$out"
rm -f "$out"/*.v "$out"/mask.tif "$out"/sieved.tif "$out"/changes.gpkg
# shellcheck disable=SC2086
set -- $fits
gains="$1 $4 $7 ${10}" offs="$2 $5 $8 ${11}"
inv=$(awk -v a="$3" -v b="$6" -v c="$9" -v d="${12}" 'BEGIN { printf "%.9g %.9g %.9g %.9g", 1/a, 1/b, 1/c, 1/d }')
t2=$(awk -v t="$t" 'BEGIN { printf "%.9g", t * t }')
printf '3 3\n255 255 255\n255 255 255\n255 255 255\n' >"$out/square.mat"
export VIPS_WARNING=0   # silence libvips on GeoTIFF tags it does not know
v() { vips "$@"; }
v linear "$before" "$out/bn.v" "$gains" "$offs"
v subtract "$after" "$out/bn.v" "$out/d.v"
v linear "$out/d.v" "$out/dn.v" "$inv" "0 0 0 0"
v multiply "$out/dn.v" "$out/dn.v" "$out/sq.v"
v bandmean "$out/sq.v" "$out/m.v"
v relational_const "$out/m.v" "$out/t.v" more "$t2"
v morph "$out/t.v" "$out/e1.v" "$out/square.mat" erode
v morph "$out/e1.v" "$out/o.v" "$out/square.mat" dilate
v morph "$out/o.v" "$out/d1.v" "$out/square.mat" dilate
v morph "$out/d1.v" "$out/mask.tif[tile,compression=none]" "$out/square.mat" erode
rm -f "$out"/*.v
# georeferencing from the before-image (upper-left and lower-right corners, CRS)
corners=$(gdalinfo "$before" | sed -n 's/^\(Upper Left\|Lower Right\) *( *\([-0-9.e+]*\), *\([-0-9.e+]*\)).*/\2 \3/p' | tr '\n' ' ')
gdal_edit.py -a_srs "$(gdalsrsinfo -o wkt1 "$before" | tr -d '\n')" -a_ullr $corners "$out/mask.tif"
gdal_sieve.py -q -8 -st "$minpix" "$out/mask.tif" "$out/sieved.tif"
gdal_polygonize.py -q -8 "$out/sieved.tif" -mask "$out/sieved.tif" -f GPKG "$out/changes.gpkg" changes value
