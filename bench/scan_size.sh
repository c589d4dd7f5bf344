#!/bin/sh
# scan_size.sh [SIZE] [TUBAN]
# Generates a SIZE x SIZE synthetic 4-band UInt16 DEFLATE pair (default 4096) and scans
# it, printing tuban's own summary (time per stage, peak resident memory) and the
# object and pixel accuracy against the generated truth.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-4096}
tuban=${2:-$here/build/pipeline/tuban}
work=${TMPDIR:-/tmp}/tuban-bench-$size
rm -rf "$work"
"$tuban" synth "$work/pair" --size "$size" --seed 1
"$tuban" scan "$work/pair/before.tif" "$work/pair/after.tif" -o "$work/out"
"$tuban" eval "$work/out/changes.gpkg" "$work/pair/truth.geojson" --min-area 20
"$tuban" eval "$work/out/changes_mask.tif" "$work/pair/truth_mask.tif" --pred-values 1
rm -rf "$work"
