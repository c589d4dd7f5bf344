#!/bin/sh
# peer_gdal.sh BEFORE AFTER OUTDIR THRESHOLD FITS MINPIX
# The tuban job with GDAL's command-line utilities only:
#   gdal_calc.py     per-band normalised difference (FITS: "gain offset scale" x 4, from
#                    tuban's summary.json), magnitude (root mean square over bands) and
#                    threshold, in one expression: mean of squares > THRESHOLD^2;
#   gdal_sieve.py    removes connected regions below MINPIX pixels (8-connected). Unlike
#                    tuban it sieves both values: holes below MINPIX are filled too;
#   gdal_polygonize.py -f GPKG   polygons of the value-1 regions.
# GDAL's command line has NO binary opening/closing: that step is skipped here (so
# this peer does less work than tuban and the others).
set -e
before=$1 after=$2 out=$3 t=$4 fits=$5 minpix=$6
mkdir -p "$out"
rm -f "$out/mask.tif" "$out/sieved.tif" "$out/changes.gpkg"
# shellcheck disable=SC2086
set -- $fits
expr=""
i=0
for L in A B C D; do
  i=$((i + 1))
  g=$1 o=$2 s=$3; shift 3
  B=$(echo EFGH | cut -c$i)
  term="((${L}-${g}*${B}-(${o}))/${s})**2"
  expr="${expr:+$expr+}$term"
done
gdal_calc.py --quiet --overwrite --type=Byte --hideNoData --co=TILED=YES \
  -A "$after" --A_band=1 -B "$after" --B_band=2 -C "$after" --C_band=3 -D "$after" --D_band=4 \
  -E "$before" --E_band=1 -F "$before" --F_band=2 -G "$before" --G_band=3 -H "$before" --H_band=4 \
  --outfile="$out/mask.tif" --calc="($expr)/4 > ($t)*($t)"
gdal_sieve.py -q -8 -st "$minpix" "$out/mask.tif" "$out/sieved.tif"
gdal_polygonize.py -q -8 "$out/sieved.tif" -mask "$out/sieved.tif" -f GPKG "$out/changes.gpkg" changes value
