#!/usr/bin/env bash
# Hub-to-hub synchronisation across three hubs on loopback, as the Dutch
# network of networks runs it: a CSIRT hub (C), a sector hub (S) that pulls
# from C and pushes to a member hub (M), and M pushing back to S.
#   - the distribution x TLP matrix: every combination made on C, and what
#     reaches S (pull) and M (push, a second hop): 0 and 1 never leave, 2
#     goes one hop and arrives as 1, 3 travels on as 3, 4 only to servers
#     the sharing group lists, AMBER+STRICT and RED never; unpublished
#     events stay;
#   - uuids, timestamps and the creator organisation (Orgc) kept; a newer
#     timestamp wins; an equal one changes nothing; nothing loops back
#     (M pushing to S sends only its own event);
#   - the MISP routes: Authorization: KEY, numeric ids, errors in MISP's
#     shape, a sync caller never listing what may not leave to it;
#   - kill and resume: S's serve pulling on its schedule is SIGKILLed
#     mid-pull; the next pull completes with every event once;
#   - deletions travel by push: an event deleted on the hub that made it
#     is deleted where it was pushed, once; a sync delete of an event the
#     receiver made itself, or got from another server, is refused;
#   - sightings travel member -> sector -> CSIRT (push, with
#     --push-sightings for a pull-only link) and down by pull as the
#     hub's sighting policy allows (C serves --sighting-policy event; S
#     pushes with MISP's default, so nothing goes down to M): the same
#     uuid and count everywhere, nothing doubled, nothing sent back;
#   - deletions on pull: an event gone from the remote's index (and 404
#     there) is deleted on the next pull and the deletion travels on;
#   - admin server list shows no key (the key column sealed, v1:...);
#     every event an audit entry.
# Usage: tests/cli/hub_sync.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_sync.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
T0=$(date +%s)
stamp() { echo "  [$(( $(date +%s) - T0 )) s] $*"; }
bin=$WB tmp=$T
. tests/cli/lib.sh
C=$T/c.db S=$T/s.db M=$T/m.db
# q DB SQL: one value from a database (read-only)
q() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else '')" "$1" "$2"; }
newkey() { "$WB" admin key add "$1" --db "$2" | awk '$1 == "key:" {print $2}'; }
admin() { "$WB" admin "$@" > "$T/admin.out" 2>&1 || { echo "admin $*:"; cat "$T/admin.out"; fail=$((fail + 1)); }; }
start() { # start DB PORTVAR [serve args]: serves DB, waits until it answers
    local db=$1 port
    port=$(free_port)
    shift
    "$WB" serve --db "$db" --listen 127.0.0.1:$port "$@" >> "$T/serve.log" 2>&1 &
    PIDS+=($!)
    LASTPID=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    LASTPORT=$port
}

SG1=5e2c0a55-0000-4000-8000-000000000001   # C and S
SG2=5e2c0a55-0000-4000-8000-000000000002   # C only
SG3=5e2c0a55-0000-4000-8000-000000000003   # S and M

# ---- three hubs -----------------------------------------------------------------
stamp "three hubs"
admin org add CSIRT --kind csirt --db "$C"
admin user add analist@csirt.example --org CSIRT --role org-admin --db "$C"
admin org add Sector --kind csirt --db "$S"
admin user add analist@sector.example --org Sector --role org-admin --db "$S"
admin org add Member --kind essential --db "$M"
admin user add soc@member.example --org Member --role org-admin --db "$M"
# the organisation each hub's sync user belongs to on the other side
admin org add sector-hub --kind other --db "$C"
admin user add sync@sector.example --org sector-hub --role member --db "$C"
admin org add sector-hub --kind other --db "$M"
admin user add sync@sector.example --org sector-hub --role member --db "$M"
admin org add member-hub --kind other --db "$S"
admin user add sync@member.example --org member-hub --role member --db "$S"
KC=$(newkey analist@csirt.example "$C")
KS=$(newkey analist@sector.example "$S")
KM=$(newkey soc@member.example "$M")
KCS=$(newkey sync@sector.example "$C")  # S's key on C
KMS=$(newkey sync@sector.example "$M")  # S's key on M
KSM=$(newkey sync@member.example "$S")  # M's key on S
check "keys" '[[ $KC =~ ^[0-9a-f]{64}$ && $KCS =~ ^[0-9a-f]{64}$ && $KSM =~ ^[0-9a-f]{64}$ ]]'
admin sharing-group add c-and-s --orgs CSIRT,sector-hub --uuid $SG1 --db "$C"
admin sharing-group add c-only --orgs CSIRT --uuid $SG2 --db "$C"
admin sharing-group add s-and-m --orgs Sector,member-hub --uuid $SG3 --db "$S"
admin sharing-group add s-and-m --orgs Member,sector-hub --uuid $SG3 --db "$M"

