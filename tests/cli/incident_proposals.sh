#!/usr/bin/env bash
# incident_proposals.sh - sharing an incident's indicators over HTTP, with
# curl and the CLI against `weerbaar serve` on loopback:
#  - an anonymous share is a proposal: nothing is published in the CSIRT's
#    name until a CSIRT user approves; only the reporter's organisation and
#    that CSIRT see it (not another member, not the supervisor); the
#    reporter withdraws, the CSIRT discards; warninglisted values
#    (digid.nl, 1.1.1.1) are named in the proposal and published with
#    to_ids off;
#  - a share is one transaction: a failing step (here a trigger on the link
#    table) leaves no event, no share and no audit row, and a retry after
#    success changes nothing;
#  - report indicators are checked on entry at the caller's JSON path, and
#    an incident PDF over 500 pages answers 422 pointing to the JSON.
set -u
bin=$1
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
db=$tmp/hub.db
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# api METHOD PATH KEY [BODY]: the answer in $tmp/r.json, prints the status.
api() {
    local data=() auth=()
    [ $# -ge 4 ] && data=(-H 'Content-Type: application/json' --data-binary "$4")
    [ -n "$3" ] && auth=(-H "Authorization: Bearer $3")
    curl -s -o "$tmp/r.json" -w '%{http_code}' -X "$1" "${auth[@]}" "${data[@]}" "$url$2"
}
expect() { # expect STATUS METHOD PATH KEY [BODY]
    local want=$1 got
    shift
    got=$(api "$@")
    [ "$got" = "$want" ] || { echo "FAIL: $1 $2: HTTP $got, want $want"; cat "$tmp/r.json"; echo; fail=1; }
}
py() { # py 'CODE' with the last answer as r
    python3 -c "import json, sys; r = json.load(open('$tmp/r.json'))
$1" || { echo "FAIL: $1"; cat "$tmp/r.json"; echo; fail=1; }
}
sql() { python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); r = c.execute(sys.argv[2]).fetchall(); c.commit(); print(r[0][0] if r else '')" "$db" "$1"; }

A() { "$bin" admin "$@" --db "$db" >/dev/null || { echo "FAIL: admin $*"; fail=1; }; }
A org add Gamma --kind essential --sector energy
A org add Delta --kind essential --sector energy
A org add NCSC --kind csirt
A org add RDI --kind supervisor
A route add --sector '*' --csirt NCSC --supervisor RDI
key() {
    "$bin" admin user add "$1" --org "$2" --role member --db "$db" >/dev/null
    "$bin" admin key add "$1" --db "$db" | awk '/^key:/ {print $2}'
}
KG=$(key g@gamma.example Gamma)
KD=$(key d@delta.example Delta)
KN=$(key n@ncsc.example NCSC)
KR=$(key r@rdi.example RDI)
cat >"$tmp/gov.json" <<'JSON'
{"name": "Dutch government sites", "version": 1, "description": "test", "type": "hostname",
 "list": ["digid.nl"], "matching_attributes": ["domain", "hostname", "url"]}
JSON
cat >"$tmp/dns.json" <<'JSON'
{"name": "Public DNS resolvers", "version": 1, "description": "test", "type": "cidr",
 "list": ["1.1.1.1/32"], "matching_attributes": ["ip-src", "ip-dst", "domain|ip"]}
JSON
A warninglist add "$tmp/gov.json"
A warninglist add "$tmp/dns.json"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$bin" serve --db "$db" --listen 127.0.0.1:$port --hooks-interval 0 >"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done
aware=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
run 0 incident new --title "Portal DDoS" --aware-at "$aware" --hub "$url" --key "$KG"
run 0 incident new --title "Long one" --aware-at "$aware" --hub "$url" --key "$KG"

# ---- report indicators are checked on entry -------------------------------------
ew='{"summary":"portal down","malicious":"unknown","cross_border":"no",
 "contact":{"name":"Jan","email":"jan@gamma.example","phone":"+31 20 555 0100"},
 "indicators":[{"type":"domain","value":"digid.nl"},{"type":"ip-dst","value":"999.1.1.1"}]}'
