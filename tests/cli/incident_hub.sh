#!/usr/bin/env bash
# incident_hub.sh - `weerbaar incident ... --hub URL --key KEY` against a
# server on loopback, side by side with the same commands on a local
# register (--db): the same output (times masked) and exit statuses for new,
# report (refused fields listed alike), handled, show, list, due, export,
# ack, ask and comment; the time rules (aware_at, detected_at, ask --by,
# handled --at) refused alike; show/export JSON equal with only where-and-
# when-received fields masked; --submitted-at refused on a hub; who may do what
# (the organisation, its CSIRT and supervisor, another organisation); and
# `incident share` (as the organisation and anonymously: the event names the
# CSIRT and nothing in it names the reporter); and every register command
# with --format json, the documents equal once where-it-went fields are
# masked.
set -u
bin=$1
d=tests/data/incident
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
hdb=$tmp/hub.db
ldb=$tmp/local.db
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# mask: times and the submitting channel/author differ between the two forms.
# Where a write went is said truthfully, so it differs too: "recorded in the
# local register (not sent)" against "sent to NCSC ..., receipt ...".
mask() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?(Z|[+-][0-9:]{5})/TIME/g; s/recorded in the local register \(not sent\) at TIME/WHERE/; s/sent to [A-Za-z]+ at TIME(, receipt( sha256:[0-9a-f]+|: incident [0-9]+ on the hub))?/WHERE/; s/ (local|hub) +/ CH /; s/ (cli|[a-z]+@[a-z]+\.[a-z.]+)( |:|$)/ WHO\2/; s/in [0-9]+ h [0-9]+ min/LEFT/' "$1"; }
# both WANT_RC ARGS...: the same command with --db and with --hub (key $KEY);
# stdout and stderr must agree once masked.
both() {
    local want=$1
    shift
    run "$want" "$@" --db "$ldb"
    mask "$tmp/out" >"$tmp/l.out"
    sed 's/^weerbaar: //' "$tmp/err" >"$tmp/l.err"
    run "$want" "$@" --hub "$url" --key "$KEY"
    mask "$tmp/out" >"$tmp/h.out"
    sed 's/^weerbaar: //' "$tmp/err" >"$tmp/h.err"
    if ! cmp -s "$tmp/l.out" "$tmp/h.out"; then
        echo "FAIL: weerbaar $*: --db and --hub print differently"
        diff "$tmp/l.out" "$tmp/h.out"
        fail=1
    fi
}

for db in "$hdb" "$ldb"; do
    A() { "$bin" admin "$@" --db "$db" >/dev/null || { echo "FAIL: admin $*"; fail=1; }; }
    A org add Gamma --kind essential --sector energy
    A org add Delta --kind essential --sector energy
    A org add NCSC --kind csirt
    A org add RDI --kind supervisor
    A route add --sector '*' --csirt NCSC --supervisor RDI
done
key() {
    "$bin" admin user add "$1" --org "$2" --role member --db "$hdb" >/dev/null
    "$bin" admin key add "$1" --db "$hdb" | awk '/^key:/ {print $2}'
}
KG=$(key g@gamma.example Gamma)
KD=$(key d@delta.example Delta)
KN=$(key n@ncsc.example NCSC)
KR=$(key r@rdi.example RDI)
"$bin" admin sharing-group add Energy --orgs Gamma,Delta,NCSC --db "$hdb" >/dev/null
"$bin" admin sharing-group add Health --orgs Delta --db "$hdb" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$bin" serve --db "$hdb" --listen 127.0.0.1:$port --hooks-interval 0 >"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done

# Aware two hours ago: the early warning is still open, nothing is late.
aware=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
later=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)+d.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
asked=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)+d.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
handled=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))')

