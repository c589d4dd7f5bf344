# cases_common.sh: helpers sourced by the cases_*.sh tests.
# fail MESSAGE; count_cases STORE [STATUS]; status_of STORE CASE_ID; pair DIR SEED SIZE
fail() { echo "FAIL: $*"; exit 1; }
count_cases() {
    if [ -n "$2" ]; then
        "$tuban" cases list --store "$1" --status "$2" --format csv | tail -n +2 | wc -l
    else
        "$tuban" cases list --store "$1" --format csv | tail -n +2 | wc -l
    fi
}
status_of() {
    "$tuban" cases show "$2" --store "$1" --format json |
        sed -n 's/^  "status":"\([a-z_]*\)".*/\1/p'
}
nth_case() { "$tuban" cases list --store "$1" --format csv | sed -n "$(($2 + 1))p" | cut -d, -f1; }
polygons_of() { ogrinfo -ro -so "$1/changes.gpkg" changes | sed -n 's/^Feature Count: //p'; }
# Polygons of new structures (the ones that become cases).
new_polygons_of() { ogrinfo -ro -q "$1/changes.gpkg" -sql "SELECT COUNT(*) AS n FROM changes WHERE kind = 'new'" | sed -n 's/^ *n (Integer[0-9]*) = //p'; }
# The whole store as text (every layer, every field): equal dumps, equal stores.
dump() { ogrinfo -ro -al -q "$1" | grep -v '^INFO'; }
