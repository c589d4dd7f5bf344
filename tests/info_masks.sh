#!/bin/sh
# info_masks.sh TUBAN FIXTURES OUT
# What `tuban info` says of masks and georeferencing: per-band nodata, an alpha band
# GDAL turns into masks, an alpha band tuban applies itself, a per-dataset mask band,
# and an RPC-only scene (needs orthorectification; lon/lat from its RPCs).
tuban="$1"; fx="$2"; out="$3"
set -e
rm -rf "$out"; mkdir -p "$out"
cd "$out"
ullr="470000 4418000 470032 4417976"
gdal_create -q -of GTiff -outsize 40 30 -bands 4 -ot Byte -burn 7 -a_srs EPSG:4548 -a_ullr $ullr rgba0.tif
gdal_translate -q -colorinterp red,green,blue,alpha rgba0.tif rgba.tif
gdal_create -q -of GTiff -outsize 40 30 -bands 5 -ot UInt16 -burn 7 -a_srs EPSG:4548 -a_ullr $ullr five.tif
gdal_translate -q -colorinterp_5 alpha five.tif alpha5.tif
gdal_translate -q -b 1 -b 2 -mask 1 five.tif masked.tif
gdal_create -q -of GTiff -outsize 40 30 -bands 1 -ot Byte -burn 50 plain.tif
# An L1A-like scene: no CRS, RPCs that put 40 x 30 pixels over 0.002 x 0.002 degrees
# around 116.4 E, 39.9 N (sample = longitude, line = -latitude).
zeros="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
cat > rpc.vrt <<VRT
<VRTDataset rasterXSize="40" rasterYSize="30">
  <Metadata domain="RPC">
    <MDI key="LINE_OFF">15</MDI><MDI key="SAMP_OFF">20</MDI>
    <MDI key="LAT_OFF">39.9</MDI><MDI key="LONG_OFF">116.4</MDI><MDI key="HEIGHT_OFF">0</MDI>
    <MDI key="LINE_SCALE">15</MDI><MDI key="SAMP_SCALE">20</MDI>
    <MDI key="LAT_SCALE">0.001</MDI><MDI key="LONG_SCALE">0.001</MDI><MDI key="HEIGHT_SCALE">100</MDI>
    <MDI key="LINE_NUM_COEFF">0 0 -1 $zeros</MDI><MDI key="LINE_DEN_COEFF">1 0 0 $zeros</MDI>
    <MDI key="SAMP_NUM_COEFF">0 1 0 $zeros</MDI><MDI key="SAMP_DEN_COEFF">1 0 0 $zeros</MDI>
  </Metadata>
  <VRTRasterBand dataType="Byte" band="1">
    <SimpleSource><SourceFilename relativeToVRT="1">plain.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>
VRT

expect() {   # expect FILE NEEDLE...
    f="$1"; shift
    for needle in "$@"; do
        grep -qF -- "$needle" "$f" || { echo "FAIL: $f does not say '$needle':"; cat "$f"; exit 1; }
    done
}
"$tuban" info "$fx/all_nodata.tif" > nodata.txt
expect nodata.txt "band 1       UInt16, Gray, nodata 0, mask: nodata" "band 2       UInt16, Undefined, nodata 0, mask: nodata"
"$tuban" info rgba.tif > rgba.txt
expect rgba.txt "40 x 30 px, 3 bands, Byte; band 4 is alpha: a mask, not data (through GDAL's mask flags)" \
    "band 1       Byte, Red, no nodata, mask: alpha band (per dataset)"
"$tuban" info alpha5.tif > alpha5.txt
expect alpha5.txt "4 bands, UInt16; band 5 is alpha: a mask, not data (applied by tuban)" \
    "band 4       UInt16, Undefined, no nodata, mask: alpha band 5"
"$tuban" info masked.tif > masked.txt
expect masked.txt "mask: mask band (per dataset)"
"$tuban" info rpc.vrt > rpc.txt
expect rpc.txt "crs          none; RPC (needs orthorectification)" "geotransform none" \
    "m on the ground at the centre (from the RPCs)" "lon/lat      UL 116.3989750, 39.9010333" \
    "LR 116.4009750, 39.8990333"
# A pair of RPC scenes needs a target CRS, as the scan says; with one both are warped.
set +e
"$tuban" info rpc.vrt rpc.vrt > rpc_pair.txt 2> rpc_pair.err
rc=$?
set -e
[ "$rc" -eq 9 ] || { echo "FAIL: RPC pair without align.crs: exit $rc, expected 9"; exit 1; }
expect rpc_pair.err "set align.crs"
"$tuban" info rpc.vrt rpc.vrt --set align.crs=EPSG:4548 > rpc_pair.txt
expect rpc_pair.txt "reading      before warped, after warped" "would run" "EPSG:4548 CGCS2000"
echo ok
