#!/bin/sh
# setup_peers.sh: installs the peer tools that bench/run_peers.sh runs beside tuban
# (GDAL's Python utilities, numpy/scipy/scikit-image/rasterio/fiona, ORFEO ToolBox,
# libvips), one Debian 12 package per line of bench/peer_packages.txt. Needs root
# (or sudo). run_peers.sh itself installs nothing.
set -e
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(grep -v '^#' "$here/peer_packages.txt" | grep -v '^[[:space:]]*$' | tr '\n' ' ')
sudo=
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $pkgs
