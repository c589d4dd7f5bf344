#!/bin/sh
# eval_datasets.sh [TUBAN] [DATA] [-- extra scan options]
# Runs `tuban eval --dataset` on every labelled dataset in ../shared/data and prints
# one table per dataset (a line per tile, the pooled line, the spread of pixel F1),
# with the published reference figures beside it. One parameter set for all: the scan
# defaults, plus per-dataset input facts (LEVIR's 0.5 m pixels, OSCD's change value 2).
# coreg.warn_only: the datasets are co-registered by their authors; where tuban's
# shift estimate fails or its windows disagree (LEVIR pairs 5-14 years apart) the tile
# is scanned unshifted.
#
# Licences: LEVIR-CD (Chen & Shi 2020) and OSCD (Daudt et al. 2018) labels are for
# research and non-commercial use only; Taizhou (Wu, Du & Zhang 2014) is distributed
# for research with a request to cite; Landsat imagery is USGS public domain.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
tuban=${1:-$here/build/pipeline/tuban}
data=${2:-$here/../shared/data}
[ $# -ge 2 ] && shift 2 || shift $#
[ "${1:-}" = "--" ] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common="--set coreg.warn_only=true -q"

# At 0.5 m RGB, detect.method auto runs the vhr_rgb recipe. On most LEVIR-CD pairs the
# co-registration windows disagree (coreg.max_spread_px) and the tile is scanned unshifted.
echo "== LEVIR-CD crops (0.5 m RGB, building change; research/non-commercial use only)"
"$tuban" eval --dataset "$data/levir-cd-samples" --pixel-size 0.5 $common "$@"
echo "published pixel F1 on the full LEVIR-CD test set: unsupervised PCA-KMeans 0.392,"
echo "DSFA 0.477, DCVA 0.529, SCM 0.628; supervised BIT 0.893, ChangeFormer 0.904"
echo

echo "== OSCD Sentinel-2 (10 m, B02/B03/B04/B08; research/non-commercial use only)"
"$tuban" eval --dataset "$data/oscd-sentinel2" --truth-values 2 $common "$@"
echo "(hongkong: its label is warped onto the scan grid, nearest neighbour, with A's"
echo " georeferencing)"
echo

# Taizhou's labels are sparse: change.bmp (255 = changed) and unchanged.bmp (255 =
# unchanged); every other pixel is unlabelled. tb_eval skips a label's nodata pixels,
# so the two are merged into one label (1 changed, 0 unchanged, 255 = nodata) and the
# ENVI images copied to GeoTIFF in a flat A/B/label folder.
echo "== Landsat Taizhou (30 m, 6 bands; sparse labels: only labelled pixels scored)"
tz="$data/landsat-taizhou"
mkdir -p "$work/taizhou/A" "$work/taizhou/B" "$work/taizhou/label"
gdal_translate -q -of GTiff "$tz/A/2000TM" "$work/taizhou/A/taizhou.tif"
gdal_translate -q -of GTiff "$tz/B/2003TM" "$work/taizhou/B/taizhou.tif"
/usr/bin/python3 - "$tz/label" "$work/taizhou/label/taizhou.tif" <<'PY'
import sys
from osgeo import gdal
import numpy as np
c = gdal.Open(sys.argv[1] + "/change.bmp").ReadAsArray()
u = gdal.Open(sys.argv[1] + "/unchanged.bmp").ReadAsArray()
lab = np.full(c.shape, 255, np.uint8)
lab[u > 0] = 0
lab[c > 0] = 1
ds = gdal.GetDriverByName("GTiff").Create(sys.argv[2], lab.shape[1], lab.shape[0], 1, gdal.GDT_Byte)
b = ds.GetRasterBand(1); b.SetNoDataValue(255); b.WriteArray(lab); ds = None
PY
"$tuban" eval --dataset "$work/taizhou" --truth-values 1 $common "$@"
echo "(object metrics are not meaningful on sparse point-like reference samples)"
