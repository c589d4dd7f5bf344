#!/bin/sh
# peer_otb.sh BEFORE AFTER OUTDIR THRESHOLD FITS MINPIX
# The tuban job with ORFEO ToolBox applications (Debian package otb-bin):
#   otbcli_BandMathX   per-band normalised difference (FITS: "gain offset scale" x 4 from
#                      tuban's summary.json), mean of squares over bands > THRESHOLD^2;
#   otbcli_BinaryMorphologicalOperation   opening, then closing, box radius 1 (3x3);
#   otbcli_ConnectedComponentSegmentation  connected components of the set pixels
#                      (-mask "b1 > 0", neighbours joined when both are set; the
#                      connectivity is ITK's choice), -minsize MINPIX, written straight
#                      to a GeoPackage by OTB's own vectoriser, so gdal_polygonize is not
#                      needed. OTB works tile by tile (-ram): a component crossing a
#                      tile edge may come out as several polygons.
# Exits 3 after printing 'otb: not available (reason)' when OTB is missing.
set -e
before=$1 after=$2 out=$3 t=$4 fits=$5 minpix=$6
for app in otbcli_BandMathX otbcli_BinaryMorphologicalOperation otbcli_ConnectedComponentSegmentation; do
  if ! command -v $app >/dev/null 2>&1; then
    echo "otb: not available ($app not found; sh bench/setup_peers.sh installs otb-bin)"
    exit 3
  fi
done
mkdir -p "$out"
rm -f "$out"/mask.tif "$out"/opened.tif "$out"/closed.tif "$out"/changes.gpkg
# shellcheck disable=SC2086
set -- $fits
expr=""
for b in 1 2 3 4; do
  g=$1 o=$2 s=$3; shift 3
  expr="${expr:+$expr + }((im1b$b - $g * im2b$b - ($o)) / $s)^2"
done
q=-progress\ 0
otbcli_BandMathX $q -il "$after" "$before" -out "$out/mask.tif" uint8 \
  -exp "(($expr) / 4 > ($t) * ($t)) ? 1 : 0" >/dev/null
otbcli_BinaryMorphologicalOperation $q -in "$out/mask.tif" -out "$out/opened.tif" uint8 \
  -structype box -xradius 1 -yradius 1 -foreval 1 -backval 0 -filter opening >/dev/null
otbcli_BinaryMorphologicalOperation $q -in "$out/opened.tif" -out "$out/closed.tif" uint8 \
  -structype box -xradius 1 -yradius 1 -foreval 1 -backval 0 -filter closing >/dev/null
otbcli_ConnectedComponentSegmentation $q -in "$out/closed.tif" -mask "b1 > 0" -expr "p1b1 > 0 and p2b1 > 0" \
  -minsize "$minpix" -out "$out/changes.gpkg" >/dev/null
