#!/usr/bin/env bash
# admin_backup.sh - `weerbaar admin backup` of a hub under write load (events
# posted over HTTP as fast as the hub takes them) is a database that passes
# PRAGMA integrity_check and holds every event whose 201 arrived before the
# backup began; `admin restore` refuses the running hub's database, refuses
# a file that is not a sound weerbaar database, and restores into a new and
# over a stopped hub's database, which then serves again.
# Usage: tests/cli/admin_backup.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: admin_backup.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
python3 -c 'import sqlite3' 2>/dev/null || { echo "python3 sqlite3 missing"; exit 77; }
T=$(mktemp -d)
SP= WP=
trap '[ -n "$WP" ] && kill $WP 2>/dev/null; [ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])' "$@"; }

DB=$T/hub.db
"$WB" admin org add Own --kind essential --sector energy --db "$DB" >/dev/null
"$WB" admin user add m@own.example --org Own --role member --db "$DB" >/dev/null
K=$("$WB" admin key add m@own.example --db "$DB" | awk '/^key:/ {print $2}')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
start() {
    "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
    SP=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
}
start

# the writer: an event at a time; its name is noted once the hub said 201
writer() {
    local i=0
    while [ ! -e "$T/stop" ]; do
        i=$((i + 1))
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $K" \
            -d "{\"Event\":{\"info\":\"w$i\",\"Attribute\":[{\"type\":\"ip-dst\",\"value\":\"192.0.2.$((i % 250 + 1))\"}]}}" \
            "$U/api/v1/events")
        [ "$code" = 201 ] && echo "w$i" >> "$T/acked"
    done
}
writer &
WP=$!
touch "$T/acked"
for _ in $(seq 400); do [ "$(wc -l < "$T/acked")" -ge 10 ] && break; sleep 0.05; done
cp "$T/acked" "$T/before"
"$WB" admin backup --db "$DB" --out "$T/backup.db" > "$T/out" 2> "$T/e"; rc=$?
sleep 0.2
touch "$T/stop"
wait $WP
WP=
nb=$(wc -l < "$T/before")
na=$(wc -l < "$T/acked")
check "backup under write load: exit 0 ($nb events acknowledged before, $na in all)" \
    '[ $rc = 0 ] && grep -q "integrity ok" "$T/out" && [ "$nb" -ge 10 ]'
check "the writes went on during and after the backup" '[ "$na" -gt "$nb" ]'
check "the backup passes PRAGMA integrity_check" '[ "$(q "$T/backup.db" "PRAGMA integrity_check")" = ok ]'
missing=$(python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
have = {r[0] for r in c.execute("SELECT info FROM events")}
print(sum(1 for l in open(sys.argv[2]) if l.strip() not in have))' "$T/backup.db" "$T/before")
check "every event acknowledged before the backup began is in it" '[ $missing = 0 ]'
check "no temporary file left beside it" '[ "$(ls "$T" | grep -c "backup.db.tmp")" = 0 ]'

"$WB" admin restore "$T/backup.db" --db "$DB" > /dev/null 2> "$T/e"; rc=$?
check "restore over the running hub's database: refused, exit 2" '[ $rc = 2 ] && grep -q "in use" "$T/e"'
echo "not a database" > "$T/junk.db"
"$WB" admin restore "$T/junk.db" --db "$T/new.db" > /dev/null 2> "$T/e"; rc=$?
check "restore of a file that is not a database: exit 2, nothing created" \
    '[ $rc = 2 ] && [ ! -e "$T/new.db" ]'
"$WB" admin restore "$T/backup.db" --db "$T/new.db" > /dev/null 2> "$T/e"; rc=$?
check "restore into a new database" \
    '[ $rc = 0 ] && [ "$(q "$T/new.db" "PRAGMA integrity_check")" = ok ] &&
     [ "$(q "$T/new.db" "SELECT count(*) FROM events")" = "$(q "$T/backup.db" "SELECT count(*) FROM events")" ]'
kill -TERM $SP
wait $SP
SP=
"$WB" admin restore "$T/backup.db" --db "$DB" > /dev/null 2> "$T/e"; rc=$?
check "restore over a stopped hub's database" \
    '[ $rc = 0 ] && [ "$(q "$DB" "SELECT count(*) FROM events")" = "$(q "$T/backup.db" "SELECT count(*) FROM events")" ]'
start
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")
check "the restored hub serves (healthz 200)" '[ "$code" = 200 ]'
kill -TERM $SP
wait $SP
SP=

echo "$pass passed, $fail failed"
[ $fail = 0 ]
