#!/usr/bin/env bash
# incident_hooks.sh - reminder webhooks end to end on a local register:
# `weerbaar admin hook add|list|remove|deliveries` and `weerbaar incident
# hooks run --once --now TIME` against a python3 receiver on loopback. It
# checks the signature (HMAC-SHA256 over the body with the printed secret),
# the body and headers, the 6-hour and overdue triggers, the new-report
# message to the CSIRT, a retry after a 500 with the same delivery id, and
# that each event fires once however often the dispatcher runs.
set -u
bin=$1
d=tests/data/incident
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d)
rpid=
spid=
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
db=$tmp/inc.db
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# py 'CODE': python with the receiver's requests as `reqs` (a list of
# {path, headers, body}) and the secrets as `sec`.
py() {
    python3 - "$tmp" "$1" <<'PYEOF' || { echo "FAIL: $1"; fail=1; }
import json, sys, hmac, hashlib
tmp, code = sys.argv[1], sys.argv[2]
reqs = [json.loads(l) for l in open(tmp + "/received.jsonl")]
sec = {k: open(tmp + "/secret." + k).read().strip() for k in ("gamma", "ncsc")}
# The receiver's check of docs/incident.md: the signed time within 300 s of
# the receiver's clock, the HMAC over "t.id.body" compared in constant time,
# and each delivery id acted on once (a retry repeats it).
def verify(r, s, now=None, seen=None):
    import time
    f = dict(p.split("=", 1) for p in r["headers"]["X-Weerbaar-Signature"].split(","))
    t, did = int(f["t"]), r["headers"]["X-Weerbaar-Delivery"]
    mac = hmac.new(s.encode(), f"{t}.{did}.{r['body']}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, f["v1"]): return "forged"
    if abs((now or time.time()) - t) > 300: return "stale"
    if seen is not None:
        if did in seen: return "replayed"
        seen.add(did)
    return "ok"
def sig(r, s):
    return verify(r, s) == "ok"
def body(r):
    return json.loads(r["body"])
try:
    exec(code)
except AssertionError as e:
    print("assertion:", e, file=sys.stderr)
    for r in reqs:
        print(r["path"], r["headers"].get("X-Weerbaar-Event-Key"), file=sys.stderr)
    sys.exit(1)
PYEOF
}

# ---- the receiver: logs every POST; /ncsc answers 500 the first time ----------------
cat >"$tmp/recv.py" <<'PYEOF'
import http.server, json, sys
log, portfile = sys.argv[1], sys.argv[2]
seen = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body}) + "\n")
        seen[self.path] = seen.get(self.path, 0) + 1
        code = 500 if self.path == "/ncsc" and seen[self.path] == 1 else 204
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
: >"$tmp/received.jsonl"
python3 "$tmp/recv.py" "$tmp/received.jsonl" "$tmp/port" &
rpid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(cat "$tmp/port")
url=http://127.0.0.1:$port

run 0 admin org add Gamma --kind essential --sector energy --db "$db"
run 0 admin org add NCSC --kind csirt --db "$db"
run 0 admin route add --sector '*' --csirt NCSC --db "$db"

# hook add: the id and the secret, once; bad URLs refused.
run 0 admin hook add --org Gamma --url "$url/gamma" --allow-insecure --allow-private --db "$db"
has out "hook 1 for Gamma"
sed -n 's/^secret //p' "$tmp/out" >"$tmp/secret.gamma"
grep -qE '^[0-9a-f]{64}$' "$tmp/secret.gamma" || { echo "FAIL: no secret printed"; cat "$tmp/out"; fail=1; }
run 0 admin hook add --org NCSC --url "$url/ncsc" --allow-insecure --allow-private --db "$db"
sed -n 's/^secret //p' "$tmp/out" >"$tmp/secret.ncsc"
run 2 admin hook add --org NCSC --url "file:///etc/passwd" --db "$db"
has err "must start with http:// or https://"
# http:// and loopback, link-local or private targets only when allowed.
run 2 admin hook add --org NCSC --url "$url/x" --db "$db"
has err "not https:// (the reminders name incidents; --allow-insecure to add it anyway)"
run 2 admin hook add --org NCSC --url "$url/x" --allow-insecure --db "$db"
has err "'127.0.0.1' is 127.0.0.1, a loopback, link-local or private address (--allow-private"
for target in https://169.254.169.254/latest https://10.1.2.3/h https://[::1]:8443/h https://[fe80::1]/h \
    https://192.168.1.10/h https://[::ffff:172.16.0.1]/h https://localhost/h; do
    run 2 admin hook add --org NCSC --url "$target" --db "$db"
    has err "a loopback, link-local or private address"
done
run 2 admin hook add --org Nobody --url "$url/x" --allow-insecure --allow-private --db "$db"
has err "Nobody"
run 2 admin hook add --org NCSC --db "$db"
has err "expected 'add --org ORG --url URL'"
run 0 admin hook list --format json --db "$db"
python3 -c "import json; r=json.load(open('$tmp/out')); assert [(h['id'],h['org']) for h in r]==[(1,'Gamma'),(2,'NCSC')] and 'secret' not in r[0], r" ||
    { echo "FAIL: hook list"; fail=1; }
