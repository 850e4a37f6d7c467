#!/usr/bin/env bash
# `weerbaar match --hub URL --key KEY [--report]` against a real hub on a
# loopback port: indicators come only from what the key may see (TLP and
# distribution), sightings go back aggregated per attribute, and every error
# (no key, a wrong key, no hub, --report without --hub) exits 2.
# Usage: tests/cli/match_hub.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: match_hub.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
q() { python3 -c "import json,sys; r=[json.loads(l) for l in open('$1') if l.strip()]; sys.exit(0 if ($2) else 1)"; }

DB=$T/hub.db
"$WB" admin demo --db "$DB" > "$T/keys" || { echo "admin demo failed"; exit 1; }
key() { awk -v u="$1" '$1 == u {print $4}' "$T/keys"; }
KE=$(key soc@energienet.example)
KG=$(key ict@gemeente-voorbeeld.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done

"$WB" match --hub "$U" --key "$KE" --stats demo/logs > "$T/e.jsonl" 2> "$T/e.err"; rc=$?
check "loads the key's events and matches (exit 0)" '[ $rc = 0 ] && [ -s "$T/e.jsonl" ]'
check "source is the hub, TLP as the hub enforces it" \
  "q $T/e.jsonl 'all(o[\"source\"]==\"$U\" and o[\"tlp\"] in (\"clear\",\"green\",\"amber\",\"amber+strict\",\"red\") for o in r)'"
WEERBAAR_KEY=$KG "$WB" match --hub "$U" --stats --format count demo/logs > "$T/g.count" 2> "$T/g.err"
ne=$(sed -n 's/^indicators loaded: //p' "$T/e.err"); ng=$(sed -n 's/^indicators loaded: //p' "$T/g.err")
check "WEERBAAR_KEY works; two organisations see different indicator sets" '[ -n "$ne" ] && [ -n "$ng" ] && [ "$ne" != "$ng" ]'

"$WB" match --hub "$U" --key "$KE" --report --sighting-source test-sensor --format count demo/logs > /dev/null 2> "$T/r.err"; rc=$?
check "--report posts the sightings and says so" '[ $rc = 0 ] && grep -q "reported the sightings of [1-9][0-9]* indicator" "$T/r.err"'
ev=$(python3 -c "import json; print(json.loads(open('$T/e.jsonl').readline())['event'])")
curl -s -H "Authorization: Bearer $KE" "$U/api/v1/events/$ev/sightings" > "$T/s.json"
check "the hub holds them, aggregated, with the given source" \
  "python3 -c \"import json,sys; s=[x['Sighting'] for x in json.load(open('$T/s.json'))['response'] if x['Sighting']['source']=='test-sensor']; sys.exit(0 if s and all(int(x['count'])>=1 for x in s) else 1)\""

# A sensor key loads its indicators through the change feed, and reads
# nothing else of the events.
KS=$(key sensor@energienet.example)
"$WB" match --hub "$U" --key "$KS" --stats demo/logs > "$T/s.jsonl" 2> "$T/s.err"; rc=$?
ns=$(sed -n 's/^indicators loaded: //p' "$T/s.err")
check "a sensor key loads the same indicators as its organisation's member key" '[ $rc = 0 ] && [ "$ns" = "$ne" ]'
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KS" "$U/api/v1/events")
check "a sensor key: the event list without after= is still 403" '[ "$c" = 403 ]'

# The demo's hub warninglist: 8.8.8.8, posted with to_ids true, is kept with
# to_ids false and the list's name, so a sensor does not alert on it.
"$WB" admin warninglist list --db "$DB" --format json > "$T/wl.json"
check "admin demo adds a warninglist" \
  "python3 -c \"import json,sys; sys.exit(0 if [w['name'] for w in json.load(open('$T/wl.json'))]==['Public DNS resolvers (demo excerpt)'] else 1)\""
curl -s -H "Authorization: Bearer $KE" "$U/api/v1/indicators?value=8.8.8.8" > "$T/wl-look.json"
check "an indicator on the warninglist: kept, to_ids false, the list named" \
  "python3 -c \"import json,sys; a=json.load(open('$T/wl-look.json'))['response']['Attribute']; sys.exit(0 if len(a)==1 and a[0]['to_ids'] is False and a[0]['warninglist'].startswith('Public DNS') else 1)\""
echo '{"query":"8.8.8.8"}' > "$T/resolver.jsonl"
"$WB" match --hub "$U" --key "$KE" --log-format jsonl "$T/resolver.jsonl" > "$T/r.jsonl" 2>/dev/null; rc=$?
check "match --hub does not alert on it (exit 1, nothing matched)" '[ $rc = 1 ] && [ ! -s "$T/r.jsonl" ]'
"$WB" match --hub "$U" --key "$KE" --all-attributes --log-format jsonl "$T/resolver.jsonl" > "$T/r.jsonl" 2>/dev/null; rc=$?
check "... unless asked for every attribute (--all-attributes)" '[ $rc = 0 ] && grep -q 8.8.8.8 "$T/r.jsonl"'
echo '{"name":"broken","type":"cidr","list":["not-an-address"]}' > "$T/bad-wl.json"
"$WB" admin warninglist add "$T/bad-wl.json" --db "$DB" > /dev/null 2> "$T/x"; rc=$?
check "admin warninglist add: a bad list exits 2 naming the file" "[ \$rc = 2 ] && grep -q bad-wl.json $T/x"

"$WB" match --hub "$U" demo/logs > /dev/null 2> "$T/x"; rc=$?
check "no key: exit 2 with a hint" '[ $rc = 2 ] && grep -q "WEERBAAR_KEY" "$T/x"'
"$WB" match --hub "$U" --key 00ff demo/logs > /dev/null 2> "$T/x"; rc=$?
check "a wrong key: exit 2 with the hub's error" '[ $rc = 2 ] && grep -q "401" "$T/x"'
"$WB" match -i demo/iocs/blocklist.txt --report demo/logs > /dev/null 2> "$T/x"; rc=$?
check "--report without --hub: exit 2" '[ $rc = 2 ] && grep -q -- "--hub" "$T/x"'
kill $SP; wait $SP 2>/dev/null; SP=
"$WB" match --hub "$U" --key "$KE" demo/logs > /dev/null 2> "$T/x"; rc=$?
check "hub not reachable: exit 2 naming the URL" "[ \$rc = 2 ] && grep -q '$U' $T/x"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