KEY=$KG
both 0 incident new --org Gamma --title "Portal DDoS" --aware-at "$aware" --rsit 'rsit:availability="ddos"'
[ "$(tail -1 "$tmp/h.out")" = "1" ] || { echo "FAIL: new over the hub printed '$(cat "$tmp/h.out")'"; fail=1; }
grep -q "sent to NCSC at .*, receipt: incident 1 on the hub" "$tmp/out" || { echo "FAIL: new over the hub: $(head -1 "$tmp/out")"; fail=1; }
run 0 incident new --org Gamma --title "Second" --aware-at "$aware" --db "$ldb"
run 0 incident new --title "Second" --aware-at "$aware" --hub "$url" --key "$KG"
has out "2"
# The time rules are the service's: the same refusal both ways (the --hub
# form names the URL and HTTP status before the service's message).
refused_alike() { # refused_alike MESSAGE: both stderrs end in it
    local a b
    a=$(sed -n 's/.*\(\$\.[a-z_]*: \)/\1/p' "$tmp/l.err")
    b=$(sed -n 's/.*\(\$\.[a-z_]*: \)/\1/p' "$tmp/h.err")
    if [ "$a" != "$1" ] || [ "$b" != "$1" ]; then
        echo "FAIL: refusals differ: --db '$a', --hub '$b' (want '$1')"
        fail=1
    fi
}
both 2 incident new --org Gamma --title Future --aware-at 2099-01-01T00:00:00Z
refused_alike '$.aware_at: lies in the future'
both 2 incident new --org Gamma --title Future --aware-at "$aware" --detected-at 2099-01-01T00:00:00Z
refused_alike '$.detected_at: lies in the future'
run 2 incident new --org Delta --title x --aware-at "$aware" --hub "$url" --key "$KG"
has err "your key belongs to 'Gamma'"
run 2 incident new --title x --hub "$url" --key "$KG"
has err "--title TEXT and --aware-at TIME are required"
run 2 incident show 1 --hub "$url"
has err "--hub needs an API key"
run 2 incident show 1 --db "$ldb" --hub "$url" --key "$KG"
has err "exclude each other"

# report: refused fields are listed exactly as on a local register.
echo '{"summary": "portal slow"}' >"$tmp/partial.json"
both 2 incident report 1 --stage early-warning --file "$tmp/partial.json"
cmp -s "$tmp/l.err" "$tmp/h.err" || { echo "FAIL: refused report: stderr differs"; diff "$tmp/l.err" "$tmp/h.err"; fail=1; }
has err "contact.email"
run 2 incident report 1 --stage early-warning --file "$d/early-warning.json" \
    --submitted-at "$aware" --hub "$url" --key "$KG"
has err "--submitted-at is for a local register only"
both 0 incident report 1 --stage early-warning --file "$d/early-warning.json"
has out "report 1: early-warning of incident 1, sent to NCSC at "
has out ": met (due"
both 0 incident report 1 --stage early-warning --file "$d/early-warning.json"
has out "a correction; the first decided met"
both 2 incident report 1 --stage intermediate --file "$d/intermediate.json"

# Only the organisation reports; only its CSIRT acts; others see nothing.
run 2 incident report 1 --stage notification --file "$d/notification.json" --hub "$url" --key "$KN"
has err "HTTP 403"
run 2 incident show 1 --hub "$url" --key "$KD"
has err "HTTP 404"
run 2 incident ack 1 --hub "$url" --key "$KR"
has err "only the CSIRT the incident is routed to"
run 0 incident show 1 --format json --hub "$url" --key "$KR"

KEY=$KN
both 0 incident ack 1
has out "incident 1 acknowledged at"
both 0 incident ask 1 --by "$asked"
has out "intermediate report asked for by"
both 0 incident comment 1 --text "Please send the firewall logs"
has out "incident 1: comment 3 added"
both 2 incident comment 1
both 2 incident ask 1 --by "$aware"
refused_alike '$.by: must lie in the future'
run 2 incident ack 1 --at "$aware" --hub "$url" --key "$KN"
has err "--at is for a local register only"

KEY=$KG
both 0 incident report 1 --stage intermediate --file "$d/intermediate.json"
both 0 incident report 1 --stage notification --file "$d/notification.json"
both 0 incident show 1
both 0 incident show 1 --utc
both 1 incident show 1 --now 2099-01-01T00:00:00Z
both 0 incident list
both 0 incident due
both 1 incident due --now 2099-01-01T00:00:00Z
both 1 incident due --format json --now 2099-01-01T00:00:00Z
both 2 incident handled 1
both 2 incident handled 1 --at 2099-01-01T00:00:00Z
refused_alike "\$.at: must lie between the incident's aware_at and now"
both 0 incident handled 1 --at "$handled"
has out "incident 1 handled at $handled"
both 2 incident export 1

