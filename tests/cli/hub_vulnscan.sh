#!/usr/bin/env bash
# hub_vulnscan.sh - the hub's vulnerability scan service over HTTP
# (loopback): POST /api/v1/vuln/scans with a package list gives the
# findings `weerbaar vuln scan` gives for it, in the same order; the scan
# is private to its organisation (another organisation's member and its
# CSIRT get 404 from list, get and CSV) until an admin of it shares it with
# the CSIRT its sector routes to; a member may not share; CSV export; a
# body that is not an inventory is 422; serve --vuln-fetch-every keeps the
# advisories current from a loopback source without a restart.
# Usage: tests/cli/hub_vulnscan.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_vulnscan.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB" > /dev/null; }
A org add Own --kind essential --sector energy
A org add Other --kind essential --sector energy
A org add CERT --kind csirt
A route add --sector energy --csirt CERT
A user add m@own.example --org Own --role member
A user add a@own.example --org Own --role org-admin
A user add x@other.example --org Other --role member
A user add c@cert.example --org CERT --role member
key() { "$WB" admin key add "$1" --db "$DB" | awk '/^key:/ {print $2}'; }
KM=$(key m@own.example); KA=$(key a@own.example); KX=$(key x@other.example); KC=$(key c@cert.example)

ADV=tests/data/vuln/abc-csaf.json
INV=tests/data/vuln/abc.csv
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --advisories "$ADV" > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done

# c KEY METHOD PATH [FILE]: prints the status; the body goes to $T/r
c() {
  local data=()
  [ $# -ge 4 ] && data=(--data-binary "@$4")
  curl -s -o "$T/r" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" "${data[@]}" "$U$3"
}
code=$(c "$KM" POST "/api/v1/vuln/scans?name=abc.csv" "$INV")
check "POST a package list: 201" '[ "$code" = 201 ]'
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/r")
"$WB" vuln scan --advisories "$ADV" --inventory "$INV" --format json > "$T/cli.json" 2>/dev/null
python3 - "$T/r" "$T/cli.json" > "$T/cmp" <<'PY'
import json, sys
hub = json.load(open(sys.argv[1])); cli = json.load(open(sys.argv[2]))
key = lambda f: (f["rank"], f["asset"], f["vulnerability"], f["severity"], f["deadline"], f["overdue"])
ok = [key(f) for f in hub["findings"]] == [key(f) for f in cli["findings"]] and len(cli["findings"]) == 3
ok = ok and hub["summary"]["findings"] == cli["summary"]["findings"] and hub["org"] == "Own"
ok = ok and all(f["inventory"].startswith("abc.csv:") for f in hub["findings"])
print("same" if ok else "differ")
PY
check "the findings are vuln scan's, in its order, named by the upload" 'grep -qx same "$T/cmp"'

code=$(c "$KX" GET "/api/v1/vuln/scans/$ID"); check "another organisation: 404" '[ "$code" = 404 ]'
code=$(c "$KX" GET "/api/v1/vuln/scans/$ID/csv"); check "another organisation: no CSV (404)" '[ "$code" = 404 ]'
c "$KX" GET /api/v1/vuln/scans > /dev/null
check "another organisation's list is empty" 'python3 -c "import json,sys; sys.exit(json.load(open(\"$T/r\"))[\"scans\"] != [])"'
code=$(c "$KC" GET "/api/v1/vuln/scans/$ID"); check "the CSIRT before it is shared: 404" '[ "$code" = 404 ]'
printf '{"csirt":true}' > "$T/share"
code=$(c "$KM" POST "/api/v1/vuln/scans/$ID/share" "$T/share"); check "a member may not share: 403" '[ "$code" = 403 ]'
code=$(c "$KA" POST "/api/v1/vuln/scans/$ID/share" "$T/share"); check "its org admin shares with the CSIRT" '[ "$code" = 200 ]'
code=$(c "$KC" GET "/api/v1/vuln/scans/$ID"); check "the routed CSIRT reads it now" '[ "$code" = 200 ]'
c "$KC" GET /api/v1/vuln/scans > /dev/null
check "and lists it" 'python3 -c "import json,sys; sys.exit(len(json.load(open(\"$T/r\"))[\"scans\"]) != 1)"'
code=$(c "$KX" GET "/api/v1/vuln/scans/$ID"); check "the other organisation still cannot: 404" '[ "$code" = 404 ]'
code=$(curl -s -D "$T/h" -o "$T/csv" -w '%{http_code}' -H "Authorization: Bearer $KM" "$U/api/v1/vuln/scans/$ID/csv")
check "CSV export: header and a row per finding" \
  '[ "$code" = 200 ] && grep -qi "^Content-Type: text/csv" "$T/h" && head -1 "$T/csv" | grep -q "^rank,asset,component,version,vulnerability,severity" && [ $(wc -l < "$T/csv") = 4 ]'
printf 'this is not an inventory\n' > "$T/junk"
code=$(c "$KM" POST "/api/v1/vuln/scans?name=junk.txt" "$T/junk")
check "not an inventory: 422 naming the upload" '[ "$code" = 422 ] && grep -q "junk.txt" "$T/r"'
code=$(c "$KM" GET /api/v1/vuln/scans/999); check "an unknown scan: 404" '[ "$code" = 404 ]'

kill -TERM $SP; wait $SP; SP=

# serve --vuln-fetch-every: the advisory directory kept current by serve
# itself, from a loopback server; a scan after the source changed finds
# what the new advisories name, without a restart.
W=$T/www; mkdir -p "$W/osv/PyPI"
zipit() {
  python3 - "$W/osv/PyPI/all.zip" tests/data/vuln/osv "$1" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + ".tmp", "w") as z:
    z.write(f"{sys.argv[2]}/{sys.argv[3]}", sys.argv[3])
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
PY
}
zipit GHSA-jfh8-c2jp-5v3q.json
python3 tests/cli/vuln_fetch_server.py "$W" "$T/port" > /dev/null 2>&1 &
FP=$!
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; kill $FP 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
B=http://127.0.0.1:$(cat "$T/port")
"$WB" vuln fetch --dir "$T/adv" --source "osv:PyPI=$B/osv/PyPI/all.zip" > "$T/fetch" 2>&1
check "vuln fetch sets up the directory" 'grep -q "osv/PyPI: current" "$T/fetch"'
printf 'asset,vendor,product,version,cpe,purl,internet_facing,criticality,owner\nweb,,example-pkg,1.2,,pkg:pypi/example-pkg@1.2,false,,\n' > "$T/py.csv"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --advisories "$T/adv" --vuln-fetch-every 1 \
  --hooks-interval 0 > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done
findings() { c "$KM" POST "/api/v1/vuln/scans?name=py.csv" "$T/py.csv" > /dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$T/r"; }
check "before the source changes: no finding" '[ "$(findings)" = 0 ]'
sleep 1.1; zipit PYSEC-2099-1.json
n=0
for _ in $(seq 40); do n=$(findings); [ "$n" = 1 ] && break; sleep 0.25; done
check "after it: the scheduled fetch brought the advisory in, no restart" '[ "$n" = 1 ] && grep -q "new advisories read" "$T/serve.log"'
kill -TERM $SP; wait $SP; rc=$?; SP=; [ $rc = 0 ] || grep -A8 "Direct leak" "$T/serve.log" | head -40
check "serve stops cleanly with the fetcher running" '[ $rc = 0 ]'
kill $FP 2>/dev/null
echo "$pass passed, $fail failed"
[ $fail = 0 ]