start "$C" --rate 100000 --sighting-policy event; PC=$LASTPORT; UC=http://127.0.0.1:$PC
start "$M"; PM=$LASTPORT; UM=http://127.0.0.1:$PM
start "$S"; PS=$LASTPORT; US=http://127.0.0.1:$PS; SPID=$LASTPID
# C knows S (its calls are sync calls; c-and-s may travel to it)
admin server add sector --url "$US" --key unused --org sector-hub --pull \
  --sharing-groups c-and-s --db "$C"
# S pulls from C; S's sharing group of that uuid lists C
admin sharing-group add c-and-s --orgs Sector --uuid $SG1 --db "$S"
admin server add csirt --url "$UC" --key "$KCS" --org csirt-hub --pull --push-sightings \
  --sharing-groups c-and-s --db "$S"
has admin.out "(created)"
# S pushes to M; M knows S and pushes back
admin server add member --url "$UM" --key "$KMS" --org member-hub --push \
  --sharing-groups s-and-m --db "$S"
admin server add sector --url "$US" --key "$KSM" --org sector-hub --push \
  --sharing-groups s-and-m --db "$M"
"$WB" admin server list --format json --db "$S" > "$T/list" 2>&1
check "server list: no key, cursors" \
  '! grep -q "$KCS" "$T/list" && ! grep -q "$KMS" "$T/list" && grep -q push_cursor "$T/list"'
RAWK=$(q "$S" "SELECT key FROM sync_servers WHERE name='csirt'")
check "the key is sealed at rest" '[[ $RAWK == v1:* ]] && [[ $RAWK != *$KCS* ]]'

# ---- the matrix on C ---------------------------------------------------------------
# post URL KEY DIST TLP [SG]: an event with one attribute; prints its uuid
post() {
    local u=$1 k=$2 d=$3 t=$4 sg=${5:-} extra=""
    [ -n "$sg" ] && extra=", \"SharingGroup\": {\"uuid\": \"$sg\"}"
    curl -s -H "Authorization: Bearer $k" -H 'Content-Type: application/json' \
      -d "{\"Event\": {\"info\": \"d$d $t ${sg:0:8}\", \"distribution\": $d, \"published\": ${PUB:-true}$extra,
           \"Tag\": [{\"name\": \"tlp:$t\"}], \"Attribute\": [{\"type\": \"ip-dst\",
           \"value\": \"198.51.100.$((RANDOM % 250 + 1))\", \"to_ids\": true}]}}" \
      "$u/api/v1/events" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Event"]["uuid"])'
}
declare -A EV  # key "dist:tlp[:sg]" -> uuid on C
for t in clear green amber amber+strict red; do
    EV[0:$t]=$(post "$UC" "$KC" 0 "$t")
    EV[4a:$t]=$(post "$UC" "$KC" 4 "$t" $SG1)
    EV[4b:$t]=$(post "$UC" "$KC" 4 "$t" $SG2)
done
for d in 1 2 3; do for t in clear green amber; do EV[$d:$t]=$(post "$UC" "$KC" $d "$t"); done; done
EV[unpub]=$(PUB=false post "$UC" "$KC" 3 clear)
check "matrix made on C: 25 events" '[ "$(q "$C" "SELECT count(*) FROM events")" = 25 ]'