# JSON: the same keys and the same deadlines, states and cumulative state.
for f in show export; do
    extra=
    [ $f = export ] && extra="--format json"
    run 0 incident $f 1 --format json $extra --now "$later" --db "$ldb"
    cp "$tmp/out" "$tmp/l.json"
    run 0 incident $f 1 --format json $extra --now "$later" --hub "$url" --key "$KG"
    cp "$tmp/out" "$tmp/h.json"
    run 0 incident list --format json --now "$later" --db "$ldb"
    cp "$tmp/out" "$tmp/l.list"
    run 0 incident list --format json --now "$later" --hub "$url" --key "$KG"
    cp "$tmp/out" "$tmp/h.list"
    python3 - "$tmp/l.json" "$tmp/h.json" "$f" "$tmp/l.list" "$tmp/h.list" <<'PYEOF' || { echo "FAIL: $f --format json differs"; fail=1; }
import json, sys
l, h = (json.load(open(p)) for p in sys.argv[1:3])
assert list(l) == list(h), (list(l), list(h))
assert [(x["stage"], x["state"]) for x in l["deadlines"]] == [(x["stage"], x["state"]) for x in h["deadlines"]]
assert [x["stage"] for x in l["reports"]] == [x["stage"] for x in h["reports"]]
assert [x["kind"] for x in l["actions"]] == [x["kind"] for x in h["actions"]]
assert [x["channel"] for x in h["reports"]] == ["hub"] * len(h["reports"])
assert l["judged_at"] == h["judged_at"] and l["status"] == h["status"] == "handled"
# Everything else alike, once the fields that say where a record went (its
# channel and author) and when the two registers received it are masked.
# The deadlines that count from a receipt (the final report, the CSIRT's
# answer) are masked with it.
WHERE = {"channel", "author", "created", "submitted_at", "received_at", "at", "submitted"}
def masked(v):
    if isinstance(v, dict):
        recv = v.get("stage") in ("final", "csirt-answer") and "rule" in v
        return {k: "MASKED" if k in WHERE or (recv and k == "due") else masked(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [masked(x) for x in v]
    return v
assert masked(l) == masked(h), (masked(l), masked(h))
ll, hl = (json.load(open(p)) for p in sys.argv[4:6])
assert len(ll) == len(hl) == 2 and masked(ll) == masked(hl), (masked(ll), masked(hl))
if sys.argv[3] == "export":
    assert l["state"] == h["state"] and "report" in h["reports"][0]
else:
    assert "state" not in h and "report" not in h["reports"][0]
PYEOF
done

# Every register command in JSON, both ways, on a third incident: the same
# document once the fields that say where a record went and when it was
# received are masked (and the time it was judged at, for the writes, which
# judge at their own now).
bothj() { # bothj WANT_RC ARGS...: --format json with --db and with --hub
    local want=$1
    shift
    run "$want" "$@" --format json --db "$ldb"
    cp "$tmp/out" "$tmp/lj.json"
    run "$want" "$@" --format json --hub "$url" --key "$KEY"
    cp "$tmp/out" "$tmp/hj.json"
    python3 - "$tmp/lj.json" "$tmp/hj.json" <<'PYEOF' || { echo "FAIL: weerbaar $* --format json: --db and --hub differ"; fail=1; }
import json, sys
l, h = (json.load(open(p)) for p in sys.argv[1:3])
WHERE = {"channel", "author", "created", "submitted_at", "received_at", "at", "submitted",
         "judged_at", "sent_to", "receipt"}
def masked(v):
    if isinstance(v, dict):
        recv = v.get("stage") in ("final", "csirt-answer") and "state" in v
        return {k: "MASKED" if k in WHERE or (recv and k == "due") else masked(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [masked(x) for x in v]
    return v
assert masked(l) == masked(h), (masked(l), masked(h))
PYEOF
}
KEY=$KG
bothj 0 incident new --org Gamma --title "Third" --aware-at "$aware" --entity-type cloud --tlp green
python3 -c "import json; assert json.load(open('$tmp/hj.json'))['incident']['id'] == 3" ||
    { echo "FAIL: new --format json: not incident 3"; fail=1; }
bothj 0 incident report 3 --stage early-warning --file "$d/early-warning.json"
bothj 0 incident report 3 --stage notification --file "$d/notification.json"
bothj 0 incident report 3 --stage gdpr-breach
KEY=$KN
bothj 0 incident ack 3
bothj 0 incident ask 3 --by "$asked"
bothj 0 incident comment 3 --text "Please send the proxy logs"
KEY=$KG
bothj 0 incident report 3 --stage intermediate --file "$d/intermediate.json"
bothj 0 incident handled 3 --at "$handled"
bothj 0 incident show 3 --now "$later"
bothj 0 incident export 3 --now "$later"
bothj 0 incident list --now "$later"
bothj 1 incident due --now "$later" # incident 2: no early warning
bothj 1 incident due --now 2099-01-01T00:00:00Z
# the refusals, in JSON too: nothing on stdout, the same message
both 2 incident new --org Gamma --title Future --aware-at 2099-01-01T00:00:00Z --format json
refused_alike '$.aware_at: lies in the future'
[ -s "$tmp/out" ] && { echo "FAIL: a refused new printed JSON"; fail=1; }

# PDF: rendered by the hub from its register; the same deadlines and
# states as the local register's PDF (pdftotext, times and channels aside).
if command -v pdftotext >/dev/null; then
    run 0 incident export 1 --format pdf --now "$later" --out "$tmp/l.pdf" --db "$ldb"
    run 0 incident export 1 --format pdf --now "$later" --out "$tmp/h.pdf" --hub "$url" --key "$KG"
    for x in l h; do pdftotext -raw "$tmp/$x.pdf" - | grep -Eo '\b(met|late|overdue|open)\b' >"$tmp/$x.states"; done
    if ! [ -s "$tmp/h.states" ] || ! cmp -s "$tmp/l.states" "$tmp/h.states"; then
        echo "FAIL: export --format pdf: --db and --hub states differ"
        diff "$tmp/l.states" "$tmp/h.states"
        fail=1
    fi
    pdftotext -raw "$tmp/h.pdf" - | grep -q "Portal DDoS" || { echo "FAIL: hub PDF lacks the title"; fail=1; }
    run 0 incident export 1 --format pdf --now "$later" --hub "$url" --key "$KG"
    head -c 5 "$tmp/out" | grep -q '%PDF-' || { echo "FAIL: hub PDF to stdout"; fail=1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KD" "$url/api/v1/incidents/1/pdf")
    [ "$code" = 404 ] || { echo "FAIL: another organisation's PDF: $code (want 404)"; fail=1; }
fi

# share: as the organisation, and anonymously (the event is the CSIRT's).
run 2 incident share 1 --tlp green --distribution 1 --db "$ldb"
has err "use --hub URL --key KEY"
run 2 incident share 1 --distribution 1 --hub "$url" --key "$KG"
has err "--tlp LEVEL and --distribution N are required"
run 2 incident share 1 --tlp red --distribution 1 --hub "$url" --key "$KG"
has err "HTTP 422"
run 2 incident share 2 --tlp green --distribution 1 --hub "$url" --key "$KG"
has err "no indicators"
run 2 incident share 1 --tlp green --distribution 1 --hub "$url" --key "$KN"
has err "HTTP 403"
run 0 incident share 1 --tlp green --distribution 1 --hub "$url" --key "$KG"
has out "1 indicators, TLP:green, distribution 1"
ev1=$(sed -E 's/.* event ([0-9a-f-]{36}).*/\1/' "$tmp/out")
run 0 incident share 1 --tlp green --distribution 1 --hub "$url" --key "$KG"
has out "shared as event $ev1 (already)"
# Anonymously: a proposal that the CSIRT approves (and publishes in its name).
run 0 incident share 1 --tlp amber --distribution 4 --sharing-group Energy --anonymous --hub "$url" --key "$KG"
has out "proposed to its CSIRT as proposal 2:"
has out ", anonymous; pending"
run 0 incident proposals --hub "$url" --key "$KN"
has out "pending"
run 0 incident proposals --format json --hub "$url" --key "$KD"
has out "[]"
run 2 incident approve 2 --hub "$url" --key "$KG"
has err "HTTP 403"
run 2 incident approve 2 --db "$ldb"
has err "use --hub URL --key KEY"
run 0 incident approve 2 --hub "$url" --key "$KN"
has out "proposal 2 approved: event "
ev2=$(sed -E 's/.* event ([0-9a-f-]{36}).*/\1/' "$tmp/out")
curl -s -H "Authorization: Bearer $KD" "$url/api/v1/events/$ev1" >"$tmp/ev1.json"
curl -s -H "Authorization: Bearer $KD" "$url/api/v1/events/$ev2" >"$tmp/ev2.json"
python3 - "$tmp/ev1.json" "$tmp/ev2.json" <<'PYEOF' || { echo "FAIL: shared events"; cat "$tmp/ev1.json" "$tmp/ev2.json"; fail=1; }
import json, sys
e1, e2 = (json.load(open(p))["Event"] for p in sys.argv[1:3])
assert e1["Orgc"]["name"] == "Gamma" and e1["distribution"] == "1"
assert [(a["type"], a["value"]) for a in e1["Attribute"]] == [("ip-src", "198.51.100.23")]
assert e2["Orgc"]["name"] == "NCSC" and e2["Org"]["name"] == "NCSC", e2["Orgc"]
text = open(sys.argv[2]).read()
assert "Gamma" not in text and "gamma" not in text and "Portal" not in text and "ddos" not in text, text
assert any(t["name"] == "tlp:amber" for t in e2["Tag"])
PYEOF
run 0 incident show 1 --format json --hub "$url" --key "$KG"
python3 -c "
import json; r=json.load(open('$tmp/out'))
assert [(e['uuid'], e['anonymous']) for e in r['events']] == [('$ev1', False), ('$ev2', True)], r['events']" ||
    { echo "FAIL: the incident does not list its events"; fail=1; }
run 0 incident show 1 --hub "$url" --key "$KG"
has out "shared as events:"
has out "$ev2"
# The organisation outside the route does not see the incident's link.
run 2 incident show 1 --format json --hub "$url" --key "$KD"

# The endpoints' own answers (curl): statuses and stable error codes.
code() { # code METHOD PATH KEY [BODY]: prints "STATUS ERROR-CODE"
    local data=()
    [ $# -ge 4 ] && data=(-H 'Content-Type: application/json' --data-binary "$4")
    local st
    st=$(curl -s -o "$tmp/r.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" "${data[@]}" "$url$2")
    echo "$st $(python3 -c "import json; print(json.load(open('$tmp/r.json')).get('error', {}).get('code', '-'))" 2>/dev/null)"
}
expect() { # expect "STATUS CODE" METHOD PATH KEY [BODY]
    local want=$1
    shift
    local got
    got=$(code "$@")
    [ "$got" = "$want" ] || { echo "FAIL: $1 $2: '$got', want '$want'"; cat "$tmp/r.json"; echo; fail=1; }
}
expect "400 invalid_json" POST /api/v1/incidents/1/share "$KG" '{"tlp":'
expect "422 invalid_request" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":7}'
expect "422 invalid_request" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1,"anonymous":"yes"}'
expect "422 invalid_request" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":4}'
expect "422 invalid_event" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":4,"sharing_group":"Nowhere"}'
cp "$tmp/r.json" "$tmp/missing.json"
# A group that exists but is not the caller's answers word for word alike.
expect "422 invalid_event" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":4,"sharing_group":"Health"}'
cmp -s "$tmp/r.json" "$tmp/missing.json" || { echo "FAIL: sharing group oracle"; cat "$tmp/r.json" "$tmp/missing.json"; fail=1; }
expect "422 invalid_request" POST /api/v1/incidents/1/share "$KG" '{"tlp":"green","distribution":1,"colour":"red"}'
expect "404 not_found" POST /api/v1/incidents/1/share "$KD" '{"tlp":"green","distribution":1}'
expect "422 invalid_request" POST /api/v1/incidents/1/handled "$KG" '{"at":"2099-01-01T00:00:00Z"}'
expect "422 invalid_request" POST /api/v1/incidents/1/handled "$KG" '{"at":"yesterday"}'
expect "422 invalid_request" POST /api/v1/incidents/1/handled "$KG" '{}'
expect "403 forbidden" POST /api/v1/incidents/1/handled "$KN" '{"at":"'"$handled"'"}'
expect "400 invalid_request" GET "/api/v1/incidents/1?now=soon" "$KG"
expect "405 method_not_allowed" GET /api/v1/incidents/1/share "$KG"
expect "422 invalid_request" POST /api/v1/incidents "$KG" '{"title":"x","aware_at":"'"$aware"'","org":"NCSC"}'
expect "201 -" POST /api/v1/incidents "$KG" '{"title":"x","aware_at":"'"$aware"'","org":"gamma"}'

kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
exit $fail
