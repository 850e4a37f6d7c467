#!/usr/bin/env bash
# Warninglists on a running hub: `admin warninglist add DIR` (MISP's
# lists/<name>/list.json layout) takes effect at the hub's next request
# without a restart; `admin warninglist recheck` (and `add --recheck`)
# marks attributes stored before (to_ids false, "warninglist" named in the
# event JSON), deletes nothing, and puts the event on the change feed.
# Usage: tests/cli/hub_warninglists.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_warninglists.sh WEERBAAR}")
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
A org add Alpha --kind essential >/dev/null 2>&1
A user add a@alpha.example --org Alpha --role member >/dev/null 2>&1
KA=$(A key add a@alpha.example | awk '/^key:/ {print $2}')
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --hooks-interval 0 > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
c() {
  local data=()
  [ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "$3")
  curl -s -o "$T/r.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $KA" "${data[@]}" "$U$2"
}
E1=5e0f7a6c-0000-4000-8000-0000000000d1
E2=5e0f7a6c-0000-4000-8000-0000000000d2
E3=5e0f7a6c-0000-4000-8000-0000000000d3
ev() { echo '{"Event":{"uuid":"'$1'","info":"wl","distribution":"0","Attribute":[{"type":"ip-dst","value":"'$2'","to_ids":true},{"type":"domain","value":"'$3'","to_ids":true}]}}'; }
c POST /api/v1/events "$(ev $E1 9.9.9.9 bad.example)" > /dev/null
c POST /api/v1/events "$(ev $E3 149.112.112.112 worse.example)" > /dev/null
c GET "/api/v1/events?after=0" > /dev/null
SEQ=$(python3 -c "import json; print(json.load(open('$T/r.json'))['last_seq'])")

mkdir -p "$T/lists/quad9" "$T/lists/other"
echo '{"name":"Quad9","version":1,"description":"t","type":"cidr","list":["9.9.9.9/32"],"matching_attributes":["ip-dst"]}' > "$T/lists/quad9/list.json"
echo '{"name":"Quad9 secondary","version":1,"description":"t","type":"cidr","list":["149.112.112.112/32"],"matching_attributes":["ip-dst"]}' > "$T/lists/other/list.json"
echo "not a list" > "$T/lists/README.md"
rm -rf "$T/lists/other"
A warninglist add "$T/lists" > "$T/o" 2>&1; rc=$?
check "add DIR: the list.json files below it, README ignored" '[ $rc = 0 ] && grep -q "1 list from" "$T/o"'
c POST /api/v1/events "$(ev $E2 9.9.9.9 good.example)" > /dev/null
check "the running hub applies a list added after it started" '[ "$(c GET /api/v1/events/$E2)" = 200 ] && j $T/r.json "[a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"9.9.9.9\"][0][\"to_ids\"] is False and [a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"9.9.9.9\"][0][\"warninglist\"]==\"Quad9\""'
check "an attribute stored before is not yet marked" '[ "$(c GET /api/v1/events/$E1)" = 200 ] && j $T/r.json "all(a[\"to_ids\"] is True and \"warninglist\" not in a for a in d[\"Event\"][\"Attribute\"])"'
A warninglist recheck > "$T/o" 2>&1; rc=$?
check "recheck marks it (one attribute)" '[ $rc = 0 ] && grep -q "1 attribute marked" "$T/o"'
check "marked in the event JSON, nothing deleted" '[ "$(c GET /api/v1/events/$E1)" = 200 ] && j $T/r.json "len(d[\"Event\"][\"Attribute\"])==2 and [a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"9.9.9.9\"][0][\"warninglist\"]==\"Quad9\" and [a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"9.9.9.9\"][0][\"to_ids\"] is False and [a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"bad.example\"][0][\"to_ids\"] is True"'
check "the marked event is on the change feed again" '[ "$(c GET "/api/v1/events?after=$SEQ")" = 200 ] && j $T/r.json "\"'$E1'\" in [e[\"Event\"][\"uuid\"] for e in d[\"response\"]]"'
A warninglist recheck > "$T/o" 2>&1
check "a second recheck marks nothing more" 'grep -q "0 attributes marked" "$T/o"'
echo '{"name":"Quad9 secondary","version":1,"description":"t","type":"cidr","list":["149.112.112.112/32"],"matching_attributes":["ip-dst"]}' > "$T/second.json"
A warninglist add "$T/second.json" --recheck > "$T/o" 2>&1; rc=$?
check "add --recheck: added and marked" '[ $rc = 0 ] && grep -q "1 attribute marked" "$T/o" && [ "$(c GET /api/v1/events/$E3)" = 200 ] && j $T/r.json "[a for a in d[\"Event\"][\"Attribute\"] if a[\"value\"]==\"149.112.112.112\"][0][\"warninglist\"]==\"Quad9 secondary\""'
A warninglist add "$T/nothing-here" > /dev/null 2> "$T/e"; rc=$?
check "add of a missing path: exit 2 naming it" '[ $rc = 2 ] && grep -q nothing-here "$T/e"'
mkdir -p "$T/empty"
A warninglist add "$T/empty" > /dev/null 2> "$T/e"; rc=$?
check "add of a directory without lists: exit 2" '[ $rc = 2 ] && grep -q "no list.json" "$T/e"'
kill -TERM $SP; wait $SP; SP=
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
