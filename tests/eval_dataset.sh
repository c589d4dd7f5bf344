#!/bin/sh
# eval_dataset.sh TUBAN OUT [DATA]
# `tuban eval --dataset`: (1) without DATA: on a folder of two generated tiles (A/t1.tif, B/t1.tif,
# label/t1.tif = truth_mask.tif, ...), the pooled pixel and object counts must equal
# the sums of separate `tuban scan` + `tuban eval` runs of each tile, and each tile's
# counts must equal its separate run; --keep keeps the scans. (2) With DATA given: on
# levir-cd-samples (--pixel-size 0.5), the JSON parses and has 11 tiles, and no
# temporary directory is left behind.
set -e
tuban="$1"; out="$2"; data="${3:-}"
rm -rf "$out"; mkdir -p "$out"
if [ -n "$data" ]; then
    export TMPDIR="$out/tmp"; mkdir -p "$TMPDIR"
    "$tuban" eval --dataset "$data/levir-cd-samples" --pixel-size 0.5 --set coreg.warn_only=true \
        --json "$out/levir.json" -q >/dev/null
    /usr/bin/python3 - "$out/levir.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["tiles"]) == 11, "expected 11 LEVIR tiles, got %d" % len(d["tiles"])
assert d["pooled"]["pixel"]["tp"] + d["pooled"]["pixel"]["fn"] > 0
print("levir: 11 tiles, pooled pixel F1 %.3f" % d["pooled"]["pixel"]["f1"])
PY
    [ -z "$(ls -A "$TMPDIR")" ] || { echo "temporary directory left behind: $(ls "$TMPDIR")"; exit 1; }
    exit 0
fi
mkdir -p "$out/ds/A" "$out/ds/B" "$out/ds/label" "$out/sep"
n=0
for seed in 3 11; do
    n=$((n + 1))
    "$tuban" synth "$out/pair$n" --size 384 --seed $seed >/dev/null
    cp "$out/pair$n/before.tif" "$out/ds/A/t$n.tif"
    cp "$out/pair$n/after.tif" "$out/ds/B/t$n.tif"
    cp "$out/pair$n/truth_mask.tif" "$out/ds/label/t$n.tif"
    "$tuban" scan "$out/ds/A/t$n.tif" "$out/ds/B/t$n.tif" -o "$out/sep/t$n" -q
    "$tuban" eval "$out/sep/t$n/changes_mask.tif" "$out/ds/label/t$n.tif" --pred-values 1,2 \
        --json "$out/sep/t$n.json" >/dev/null
done
"$tuban" eval --dataset "$out/ds" --json "$out/ds.json" --keep "$out/keep" -q > "$out/ds.txt"
cat "$out/ds.txt"
test -f "$out/keep/t1/changes_mask.tif" || { echo "--keep did not keep the scan of t1"; exit 1; }
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
d = json.load(open(out + "/ds.json"))
assert [t["tile"] for t in d["tiles"]] == ["t1", "t2"], d["tiles"]
sums = {}
for t in d["tiles"]:
    s = json.load(open("%s/sep/%s.json" % (out, t["tile"])))
    for sec, keys in (("pixel", ("tp", "fp", "fn", "tn")), ("object", ("matched", "pred", "truth"))):
        for k in keys:
            assert t[sec][k] == s[sec][k], "%s %s.%s: dataset %s, separate %s" % (
                t["tile"], sec, k, t[sec][k], s[sec][k])
            sums[(sec, k)] = sums.get((sec, k), 0) + s[sec][k]
    assert t["pixel"]["tp"] > 0, "tile %s found nothing" % t["tile"]
for (sec, k), v in sums.items():
    assert d["pooled"][sec][k] == v, "pooled %s.%s = %s, sum of tiles %s" % (sec, k, d["pooled"][sec][k], v)
f1 = sorted(t["pixel"]["f1"] for t in d["tiles"])
sp = d["pixel_f1_spread"]
assert abs(sp["min"] - f1[0]) < 1e-9 and abs(sp["max"] - f1[-1]) < 1e-9
assert abs(sp["median"] - (f1[0] + f1[1]) / 2) < 1e-6
print("synthetic: pooled counts equal the sums of separate runs (pixel tp %d, objects %d matched)" %
      (d["pooled"]["pixel"]["tp"], d["pooled"]["object"]["matched"]))
PY
grep -q '^pooled ' "$out/ds.txt" || { echo "no pooled line in the table"; exit 1; }
