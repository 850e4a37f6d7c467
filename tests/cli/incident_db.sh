#!/usr/bin/env bash
# incident_db.sh - the incident register on a local database (`weerbaar
# incident ... --db`) and `weerbaar admin route`: new, report (met, late,
# corrections, --submitted-at marking, missing fields), handled, due with
# every state, show, list, export, the CSIRT's ack/ask/comment, and exit
# statuses 0/1/2. Ends with the acceptance scenario.
set -u
bin=$1
d=tests/data/incident
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
db=$tmp/inc.db
. "$(dirname "$(readlink -f "$0")")/lib.sh"
py() { # py 'python over rows of $tmp/out as r'
    python3 -c "import json,sys; r=json.load(open('$tmp/out')); $1" || { echo "FAIL: $1"; cat "$tmp/out"; fail=1; }
}

run 0 admin org add Gamma --kind essential --sector energy --db "$db"
run 0 admin org add NCSC --kind csirt --db "$db"
run 0 admin org add RDI --kind supervisor --db "$db"

# routes: a NIS2 sector or '*', a csirt, a supervisor.
run 0 admin route add --sector '*' --csirt NCSC --db "$db"
run 0 admin route add --sector energy --csirt NCSC --supervisor RDI --db "$db"
run 2 admin route add --sector energie --csirt NCSC --db "$db"
has err "--sector 'energie' is not a NIS2 sector"
run 2 admin route add --sector energy --csirt RDI --db "$db"
has err "is a supervisor organisation, not a csirt"
run 0 admin route list --format json --db "$db"
py 'assert [x["sector"] for x in r] == ["energy", "*"] and r[0]["supervisor"] == "RDI" and r[1]["supervisor"] is None, r'

# new: the id alone on its line; errors.
run 0 incident new --org Gamma --title "Portal DDoS" --aware-at 2026-01-30T09:00:00+01:00 \
    --detected-at 2026-01-30T08:30:00+01:00 --tlp amber --rsit 'rsit:availability="ddos"' --db "$db"
[ "$(tail -1 "$tmp/out")" = "1" ] || { echo "FAIL: new's last line is '$(tail -1 "$tmp/out")', not the id"; fail=1; }
has out "recorded in the local register (not sent)"
run 2 incident new --org Nobody --title x --aware-at 2026-01-30T09:00:00+01:00 --db "$db"
has err "unknown organisation 'Nobody'"
run 2 incident new --org Gamma --title x --aware-at 2026-01-30 --db "$db"
has err "--aware-at '2026-01-30': not a time"
run 2 incident new --org Gamma --title x --aware-at 2026-01-30T09:00:00Z --rsit ddos --db "$db"
has err "--rsit 'ddos': not an RSIT value"
run 2 incident new --org Gamma --aware-at 2026-01-30T09:00:00Z --db "$db"
has err "--org ORG, --title TEXT and --aware-at TIME are required"
run 2 incident show 1
has err "--db PATH or --hub URL --key KEY is required"
run 2 incident show 99 --db "$db"
has err "no incident 99"
run 2 incident show x --db "$db"
has err "'x' is not an incident id"

# Nothing submitted by 10 February: early warning and notification overdue (exit 1).
run 1 incident due --now 2026-02-10T12:00:00Z --format json --db "$db"
py 'b={x["stage"]:x for x in r}; assert b["early-warning"]["state"]=="overdue" and b["early-warning"]["due"]=="2026-01-31T08:00:00Z" and b["notification"]["state"]=="overdue", r'
py 'assert all(sorted(x)==["due","duty","incident","org","stage","state","submitted"] for x in r), r'

# report: a missing field is exit 2 listing every missing field; nothing is stored.
echo '{"summary": "portal slow"}' >"$tmp/partial.json"
run 2 incident report 1 --stage early-warning --file "$tmp/partial.json" \
    --submitted-at 2026-01-30T20:00:00+01:00 --db "$db"