grep -qf "$tmp/secret.gamma" "$tmp/out" && { echo "FAIL: hook list shows a secret"; fail=1; }

# Aware 30 January 08:00 UTC: the early warning is due 31 January 08:00 UTC.
run 0 incident new --org Gamma --title "Portal DDoS" --aware-at 2026-01-30T09:00:00+01:00 --db "$db"

# 7 hours before: nothing yet.
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-01-31T01:00:00Z --db "$db"
has out "hooks: 0 queued, 0 delivered"
# 5 hours before: a reminder to Gamma and to its CSIRT; NCSC's receiver fails once.
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-01-31T03:00:00Z --db "$db"
has out "hooks: 2 queued, 1 delivered, 1 to retry, 0 failed"
py '
assert len(reqs) == 2, reqs
g = [r for r in reqs if r["path"] == "/gamma"][0]
b = body(g)
assert sig(g, sec["gamma"]), "signature"
assert verify(g, sec["ncsc"]) == "forged"
# A captured delivery replayed: under a new delivery id it is forged; as is,
# the receiver has acted on its id already; later than 300 s it is stale.
seen = set()
assert verify(g, sec["gamma"], seen=seen) == "ok"
assert verify(g, sec["gamma"], seen=seen) == "replayed"
import copy, time
g2 = copy.deepcopy(g)
g2["headers"]["X-Weerbaar-Delivery"] = "00000000-0000-4000-8000-000000000000"
assert verify(g2, sec["gamma"]) == "forged"
assert verify(g, sec["gamma"], now=time.time() + 301) == "stale"
assert g["headers"]["Content-Type"] == "application/json"
assert g["headers"]["X-Weerbaar-Delivery"] == b["delivery"]
assert b["event"] == "deadline.due-soon" and b["deadline"]["stage"] == "early-warning"
assert b["deadline"]["due"] == "2026-01-31T08:00:00Z" and b["deadline"]["state"] == "open"
assert b["key"] == "incident:1:early-warning:2026-01-31T08:00:00Z:due-6h", b["key"]
assert g["headers"]["X-Weerbaar-Event-Key"] == b["key"]
assert b["incident"]["id"] == 1 and b["incident"]["org"] == "Gamma" and b["incident"]["title"] == "Portal DDoS"
n = [r for r in reqs if r["path"] == "/ncsc"][0]
assert sig(n, sec["ncsc"])
'
# Again at the same time: nothing new, and the retry waits for its backoff.
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-01-31T03:00:00Z --db "$db"
has out "hooks: 0 queued, 0 delivered, 0 to retry"
# 30 seconds later the retry goes, with the same delivery id and body.
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-01-31T03:00:30Z --db "$db"
has out "hooks: 0 queued, 1 delivered, 0 to retry"
py '
n = [r for r in reqs if r["path"] == "/ncsc"]
assert len(n) == 2 and n[0]["body"] == n[1]["body"]
assert n[0]["headers"]["X-Weerbaar-Delivery"] == n[1]["headers"]["X-Weerbaar-Delivery"]
'
run 0 admin hook deliveries --format json --db "$db"
python3 -c "
import json; r=json.load(open('$tmp/out'))
assert [(x['hook'],x['status'],x['attempts']) for x in r]==[(1,'delivered',1),(2,'delivered',2)], r
assert r[1]['last_status']==204 and r[1]['body']['event']=='deadline.due-soon', r" ||
    { echo "FAIL: hook deliveries"; fail=1; }

# The early warning comes in: a report.new message to the CSIRT only.
run 0 incident report 1 --stage early-warning --file "$d/early-warning.json" \
    --submitted-at 2026-01-31T07:00:00Z --db "$db"
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-01-31T07:30:00Z --db "$db"
has out "hooks: 1 queued, 1 delivered"
py '
r = reqs[-1]
b = body(r)
assert r["path"] == "/ncsc" and b["event"] == "report.new", b
assert b["report"]["stage"] == "early-warning" and b["report"]["submitted_at"] == "2026-01-31T07:00:00Z"
assert b["report"]["channel"] == "recorded" and b["key"] == "incident:1:report:1"
assert sig(r, sec["ncsc"])
'

# 2 February 09:00 UTC: the notification (due 08:00) and the CSIRT's answer
# (due 1 February 07:00) are overdue: both to both hooks, once.
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-02-02T09:00:00Z --db "$db"
has out "hooks: 4 queued, 4 delivered"
py '
keys = sorted(body(r)["key"] for r in reqs[-4:])
assert keys == ["incident:1:csirt-answer:2026-02-01T07:00:00Z:overdue"] * 2 + ["incident:1:notification:2026-02-02T08:00:00Z:overdue"] * 2, keys
assert all(body(r)["event"] == "deadline.overdue" and body(r)["deadline"]["state"] == "overdue" for r in reqs[-4:])
'
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-02-02T10:00:00Z --db "$db"
has out "hooks: 0 queued, 0 delivered"