# the MISP routes as S's sync user sees them
g() { local p=$1; shift; curl -s -o "$T/r" -w '%{http_code}' "$@" "$UC$p"; }
check "events/index with 'Authorization: KEY' lists only what may leave (2, 3, 4 of c-and-s; published; no strict/red)" \
  '[ "$(g "/events/index?minimal=1&published=1" -H "Authorization: $KCS")" = 200 ] &&
   python3 -c "import json; d=json.load(open(\"$T/r\")); assert len(d)==9, len(d); assert set(d[0])>={\"uuid\",\"timestamp\",\"orgc_uuid\",\"published\"}"'
check "events/index POST with MISP's JSON filters" \
  '[ "$(g /events/index -H "Authorization: $KCS" -d "{\"minimal\": true, \"published\": 1, \"limit\": 4, \"page\": 2}")" = 200 ] &&
   python3 -c "import json; d=json.load(open(\"$T/r\")); assert len(d)==4"'
check "events/index for C's own analyst: everything it may read (full MISP index rows)" \
  '[ "$(g /events/index -H "Authorization: $KC")" = 200 ] &&
   python3 -c "import json; d=json.load(open(\"$T/r\")); assert len(d)==25; assert \"Orgc\" in d[0] and \"distribution\" in d[0]"'
ID=$(q "$C" "SELECT id FROM events WHERE uuid='${EV[3:green]}'")
check "events/view by numeric id and by uuid" \
  '[ "$(g /events/view/$ID -H "Authorization: $KC")" = 200 ] && grep -q "${EV[3:green]}" "$T/r" &&
   [ "$(g /events/view/${EV[3:green]} -H "Authorization: $KCS")" = 200 ] && grep -q "\"Orgc\"" "$T/r"'
check "events/view of a distribution-1 event to a sync caller: 404 in MISP's shape" \
  '[ "$(g /events/view/${EV[1:green]} -H "Authorization: $KCS")" = 404 ] &&
   python3 -c "import json; d=json.load(open(\"$T/r\")); assert set(d)=={\"name\",\"message\",\"url\",\"errors\"}; assert d[\"url\"].startswith(\"/events/view/\")"'
check "a bad key on a MISP path: 401 in MISP's shape" \
  '[ "$(g /events/index -H "Authorization: nope")" = 401 ] && grep -q "\"url\":\"/events/index\"" "$T/r"'

# ---- pull C -> S ---------------------------------------------------------------------
run 0 admin server pull csirt --db "$S"
has out "9 added"
# snap DB: every event's uuid and distribution into $T/snap.DB (one python
# start per hub and step, not one per event: the checks below read these)
snap() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)
for u,d in c.execute('SELECT uuid,distribution FROM events'): print(u,d)" "$1" > "$T/snap.$(basename "$1")"; }
present() { grep -q "^$2 " "$T/snap.$(basename "$1")"; }
dist_on() { awk -v u="$2" '$1 == u {print $2}' "$T/snap.$(basename "$1")"; }
snap "$S"
ok_s=1
for k in "${!EV[@]}"; do
    case $k in
    2:*) [ "$(dist_on "$S" "${EV[$k]}")" = 1 ] || { echo "  $k: want 1 on S, got '$(dist_on "$S" "${EV[$k]}")'"; ok_s=0; } ;;
    3:*) [ "$(dist_on "$S" "${EV[$k]}")" = 3 ] || { echo "  $k: want 3 on S"; ok_s=0; } ;;
    4a:clear | 4a:green | 4a:amber) [ "$(dist_on "$S" "${EV[$k]}")" = 4 ] || { echo "  $k: want 4 on S"; ok_s=0; } ;;
    *) present "$S" "${EV[$k]}" && { echo "  $k: must not reach S"; ok_s=0; } ;;
    esac