has err "malicious"
has err "cross_border"
has err "contact.email"
has err "contact.phone"
run 2 incident report 1 --stage early-warning --file "$d/bad.json" --db "$db"
run 2 incident report 1 --stage early-warning --file "$d/early-warning.json" \
    --submitted-at 2099-01-01T00:00:00Z --db "$db"
has err "$.submitted_at: lies in the future"
run 2 incident report 1 --stage intermediate --file "$d/intermediate.json" \
    --submitted-at 2026-01-31T10:00:00+01:00 --db "$db"
has err "it has not (NIS2 Art. 23(4)(c))"
run 0 incident export 1 --format json --db "$db"
py 'assert r["reports"] == [], r'

# The early warning recorded afterwards: on time, marked as recorded.
run 0 incident report 1 --stage early-warning --file "$d/early-warning.json" \
    --submitted-at 2026-01-30T20:00:00+01:00 --db "$db"
has out "recorded in the local register (not sent) as submitted at 2026-01-30T20:00:00+01:00 through another channel: met"
# The notification after its deadline (2 February 09:00 CET): late.
run 0 incident report 1 --stage notification --file "$d/notification.json" \
    --submitted-at 2026-02-02T10:00:00+01:00 --db "$db"
has out ": late"
# A correction is a new report and does not change late into met.
run 0 incident report 1 --stage notification --file "$d/notification.json" \
    --submitted-at 2026-02-02T11:00:00+01:00 --db "$db"
has out "a correction; the first decided late"
run 2 incident report 1 --stage notification --file "$d/notification.json" \
    --submitted-at 2026-02-01T11:00:00+01:00 --db "$db"
has err "a correction cannot be dated before the first notification report"

# The CSIRT: no answer yet is overdue; ack, ask, comment. The CSIRT's duty
# is not the organisation's: due (own duties) exits 0, --duties csirt and
# all see it overdue and exit 1.
run 0 incident due --now 2026-02-10T12:00:00Z --format json --db "$db"
py 'assert all(x["duty"] == "own" for x in r) and r, r'
run 1 incident due --now 2026-02-10T12:00:00Z --duties csirt --db "$db"
has out "Gamma"
has out "csirt-answer"
run 1 incident due --now 2026-02-10T12:00:00Z --format json --duties all --db "$db"
py 'b={x["stage"]:x for x in r}; assert b["early-warning"]["state"]=="met" and b["notification"]["state"]=="late" and b["notification"]["submitted"]=="2026-02-02T09:00:00Z" and b["csirt-answer"]["state"]=="overdue", r'
run 0 incident ack 1 --db "$db"
has out "incident 1 acknowledged at"
run 0 incident ask 1 --by 2099-03-01T12:00:00+01:00 --db "$db"
has out "intermediate report asked for by 2099-03-01T12:00:00+01:00"
run 2 incident ask 1 --by 2020-01-01T00:00:00Z --db "$db"
has err "$.by: must lie in the future"
run 2 incident ask 1 --db "$db"
has err "--by TIME is required"
run 0 incident comment 1 --text "Thanks; please send IOCs" --db "$db"
run 2 incident comment 1 --db "$db"
has err "--text TEXT is required"
run 2 incident ack 42 --db "$db"
has err "no incident 42"
# The acknowledgement came late (the early warning was 30 January): late.
run 0 incident due --now 2026-02-10T12:00:00Z --format json --duties all --db "$db"
py 'b={x["stage"]:x for x in r}; assert b["csirt-answer"]["state"]=="late" and b["intermediate"]["state"]=="open" and b["intermediate"]["due"]=="2099-03-01T11:00:00Z", r'
run 0 incident report 1 --stage intermediate --file "$d/intermediate.json" --db "$db"
has out ": met"

# handled, then the final report; show, list, export.
run 0 incident handled 1 --at 2026-02-20T12:00:00+01:00 --db "$db"
run 2 incident handled 1 --at 2025-01-01T00:00:00Z --db "$db"
has err "between the incident's aware_at and now"
run 0 incident report 1 --stage final --file "$d/final.json" \
    --submitted-at 2026-02-25T12:00:00+01:00 --db "$db"