# A removed hook gets nothing more, and its pending deliveries are cancelled.
kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
rpid=
run 0 incident ack 1 --db "$db"
run 0 incident report 1 --stage notification --file "$d/notification.json" \
    --submitted-at 2026-02-02T10:00:00Z --db "$db"
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-02-02T11:00:00Z --db "$db"
has out "hooks: 1 queued, 0 delivered, 1 to retry"
run 0 admin hook remove 2 --db "$db"
has out "hook 2 removed"
run 2 admin hook remove 2 --db "$db"
has err "no active hook 2"
run 0 admin hook deliveries 2 --format json --db "$db"
python3 -c "import json; r=json.load(open('$tmp/out')); assert r[-1]['status']=='cancelled' and r[-1]['last_status']==0 and r[-1]['last_error'], r" ||
    { echo "FAIL: cancelled delivery"; cat "$tmp/out"; fail=1; }
run 0 incident hooks run --once --allow-insecure --allow-private --now 2026-02-02T12:00:00Z --db "$db"
has out "hooks: 0 queued, 0 delivered, 0 to retry"

# Usage errors.
run 2 incident hooks run --now 2026-02-02T12:00:00Z --db "$db"
has err "--now needs --once"
run 2 incident hooks run --once
has err "--db PATH is required"
run 2 incident hooks start --db "$db"
has err "expected 'run"
# ---- the hub's dispatcher thread (weerbaar serve --hooks-interval 1) ------------------
command -v curl >/dev/null || { echo "curl missing: the serve part is skipped"; exit $fail; }
hdb=$tmp/hub.db
: >"$tmp/received.jsonl"
rm -f "$tmp/port"
python3 "$tmp/recv.py" "$tmp/received.jsonl" "$tmp/port" &
rpid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$tmp/port")
run 0 admin org add Gamma --kind essential --sector energy --db "$hdb"
run 0 admin org add NCSC --kind csirt --db "$hdb"
run 0 admin route add --sector '*' --csirt NCSC --db "$hdb"
run 0 admin user add g@gamma.example --org Gamma --role member --db "$hdb"
run 0 admin key add g@gamma.example --db "$hdb"
kg=$(awk '/^key:/ {print $2}' "$tmp/out")
run 0 admin hook add --org Gamma --url "$url/gamma" --allow-insecure --allow-private --db "$hdb"
sed -n 's/^secret //p' "$tmp/out" >"$tmp/secret.gamma"
# /ncsc answers 500 to its first request: the thread retries after 30 s,
# longer than this test waits, so NCSC's receiver path is /csirt here.
run 0 admin hook add --org NCSC --url "$url/csirt" --allow-insecure --allow-private --db "$hdb"
sed -n 's/^secret //p' "$tmp/out" >"$tmp/secret.ncsc"
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
hub=http://127.0.0.1:$hport
"$bin" serve --db "$hdb" --listen 127.0.0.1:$hport --hooks-interval 1 --hooks-allow-insecure --hooks-allow-private >"$tmp/serve.log" 2>&1 &
spid=$!
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null; [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "$hub/" && break; sleep 0.1; done
waitfor() { # waitfor N: until the receiver has N requests (at most 15 s)
    for _ in $(seq 150); do [ "$(wc -l <"$tmp/received.jsonl")" -ge "$1" ] && return 0; sleep 0.1; done
    echo "FAIL: the receiver got $(wc -l <"$tmp/received.jsonl") requests, not $1"
    fail=1
}
# Aware 19 hours ago: the early warning is due in 5 hours.
aware=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(hours=19)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
run 0 incident new --title "Portal DDoS" --aware-at "$aware" --hub "$hub" --key "$kg"
waitfor 2
run 0 incident report 1 --stage early-warning --file "$d/early-warning.json" --hub "$hub" --key "$kg"
waitfor 3
sleep 2 # nothing more may come
py '
assert len(reqs) == 3, [body(r)["key"] for r in reqs]
due = sorted((r["path"], body(r)["event"], body(r)["deadline"]["stage"]) for r in reqs[:2])
assert due == [("/csirt", "deadline.due-soon", "early-warning"), ("/gamma", "deadline.due-soon", "early-warning")], due
assert all(sig(r, sec["gamma" if r["path"] == "/gamma" else "ncsc"]) for r in reqs)
r = reqs[2]
assert r["path"] == "/csirt" and body(r)["event"] == "report.new" and body(r)["report"]["channel"] == "hub"
'
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
src=$?
spid=
# Exit 0: the dispatcher thread stopped and freed everything (ASan builds
# report leaks with another status).
[ "$src" = 0 ] && grep -q "stopped" "$tmp/serve.log" ||
    { echo "FAIL: serve did not stop cleanly (exit $src)"; cat "$tmp/serve.log"; fail=1; }
exit $fail
