#!/usr/bin/env bash
# Integration tests of the hub's MISP feeds and STIX export over real HTTP:
# hub A (the demo database) served on loopback; its feeds fetched with curl
# (Bearer and MISP's "Authorization: KEY", the public feed without a key,
# chunked answers, content types); `weerbaar feed pull` of A's feed over
# HTTP into hub B and the round trip compared event by event; the offline
# export equal to what is served; pulling again changes nothing; the MISP
# project's test feed; a TLP:RED event in MISP's EventTag shape pulled by a
# third hub staying RED and out of its public feed; CLI errors and exit
# statuses; --help.
# Usage: tests/cli/hub_feed.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_feed.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
FEED=../shared/testdata/misp/feed-misp-tests
A=$T/a.db B=$T/b.db

"$WB" admin demo --db "$A" > "$T/keys" 2>&1
key() { awk -v u="$1" '$1 == u {print $4}' "$T/keys"; }
KE=$(key soc@energienet.example)     # Energienet, org-admin
KS=$(key sensor@energienet.example)  # Energienet, sensor
KG=$(key ict@gemeente-voorbeeld.example)
check "demo keys" '[[ $KE =~ ^[0-9a-f]{64}$ && $KS =~ ^[0-9a-f]{64}$ ]]'

PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$A" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
up=0; for _ in $(seq 100); do curl -s -o /dev/null "$U/" && { up=1; break; }; sleep 0.1; done
check "serve: starts" '[ $up = 1 ]'

# g PATH [curl args...]: status; body in $T/r, headers in $T/h
g() { local p=$1; shift; curl -s -D "$T/h" -o "$T/r" -w '%{http_code}' "$@" "$U$p"; }
check "manifest with a Bearer key: 200, chunked JSON" \
  '[ "$(g /feeds/misp/manifest.json -H "Authorization: Bearer $KE")" = 200 ] && grep -qi "transfer-encoding: chunked" "$T/h" && grep -qi "content-type: application/json" "$T/h" && j $T/r "len(d)==7"'
cp "$T/r" "$T/manifest-e.json"
check "manifest with MISP's 'Authorization: KEY' header" \
  '[ "$(g /feeds/misp/manifest.json -H "Authorization: $KE")" = 200 ] && cmp -s "$T/r" "$T/manifest-e.json"'
check "manifest entries have MISP's keys and integer types" \
  "j $T/manifest-e.json 'all(set(e)=={\"Orgc\",\"Tag\",\"info\",\"date\",\"analysis\",\"threat_level_id\",\"timestamp\"} and isinstance(e[\"timestamp\"],int) for e in d.values())'"
check "another organisation sees less" \
  '[ "$(g /feeds/misp/manifest.json -H "Authorization: Bearer $KG")" = 200 ] && j $T/r "len(d)<7 and \"6d0e5a10-0004-4000-8000-000000000004\" not in d"'
check "a sensor key reads the feed" '[ "$(g /feeds/misp/manifest.json -H "Authorization: $KS")" = 200 ]'
check "no key: 401" '[ "$(g /feeds/misp/manifest.json)" = 401 ]'
check "bad key: 401" '[ "$(g /feeds/misp/manifest.json -H "Authorization: 00000000")" = 401 ]'
check "public manifest without a key: the CLEAR, distribution 3 event only" \
  '[ "$(g /feeds/public/manifest.json)" = 200 ] && j $T/r "list(d)==[\"6d0e5a10-0001-4000-8000-000000000001\"]"'
check "public event file" '[ "$(g /feeds/public/6d0e5a10-0001-4000-8000-000000000001.json)" = 200 ] && j $T/r "d[\"Event\"][\"uuid\"]==\"6d0e5a10-0001-4000-8000-000000000001\""'
check "public feed hides the rest: 404" '[ "$(g /feeds/public/6d0e5a10-0003-4000-8000-000000000003.json)" = 404 ]'
check "hashes.csv: text/csv, every line md5,uuid" \
  '[ "$(g /feeds/misp/hashes.csv -H "Authorization: $KE")" = 200 ] && grep -qi "content-type: text/csv" "$T/h" && [ -s "$T/r" ] && ! grep -Evq "^[0-9a-f]{32},[0-9a-f-]{36}$" "$T/r"'
check "hashes.csv holds the md5 of a value" \
  'grep -q "^$(printf %s update-check.example | md5sum | cut -c1-32),6d0e5a10-0003-4000-8000-000000000003$" "$T/r"'