has out ": met (due 2026-03-02T10:00:00+01:00)"
run 2 incident report 1 --stage progress --file "$d/intermediate.json" --db "$db"
has err "expected_handled_at"
run 0 incident show 1 --utc --db "$db"
has out "incident 1: Portal DDoS"
has out "status        handled"
has out "recorded"
has out "intermediate report by 2099-03-01T11:00:00Z"
has out "comment"
has out "final          2026-03-02T09:00:00Z      met      -"
run 0 incident list --db "$db"
has out "Portal DDoS"
run 0 incident list --format json --db "$db"
py 'assert len(r)==1 and r[0]["status"]=="handled" and r[0]["sector"]=="energy" and r[0]["rsit"]=="rsit:availability=\"ddos\"", r'
run 0 incident export 1 --format json --db "$db"
py 'assert [x["stage"] for x in r["reports"]]==["early-warning","notification","notification","final","intermediate"], r["reports"]'
py 'assert [x["channel"] for x in r["reports"]][:4]==["recorded"]*4 and r["reports"][4]["channel"]=="local", r["reports"]'
py 'assert r["reports"][1]["report"]["severity"]=="medium" and r["state"]["summary"]=="Outage of the customer portal", r'
py 'assert [a["kind"] for a in r["actions"]]==["ack","ask","comment"] and r["actions"][2]["text"]=="Thanks; please send IOCs", r["actions"]'
run 2 incident export 1 --db "$db"
has err "--format json is required"

# Reports are immutable: the database itself refuses an update.
if command -v sqlite3 >/dev/null; then
    if sqlite3 "$db" "UPDATE incident_reports SET stage='final' WHERE id=1" 2>"$tmp/err"; then
        echo "FAIL: a stored report could be changed"; fail=1
    fi
    has err "incident reports are immutable"
fi

# Personal data: the GDPR Art. 33 clock, met by recording the notification.
run 0 incident new --org Gamma --title "Leak" --aware-at 2026-03-01T10:00:00+01:00 --entity-type cloud --tlp red --db "$db"
id2=$(tail -1 "$tmp/out")
python3 -c "import json; d=json.load(open('$d/early-warning.json')); d['personal_data']='yes'; json.dump(d, open('$tmp/ew-pd.json','w'))"
run 0 incident report "$id2" --stage early-warning --file "$tmp/ew-pd.json" \
    --submitted-at 2026-03-01T12:00:00+01:00 --db "$db"
run 1 incident due --now 2026-03-10T00:00:00Z --format json --db "$db"
py 'b={x["stage"]:x for x in r if x["incident"]=='"$id2"'}; assert b["gdpr-breach"]["due"]=="2026-03-04T09:00:00Z" and b["gdpr-breach"]["state"]=="overdue" and b["notification"]["due"]=="2026-03-04T09:00:00Z", r'
run 0 incident report "$id2" --stage gdpr-breach --submitted-at 2026-03-03T10:00:00+01:00 --db "$db"
has out ": met"
run 2 incident validate --stage gdpr-breach --file "$d/early-warning.json"
has err "not a report stage"

# The acceptance scenario.
adb=$tmp/acc.db
run 0 admin org add Gamma --kind essential --sector energy --db "$adb"
run 0 incident new --org Gamma --title smoke --aware-at 2026-05-01T10:00:00+02:00 --db "$adb"
id=$(tail -1 "$tmp/out" | tr -d ' ')
run 0 incident due --now 2026-05-01T12:00:00Z --format json --db "$adb"
py 'x=[x for x in r if str(x["incident"])=="'"$id"'" and x["stage"]=="early-warning"]; assert x and x[0]["due"]=="2026-05-02T08:00:00Z" and x[0]["state"]=="open", r'
run 0 incident due --now 2026-05-01T12:00:00Z --db "$adb"
has out "1        early-warning  2026-05-02T10:00:00+02:00 open     in 20 h 00 min"

exit $fail