done
check "matrix on S: 2 -> 1, 3 -> 3, 4 only for c-and-s, nothing of 0/1/strict/red/unpublished" '[ $ok_s = 1 ]'
U3=${EV[3:amber]}
ts_of() { q "$1" "SELECT timestamp FROM events WHERE uuid='$2'"; }
orgc_of() { q "$1" "SELECT o.$3 FROM events e JOIN orgs o ON o.id=e.org_id WHERE e.uuid='$2'"; }
TC=$(ts_of "$C" "$U3") TS=$(ts_of "$S" "$U3")
OC=$(q "$C" "SELECT uuid FROM orgs WHERE name='CSIRT'") OS=$(orgc_of "$S" "$U3" uuid)
check "uuid, timestamp and Orgc kept ($TC = $TS, $OC = $OS)" '[ -n "$TC" ] && [ "$TC" = "$TS" ] && [ "$OC" = "$OS" ]'
G=$(q "$S" "SELECT g.uuid FROM events e JOIN sharing_groups g ON g.id=e.sharing_group_id WHERE e.uuid='${EV[4a:green]}'")
check "S: the sharing group of a distribution-4 event is S's of the same uuid" '[ "$G" = $SG1 ]'
A1=$(q "$S" "SELECT count(*) FROM audit WHERE action='event.add' AND detail LIKE 'by sync%'")
A2=$(q "$S" "SELECT count(*) FROM audit WHERE action='server.pull'")
check "an audit entry per event stored by sync ($A1), and one for the run ($A2)" '[ "$A1" = 9 ] && [ "$A2" = 1 ]'
run 0 admin server pull csirt --db "$S"
has out "0 added, 0 updated, 9 unchanged"

# a newer version on C wins on S
curl -s -o /dev/null -X PUT -H "Authorization: Bearer $KC" -H 'Content-Type: application/json' \
  -d '{"Event": {"info": "d3 amber, edited", "distribution": 3, "published": true, "Tag": [{"name": "tlp:amber"}], "Attribute": [{"type": "domain", "value": "edited.example", "to_ids": true}]}}' \
  "$UC/api/v1/events/$U3"
sleep 1.1  # a later second: timestamps are seconds
run 0 admin server pull csirt --db "$S"
has out "1 updated"
INFO=$(q "$S" "SELECT info FROM events WHERE uuid='$U3'")
check "the newer version replaced S's copy" '[ "$INFO" = "d3 amber, edited" ]'

# ---- push S -> M, and M -> S (no loop) ----------------------------------------------------
stamp "push S -> M, and M -> S (no loop)"
US4=$(post "$US" "$KS" 4 green $SG3)
US1=$(post "$US" "$KS" 1 green)
run 0 admin server push member --db "$S"
snap "$M"
ok_m=1
for k in "${!EV[@]}"; do
    case $k in
    3:*) [ "$(dist_on "$M" "${EV[$k]}")" = 3 ] || { echo "  $k: want 3 on M"; ok_m=0; } ;;
    *) present "$M" "${EV[$k]}" && { echo "  $k: must not reach M (one hop, or its group)"; ok_m=0; } ;;
    esac
done
check "matrix on M: only 3 travels a second hop (2 arrived on S as 1; c-and-s does not list M)" '[ $ok_m = 1 ]'
check "S's own distribution 4 of s-and-m reaches M, its distribution 1 does not" \
  '[ "$(dist_on "$M" "$US4")" = 4 ] && ! present "$M" "$US1"'
TC=$(ts_of "$C" "$U3") TM=$(ts_of "$M" "$U3") OM=$(orgc_of "$M" "$U3" uuid)
check "M keeps C's timestamp and Orgc after two hops" '[ "$TC" = "$TM" ] && [ "$OM" = "$OC" ]'
run 0 admin server push member --db "$S"
has out "0 added, 0 updated"
UM3=$(post "$UM" "$KM" 3 green)
run 0 admin server push sector --db "$M"
has out "1 added"
snap "$S"
BACK=$(q "$S" "SELECT count(*) FROM audit WHERE detail LIKE 'by sync (server 2;%'")
check "M -> S: its own event arrives; nothing S sent comes back ($BACK entries from M)" \
  '[ "$(dist_on "$S" "$UM3")" = 3 ] && [ "$BACK" = 1 ]'
# an edit arriving with an equal timestamp is a no-op
curl -s -H "Authorization: $KMS" -H 'Content-Type: application/json' \
  -o "$T/r" "$UM/events/view/$UM3"
