#!/usr/bin/env bash
# hub_web.sh - the web page's sign-in and files over real HTTP (loopback):
# the security headers on every answer (page, file, JSON, error, the gate's
# own refusals), Set-Cookie's flags (Secure under TLS), the CSRF refusal,
# sign-out, Accept negotiation of GET /, static files with ETag and 304, no
# traversal with a raw "..", and `admin user link` printing a one-time link
# that the page's first-login endpoint takes once. tests/hub/test_hub_session.c
# has the rest through the API function.
# Usage: tests/cli/hub_web.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_web.sh WEERBAAR}")
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

DB=$T/hub.db
"$WB" admin org add Own --kind essential --sector energy --db "$DB" >/dev/null
"$WB" admin user add m@own.example --org Own --role member --db "$DB" >/dev/null
"$WB" admin user add s@own.example --org Own --role sensor --db "$DB" >/dev/null
echo 'a good long password' | "$WB" admin user password m@own.example --db "$DB" > "$T/pw" 2>&1
check "admin user password from standard input" 'grep -q "password set for m@own.example" "$T/pw"'
echo 'short' | "$WB" admin user password m@own.example --db "$DB" > /dev/null 2> "$T/e"; rc=$?
check "a short password is refused (exit 2)" '[ $rc = 2 ] && grep -q "at least 12" "$T/e"'
"$WB" admin user link s@own.example --db "$DB" > /dev/null 2> "$T/e"; rc=$?
check "no link for a sensor" '[ $rc = 2 ] && grep -q "sensor" "$T/e"'

mkdir -p "$T/web/js"
printf '<!doctype html><title>t</title><script src="/js/app.js"></script>\n' > "$T/web/index.html"
printf 'console.log(1);\n' > "$T/web/js/app.js"
printf 'secret\n' > "$T/secret.txt"

