#!/usr/bin/env bash
# The hub's connection-level limits (docs/hub.md, "Limits") under abuse, on
# loopback from several 127.x source addresses: strangers' large bodies
# refused on the headers (server memory bounded), slowloris cut off at the
# header deadline while honest clients are served, connections per address,
# slow public feed readers that neither starve keyed feed readers nor keep
# the WAL from being checkpointed, and the protocol edges answered in JSON.
# The scenarios are in tests/cli/hub_limits.py; this starts the server.
# Usage: tests/cli/hub_limits.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: hub_limits.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0))' 2>/dev/null ||
  { echo "cannot bind 127.0.0.2 (no 127/8 loopback)"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
DB=$T/hub.db
"$WB" admin demo --db "$DB" > "$T/demo" 2>&1 || { echo "FAIL admin demo"; cat "$T/demo"; exit 1; }
KEY=$(awk '$1 == "analist@csirt.example" {print $4}' "$T/demo")
SENSOR=$(awk '$1 == "sensor@energienet.example" {print $4}' "$T/demo")
# A public feed larger than the socket buffers (30,000 TLP:CLEAR ip|port
# values, each two lines of hashes.csv: 4.2 MB), so that a reader that does
# not read holds its stream. (Composite values: half the attributes to post
# for the same feed, which under ASan saves ten seconds.)
python3 - "$T/big.json" <<'PY'
import json, sys
attrs = [{"type": "ip-dst|port", "value": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}|{1000 + i}",
          "to_ids": True, "distribution": "5"} for i in range(30000)]
json.dump({"Event": {"info": "big public event", "distribution": "3", "published": True,
                     "Tag": [{"name": "tlp:clear"}], "Attribute": attrs}}, open(sys.argv[1], "w"))
PY
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --max-body 10000000 --header-timeout 2 \
  --max-per-address 20 --rate 100000 --hooks-interval 0 > "$T/serve.log" 2>&1 &
SP=$!
up=
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && up=1 && break; sleep 0.1; done
[ -n "$up" ] || { echo "FAIL server did not start"; cat "$T/serve.log"; exit 1; }
code=$(curl -s -o "$T/r" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary @"$T/big.json" "http://127.0.0.1:$PORT/api/v1/events")
[ "$code" = 201 ] || { echo "FAIL posting the big public event: $code"; head -c 300 "$T/r"; exit 1; }
python3 tests/cli/hub_limits.py "$PORT" "$SP" "$KEY" "$SENSOR" "$DB"
rc=$?
# The gate's refusals of those scenarios, counted by reason in /metrics.
curl -s "http://127.0.0.1:$PORT/metrics" > "$T/metrics"
for reason in too_many_connections request_timeout; do
  n=$(awk -v r="weerbaar_gate_refused_total{reason=\"$reason\"}" '$1 == r {print $2}' "$T/metrics")
  if [ "${n:-0}" -ge 1 ] 2>/dev/null; then echo "ok   /metrics counts the gate's $reason refusals ($n)"
  else echo "FAIL /metrics: no weerbaar_gate_refused_total for $reason"; grep refused "$T/metrics"; rc=1; fi
done
stop() {
  kill -0 $SP 2>/dev/null || { echo "FAIL the server died"; rc=1; }
  kill -TERM $SP; wait $SP; src=$?
  [ $src = 0 ] || { echo "FAIL server exit status $src"; rc=1; }
  SP=
  if grep -q "ERROR: AddressSanitizer\|runtime error" "$T/serve.log"; then
    echo "FAIL sanitizer report:"; cat "$T/serve.log"; rc=1
  fi
}
stop
# The connections kept for keyed clients, on a hub with room for 32.
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --max-connections 32 --hooks-interval 0 \
  > "$T/serve.log" 2>&1 &
SP=$!
up=
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && up=1 && break; sleep 0.1; done
[ -n "$up" ] || { echo "FAIL second server did not start"; cat "$T/serve.log"; exit 1; }
python3 tests/cli/hub_limits.py reserve "$PORT" "$KEY" || rc=1
stop
# With TLS the heads are encrypted: the deadline is kept inside libmicrohttpd.
if command -v openssl >/dev/null &&
   openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/c.pem" -days 2 \
     -subj "/CN=localhost" >/dev/null 2>&1; then
  "$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --tls-cert "$T/c.pem" --tls-key "$T/k.pem" \
    --header-timeout 2 --hooks-interval 0 > "$T/serve.log" 2>&1 &
  SP=$!
  up=
  for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:$PORT/" && up=1 && break; sleep 0.1; done
  [ -n "$up" ] || { echo "FAIL TLS server did not start"; cat "$T/serve.log"; exit 1; }
  python3 tests/cli/hub_limits.py tls "$PORT" "$KEY" || rc=1
  stop
else
  echo "skip TLS (no openssl to make a certificate)"
fi
exit $rc