curl -s -H "Authorization: $KSM" -H 'Content-Type: application/json' -d @"$T/r" \
  -o "$T/r2" "$US/events/edit/$UM3"
check "an equal timestamp by sync: unchanged" 'grep -q "\"weerbaar_sync\":\"unchanged\"" "$T/r2"'
code=$(curl -s -H "Authorization: $KSM" -d @"$T/r" -o "$T/r2" -w '%{http_code}' "$US/events/edit/$US4")
check "a sync edit whose body is another event: 422 in MISP's shape" \
  '[ "$code" = 422 ] && grep -q "\"url\":\"/events/edit/$US4\"" "$T/r2"'

# ---- sightings travel: member -> sector -> CSIRT, and down only as the policy says ---------
stamp "sightings"
# sight URL KEY ATTR-UUID SOURCE: a sighting by MISP's /sightings/add
sight() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $2" -H 'Content-Type: application/json' \
  -d "{\"uuid\": \"$3\", \"source\": \"$4\", \"type\": 0}" "$1/sightings/add"; }
E3=${EV[3:green]}
A3=$(q "$C" "SELECT a.uuid FROM attributes a JOIN events e ON e.id=a.event_id WHERE e.uuid='$E3' AND a.deleted=0")
# rows DB ORG-NAME: sightings of E3 by that organisation on that hub (uuid count:N each line)
srows() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)
for u,n in c.execute('SELECT s.uuid,s.count FROM sightings s JOIN attributes a ON a.id=s.attribute_id JOIN orgs o ON o.id=s.org_id WHERE a.uuid=? AND o.name=? ORDER BY s.uuid',(sys.argv[2],sys.argv[3])): print(u,n)" "$1" "$A3" "$2"; }
check "C's analyst sights E3 on C (C serves --sighting-policy event)" '[ "$(sight "$UC" "$KC" "$A3" c-ids)" = 201 ]'
run 0 admin server pull csirt --db "$S"
has out "sightings: 1 stored"
SC=$(srows "$C" CSIRT) SS=$(srows "$S" CSIRT)
check "pull: the unchanged event is fetched again for its sighting; same uuid and count on S ($SS)" \
  '[ -n "$SC" ] && [ "$SC" = "$SS" ]'
run 0 admin server pull csirt --db "$S"
has out "sightings: 0 stored"
check "a second pull doubles nothing" '[ "$(srows "$S" CSIRT)" = "$SC" ]'
run 0 admin server push member --db "$S"
check "S -> M under MISP's sighting policy: C's sighting does not go down to M" \
  '[ -z "$(srows "$M" CSIRT)" ] && grep -q "sightings: 0 stored" "$T/out"'
check "the member sights E3 on M" '[ "$(sight "$UM" "$KM" "$A3" m-ids)" = 201 ] && [ "$(sight "$UM" "$KM" "$A3" m-ids)" = 201 ]'
check "S's own analyst sights E3 on S" '[ "$(sight "$US" "$KS" "$A3" s-ids)" = 201 ]'
run 0 admin server push sector --db "$M"
has out "sightings: 1 stored"
run 0 admin server push csirt --db "$S"
has out "sightings: 2 stored"
SM=$(srows "$M" Member)
check "member -> sector -> CSIRT: the member's sighting (two reports, one record) on S and C, same uuid and count ($SM)" \
  '[[ $SM == *" 2" ]] && [ "$(srows "$S" Member)" = "$SM" ] && [ "$(srows "$C" Member)" = "$SM" ]'
check "S's own sighting reaches C (upstream), not M (downstream, MISP's policy)" \
  '[ -n "$(srows "$C" Sector)" ] && [ "$(srows "$S" Sector)" = "$(srows "$C" Sector)" ]'
run 0 admin server push member --db "$S"
check "... and S -> M sends neither S's nor C's sighting down" \
  '[ -z "$(srows "$M" Sector)" ] && [ -z "$(srows "$M" CSIRT)" ]'