expect 422 POST "/api/v1/incidents/1/reports?stage=early-warning" "$KG" "$ew"
py 'assert [p["path"] for p in r["error"]["problems"]] == ["$.indicators[1].value"], r
assert "not a valid ip-dst" in r["error"]["message"], r'
ew=${ew/999.1.1.1/1.1.1.1}
ew=${ew/]\}/,\{\"type\":\"ip-dst\",\"value\":\"198.51.100.23\"\}]\}}
expect 201 POST "/api/v1/incidents/1/reports?stage=early-warning" "$KG" "$ew"

# ---- anonymous: a proposal, published only once the CSIRT approves ---------------
events() { sql "SELECT count(*) FROM events"; }
[ "$(events)" = 0 ] || { echo "FAIL: events before the share"; fail=1; }
run 0 incident share 1 --tlp clear --distribution 3 --anonymous --hub "$url" --key "$KG"
has out "proposal 1: 3 indicators (2 on warninglists), TLP:clear, distribution 3, anonymous; pending"
[ "$(events)" = 0 ] || { echo "FAIL: a proposal published an event"; fail=1; }
expect 200 GET /feeds/public/manifest.json ""
py 'assert r == {}, r'
# Who sees it: the reporter and the CSIRT; not another member nor the supervisor.
for k in "$KD" "$KR"; do
    expect 200 GET /api/v1/incidents/proposals "$k"
    py 'assert r["response"] == [], r'
    expect 404 POST /api/v1/incidents/proposals/1/approve "$k" '{}'
    expect 404 POST /api/v1/incidents/proposals/1/withdraw "$k" '{}'
done
expect 200 GET /api/v1/incidents/proposals "$KN"
py 'p = r["response"][0]
assert p["status"] == "pending" and p["anonymous"] and p["event"] is None and p["warninglisted"] == 2, p
hits = sorted((h["value"], h["warninglist"]) for h in p["warninglist_hits"])
assert hits == [("1.1.1.1", "Public DNS resolvers"), ("digid.nl", "Dutch government sites")], hits
assert [i["value"] for i in p["indicators"]] == ["digid.nl", "1.1.1.1", "198.51.100.23"], p'
expect 200 GET "/api/v1/incidents/proposals?status=approved" "$KG"
py 'assert r["response"] == [], r'
run 0 incident proposals --hub "$url" --key "$KG"
has out "digid.nl: on warninglist 'Dutch government sites' (published with to_ids off)"
# The reporter cannot approve its own; the CSIRT can; then it is decided.
expect 403 POST /api/v1/incidents/proposals/1/approve "$KG" '{}'
run 0 incident approve 1 --hub "$url" --key "$KN"
has out "proposal 1 approved: event "
ev=$(sed -E 's/.* event ([0-9a-f-]{36}).*/\1/' "$tmp/out")
[ "$(events)" = 1 ] || { echo "FAIL: approval made no event"; fail=1; }
expect 409 POST /api/v1/incidents/proposals/1/withdraw "$KG" '{}'
expect 409 POST /api/v1/incidents/proposals/1/discard "$KN" '{}'
# Public, in the CSIRT's name, warninglisted values with to_ids off.
expect 200 GET "/feeds/public/$ev.json" ""
py 'e = r["Event"]
assert e["Orgc"]["name"] == "NCSC", e["Orgc"]
a = {x["value"]: x for x in e["Attribute"]}
assert a["198.51.100.23"]["to_ids"] is True
assert a["digid.nl"]["to_ids"] is False and a["1.1.1.1"]["to_ids"] is False, a
assert "Gamma" not in json.dumps(r) and "Portal" not in json.dumps(r)'
# Withdrawn by the reporter, discarded by the CSIRT: never published.
expect 202 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1,"anonymous":true}'
expect 403 POST /api/v1/incidents/proposals/2/withdraw "$KN" '{}'
run 0 incident withdraw 2 --hub "$url" --key "$KG"
has out "proposal 2 withdrawn"
expect 409 POST /api/v1/incidents/proposals/2/approve "$KN" '{}'
expect 202 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1,"anonymous":true}'
py 'assert r["id"] == 3, r' # a withdrawn proposal does not block proposing again
# A key of the client's: a second proposal of the same indicators, and its retry.
run 0 incident share 1 --tlp green --distribution 1 --anonymous --share-key again --hub "$url" --key "$KG"
has out "proposal 4:"
run 0 incident share 1 --tlp green --distribution 1 --anonymous --share-key again --hub "$url" --key "$KG"
has out "proposal 4 (already):"
run 0 incident withdraw 4 --hub "$url" --key "$KG"
expect 403 POST /api/v1/incidents/proposals/3/discard "$KG" '{}'
run 0 incident discard 3 --hub "$url" --key "$KN"
has out "proposal 3 discarded"
[ "$(events)" = 1 ] || { echo "FAIL: a withdrawn or discarded proposal was published"; fail=1; }
[ "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'incident.propos%'")" = 8 ] ||
    { echo "FAIL: proposals not audited"; sql "SELECT group_concat(action) FROM audit"; fail=1; }

# ---- one transaction, and a retry changes nothing --------------------------------
# A step after the event fails (the link cannot be written): nothing stays.
sql "CREATE TRIGGER fail_link BEFORE INSERT ON incident_events BEGIN SELECT RAISE(ABORT, 'fault'); END" >/dev/null
audits=$(sql "SELECT count(*) FROM audit")
expect 500 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1}'
[ "$(events)" = 1 ] || { echo "FAIL: a failed share left an event"; fail=1; }
[ "$(sql "SELECT count(*) FROM incident_shares WHERE anonymous=0")" = 0 ] || { echo "FAIL: a failed share left a share row"; fail=1; }
[ "$(sql "SELECT count(*) FROM audit WHERE action IN ('event.add','incident.share')")" = 1 ] ||
    { echo "FAIL: a failed share left audit rows"; fail=1; }
