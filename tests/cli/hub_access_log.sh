#!/usr/bin/env bash
# hub_access_log.sh - `weerbaar serve --access-log FILE`: one line per
# request with time, client address, key id (never the key), method, target
# with secret query values hidden, status, body bytes and microseconds; a
# streamed feed's bytes counted; a request target cannot forge a line; after
# the file is moved away (log rotation) SIGHUP makes the hub write to a new
# file under the old name, and nothing is lost or written twice.
# Usage: tests/cli/hub_access_log.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_access_log.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

DB=$T/hub.db
"$WB" admin org add Own --kind essential --sector energy --db "$DB" >/dev/null
"$WB" admin user add m@own.example --org Own --role member --db "$DB" >/dev/null
out=$("$WB" admin key add m@own.example --db "$DB")
K=$(awk '/^key:/ {print $2}' <<<"$out")
KID=$(awk '/^id:/ {print $2}' <<<"$out")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
LOG=$T/access.log
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --access-log "$LOG" > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done

curl -s -o /dev/null "$U/nowhere"
curl -s -o /dev/null -H "Authorization: Bearer $K" "$U/api/v1/events?limit=5&api_key=SECRETVALUE"
curl -s -o "$T/manifest" -H "Authorization: Bearer $K" "$U/feeds/misp/manifest.json"
curl -s -o /dev/null "$U/a%0ab%20c"
sleep 0.2
n1=$(wc -l < "$LOG")
check "one line per request (5 so far)" '[ "$n1" = 5 ]'
line=$(grep ' /api/v1/events' "$LOG")
read -r when remote key method target status bytes us <<<"$line"
check "time is RFC 3339 UTC" '[[ $when =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]'
check "remote, key id, method" '[ "$remote" = 127.0.0.1 ] && [ "$key" = "$KID" ] && [ "$method" = GET ]'
check "the secret query value is hidden, the others kept" \
    '[ "$target" = "/api/v1/events?limit=5&api_key=-" ] && ! grep -q SECRETVALUE "$LOG"'
check "status, bytes, microseconds" '[ "$status" = 200 ] && [ "$bytes" -gt 0 ] && [ "$us" -gt 0 ]'
check "the key itself is never logged" '! grep -q "$K" "$LOG"'
check "no key: '-'; unknown path: 404" 'grep -q "^[^ ]* 127.0.0.1 - GET /nowhere 404 " "$LOG"'
msize=$(stat -c %s "$T/manifest")
check "a streamed feed's bytes are counted" \
    'grep -q " GET /feeds/misp/manifest.json 200 $msize " "$LOG"'
check "a newline in the target is escaped, not a new line" \
    'grep -q " GET /a\\\\x0ab\\\\x20c 404 " "$LOG"'

# rotation: move the file, SIGHUP, the next lines go to a new file
mv "$LOG" "$LOG.1"
curl -s -o /dev/null "$U/?before-hup"
kill -HUP $SP
for _ in $(seq 50); do [ -e "$LOG" ] && break; sleep 0.05; done
curl -s -o /dev/null "$U/?after-hup"
sleep 0.2
check "SIGHUP reopens under the old name" '[ -f "$LOG" ] && grep -q "after-hup" "$LOG"'
check "what came before the SIGHUP stays in the moved file" \
    'grep -q "before-hup" "$LOG.1" && ! grep -q "after-hup" "$LOG.1" && [ "$(wc -l < "$LOG.1")" = 6 ]'
check "the hub still runs after SIGHUP" 'kill -0 $SP'
kill -TERM $SP
wait $SP
rc=$?
SP=
check "stops cleanly" '[ $rc = 0 ]'
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --access-log "$T/no/such/dir/log" > /dev/null 2> "$T/e"
rc=$?
check "an access log that cannot be opened: exit 2, named" '[ $rc = 2 ] && grep -q "no/such/dir/log" "$T/e"'

echo "$pass passed, $fail failed"
[ $fail = 0 ]