run 0 admin server push sector --db "$M"
has out "sightings: 0 stored"
run 0 admin server push csirt --db "$S"
has out "sightings: 0 stored"
run 0 admin server pull csirt --db "$S"
NC=$(q "$C" "SELECT count(*) FROM sightings") NS=$(q "$S" "SELECT count(*) FROM sightings")
check "pushed and pulled again: nothing doubled, nothing back (C $NC, S $NS rows: one per organisation)" \
  '[ "$NC" = 3 ] && [ "$NS" = 3 ] && [ "$(srows "$C" Member)" = "$SM" ] && [ "$(q "$M" "SELECT count(*) FROM sightings")" = 1 ]'
curl -s -H "Authorization: $KCS" -o "$T/r" "$UC/events/view/$E3"
check "C's events/view to S: C's own sighting (open policy), none of those that came from S" \
  'python3 -c "import json; d=json.load(open(\"$T/r\")); s=[x for a in d[\"Event\"][\"Attribute\"] for x in a.get(\"Sighting\",[])]; assert len(s)==1 and s[0][\"Organisation\"][\"name\"]==\"CSIRT\", s"'
check "the events index shows a sighting_timestamp to S" \
  '[ "$(g "/events/index?minimal=1&uuid=$E3" -H "Authorization: $KCS")" = 200 ] && python3 -c "import json; d=json.load(open(\"$T/r\")); assert int(d[0][\"sighting_timestamp\"]) > 0"'
code=$(curl -s -o "$T/r" -w '%{http_code}' -H "Authorization: $KC" -d '[]' "$UC/sightings/bulkSaveSightings/$E3")
check "bulkSaveSightings is for sync callers only (403 in MISP's shape)" '[ "$code" = 403 ] && grep -q "\"url\"" "$T/r"'
AS=$(q "$C" "SELECT count(*) FROM audit WHERE action='sighting.add' AND detail LIKE 'by sync%'")
check "sightings stored by sync are audited ($AS)" '[ "$AS" -ge 1 ]'

# ---- deletions on pull ----------------------------------------------------------------------
stamp "deletions on pull"
UD=${EV[3:clear]}
code=$(curl -s -X DELETE -H "Authorization: Bearer $KC" -o /dev/null -w '%{http_code}' "$UC/api/v1/events/$UD")
check "C deletes an event S pulled" '[ "$code" = 200 ]'
run 0 admin server pull csirt --db "$S"
has out "1 deleted"
DS=$(q "$S" "SELECT deleted FROM events WHERE uuid='$UD'")
AD=$(q "$S" "SELECT count(*) FROM audit WHERE action='event.delete' AND object='$UD' AND detail LIKE '%gone from its index%'")
check "gone from C's index and 404 there: deleted on S, audited" '[ "$DS" = 1 ] && [ "$AD" = 1 ]'
run 0 admin server pull csirt --db "$S"
has out "0 deleted"
run 0 admin server push member --db "$S"
check "the deletion travels on by push (S -> M)" '[ "$(q "$M" "SELECT deleted FROM events WHERE uuid='"'$UD'"'")" = 1 ]'
NA=$(q "$S" "SELECT count(*) FROM attributes a JOIN events e ON e.id=a.event_id WHERE e.uuid='$U3' AND a.deleted=0")
check "an attribute gone from a newer version is deleted on S too ($NA left)" '[ "$NA" = 1 ]'

# ---- deletions travel (push) --------------------------------------------------------------
stamp "deletions travel"
code=$(curl -s -X POST -H "Authorization: $KSM" -o "$T/r2" -w '%{http_code}' "$US/events/delete/$US4")
D4=$(q "$S" "SELECT deleted FROM events WHERE uuid='$US4'")
check "a sync delete of an event the receiver made itself: 403 in MISP's shape, kept" \
  '[ "$code" = 403 ] && [ "$D4" = 0 ] && grep -q "\"url\":\"/events/delete/$US4\"" "$T/r2"'
code=$(curl -s -X POST -H "Authorization: $KSM" -o "$T/r2" -w '%{http_code}' "$US/events/delete/$U3")
D3=$(q "$S" "SELECT deleted FROM events WHERE uuid='$U3'")
check "a sync delete of an event the receiver got from another server: 403, kept" \
  '[ "$code" = 403 ] && [ "$D3" = 0 ]'