check "STIX bundle of an event" \
  '[ "$(g /api/v1/events/6d0e5a10-0003-4000-8000-000000000003/stix -H "Authorization: Bearer $KE")" = 200 ] && j $T/r "d[\"type\"]==\"bundle\" and any(o[\"type\"]==\"indicator\" for o in d[\"objects\"])"'
cp "$T/r" "$T/bundle.json"
printf '#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\n#types\ttime\tstring\taddr\tport\taddr\tport\tstring\n1790000000.000000\tA\t10.0.0.1\t5353\t10.0.0.53\t53\twww.update-check.example\n' > "$T/dns.log"
"$WB" match -i "$T/bundle.json" --format jsonl "$T/dns.log" > "$T/m.jsonl" 2>/dev/null; rc=$?
check "weerbaar match -i matches with the STIX bundle, TLP kept" \
  '[ $rc = 0 ] && grep -q "update-check.example" "$T/m.jsonl" && grep -q "\"tlp\":\"amber\"" "$T/m.jsonl"'
check "STIX: a sensor is refused (403)" '[ "$(g /api/v1/events/6d0e5a10-0003-4000-8000-000000000003/stix -H "Authorization: Bearer $KS")" = 403 ]'
check "audit: every feed export is logged" \
  'python3 -c "import sqlite3,sys; n=sqlite3.connect(\"$A\").execute(\"select count(*) from audit where action=\x27feed.export\x27\").fetchone()[0]; sys.exit(0 if n>=6 else 1)"'

# ---- pull A's feed into B over HTTP -------------------------------------------------
"$WB" admin org add Importer --kind csirt --db "$B" > /dev/null
"$WB" feed pull "$U/feeds/misp" --key "$KE" --db "$B" --as Importer --distribution 1 > "$T/p1" 2> "$T/p1e"; rc=$?
check "pull over HTTP: exit 0, 7 new" '[ $rc = 0 ] && grep -q "7 listed, 7 new, 0 updated, 0 unchanged, 0 skipped" "$T/p1"'
"$WB" feed pull "$U/feeds/misp" --key "$KE" --db "$B" --as Importer --distribution 1 --format json > "$T/p2.json" 2>&1; rc=$?
check "pull again: everything unchanged" '[ $rc = 0 ] && j $T/p2.json "d[\"unchanged\"]==7 and d[\"new\"]==0"'
"$WB" feed export --db "$A" --out "$T/ea" --as Energienet > /dev/null
"$WB" feed export --db "$B" --out "$T/eb" --as Importer > /dev/null
check "round trip: B's events equal A's (attributes, values, tags, TLP, Orgc)" 'python3 - "$T/ea" "$T/eb" <<"EOF"
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
ma, mb = json.load(open(a + "/manifest.json")), json.load(open(b + "/manifest.json"))
if set(ma) != set(mb): sys.exit("manifests differ")
def norm(e):
    e = e["Event"]
    attrs = sorted((x["type"], x["value"], x["to_ids"], json.dumps(sorted(t["name"] for t in x.get("Tag", []))))
                   for x in e["Attribute"] + [y for o in e.get("Object", []) for y in o["Attribute"]])
    return (e["info"], e["date"], e["Orgc"]["name"], sorted(t["name"] for t in e["Tag"]), attrs)
for u in ma:
    ea, eb = json.load(open(f"{a}/{u}.json")), json.load(open(f"{b}/{u}.json"))
    if norm(ea) != norm(eb): sys.exit(f"{u} differs")
EOF'
check "export equals what the hub serves" \
  '[ "$(g /feeds/misp/6d0e5a10-0002-4000-8000-000000000002.json -H "Authorization: $KE")" = 200 ] && python3 -c "import json,sys; sys.exit(0 if json.load(open(\"$T/r\"))==json.load(open(\"$T/ea/6d0e5a10-0002-4000-8000-000000000002.json\")) else 1)"'
check "public export equals the public feed" \
  '"$WB" feed export --db "$A" --out "$T/pub" > /dev/null && [ "$(g /feeds/public/manifest.json)" = 200 ] && python3 -c "import json,sys; sys.exit(0 if json.load(open(\"$T/r\"))==json.load(open(\"$T/pub/manifest.json\")) else 1)"'

