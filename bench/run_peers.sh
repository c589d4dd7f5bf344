#!/bin/sh
# run_peers.sh [SIZE] [TUBAN]
# tuban and its peers on the same job, in ONE invocation so that the ratios hold on a
# noisy machine: generates a SIZE x SIZE (default 4096) 4-band UInt16 DEFLATE pair with
# `tuban synth`, runs `tuban scan` (all cores), reads the threshold and the per-band
# normalisation tuban found (summary.json), then runs each peer in bench/peers/ on the
# same files with the same threshold, normalisation, 3x3 opening/closing and minimum
# component size (20 m2 at 0.8 m = 32 px), and prints one table: wall time, Mpix/s,
# peak resident memory (of the largest process of the run, from /usr/bin/time %M),
# polygons written and the ratio of wall times peer/tuban. Then the floor under every
# tool: libtiff's bare decode of both inputs on all cores (tuban_bench --decode, when
# the bench is built beside tuban), and the largest ratio fastest-peer/tuban that any
# scan could reach, decoding and nothing else.
# Installs nothing: sh bench/setup_peers.sh installs the peers (bench/peer_packages.txt).
# A peer that is not installed prints '<tool>: not available (reason)' and is skipped.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
size=${1:-4096}
tuban=${2:-}
if [ -z "$tuban" ]; then
  for c in "$root/build-bench/pipeline/tuban" "$root/build/pipeline/tuban"; do
    if [ -x "$c" ]; then tuban=$c; break; fi
  done
fi
[ -x "$tuban" ] || { echo "run_peers.sh: no tuban executable (build it, or pass it as 2nd argument)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_peers.sh: /usr/bin/time is missing: sh bench/setup_peers.sh" >&2; exit 2; }
py=/usr/bin/python3
work=${TMPDIR:-/tmp}/tuban-peers-$size
rm -rf "$work"
mkdir -p "$work"
pair=$work/pair
"$tuban" synth "$pair" --size "$size" --seed 1 >/dev/null
minpix=32
pixels=$((size * size))
results=$work/results.txt
: >"$results"

# run NAME CMD...: times CMD with /usr/bin/time; appends "NAME wall kib polygons" or
# "NAME n/a reason" to the results.
run() {
  name=$1; shift
  log=$work/$name.log
  set +e
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$log" 2>&1
  rc=$?
  set -e
  if [ $rc -eq 3 ] && grep -q 'not available' "$log"; then
    grep 'not available' "$log"
    echo "$name n/a $(grep 'not available' "$log" | head -1)" >>"$results"
    return 0
  fi
  if [ $rc -ne 0 ]; then
    echo "$name: failed (exit $rc), last lines of $log:"; tail -5 "$log"
    echo "$name failed exit-$rc" >>"$results"
    return 0
  fi
  gpkg=$work/$name/changes.gpkg
  n=$(ogrinfo -so -al "$gpkg" 2>/dev/null | sed -n 's/^Feature Count: //p' | head -1)
  echo "$name $(tail -1 "$work/$name.time") ${n:-?}" >>"$results"
}

run tuban "$tuban" scan "$pair/before.tif" "$pair/after.tif" -o "$work/tuban" -q
summary=$work/tuban/summary.json
t=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["threshold"]["value"])' "$summary")
fits=$($py -c 'import json,sys; print(" ".join("%r %r %r" % (f["gain"], f["offset"], f["scale"]) for f in json.load(open(sys.argv[1]))["normalisation"]))' "$summary")
echo "pair $size x $size ($pair), threshold $t, min $minpix px, normalisation (gain offset scale per band): $fits"

args="$pair/before.tif $pair/after.tif"
# shellcheck disable=SC2086
run gdal sh "$here/peers/peer_gdal.sh" $args "$work/gdal" "$t" "$fits" $minpix
# shellcheck disable=SC2086
run python $py "$here/peers/peer_python.py" $args "$work/python" "$t" "$fits" $minpix
# shellcheck disable=SC2086
run otb sh "$here/peers/peer_otb.sh" $args "$work/otb" "$t" "$fits" $minpix
# shellcheck disable=SC2086
run vips sh "$here/peers/peer_vips.sh" $args "$work/vips" "$t" "$fits" $minpix

NCORES=$(nproc)
export NCORES
awk -v px="$pixels" -v size="$size" '
  $1 == "tuban" { tw = $2 }
  { row[NR] = $0 }
  END {
    printf "%-8s %8s %8s %9s %9s %11s   (%dx%d, %d cores)\n", "tool", "wall s", "Mpix/s", "peak MiB", "polygons", "peer/tuban", size, size, ENVIRON["NCORES"]
    for (i = 1; i <= NR; i++) {
      split(row[i], f, " ")
      if (f[2] == "n/a" || f[2] == "failed") {
        r = row[i]; sub(/^[^ ]+ [^ ]+ /, "", r)
        printf "%-8s %s\n", f[1], (f[2] == "n/a" ? r : "failed: " r)
        continue
      }
      printf "%-8s %8.2f %8.1f %9.1f %9s %11.2f\n", f[1], f[2], px / f[2] / 1e6, f[3] / 1024, f[4], f[2] / tw
    }
  }' "$results"
bench=$(dirname "$tuban")/../bench/tuban_bench
if [ -x "$bench" ]; then
  floor=$("$bench" --decode "$pair/before.tif" "$pair/after.tif" | sed -n 's/.*: \([0-9.]*\) ms.*/\1/p')
  awk -v floor="$floor" '
    $2 != "n/a" && $2 != "failed" && $1 != "tuban" { if (best == "" || $2 < best) { best = $2; who = $1 } }
    $1 == "tuban" { tw = $2 }
    END {
      printf "floor: libtiff decode of both inputs %.2f s (tuban %.2fx of it)", floor / 1000, tw / (floor / 1000)
      if (best != "")
        printf "; fastest peer %s %.2f s: no scan can be more than %.1fx faster than it", who, best, best / (floor / 1000)
      printf "\n"
    }' "$results"
fi
