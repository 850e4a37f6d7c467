#!/usr/bin/env bash
# NATS JetStream end to end, on loopback: `admin nats-config` for a demo
# hub, a nats-server started here with it, `serve --nats` publishing the
# change feed, and three sensors following with `match --follow --nats`
# (Energienet and Zorggroep-Midden, both in a sharing group, with their hub
# keys; Gemeente-Voorbeeld from the stream alone). Each sensor converges
# to exactly the indicators `match --hub` gives its organisation's key;
# AMBER+STRICT and a sharing group's events reach only their audiences;
# deletions arrive; sightings go back over NATS and reach the hub; a hub restarted after changes made while it did not
# publish sends them on; a sensor away longer than the stream keeps
# messages resynchronises from the change feed. Skips (77) without
# nats-server.
# Usage: tests/cli/nats_follow.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: nats_follow.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
NS=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$NS" ] || { echo "nats-server missing"; exit 77; }
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
NP= SP= PE= PZ= PG=
cleanup() {
  for p in $PE $PZ $PG; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  [ -n "$SP" ] && kill "$SP" 2>/dev/null
  for p in $PE $PZ $PG $SP; do wait "$p" 2>/dev/null; done
  [ -n "$NP" ] && kill "$NP" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
. tests/cli/lib.sh

DB=$T/hub.db
"$WB" admin demo --db "$DB" > "$T/keys" || { echo "admin demo failed"; exit 1; }
key() { awk -v u="$1" '$1 == u {print $4}' "$T/keys"; }
KC=$(key analist@csirt.example)
KEA=$(key soc@energienet.example)
KE=$(key sensor@energienet.example)
"$WB" admin user add sensor@zorggroep.example --org Zorggroep-Midden --role sensor --db "$DB" > /dev/null
KZ=$("$WB" admin key add sensor@zorggroep.example --db "$DB" | awk '/^key:/ {print $2}')
"$WB" admin user add sensor@gemeente.example --org Gemeente-Voorbeeld --role sensor --db "$DB" > /dev/null
KG=$("$WB" admin key add sensor@gemeente.example --db "$DB" | awk '/^key:/ {print $2}')
uuid_of() { "$WB" admin org list --db "$DB" | awk -v o="$1" '$2 == o {print $NF}'; }
userfile() { ls "$T"/cfg/users/"$(uuid_of "$1")"/*.nkey; }

NPORT=$(free_port)
NURL=nats://127.0.0.1:$NPORT
"$WB" admin nats-config --db "$DB" --out "$T/cfg" --url "$NURL" 2> "$T/cfg.err"
check "nats-config: three sensor users" 'grep -q "3 sensor users of 3 organisations" "$T/cfg.err"'
check "nats-config: user files and the hub's key are private (0600)" \
  '[ "$(stat -c %a "$(userfile Energienet)")" = 600 ] && [ "$(stat -c %a "$T/cfg/hub.nkey")" = 600 ]'
cp "$(userfile Energienet)" "$T/before.nkey"
"$WB" admin nats-config --db "$DB" --out "$T/cfg" --url "$NURL" 2> "$T/cfg.err"
check "a second run keeps the keys" 'grep -q "(3 kept their key)" "$T/cfg.err" && cmp -s "$T/before.nkey" "$(userfile Energienet)"'
printf 'listen: "127.0.0.1:%s"\njetstream { store_dir: "%s/js" }\ninclude "accounts.conf"\n' \
  "$NPORT" "$T" > "$T/cfg/test.conf"
check "nats-server accepts the configuration" '"$NS" -c "$T/cfg/test.conf" -t > /dev/null 2>&1'
"$NS" -c "$T/cfg/test.conf" > "$T/nats.log" 2>&1 &
NP=$!

PORT=$(free_port)
U=http://127.0.0.1:$PORT
start_hub() { # [--nats]
  if [ $# -gt 0 ]; then
    "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --nats "$NURL" --nats-creds "$T/cfg/hub.nkey" >> "$T/serve.log" 2>&1 &
  else
    "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT >> "$T/serve.log" 2>&1 &
  fi
  SP=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$U/" && return 0; sleep 0.1; done
  return 1
}
stop_hub() { kill "$SP"; wait "$SP" 2>/dev/null; SP=; }
for _ in $(seq 50); do start_hub --nats && break; kill "$SP" 2>/dev/null; SP=; sleep 0.2; done
check "serve --nats publishes" 'grep -q "publishing indicator changes" "$T/serve.log"'

api() { curl -s -o "$T/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" "$U$2" ${4:+-d "$4"}; }
ev() { # UUID DISTRIBUTION TLP VALUE [SHARING-GROUP-UUID]
  local sg=
  [ $# -ge 5 ] && sg=",\"SharingGroup\":{\"uuid\":\"$5\"}"
  echo "{\"Event\":{\"uuid\":\"$1\",\"info\":\"nats test\",\"distribution\":\"$2\"$sg,\"Tag\":[{\"name\":\"tlp:$3\"}],\"Attribute\":[{\"type\":\"domain\",\"value\":\"$4\",\"to_ids\":true}]}}"
}

LOG=$T/dns.jsonl
: > "$LOG"
follow() { # NAME USER-FILE [HUB-KEY]
  local k=()
  [ $# -ge 3 ] && k=(--hub "$U" --key "$3" --report --hub-interval 1 --sighting-source "nats-$1")
  "$WB" match --follow --nats "$NURL" --nats-user "$2" "${k[@]}" --log-format jsonl \
    --state "$T/$1.state" "$LOG" > "$T/$1.out" 2> "$T/$1.err" &
}
follow e "$(userfile Energienet)" "$KE"; PE=$!
follow z "$(userfile Zorggroep-Midden)" "$KZ"; PZ=$!
follow g "$(userfile Gemeente-Voorbeeld)"; PG=$!
sleep 2
line() { echo "{\"query\":\"$1\"}" >> "$LOG"; }
hits() { grep -c "\"indicator\":\"$2\"" "$T/$1.out"; }
wait_for() { for _ in $(seq 80); do eval "$1" && return 0; sleep 0.1; done; return 1; }

# Convergence: every indicator value of the hub on a line; what each
# sensor matched equals what match --hub gives its organisation's key.
sqlite3 "$DB" "SELECT value FROM attributes WHERE deleted = 0" 2>/dev/null |
  while read -r v; do echo "{\"query\":\"$v\"}"; done > "$T/all.jsonl" ||
  python3 -c "
import sqlite3; c=sqlite3.connect('$DB')
for (v,) in c.execute('SELECT value FROM attributes WHERE deleted = 0'): print('{\"query\":\"%s\"}' % v)" > "$T/all.jsonl"
cat "$T/all.jsonl" >> "$LOG"
matched() { python3 -c "import sys,json; print(' '.join(sorted(set(json.loads(l)['matched'] for l in open(sys.argv[1])))))" "$1"; }
"$WB" match --hub "$U" --key "$KE" --log-format jsonl "$T/all.jsonl" > "$T/ref_e" 2>/dev/null
"$WB" match --hub "$U" --key "$KZ" --log-format jsonl "$T/all.jsonl" > "$T/ref_z" 2>/dev/null
"$WB" match --hub "$U" --key "$KG" --log-format jsonl "$T/all.jsonl" > "$T/ref_g" 2>/dev/null
sleep 1.5
for s in e z g; do
  check "sensor $s matches what its organisation's key sees ($(matched "$T/ref_$s" | wc -w) indicators)" \
    '[ "$(matched "$T/$s.out")" = "$(matched "$T/ref_$s")" ] && [ -n "$(matched "$T/ref_$s")" ]'
done
check "the sharing group's members see more than the others" \
  '[ "$(matched "$T/ref_e")" != "$(matched "$T/ref_g")" ]'

SG=$("$WB" admin sharing-group list --db "$DB" | awk 'NR == 2 {print $3}')
E1=5a7a0000-0000-4000-8000-000000000001
E2=5a7a0000-0000-4000-8000-000000000002
E3=5a7a0000-0000-4000-8000-000000000003
check "an event for everyone (201)" '[ "$(api POST /api/v1/events "$KC" "$(ev $E1 1 green nats-all.example)")" = 201 ]'
check "an AMBER+STRICT event of Energienet (its organisation only) (201)" \
  '[ "$(api POST /api/v1/events "$KEA" "$(ev $E2 0 amber+strict nats-strict.example)")" = 201 ]'
check "an event for the sharing group (201)" \
  '[ "$(api POST /api/v1/events "$KC" "$(ev $E3 4 amber nats-group.example "$SG")")" = 201 ]'
sleep 1.5
line www.nats-all.example; line www.nats-strict.example; line www.nats-group.example
check "everyone's event reaches all three" \
  'wait_for "[ \$(hits e nats-all.example) = 1 ] && [ \$(hits z nats-all.example) = 1 ] && [ \$(hits g nats-all.example) = 1 ]"'
check "sightings published to NATS reach the hub (the creator sees them)" \
  'wait_for "[ \"\$(api GET /api/v1/events/$E1/sightings "$KC")\" = 200 ] && grep -q nats-e \"$T/out\" && grep -q nats-z \"$T/out\""'
check "AMBER+STRICT reaches only its organisation's sensor" \
  '[ $(hits e nats-strict.example) = 1 ] && [ $(hits z nats-strict.example) = 0 ] && [ $(hits g nats-strict.example) = 0 ]'
check "the sharing group's event reaches only its members" \
  '[ $(hits e nats-group.example) = 1 ] && [ $(hits z nats-group.example) = 1 ] && [ $(hits g nats-group.example) = 0 ]'

check "event deleted (200)" '[ "$(api DELETE /api/v1/events/$E1 "$KC")" = 200 ]'
check "audience narrowed: the group's event made TLP:RED for its organisation (200)" \
  '[ "$(api PUT /api/v1/events/$E3 "$KC" "$(ev $E3 0 red nats-group.example)")" = 200 ]'
sleep 1.5
line www.nats-all.example; line www.nats-group.example
echo '{"query":"www.nats-strict.example"}' >> "$LOG"
check "after the deletion no sensor matches it" \
  'wait_for "[ \$(hits e nats-strict.example) = 2 ]" && [ $(hits e nats-all.example) = 1 ] && [ $(hits z nats-all.example) = 1 ] && [ $(hits g nats-all.example) = 1 ]'
check "an event whose audience narrowed is gone from the sensors that lost it" \
  '[ $(hits e nats-group.example) = 1 ] && [ $(hits z nats-group.example) = 1 ]'

# The hub stops; a change is made while nothing publishes; started again
# it publishes from where it stopped.
stop_hub
start_hub
E4=5a7a0000-0000-4000-8000-000000000004
check "an event added while the hub does not publish (201)" \
  '[ "$(api POST /api/v1/events "$KC" "$(ev $E4 1 green nats-later.example)")" = 201 ]'
stop_hub
start_hub --nats
sleep 1.5
line www.nats-later.example
check "published after the restart, from where it stopped" \
  'wait_for "[ \$(hits e nats-later.example) = 1 ] && [ \$(hits g nats-later.example) = 1 ]"'
last=$(python3 -c "
import sqlite3; c=sqlite3.connect('$DB')
print(c.execute('SELECT last_seq FROM nats_progress').fetchone()[0] == c.execute('SELECT max(seq) FROM events').fetchone()[0])")
check "the publisher's progress is the change feed's last change" '[ "$last" = True ]'

# A sensor away longer than the stream keeps messages: the stream keeps
# them 2 s now; Zorggroep's sensor is stopped while a change is made and
# the message expires, then another change shows it the gap.
stop_hub
python3 -c "
import json; p='$T/cfg/streams.json'; s=json.load(open(p))
for x in s: x['max_age'] = 2000000000
json.dump(s, open(p, 'w'))"
start_hub --nats
kill -STOP $PZ
E5=5a7a0000-0000-4000-8000-000000000005
E6=5a7a0000-0000-4000-8000-000000000006
api POST /api/v1/events "$KC" "$(ev $E5 1 green nats-missed.example)" > /dev/null
sleep 4
kill -CONT $PZ
api POST /api/v1/events "$KC" "$(ev $E6 1 green nats-after.example)" > /dev/null
sleep 2
line www.nats-missed.example; line www.nats-after.example
check "the sensor that missed a change resynchronised from the change feed" \
  'wait_for "grep -q resynchronising \"$T/z.err\""'
check "... and has both the missed change and the next" \
  'wait_for "[ \$(hits z nats-missed.example) = 1 ] && [ \$(hits z nats-after.example) = 1 ]"'
check "the sensors that stayed received both from the stream" \
  'wait_for "[ \$(hits e nats-missed.example) = 1 ] && [ \$(hits g nats-missed.example) = 1 ] && [ \$(hits g nats-after.example) = 1 ]"'

for s in e z g; do
  check "sensor $s: no errors" '! grep -v -e resynchronis -e "no longer in the stream" -e "reported the sightings" "$T/$s.err" | grep -q .' || cat "$T/$s.err"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