code=$(curl -s -X DELETE -H "Authorization: Bearer $KM" -o /dev/null -w '%{http_code}' "$UM/api/v1/events/$UM3")
check "M deletes its own event" '[ "$code" = 200 ]'
run 0 admin server push sector --db "$M"
has out "1 deleted"
DM=$(q "$S" "SELECT deleted FROM events WHERE uuid='$UM3'")
AD=$(q "$S" "SELECT count(*) FROM audit WHERE action='event.delete' AND object='$UM3' AND detail LIKE 'by sync%'")
check "M's deletion reaches S, with its audit entry" '[ "$DM" = 1 ] && [ "$AD" = 1 ]'
run 0 admin server push sector --db "$M"
has out "0 deleted"
run 0 admin server push member --db "$S"
has out "0 deleted"
AD=$(q "$S" "SELECT count(*) FROM audit WHERE action='event.delete' AND object='$UM3'")
check "a second push changes nothing; S does not send the deletion back to M" '[ "$AD" = 1 ]'
# ---- kill mid-sync and resume -------------------------------------------------------------
stamp "kill mid-sync and resume"
N=1500
python3 - "$T/feed" $N <<'EOF'
import json, os, sys, uuid
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
man = {}
for i in range(n):
    u = str(uuid.UUID(int=0x6b1d0000_0000_4000_8000_000000000000 + i))
    ev = {"Event": {"uuid": u, "info": "bulk %d" % i, "date": "2026-01-01", "timestamp": str(1767225600 + i),
          "Tag": [{"name": "tlp:green"}],
          "Attribute": [{"uuid": str(uuid.UUID(int=0x6b1e0000_0000_4000_8000_000000000000 + i)),
                         "type": "domain", "value": "bulk%d.example" % i, "to_ids": True}]}}
    json.dump(ev, open(os.path.join(d, u + ".json"), "w"))
    man[u] = {"timestamp": str(1767225600 + i), "info": "bulk %d" % i}
json.dump(man, open(os.path.join(d, "manifest.json"), "w"))
EOF
"$WB" feed pull "$T/feed" --as CSIRT --distribution 3 --db "$C" > /dev/null 2>&1
bulk() { q "$1" "SELECT count(${2:-*}) FROM events WHERE info LIKE 'bulk%'"; }
check "C holds the bulk events" '[ "$(bulk "$C")" = $N ]'
kill "$SPID"; wait "$SPID" 2>/dev/null
start "$S" --sync-interval 3600; SPID=$LASTPID
killed=0
for _ in $(seq 600); do
    got=$(bulk "$S")
    if [ "${got:-0}" -ge 100 ]; then kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; killed=$got; break; fi
    sleep 0.05
done
check "serve's scheduled pull killed mid-pull (at $killed of $N)" '[ $killed -ge 100 ] && [ $killed -lt $N ]'
run 0 admin server pull csirt --db "$S"
B1=$(bulk "$S") B2=$(bulk "$S" "DISTINCT uuid")
B3=$(q "$S" "SELECT count(*) FROM attributes a JOIN events e ON e.id=a.event_id WHERE e.info LIKE 'bulk%'")
B4=$(q "$S" "PRAGMA integrity_check")
check "the next pull completes: every event once, none lost ($B1 events, $B2 uuids, $B3 attributes)" \
  '[ "$B1" = $N ] && [ "$B2" = $N ] && [ "$B3" = $N ] && [ "$B4" = ok ]'
run 0 admin server pull csirt --db "$S"
has out "0 added, 0 updated"

# ---- the CLI ----------------------------------------------------------------------------------
run 2 admin server add x --url ftp://x --key k --db "$S"
has err "--url"
run 2 admin server add csirt --url "$UC" --key k --db "$S"
has err "exists"
run 2 admin server pull nosuch --db "$S"
has err "unknown server"
run 2 admin server add y --url "$UC" --key k --rules '{"tags": 3}' --db "$S"
has err "--rules"
run 0 admin server remove member --db "$S"
run 2 admin server push member --db "$S"

echo "hub_sync: $pass passed, $fail failed"
[ $fail = 0 ]
