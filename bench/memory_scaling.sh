#!/bin/sh
# memory_scaling.sh [TUBAN] [--huge]
# Peak resident memory of whole scans as the scene grows: 8192 x 8192, then 8192 wide
# by 32768 tall (memory must not grow with height), and with --huge 32768 x 32768.
# Each scan is its own process; the figures come from tuban's own summary.json
# (getrusage of the scan process). Needs about 3 GB of disk (20 GB with --huge).
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
tuban=${1:-$here/build/pipeline/tuban}
huge=${2:-}
work=${TMPDIR:-/tmp}/tuban-memory
rm -rf "$work"
run() {
    w="$1"; h="$2"
    "$tuban" synth "$work/p${w}x$h" --width "$w" --height "$h" --seed 5 >/dev/null
    "$tuban" scan "$work/p${w}x$h/before.tif" "$work/p${w}x$h/after.tif" -o "$work/o${w}x$h" -q
    /usr/bin/python3 - "$work/o${w}x$h/summary.json" "$w" "$h" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
w, h = int(sys.argv[2]), int(sys.argv[3])
print("scan %6d x %-6d : peak %7.1f MiB  wall %7.2f s  %6.1f Mpix/s  strip_rows %d  polygons %d" % (
    w, h, s["peak_rss_mib"], s["seconds"]["total"], w * h / 1e6 / s["seconds"]["total"],
    s["strip_rows"], s["polygons"]))
PY
    rm -rf "$work/p${w}x$h" "$work/o${w}x$h"
}
run 8192 8192
run 8192 32768
[ "$huge" = "--huge" ] && run 32768 32768
rm -rf "$work"
