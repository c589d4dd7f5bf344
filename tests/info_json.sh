#!/bin/sh
# info_json.sh TUBAN FIXTURES SAMPLE HONGKONG
# `tuban info --json` writes one JSON object (it parses with python3 -m json.tool)
# with exactly the keys README.md documents, for one input, a pair a scan accepts,
# a stacked pair and a pair a scan refuses (then with the scan's exit code).
tuban="$1"; fx="$2"; sample="$3"; hk="$4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {   # run NAME EXPECTED_RC ARGS...
    name="$1"; want="$2"; shift 2
    "$tuban" info --json "$@" > "$tmp/$name.json" 2>"$tmp/$name.err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: $name: exit code $rc, expected $want: $(cat "$tmp/$name.err")"; exit 1
    fi
    /usr/bin/python3 -m json.tool "$tmp/$name.json" > /dev/null ||
        { echo "FAIL: $name: not JSON"; exit 1; }
}
run single 0 "$sample/after.tif"
run nocrs 0 "$fx/two_bands_nocrs.tif"
run pair 0 "$sample/before.tif" "$sample/after.tif"
run stacked 0 "$hk/A" "$hk/B"
run disjoint 6 "$fx/two_bands.tif" "$fx/two_bands_shifted.tif"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
TOP = {"tuban_version", "inputs", "pair", "exit_code"}
INPUT = {"role", "path", "driver", "stacked_files", "width", "height", "band_count", "type",
         "alpha_band", "alpha_applied_by", "bands", "crs", "rpc", "geotransform", "pixel_size",
         "pixel_size_m", "pixel_size_m_from", "footprint", "acquisition"}
BAND = {"band", "type", "color", "description", "source", "nodata", "mask"}
MASK = {"all_valid", "per_dataset", "alpha", "nodata"}
CRS = {"label", "name", "epsg", "unit", "geographic", "assigned_from"}
FOOTPRINT = {"crs", "lonlat"}
PAIR = {"bands_match", "band_counts", "overlap", "grid", "before_warped", "after_warped",
        "resampling", "bands_used", "scan"}
OVERLAP = {"crs", "disjoint", "bounds", "lonlat"}
GRID = {"crs", "width", "height", "geotransform", "pixel_size", "pixel_size_m", "lonlat",
        "covered_before"}
SCAN = {"would_run", "exit_code", "status", "error"}

def keys(obj, want, what):
    assert set(obj) == want, "%s keys: extra %s, missing %s" % (what, set(obj) - want, want - set(obj))

def check(name):
    doc = json.load(open("%s/%s.json" % (tmp, name)))
    keys(doc, TOP, "top")
    for i in doc["inputs"]:
        keys(i, INPUT, "input")
        assert len(i["bands"]) == i["band_count"]
        for b in i["bands"]:
            keys(b, BAND, "band")
            keys(b["mask"], MASK, "mask")
        if i["crs"] is not None:
            keys(i["crs"], CRS, "crs")
        keys(i["footprint"], FOOTPRINT, "footprint")
    if doc["pair"] is not None:
        p = doc["pair"]
        keys(p, PAIR, "pair")
        keys(p["scan"], SCAN, "scan")
        if p["overlap"] is not None:
            keys(p["overlap"], OVERLAP, "overlap")
        if p["grid"] is not None:
            keys(p["grid"], GRID, "grid")
            keys(p["grid"]["crs"], CRS, "grid crs")
    return doc

s = check("single")
i = s["inputs"][0]
assert s["pair"] is None and s["exit_code"] == 0
assert (i["width"], i["height"], i["band_count"], i["type"]) == (512, 512, 4, "UInt16")
assert i["crs"]["epsg"] == 4548 and i["crs"]["unit"] == "metre"
assert abs(i["pixel_size_m"][0] - 0.8) < 1e-9 and i["pixel_size_m_from"] == "crs"
lon, lat = i["footprint"]["lonlat"][0]
assert 116 < lon < 117 and 39 < lat < 40, "lon/lat not lon first"

n = check("nocrs")["inputs"][0]
assert n["crs"] is None and n["geotransform"] is None and n["pixel_size_m"] is None
assert n["footprint"]["lonlat"] is None and n["rpc"] is False

p = check("pair")["pair"]
assert p["bands_match"] and p["scan"]["would_run"] and p["scan"]["error"] is None
assert p["before_warped"] is False and p["after_warped"] is False
assert (p["grid"]["width"], p["grid"]["height"]) == (512, 512)
assert p["grid"]["covered_before"] == 1 and p["bands_used"] == [1, 2, 3, 4]
assert p["overlap"]["disjoint"] is False and p["overlap"]["bounds"] == [470000, 4419590.4, 470409.6, 4420000]

check("stacked")

d = check("disjoint")
p = d["pair"]
assert d["exit_code"] == 6 and p["scan"]["exit_code"] == 6 and p["scan"]["status"] == "grid"
assert not p["scan"]["would_run"] and "do not overlap" in p["scan"]["error"]
assert p["overlap"]["disjoint"] is True and p["grid"] is None
print("ok: every JSON object parses and has the documented keys")
PY
