#!/usr/bin/env bash
# serve_config.sh - `weerbaar serve --config FILE`: the [serve] section's
# keys set serve's options, a
# WEERBAAR_SERVE_<KEY> environment variable beats the file, the command line
# beats both; other sections are not serve's business; an unknown key, a
# line that is not `key = value`, a flag that is not true/false and a
# missing --config file are errors (exit 2) naming the file and line.
# Usage: tests/cli/serve_config.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: serve_config.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(port) P2=$(port) P3=$(port)
C=$T/weerbaar.conf
cat > "$C" <<CONF
# the hub's configuration
[match]
anything-at-all = 1

[serve]
listen = 127.0.0.1:$P1
db = $T/hub.db
access-log = $T/access.log   
hooks-interval = 0
threads = 2
CONF
# serve started in the background with extra environment; answers on port $1?
try() {
    local port=$1
    shift
    env "$@" &
    SP=$!
    code=000
    for _ in $(seq 60); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") && [ "$code" != 000 ] && break
        sleep 0.1
    done
    kill -TERM $SP 2>/dev/null
    wait $SP 2>/dev/null
    SP=
    [ "$code" = 200 ]
}
check "the file's [serve] keys apply (listen, db, access-log)" \
    'try $P1 "$WB" serve --config "$C" 2>/dev/null && [ -f "$T/hub.db" ] && grep -q " GET / 200 " "$T/access.log"'
check "--config=FILE works too" 'try $P1 "$WB" serve --config="$C" 2>/dev/null'
check "WEERBAAR_SERVE_LISTEN beats the file" \
    'try $P2 WEERBAAR_SERVE_LISTEN=127.0.0.1:$P2 "$WB" serve --config "$C" 2>/dev/null'
check "the command line beats both" \
    'try $P3 WEERBAAR_SERVE_LISTEN=127.0.0.1:$P2 "$WB" serve --listen 127.0.0.1:$P3 --config "$C" 2>/dev/null'
check "WEERBAAR_CONFIG names the file" 'try $P1 WEERBAAR_CONFIG="$C" "$WB" serve 2>/dev/null'

printf '[serve]\ndb = %s\n# fine\nbogus-key = 1\n' "$T/hub.db" > "$T/c2"
"$WB" serve --config "$T/c2" > /dev/null 2> "$T/e"; rc=$?
check "an unknown key: exit 2 naming file and line" \
    '[ $rc = 2 ] && grep -q "c2:4: unknown key .bogus-key. in \[serve\]" "$T/e"'
printf '[serve]\ndb %s\n' "$T/hub.db" > "$T/c3"
"$WB" serve --config "$T/c3" > /dev/null 2> "$T/e"; rc=$?
check "a line that is not key = value: exit 2 naming file and line" \
    '[ $rc = 2 ] && grep -q "c3:2: expected .key = value." "$T/e"'
printf '[serve]\nhooks-allow-private = maybe\n' > "$T/c4"
"$WB" serve --config "$T/c4" --db "$T/hub.db" > /dev/null 2> "$T/e"; rc=$?
check "a flag that is not true/false: exit 2 naming file and line" \
    '[ $rc = 2 ] && grep -q "c4:2: hooks-allow-private is a flag" "$T/e"'
"$WB" serve --config "$T/none.conf" --db "$T/hub.db" > /dev/null 2> "$T/e"; rc=$?
check "a --config file that is missing: exit 2" '[ $rc = 2 ] && grep -q "none.conf" "$T/e"'
printf 'db = x\n[serve]\n' > "$T/c5"
"$WB" serve --config "$T/c5" > /dev/null 2> "$T/e"; rc=$?
check "a key before the first [section]: exit 2" '[ $rc = 2 ] && grep -q "c5:1: .db. before the first \[section\]" "$T/e"'
WEERBAAR_SERVE_THREADS=many "$WB" serve --db "$T/hub.db" > /dev/null 2> "$T/e"; rc=$?
check "a bad value from the environment is the option's own error" '[ $rc = 2 ] && grep -q "threads" "$T/e"'

echo "$pass passed, $fail failed"
[ $fail = 0 ]
