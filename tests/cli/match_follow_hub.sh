#!/usr/bin/env bash
# `weerbaar match --hub URL --key KEY --follow --hub-interval 1` against a
# real hub on a loopback port: an event added on the hub matches lines
# appended to the log afterwards; once it is deleted, or its TLP and
# distribution change so the key no longer sees it, or an attribute is
# removed, later lines no longer match; --report posts sightings while
# following; after the hub's database is restored from a backup the
# follower starts again (409 cursor_ahead) and drops what the hub lost. Also the change feed itself (GET /api/v1/events?after=SEQ):
# tombstones only for events the caller could see before.
# Usage: tests/cli/match_follow_hub.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: match_follow_hub.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP= MP=
trap '[ -n "$MP" ] && kill -9 $MP 2>/dev/null; [ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh

DB=$T/hub.db
"$WB" admin demo --db "$DB" > "$T/keys" || { echo "admin demo failed"; exit 1; }
key() { awk -v u="$1" '$1 == u {print $4}' "$T/keys"; }
KC=$(key analist@csirt.example)    # creates the events (Demo-CSIRT)
KE=$(key soc@energienet.example)   # follows (Energienet)
KZ=$(key security@zorggroep-midden.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done

api() { # METHOD PATH KEY [BODY]
  if [ $# -ge 4 ]; then
    curl -s -o "$T/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" "$U$2" -d "$4"
  else
    curl -s -o "$T/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" "$U$2"
  fi
}
ev() { # UUID DISTRIBUTION TLP VALUES...
  local u=$1 d=$2 t=$3; shift 3
  local attrs= v
  for v in "$@"; do attrs="$attrs${attrs:+,}{\"type\":\"domain\",\"value\":\"$v\",\"to_ids\":true}"; done
  echo "{\"Event\":{\"uuid\":\"$u\",\"info\":\"follow test\",\"distribution\":\"$d\",\"Tag\":[{\"name\":\"tlp:$t\"}],\"Attribute\":[$attrs]}}"
}
U1=7a7a0000-0000-4000-8000-000000000001
U2=7a7a0000-0000-4000-8000-000000000002
U3=7a7a0000-0000-4000-8000-000000000003

# A copy of the database as it is now, to stand in later for a hub restored
# from a backup (the sqlite3 module's backup is consistent under WAL).
python3 -c "import sqlite3; a=sqlite3.connect('$DB'); b=sqlite3.connect('$T/backup.db'); a.backup(b); b.close()"

# ---- the change feed ----------------------------------------------------------
api GET "/api/v1/events?after=0&limit=1000" "$KE" > /dev/null
S0=$(python3 -c "import json; print(json.load(open('$T/out'))['last_seq'])")
check "after=0: a page with last_seq and more" "[ -n '$S0' ] && [ '$S0' -gt 0 ]"
c=$(api GET "/api/v1/events?after=0&page=2" "$KE")
check "after with page is a 400" '[ "$c" = 400 ]'
c=$(api GET "/api/v1/events?after=-1" "$KE")
check "a negative after is a 400" '[ "$c" = 400 ]'
c=$(api GET "/api/v1/events?after=999999" "$KE")
check "a cursor past the hub's last change: 409 cursor_ahead" '[ "$c" = 409 ] && grep -q cursor_ahead "$T/out"'
api POST /api/v1/events "$KC" "$(ev $U3 0 red secret-org-only.example)" > /dev/null
api DELETE /api/v1/events/$U3 "$KC" > /dev/null
api GET "/api/v1/events?after=$S0" "$KE" > /dev/null
check "no tombstone for an event the caller never could see" \
  "! grep -q $U3 $T/out"
api GET "/api/v1/events?after=$S0" "$KC" > /dev/null
check "no tombstone for an event created and deleted after the cursor" "! grep -q $U3 $T/out"

# ---- following ----------------------------------------------------------------
LOG=$T/dns.jsonl
: > "$LOG"
"$WB" match --hub "$U" --key "$KE" --follow --hub-interval 1 --report \
  --sighting-source follow-test --log-format jsonl "$LOG" > "$T/m.jsonl" 2> "$T/m.err" &
MP=$!
sleep 1.5
line() { echo "{\"query\":\"$1\",\"n\":$2}" >> "$LOG"; }
hits() { grep -c "\"matched\":\"$1\"" "$T/m.jsonl"; }
wait_for() { for _ in $(seq 60); do eval "$1" && return 0; sleep 0.1; done; return 1; }

line www.follow-one.example 1
sleep 1
check "before the event exists: no match" '[ "$(hits www.follow-one.example)" = 0 ]'
c=$(api POST /api/v1/events "$KC" "$(ev $U1 1 green follow-one.example keep-two.example)")
check "event added on the hub (201)" '[ "$c" = 201 ]'
seq_now() { api GET "/api/v1/events?after=0&limit=1000" "$KC" > /dev/null; python3 -c "import json; print(json.load(open('$T/out'))['last_seq'])"; }
S1=$(seq_now)
sleep 2.5
line www.follow-one.example 2
check "an event added while following matches a line appended later" \
  'wait_for "[ \"\$(hits www.follow-one.example)\" = 1 ]"'

# Attribute removal: PUT without follow-one.example.
c=$(api PUT /api/v1/events/$U1 "$KC" "$(ev $U1 1 green keep-two.example)")
check "event updated without one attribute (200)" '[ "$c" = 200 ]'
sleep 2.5
line www.follow-one.example 3
line keep-two.example 4
check "the kept attribute still matches" 'wait_for "[ \"\$(hits keep-two.example)\" = 1 ]"'
check "a removed attribute no longer matches" '[ "$(hits www.follow-one.example)" = 1 ]'

# Deletion.
c=$(api DELETE /api/v1/events/$U1 "$KC")
check "event deleted (200)" '[ "$c" = 200 ]'
sleep 2.5
line keep-two.example 5
line follow-marker.example 6
c=$(api POST /api/v1/events "$KC" "$(ev $U2 1 green follow-marker.example)")
S2=$(seq_now)
sleep 2.5
line follow-marker.example 7
check "a later event still arrives" 'wait_for "[ \"\$(hits follow-marker.example)\" = 1 ]"'
check "a deleted event no longer matches" '[ "$(hits keep-two.example)" = 1 ]'

# Visibility loss: TLP:RED, organisation only (the creator's).
c=$(api PUT /api/v1/events/$U2 "$KC" "$(ev $U2 0 red follow-marker.example)")
check "event made TLP:RED, organisation only (200)" '[ "$c" = 200 ]'
sleep 2.5
line follow-marker.example 8
line keep-two.example 9
sleep 1.5
check "an event the key can no longer see no longer matches" \
  '[ "$(hits follow-marker.example)" = 1 ]'

tomb() { python3 -c "import json,sys; r=[e['Event'] for e in json.load(open('$T/out'))['response']]; t={e['uuid'] for e in r if e.get('deleted') is True and len(e)==2}; sys.exit(0 if '$1' in t else 1)"; }
api GET "/api/v1/events?after=$S1" "$KE" > /dev/null
check "change feed: a tombstone (uuid only) for the deleted event the caller held" "tomb $U1"
api GET "/api/v1/events?after=$S2" "$KE" > /dev/null
check "change feed: a tombstone for the event that became invisible" "tomb $U2"
api GET "/api/v1/events?after=$S0" "$KE" > /dev/null
check "change feed: none for events created after the cursor" "! grep -q $U1 $T/out && ! grep -q $U2 $T/out"
api GET "/api/v1/events?after=$S2" "$KZ" > /dev/null
check "change feed: another organisation that could see it gets the tombstone too" "tomb $U2"
api GET "/api/v1/events?after=$S2" "$KC" > /dev/null
check "change feed: the creator, who still sees it, gets the event itself" \
  "grep -q follow-marker $T/out && ! tomb $U2"

U4=7a7a0000-0000-4000-8000-000000000004
api POST /api/v1/events "$KC" "$(ev $U4 1 green stays-visible.example)" > /dev/null
sleep 2.5
line stays-visible.example 10
check "one more event, seen" 'wait_for "[ \"\$(hits stays-visible.example)\" = 1 ]"'
sleep 1.5
api GET /api/v1/events/$U4/sightings "$KC" > /dev/null
check "sightings reported while following: the creator sees them on the hub" "grep -q follow-test $T/out"

# The hub's database restored from the backup: the follower's cursor is
# past every change there; it must start again and drop what is gone.
kill $SP; wait $SP 2>/dev/null
rm -f "$DB" "$DB-wal" "$DB-shm"; cp "$T/backup.db" "$DB"
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT >> "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
sleep 3
line stays-visible.example 11
line www.digid-inloggen.example 12
check "after a restore the follower still matches what the hub has" \
  'wait_for "grep -q \"\\\"matched\\\":\\\"www.digid-inloggen.example\\\"\" $T/m.jsonl"'
check "... and no longer what the restored hub does not have" '[ "$(hits stays-visible.example)" = 1 ]'
kill -TERM $MP; wait $MP; rc=$?; MP=
check "SIGTERM ends following; exit 0 (something matched)" '[ $rc = 0 ]'
check "the follower said it reported sightings" 'grep -q "reported the sightings of [1-9]" "$T/m.err"'

"$WB" match --hub "$U" --key "$KE" --hub-interval 5 "$LOG" > /dev/null 2> "$T/x"; rc=$?
check "--hub-interval without --follow: exit 2" '[ $rc = 2 ] && grep -q -- "--follow" "$T/x"'
"$WB" match --hub "$U" --key "$KE" --follow --hub-interval 0 "$LOG" > /dev/null 2> "$T/x"; rc=$?
check "--hub-interval 0: exit 2" '[ $rc = 2 ] && grep -q "from 1 to 86400" "$T/x"'
kill $SP; wait $SP 2>/dev/null; SP=

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
