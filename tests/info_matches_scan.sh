#!/bin/sh
# info_matches_scan.sh TUBAN FIXTURES SAMPLE OUT
# For pairs a scan refuses before reading pixels, `tuban info` predicts the scan's
# exit code and its exact message; for a pair the scan accepts it says it would run.
tuban="$1"; fx="$2"; sample="$3"; out="$4"
rm -rf "$out"; mkdir -p "$out"
status=0
check() {   # check NAME BEFORE AFTER [OPTIONS...]
    name="$1"; shift
    "$tuban" scan "$@" -o "$out/$name" -q > /dev/null 2> "$out/$name.scan.err"
    scan_rc=$?
    "$tuban" info "$@" > "$out/$name.info.out" 2> "$out/$name.info.err"
    info_rc=$?
    scan_msg=$(sed 's/^tuban scan: //' "$out/$name.scan.err")
    info_msg=$(sed 's/^tuban info: //' "$out/$name.info.err")
    if [ "$scan_rc" -ne "$info_rc" ] || [ "$scan_msg" != "$info_msg" ]; then
        echo "FAIL: $name: scan exit $scan_rc '$scan_msg', info exit $info_rc '$info_msg'"
        status=1
        return
    fi
    if [ "$info_rc" -ne 0 ]; then
        grep -q "would stop with exit code $info_rc" "$out/$name.info.out" ||
            { echo "FAIL: $name: the report does not give exit code $info_rc"; status=1; return; }
    else
        grep -q "would run" "$out/$name.info.out" ||
            { echo "FAIL: $name: the report does not say the scan would run"; status=1; return; }
    fi
    echo "ok: $name: exit $info_rc ${info_msg:-(no error)}"
}
check disjoint "$fx/two_bands.tif" "$fx/two_bands_shifted.tif"
check bands "$fx/two_bands.tif" "$fx/three_bands.tif"
check one_without_crs "$fx/two_bands.tif" "$fx/two_bands_nocrs.tif"
check no_pixel_size "$fx/two_bands_nocrs.tif" "$fx/two_bands_nocrs.tif"
check band_out_of_range "$fx/two_bands.tif" "$fx/two_bands.tif" --bands 1,5
check bad_target_crs "$fx/two_bands.tif" "$fx/two_bands.tif" --set align.crs=EPSG:999999
check bad_assigned_crs "$fx/two_bands.tif" "$fx/two_bands_nocrs.tif" --set "align.after_crs=+proj=nonsense"
check sample "$sample/before.tif" "$sample/after.tif"
exit $status
