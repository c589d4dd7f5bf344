#!/bin/sh
# cases_export.sh TUBAN WORK
# `tuban cases export`: one JSON document per case event (new case, status change) in
# the outbox, every field present, lon/lat in Beijing, idempotent reruns, a new status
# change exported exactly once; HTTP delivery to a real server on 127.0.0.1 (python3
# http.server): every document arrives once with its Idempotency-Key and the bearer
# token, a server that answers 503 or is not up yet is retried until it recovers, a
# 400 keeps that one document in the outbox (exit code 10), retries run out (exit
# code 10, pending), and the token never shows in tuban's output.
tuban="$1"; work="$2"
. "$(dirname "$0")/cases_common.sh"
py=/usr/bin/python3
[ -x "$py" ] || fail "no $py"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
    fi
    server_pid=""
}
trap stop_server EXIT INT TERM

# ---- a store with one status change ---------------------------------------------
"$tuban" synth pair --size 512 --seed 1 >/dev/null || fail "synth"
"$tuban" scan pair/before.tif pair/after.tif -o scan1 -q || fail "scan"
"$tuban" cases merge scan1 --store s.gpkg -q || fail "merge"
ncases=$(count_cases s.gpkg)
[ "$ncases" -gt 3 ] || fail "only $ncases cases"
a=$(nth_case s.gpkg 1); b=$(nth_case s.gpkg 2)
printf 'case_id,status,time,note\n%s,reported,2026-06-15T08:00:00+08:00,sent\n' "$a" > fb1.csv
"$tuban" cases feedback fb1.csv --store s.gpkg >/dev/null || fail "feedback"
cp s.gpkg base.gpkg   # unexported: each delivery scenario exports a copy of it