# ---- a TLP given in MISP's EventTag shape survives a pull by another hub --------------------
# TLP:RED as EventTag beside a stored tlp:clear Tag: A's feed must say RED,
# so that hub C, pulling with --distribution 3, keeps it RED (narrowed to
# its organisation) and out of its public feed.
RED=6d0e5a10-00ee-4000-8000-0000000000ee
check "post a RED event with Tag tlp:clear and EventTag tlp:red" \
  '[ "$(curl -s -o "$T/r" -w "%{http_code}" -H "Authorization: Bearer $KE" "$U/api/v1/events" -d "{\"Event\":{\"uuid\":\"$RED\",\"info\":\"red shape\",\"distribution\":0,\"published\":true,\"Tag\":[{\"name\":\"tlp:clear\"}],\"EventTag\":[{\"Tag\":{\"name\":\"tlp:red\"}}],\"Attribute\":[{\"type\":\"domain\",\"value\":\"red-shape.example\",\"Tag\":[{\"name\":\"tlp:clear\"}]}]}}")" = 201 ]'
check "A's feed names tlp:red only" \
  '[ "$(g /feeds/misp/$RED.json -H "Authorization: $KE")" = 200 ] && grep -q "\"tlp:red\"" "$T/r" && ! grep -q "tlp:clear" "$T/r"'
C=$T/c.db
"$WB" admin org add Importer --kind csirt --db "$C" > /dev/null
"$WB" feed pull "$U/feeds/misp" --key "$KE" --db "$C" --as Importer --distribution 3 > /dev/null 2>&1; rc=$?
"$WB" feed export --db "$C" --out "$T/ec" --as Importer > /dev/null
"$WB" feed export --db "$C" --out "$T/ecpub" > /dev/null
check "weerbaar feed pull by hub C: the event stays RED, out of C's public feed" \
  '[ $rc = 0 ] && [ -f "$T/ec/$RED.json" ] && grep -q "\"tlp:red\"" "$T/ec/$RED.json" && ! grep -q "tlp:clear" "$T/ec/$RED.json" && [ ! -e "$T/ecpub/$RED.json" ] && ! grep -q "$RED" "$T/ecpub/manifest.json"'

# ---- the MISP project's test feed, errors ------------------------------------------------
# (in ../shared, absent from a clone without it)
if [ -d "$FEED" ]; then
  "$WB" feed pull "$FEED" --db "$B" --as Importer > "$T/p3" 2>&1; rc=$?
  check "pull MISP's test feed from a directory" '[ $rc = 0 ] && grep -q "1 new" "$T/p3"'
fi
"$WB" feed pull "$U/feeds/nothing" --db "$B" --as Importer > /dev/null 2> "$T/e"; rc=$?
check "pull from a URL without a feed: exit 2 naming the URL" '[ $rc = 2 ] && grep -q "feeds/nothing/manifest.json: HTTP 404" "$T/e"'
"$WB" feed pull "$U/feeds/misp" --db "$B" --as Importer > /dev/null 2> "$T/e"; rc=$?
check "pull without the key a hub needs: exit 2, HTTP 401" '[ $rc = 2 ] && grep -q "HTTP 401" "$T/e"'
"$WB" feed pull "$FEED" --db "$B" --as Nobody > /dev/null 2> "$T/e"; rc=$?
check "pull for an unknown organisation: exit 2" '[ $rc = 2 ] && grep -q "unknown organisation .Nobody." "$T/e"'
"$WB" feed pull "$FEED" --db "$B" > /dev/null 2> "$T/e"; rc=$?
check "pull without --as: exit 2" '[ $rc = 2 ] && grep -q -- "--as ORG is required" "$T/e"'
"$WB" feed pull "$FEED" --db "$B" --as Importer --distribution 7 > /dev/null 2> "$T/e"; rc=$?
check "bad --distribution: exit 2" '[ $rc = 2 ] && grep -q "0-4" "$T/e"'
"$WB" feed export --db "$A" > /dev/null 2> "$T/e"; rc=$?
check "export without --out: exit 2" '[ $rc = 2 ] && grep -q -- "--out DIR" "$T/e"'
"$WB" feed export --db "$A" --out "$T/x" --as Nobody > /dev/null 2> "$T/e"; rc=$?
check "export as an unknown organisation: exit 2" '[ $rc = 2 ] && grep -q "Nobody" "$T/e"'
"$WB" feed --help > "$T/help"; rc=$?
check "feed --help teaches with examples" '[ $rc = 0 ] && grep -q "examples:" "$T/help" && grep -q "feed pull" "$T/help"'

kill $SP; wait $SP 2>/dev/null; SP=
echo "$pass passed, $fail failed"
[ $fail = 0 ]
