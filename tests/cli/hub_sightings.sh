#!/usr/bin/env bash
# Sightings over real HTTP: the hub's sighting policy (serve
# --sighting-policy owner|event), the who-sighted-what view
# (GET /api/v1/sightings and `weerbaar sighting list --db/--hub`), a
# retried report (sighting_uuid) and the merge gap (--sighting-gap).
# Usage: tests/cli/hub_sightings.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_sightings.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB"; }
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
A org add Alpha --kind essential --sector energy >/dev/null 2>&1
A org add Beta --kind important --sector health >/dev/null 2>&1
A org add Gamma --kind other >/dev/null 2>&1
A user add a@alpha.example --org Alpha --role member >/dev/null 2>&1
A user add s@beta.example --org Beta --role sensor >/dev/null 2>&1
A user add g@gamma.example --org Gamma --role member >/dev/null 2>&1
key() { A key add "$1" | awk '/^key:/ {print $2}'; }
KA=$(key a@alpha.example); KS=$(key s@beta.example); KG=$(key g@gamma.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
start() {
  "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --hooks-interval 0 "$@" >> "$T/serve.log" 2>&1 &
  SP=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$U/" && return 0; sleep 0.1; done
  return 1
}
stop() { kill -TERM $SP; wait $SP; SP=; }
c() {
  local auth=() data=()
  [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
  [ $# -ge 4 ] && data=(-H 'Content-Type: application/json' --data-binary "$4")
  curl -s -o "$T/r.json" -w '%{http_code}' -X "$2" "${auth[@]}" "${data[@]}" "$U$3"
}
check "serve starts (owner policy)" 'start'
EVU=5e0f7a6c-0000-4000-8000-0000000000c1
c "$KA" POST /api/v1/events '{"Event":{"uuid":"'$EVU'","info":"community","distribution":"1","Tag":[{"name":"tlp:green"}],"Attribute":[{"type":"domain","value":"evil.example","to_ids":true}]}}' > /dev/null
NOW=$(date +%s)
S1='{"value":"evil.example","count":3,"sighting_uuid":"1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b","date_sighting":'$NOW'}'
check "a sensor reports: 201, saved 1" '[ "$(c "$KS" POST /api/v1/sightings "$S1")" = 201 ] && j $T/r.json "d[\"saved\"]==1 and d[\"repeated\"]==0"'
check "the same request again: 201, repeated, nothing saved" '[ "$(c "$KS" POST /api/v1/sightings "$S1")" = 201 ] && j $T/r.json "d[\"saved\"]==0 and d[\"repeated\"]==1"'
S2='{"value":"evil.example","count":2,"date_sighting":'$((NOW - 1800))'}'
check "half an hour earlier: merged into the record" '[ "$(c "$KS" POST /api/v1/sightings "$S2")" = 201 ] && j $T/r.json "d[\"merged\"]==1"'
check "the creator sees one record, named, count 5" '[ "$(c "$KA" GET "/api/v1/sightings?event=$EVU")" = 200 ] && j $T/r.json "len(d[\"response\"])==1 and d[\"response\"][0][\"Sighting\"][\"count\"]==5 and d[\"response\"][0][\"Sighting\"][\"Organisation\"][\"name\"]==\"Beta\""'
check "a third organisation sees none (owner policy)" '[ "$(c "$KG" GET /api/v1/sightings)" = 200 ] && j $T/r.json "d[\"response\"]==[]"'
check "a sensor may not list sightings" '[ "$(c "$KS" GET /api/v1/sightings)" = 403 ]'
check "value filter, normalised" '[ "$(c "$KA" GET "/api/v1/sightings?value=EVIL.example")" = 200 ] && j $T/r.json "len(d[\"response\"])==1"'
check "an unknown organisation: 404" '[ "$(c "$KA" GET "/api/v1/sightings?org=Nobody")" = 404 ]'
"$WB" sighting list --hub "$U" --key "$KA" > "$T/t" 2>&1; rc=$?
check "sighting list --hub: a table row per day, value, organisation" '[ $rc = 0 ] && grep -q "evil.example  *Beta  *seen  *5$" "$T/t"'
"$WB" sighting list --hub "$U" --key "$KG" > "$T/t" 2>&1; rc=$?
check "sighting list --hub with nothing visible: exit 1" '[ $rc = 1 ]'
stop
check "serve starts (event policy, gap 0)" 'start --sighting-policy event --sighting-gap 0'
check "a third organisation sees the sighting, as a sector" '[ "$(c "$KG" GET /api/v1/sightings)" = 200 ] && j $T/r.json "len(d[\"response\"])==1 and d[\"response\"][0][\"Sighting\"][\"Organisation\"]=={\"sector\":\"health\"}"'
check "the event sightings path agrees" '[ "$(c "$KG" GET /api/v1/events/$EVU/sightings)" = 200 ] && j $T/r.json "len(d[\"response\"])==1 and \"name\" not in d[\"response\"][0][\"Sighting\"][\"Organisation\"]"'
S3='{"value":"evil.example","date_sighting":'$((NOW - 7200))'}'
check "with gap 0 a report outside the window is a new record" '[ "$(c "$KS" POST /api/v1/sightings "$S3")" = 201 ] && j $T/r.json "d[\"merged\"]==0"'
stop
"$WB" sighting list --db "$DB" --format json > "$T/l.json" 2>&1; rc=$?
check "sighting list --db: every record, as JSON" '[ $rc = 0 ] && j $T/l.json "len(d)==2 and all(s[\"Sighting\"][\"Organisation\"][\"name\"]==\"Beta\" for s in d)"'
"$WB" sighting list --db "$DB" --format csv --org Beta > "$T/l.csv" 2>&1; rc=$?
check "sighting list --db --format csv" '[ $rc = 0 ] && head -1 "$T/l.csv" | grep -q "^day,value,organisation,type,count,event" && grep -q "evil.example,Beta,seen," "$T/l.csv"'
"$WB" sighting list --db "$DB" --hub "$U" > /dev/null 2> "$T/e"; rc=$?
check "--db and --hub together: exit 2" '[ $rc = 2 ] && grep -q "one of them" "$T/e"'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