sql "DROP TRIGGER fail_link" >/dev/null
run 0 incident share 1 --tlp green --distribution 1 --hub "$url" --key "$KG"
has out "3 indicators, TLP:green, distribution 1"
ev1=$(sed -E 's/.* event ([0-9a-f-]{36}).*/\1/' "$tmp/out")
run 0 incident share 1 --tlp green --distribution 1 --hub "$url" --key "$KG"
has out "shared as event $ev1 (already)"
expect 200 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1}'
py "assert r['event'] == '$ev1' and r['replayed'], r"
[ "$(events)" = 2 ] || { echo "FAIL: a retry made another event"; fail=1; }
[ "$(sql "SELECT count(*) FROM incident_events")" = 2 ] || { echo "FAIL: links"; fail=1; }

# kill -9 inside the transaction: a trigger on the link table that never
# finishes holds the share after its event is written; the hub is killed
# once it has held the write lock for a second. After a restart nothing of
# the share is there, and the retry makes exactly one event.
sql "CREATE TABLE spin(x)" >/dev/null
sql "INSERT INTO spin SELECT value FROM json_each('[' || substr(replace(hex(zeroblob(2000)), '00', '0,'), 1, 3999) || ']')" >/dev/null
sql "CREATE TRIGGER spin_link BEFORE INSERT ON incident_events BEGIN SELECT count(*) FROM spin a, spin b, spin c; END" >/dev/null
before="$(events) $(sql "SELECT count(*) FROM incident_events") $(sql "SELECT count(*) FROM incident_shares") $(sql "SELECT count(*) FROM audit")"
curl -s -o /dev/null --max-time 30 -X POST -H "Authorization: Bearer $KG" -H 'Content-Type: application/json' \
    --data-binary '{"tlp":"green","distribution":2}' "$url/api/v1/incidents/1/share" &
cpid=$!
locked=0
for _ in $(seq 100); do
    python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1], timeout=0).execute('BEGIN IMMEDIATE')" "$db" 2>/dev/null ||
        { locked=1; break; }
    sleep 0.1
done
[ "$locked" = 1 ] || { echo "FAIL: the share never took the write lock"; fail=1; }
sleep 1
kill -9 "$spid"
wait "$spid" 2>/dev/null
wait "$cpid" 2>/dev/null
sql "DROP TRIGGER spin_link" >/dev/null
after="$(events) $(sql "SELECT count(*) FROM incident_events") $(sql "SELECT count(*) FROM incident_shares") $(sql "SELECT count(*) FROM audit")"
[ "$before" = "$after" ] || { echo "FAIL: kill -9 mid-share left rows: events links shares audit $before -> $after"; fail=1; }
"$bin" serve --db "$db" --listen 127.0.0.1:$port --hooks-interval 0 >>"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done
expect 201 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":2}'
expect 200 POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":2}'
[ "$(events)" = 3 ] || { echo "FAIL: after the kill and a retry: $(events) events, want 3"; fail=1; }

# ---- an incident PDF over 500 pages: 422 with the way to the JSON -----------------
python3 - "$db" <<'PYEOF'
import json, sqlite3, sys, time
# Many short lines: pages fill with little text to draw.
long = "\n".join("x" for i in range(60))
doc = json.dumps({"summary": long, "malicious": "unknown", "cross_border": "no",
    "contact": {"name": "J", "email": "j@gamma.example", "phone": "+31 20 555 0100"},
    "description": long, "initial_assessment": long, "root_cause": long, "status_update": long,
    "indicators": [{"type": "ip-dst", "value": "192.0.2.%d" % i} for i in range(60)]})
db = sqlite3.connect(sys.argv[1])
at = db.execute("SELECT aware_at FROM incidents WHERE id=2").fetchone()[0]
now = int(time.time() * 1e6)
db.executemany("INSERT INTO incident_reports(incident_id,stage,json,submitted_at,channel,author,created)"
               " VALUES(2,'progress',?,?,'hub','g@gamma.example',?)",
               [(doc, at + (k + 1) * 1000000, now) for k in range(200)])
# A report stored before values were checked on entry still loads.
old = json.loads(doc)
old["indicators"] = [{"type": "ip-dst", "value": "999.1.1.1"}]
db.execute("INSERT INTO incident_reports(incident_id,stage,json,submitted_at,channel,author,created)"
           " VALUES(2,'progress',?,?,'hub','g@gamma.example',?)", (json.dumps(old), at + 300 * 1000000, now))
db.commit()
PYEOF
expect 200 GET /api/v1/incidents/2 "$KG"
py 'assert r["incident"]["state"]["indicators"] == [{"type": "ip-dst", "value": "999.1.1.1"}], r["incident"]["state"]'
expect 422 GET /api/v1/incidents/2/pdf "$KG"
py 'assert r["error"]["code"] == "too_large", r
assert "more than 500 PDF pages" in r["error"]["message"] and "incident export 2 --format json" in r["error"]["message"], r'

kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
exit $fail
