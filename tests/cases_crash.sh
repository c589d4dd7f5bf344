#!/bin/sh
# cases_crash.sh TUBAN WORK
# Crash safety: a merge killed with SIGKILL in the middle of its transaction leaves a
# store that opens and holds exactly its last commit: the state before the merge or
# the state after it, never half. Repeats until kills land while the merge's journal
# exists (bounded attempts).
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
"$tuban" synth big --size 2048 --seed 3 >/dev/null || fail "synth"
"$tuban" scan big/before.tif big/after.tif -o scan1 -q || fail "scan 1"
"$tuban" scan big/before.tif big/after.tif -o scan2 -q --set morphology.close_radius=2 || fail "scan 2"
# Reference states: after scan 1 (the last commit before the killed merge) and after
# scan 1 + scan 2 (the merge complete).
"$tuban" cases merge scan1 --store base.gpkg -q || fail "merge 1"
cp base.gpkg full.gpkg
"$tuban" cases merge scan2 --store full.gpkg -q || fail "merge 2"
"$tuban" cases list --store base.gpkg --format json | grep -v updated_at > state_before.json
"$tuban" cases list --store full.gpkg --format json | grep -v updated_at > state_after.json
cmp -s state_before.json state_after.json && fail "the two states do not differ"
# Each attempt starts the merge, watches for its journal (the transaction is open while
# it exists) and kills the merge a varying number of polls later; waiting on the
# journal rather than a fixed delay keeps the test meaningful on a slow or loaded
# machine.
caught=0; attempt=0
for extra in 0 1 2 3 5 8 0 1 2 4; do
    attempt=$((attempt + 1))
    rm -f s.gpkg s.gpkg-journal; cp base.gpkg s.gpkg
    "$tuban" cases merge scan2 --store s.gpkg -q &
    pid=$!
    polls=0
    while kill -0 "$pid" 2>/dev/null && [ ! -e s.gpkg-journal ] && [ "$polls" -lt 6000 ]; do
        sleep 0.005; polls=$((polls + 1))
    done
    while [ "$extra" -gt 0 ]; do sleep 0.005; extra=$((extra - 1)); done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    mid=0; [ -e s.gpkg-journal ] && mid=1
    "$tuban" cases list --store s.gpkg --format json > state.json || fail "store does not open after kill (attempt $attempt)"
    grep -v updated_at state.json > state_now.json
    if cmp -s state_now.json state_before.json; then what=before
    elif cmp -s state_now.json state_after.json; then what=after
    else fail "attempt $attempt: the store holds half a merge"; fi
    echo "attempt $attempt: journal $mid, store holds the state $what the merge"
    if [ "$mid" -eq 1 ]; then
        [ "$what" = before ] || fail "killed mid-transaction but the store holds the merge"
        caught=$((caught + 1))
        [ "$caught" -ge 3 ] && break
    fi
done
[ "$caught" -ge 1 ] || fail "no kill landed inside the transaction in $attempt attempts"
# After recovery the merge runs to completion.
"$tuban" cases merge scan2 --store s.gpkg -q || fail "merge after recovery"
"$tuban" cases list --store s.gpkg --format json | grep -v updated_at > state_final.json
cmp -s state_final.json state_after.json || fail "merge after recovery differs from an uninterrupted one"
echo "ok: $caught kills inside the transaction, the store always held its last commit"
