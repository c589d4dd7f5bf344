#!/bin/sh
# quickstart.sh: on a fresh Debian 12 machine, installs what tuban needs, builds it and
# scans the bundled sample tiles (testdata/sample) into ./out.
set -e
cd "$(dirname "$0")/.."
sh scripts/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target tuban >/dev/null
./build/pipeline/tuban scan testdata/sample/before.tif testdata/sample/after.tif -o out
./build/pipeline/tuban eval out/changes.gpkg testdata/sample/truth.geojson --min-area 20