# ---- export ---------------------------------------------------------------------
"$tuban" cases export --store s.gpkg --outbox ob > out1.txt 2>&1 || { cat out1.txt; fail "export"; }
cat out1.txt
n1=$(ls ob/*.json | wc -l)
[ "$n1" -eq $((ncases + 1)) ] || fail "$n1 documents, expected $((ncases + 1)) ($ncases cases + 1 change)"
ls -a ob | grep -q '\.tmp' && fail "a temporary file was left in the outbox"
cat > check.py <<'PY'
import glob, json, os, re, sys
outbox, ncases, changed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fields = ["idempotency_key", "case_id", "source", "event_class", "event_name", "description",
          "grid_code", "street", "community", "admin_division", "geometry", "centroid",
          "area_m2", "detection_date", "before_date", "after_date", "confidence", "evidence",
          "status", "previous_status", "event_time", "note", "detector_version"]
keys, cases, statuses = set(), set(), {}
for p in sorted(glob.glob(os.path.join(outbox, "*.json"))):
    raw = open(p, "rb").read()
    d = json.loads(raw.decode("utf-8"))
    missing = [f for f in fields if f not in d]
    assert not missing, (p, missing)
    name = os.path.basename(p)
    assert re.fullmatch(re.escape(d["case_id"]) + r"-\d{8}\.json", name), name
    assert d["source"] == "satellite" and d["event_class"] == "0101", p
    assert d["event_name"] == "私搭乱建", (p, d["event_name"])
    assert "私搭乱建" in d["description"] and "m2" in d["description"], d["description"]
    assert d["idempotency_key"] not in keys, ("duplicate key", p)
    keys.add(d["idempotency_key"])
    g = d["geometry"]
    assert g["type"] == "MultiPolygon", g["type"]
    pts = [pt for poly in g["coordinates"] for ring in poly for pt in ring]
    assert len(pts) >= 4
    for lon, lat in pts:
        assert 115 < lon < 118 and 39 < lat < 41, (p, lon, lat)
    lon, lat = d["centroid"]
    assert 115 < lon < 118 and 39 < lat < 41, (p, lon, lat)
    assert d["area_m2"] > 0 and 0 <= d["confidence"] <= 1, p
    assert isinstance(d["evidence"], list) and d["evidence"], p
    assert d["detection_date"][:4] == "2026" and d["before_date"] and d["after_date"], p
    assert d["admin_division"] == (d["grid_code"][:6] if len(d["grid_code"]) == 15 else ""), p
    cases.add(d["case_id"])
    statuses.setdefault(d["case_id"], []).append((d["previous_status"], d["status"]))
assert len(cases) == ncases, (len(cases), ncases)
for c, s in statuses.items():
    assert (None, "detected") in s, (c, s)
assert statuses[changed] == [(None, "detected"), ("detected", "reported")], statuses[changed]
print("documents ok:", len(keys), "keys,", len(cases), "cases")
PY
$py check.py ob "$ncases" "$a" || fail "documents"

# A crash between writing and marking: a rerun rewrites the same files byte for byte.
cp base.gpkg crash.gpkg
"$tuban" cases export --store crash.gpkg --outbox ob_crash -q || fail "export of the copy"
for f in ob/*.json; do
    cmp -s "$f" "ob_crash/$(basename "$f")" || fail "$(basename "$f") differs on a rerun"
done

# Nothing new: a second export writes nothing.
ls -l --time-style=full-iso ob > list1.txt
"$tuban" cases export --store s.gpkg --outbox ob > out2.txt || fail "second export"
grep -q "0 written" out2.txt || fail "second export wrote documents: $(cat out2.txt)"
ls -l --time-style=full-iso ob > list2.txt
cmp -s list1.txt list2.txt || fail "second export touched the outbox"

# One more status change: exactly one more document.
printf 'case_id,status,time,note\n%s,false_alarm,2026-06-16T08:00:00Z,greenhouse\n' "$b" > fb2.csv
"$tuban" cases feedback fb2.csv --store s.gpkg >/dev/null || fail "feedback 2"
"$tuban" cases export --store s.gpkg --outbox ob -q || fail "third export"
n3=$(ls ob/*.json | wc -l)
[ "$n3" -eq $((n1 + 1)) ] || fail "$n3 documents after one change, expected $((n1 + 1))"
grep -l '"status":"false_alarm"' ob/*.json | grep -q "$b" || fail "the false_alarm change of $b not exported"

# ---- HTTP delivery ---------------------------------------------------------------
cat > server.py <<'PY'
# server.py PORT LOG MODE [ARG]: records every POST as a JSON line in LOG.
# MODE ok; fail N (503 to the first N requests); busy N (429 with Retry-After: 1 to the
# first N); reject CASE_ID (400 for its documents)
import http.server, json, sys
port, log, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else ""
state = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        state["n"] += 1
        code = 201
        if mode == "fail" and state["n"] <= int(arg):
            code = 503
        if mode == "busy" and state["n"] <= int(arg):
            code = 429
        if mode == "reject" and json.loads(body)["case_id"] == arg:
            code = 400
        rec = {"key": self.headers.get("Idempotency-Key"), "auth": self.headers.get("Authorization"),
               "type": self.headers.get("Content-Type"), "code": code,
               "body_key": json.loads(body).get("idempotency_key")}
        with open(log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(code)
        if code == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
cat > tally.py <<'PY'
# tally.py LOG OUTBOX TOKEN: every document of OUTBOX/delivered accepted exactly once,
# with its key and the token; prints "accepted requests".
import glob, json, os, sys
log, outbox, token = sys.argv[1], sys.argv[2], sys.argv[3]
recs = [json.loads(l) for l in open(log)] if os.path.exists(log) else []
acc = {}
for r in recs:
    assert r["type"] == "application/json", r
    assert r["key"] == r["body_key"], r
    want = "Bearer " + token if token else None
    assert r["auth"] == want, "wrong Authorization header"
    if 200 <= r["code"] < 300:
        acc[r["key"]] = acc.get(r["key"], 0) + 1
dup = {k: v for k, v in acc.items() if v != 1}
assert not dup, ("accepted more than once", dup)
keys = {json.load(open(p))["idempotency_key"] for p in glob.glob(os.path.join(outbox, "delivered", "*.json"))}
assert keys == set(acc), ("delivered/ and the server disagree", len(keys), len(acc))
print(len(acc), len(recs))
PY
free_port() {
    $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
    i=0
    until $py -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 50 ] || fail "server on port $1 did not start"; sleep 0.1
    done
}
start_server() { # PORT LOG MODE [ARG]
    $py server.py "$@" & server_pid=$!
    wait_port "$1"
}
token="s3cr3t-$(date +%s)-tuban-token"
TB_TEST_TOKEN="$token"; export TB_TEST_TOKEN
ndocs=$((ncases + 1))
: > all_output.txt

# 1. A server that accepts everything: every document once, key and token.
port=$(free_port)
start_server "$port" log_ok.jsonl ok
"$tuban" cases export --store s.gpkg --outbox ob --url "http://127.0.0.1:$port/cases" \
    --token-env TB_TEST_TOKEN > o.txt 2>&1
rc=$?; cat o.txt; cat o.txt >> all_output.txt
[ "$rc" -eq 0 ] || fail "delivery to a good server: exit code $rc"
stop_server
[ "$(ls ob/*.json 2>/dev/null | wc -l)" -eq 0 ] || fail "documents left in the outbox after delivery"
set -- $($py tally.py log_ok.jsonl ob "$token") || fail "tally ok"
[ "$1" -eq $((n1 + 1)) ] || fail "server accepted $1 documents, expected $((n1 + 1))"
[ "$2" -eq "$1" ] || fail "$2 requests for $1 documents to a good server"
grep -q "delivery .* $1 delivered, 0 failed, 0 pending" o.txt || fail "summary line"
# Nothing left: a rerun sends nothing.
port=$(free_port)
start_server "$port" log_ok2.jsonl ok
"$tuban" cases export --store s.gpkg --outbox ob --url "http://127.0.0.1:$port/" -q >> all_output.txt 2>&1 ||
    fail "rerun of delivery"
stop_server
[ ! -s log_ok2.jsonl ] || fail "a rerun delivered documents again"

# 2. A server answering 503 to its first 3 requests, then recovering.
cp base.gpkg s503.gpkg
port=$(free_port)
start_server "$port" log_503.jsonl fail 3
"$tuban" cases export --store s503.gpkg --outbox ob503 --url "http://127.0.0.1:$port/" \
    --token-env TB_TEST_TOKEN --backoff 0.05 > o.txt 2>&1
rc=$?; cat o.txt; cat o.txt >> all_output.txt
stop_server
[ "$rc" -eq 0 ] || fail "delivery to a recovering server: exit code $rc"
grep -q "HTTP 503, retry 1/5" o.txt || fail "no retry logged after 503"
set -- $($py tally.py log_503.jsonl ob503 "$token") || fail "tally 503"
[ "$1" -eq "$ndocs" ] || fail "503 server: $1 accepted, expected $ndocs"
[ "$2" -eq $((ndocs + 3)) ] || fail "503 server: $2 requests, expected $((ndocs + 3))"

# 2b. A busy server (429, Retry-After: 1): the retry waits the second it asked for,
# not the 0.05 s backoff.
cp base.gpkg s429.gpkg
port=$(free_port)
start_server "$port" log_429.jsonl busy 1
t429=$(date +%s.%N)
"$tuban" cases export --store s429.gpkg --outbox ob429 --url "http://127.0.0.1:$port/" \
    --token-env TB_TEST_TOKEN --backoff 0.05 > o.txt 2>&1
rc=$?; t429=$($py -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$t429")
cat o.txt; cat o.txt >> all_output.txt
stop_server
[ "$rc" -eq 0 ] || fail "delivery to a busy server: exit code $rc"
grep -q "HTTP 429, retry 1/5 in 1.0 s (Retry-After)" o.txt || fail "Retry-After not honoured"
$py -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 1.0 else 1)" "$t429" ||
    fail "the retry after Retry-After: 1 came after $t429 s"
set -- $($py tally.py log_429.jsonl ob429 "$token") || fail "tally 429"
[ "$1" -eq "$ndocs" ] || fail "429 server: $1 accepted, expected $ndocs"

# 3. A server that is not up for the first second.
cp base.gpkg slate.gpkg
port=$(free_port)
( sleep 1; exec $py server.py "$port" log_late.jsonl ok ) & server_pid=$!
"$tuban" cases export --store slate.gpkg --outbox oblate --url "http://127.0.0.1:$port/" \
    --token-env TB_TEST_TOKEN --backoff 0.2 --timeout 2 > o.txt 2>&1
rc=$?; cat o.txt; cat o.txt >> all_output.txt
stop_server
[ "$rc" -eq 0 ] || fail "delivery to a late server: exit code $rc"
grep -q "retry 1/5" o.txt || fail "no retry logged while the server was down"
set -- $($py tally.py log_late.jsonl oblate "$token") || fail "tally late"
[ "$1" -eq "$ndocs" ] || fail "late server: $1 accepted, expected $ndocs"

# 4. A server answering 400 for the documents of one case: those stay, exit code 10.
cp base.gpkg s400.gpkg
port=$(free_port)
start_server "$port" log_400.jsonl reject "$a"
"$tuban" cases export --store s400.gpkg --outbox ob400 --url "http://127.0.0.1:$port/" \
    --token-env TB_TEST_TOKEN --backoff 0.05 > o.txt 2>&1
rc=$?; cat o.txt; cat o.txt >> all_output.txt
stop_server
[ "$rc" -eq 10 ] || fail "a refused document: exit code $rc, expected 10"
left=$(ls ob400/*.json | wc -l)
[ "$left" -eq 2 ] || fail "$left documents left in the outbox, expected the 2 of $a"
ls ob400/*.json | grep -v -q -e "$a" && fail "a document of another case left in the outbox"
grep -q "HTTP 400" o.txt || fail "the refusal not reported"
grep -q "2 failed, 0 pending" o.txt || fail "summary of the refusal"
[ "$(grep -c '"code": 400' log_400.jsonl)" -eq 2 ] || fail "a 400 was retried"
set -- $($py tally.py log_400.jsonl ob400 "$token") || fail "tally 400"
[ "$1" -eq $((ndocs - 2)) ] || fail "400 server: $1 accepted, expected $((ndocs - 2))"

# 5. No server at all, retries run out: pending, exit code 10, documents kept.
cp base.gpkg sdown.gpkg
port=$(free_port)
"$tuban" cases export --store sdown.gpkg --outbox obdown --url "http://127.0.0.1:$port/" \
    --token-env TB_TEST_TOKEN --retries 1 --backoff 0.01 > o.txt 2>&1
rc=$?; cat o.txt | tail -3; cat o.txt >> all_output.txt
[ "$rc" -eq 10 ] || fail "no server: exit code $rc, expected 10"
grep -q "0 delivered, 0 failed, $ndocs pending" o.txt || fail "summary with no server"
[ "$(ls obdown/*.json | wc -l)" -eq "$ndocs" ] || fail "documents lost when nothing was delivered"

# The token never appears in tuban's output.
grep -q -F "$token" all_output.txt && fail "the token appears in tuban's output"
grep -q -F "Bearer" all_output.txt && fail "an Authorization header appears in tuban's output"
echo "cases_export: ok"