PORT=$(port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --web "$T/web" > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done
check "serve names the page's address" 'grep -q "the web page at http://127.0.0.1:$PORT/" "$T/serve.log"'

link=$("$WB" admin user link m@own.example --url "$U/" --hours 2 --db "$DB" 2> "$T/e")
check "admin user link prints URL/#/first-login?token=" '[[ $link =~ ^$U/\#/first-login\?token=[0-9a-f]{64}$ ]] && grep -q "valid until" "$T/e"'

# security headers on a page, a file, JSON, a JSON error
hdrs() { curl -s -D "$T/h" -o /dev/null "$@"; }
sec() {
  grep -qi "^Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'" "$T/h" &&
  ! grep -i "^Content-Security-Policy" "$T/h" | grep -q "unsafe" &&
  grep -qi '^X-Content-Type-Options: nosniff' "$T/h" && grep -qi '^Referrer-Policy: no-referrer' "$T/h" &&
  grep -qi '^X-Frame-Options: DENY' "$T/h"
}
hdrs "$U/"; check "GET / is the page, with the security headers" 'grep -qi "^Content-Type: text/html" "$T/h" && sec'
hdrs "$U/js/app.js"; check "a file: its type, ETag, no-cache, security headers" \
  'grep -qi "^Content-Type: text/javascript" "$T/h" && grep -qi "^ETag: \"" "$T/h" && grep -qi "^Cache-Control: no-cache" "$T/h" && sec'
etag=$(grep -i '^ETag:' "$T/h" | cut -d' ' -f2 | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$U/js/app.js")
check "If-None-Match: 304" '[ "$code" = 304 ]'
hdrs "$U/api/v1/events"; check "a JSON 401 has them too" 'grep -q "^HTTP/1.1 401" "$T/h" && sec'
curl -s -o "$T/j" -H 'Accept: application/json' "$U/"
check "GET / asked for JSON: the status" 'grep -q "\"api\":\"/api/v1\"" "$T/j"'
for p in "/js/../../secret.txt" "/../secret.txt" "/js/" "/js" "/%2e%2e/secret.txt"; do
  code=$(curl -s --path-as-is -o "$T/t" -w '%{http_code}' "$U$p")
  check "no file at $p (404)" '[ "$code" = 404 ] && ! grep -q secret "$T/t"'
done
printf 'GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' > "$T/raw"
python3 - "$PORT" "$T/raw" > "$T/h" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
out = b""
while True:
    d = s.recv(4096)
    if not d: break
    out += d
sys.stdout.write(out.decode("latin-1"))
PY
check "the gate's own refusal has them" 'grep -q "^HTTP/1.1 400" "$T/h" && grep -qi "^X-Frame-Options: DENY" "$T/h" && grep -qi "^Referrer-Policy: no-referrer" "$T/h"'

# sign-in over HTTP
J=(-H 'Content-Type: application/json')
curl -s -D "$T/h" -o "$T/b" "${J[@]}" -d '{"email":"m@own.example","password":"wrong password!"}' "$U/api/v1/session"
check "wrong password: 401 sign-in failed, no cookie" \
  'grep -q "^HTTP/1.1 401" "$T/h" && grep -qx "{\"error\":{\"code\":\"signin_failed\",\"message\":\"sign-in failed\"}}" "$T/b" && ! grep -qi "^Set-Cookie" "$T/h"'
curl -s -D "$T/h" -o "$T/b" "${J[@]}" -d '{"email":"m@own.example","password":"a good long password"}' "$U/api/v1/session"
check "sign-in: 200, cookie HttpOnly; SameSite=Strict; Path=/ (no Secure without TLS)" \
  'grep -q "^HTTP/1.1 200" "$T/h" && grep -qi "^Set-Cookie: wb_session=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/\s*$" "$T/h"'
C=$(grep -i '^Set-Cookie' "$T/h" | sed 's/.*wb_session=\([0-9a-f]*\).*/\1/')
X=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$T/b")
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "wb_session=$C" "$U/api/v1/events")
check "the cookie opens the API" '[ "$code" = 200 ]'
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "wb_session=$C" "${J[@]}" -d '{"Event":{"info":"x"}}' "$U/api/v1/events")
check "POST without X-CSRF-Token: 403 in the API's error shape" '[ "$code" = 403 ] && grep -qx "{\"error\":{\"code\":\"csrf_failed\",\"message\":\"CSRF token missing or wrong\"}}" "$T/b"'
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "wb_session=$C" -H "X-CSRF-Token: $X" "${J[@]}" -d '{"Event":{"info":"x"}}' "$U/api/v1/events")
check "with it: 201" '[ "$code" = 201 ]'
code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -X DELETE -b "wb_session=$C" -H "X-CSRF-Token: $X" "$U/api/v1/session")
check "sign-out clears the cookie" '[ "$code" = 200 ] && grep -qi "^Set-Cookie: wb_session=; .*Max-Age=0" "$T/h"'
code=$(curl -s -o /dev/null -w '%{http_code}' -b "wb_session=$C" "$U/api/v1/events")
check "and the session is revoked on the hub" '[ "$code" = 401 ]'

tok=${link##*token=}
code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' "${J[@]}" -d "{\"token\":\"$tok\",\"password\":\"another long password\"}" "$U/api/v1/session/first-login")
check "the link sets the password and signs in" '[ "$code" = 200 ] && grep -qi "^Set-Cookie: wb_session=[0-9a-f]" "$T/h"'
code=$(curl -s -o "$T/b" -w '%{http_code}' "${J[@]}" -d "{\"token\":\"$tok\",\"password\":\"another long password\"}" "$U/api/v1/session/first-login")
check "a second use of the link: 401" '[ "$code" = 401 ] && grep -q "not valid" "$T/b"'
kill -TERM $SP; wait $SP; SP=

# Under TLS the cookie is Secure.
if command -v openssl >/dev/null &&
   openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/c.pem" -days 2 \
     -subj /CN=127.0.0.1 >/dev/null 2>&1; then
  PORT=$(port)
  "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --web "$T/web" --tls-cert "$T/c.pem" --tls-key "$T/k.pem" > "$T/serve.log" 2>&1 &
  SP=$!
  for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  curl -sk -D "$T/h" -o "$T/b" "${J[@]}" -d '{"email":"m@own.example","password":"another long password"}' "https://127.0.0.1:$PORT/api/v1/session"
  check "under TLS the cookie is Secure" 'grep -qi "^Set-Cookie: wb_session=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/; Secure" "$T/h"'
  kill -TERM $SP; wait $SP; SP=
else
  echo "skip TLS (no openssl to make a certificate)"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
