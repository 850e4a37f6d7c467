#!/usr/bin/env bash
# incident_mail.sh - e-mail reminders end to end on a local register:
# `weerbaar admin hook add --email ADDR --lang nl|en` and `weerbaar incident
# hooks run --smtp URL --mail-from ADDR` against Debian's aiosmtpd on
# loopback. Checks that the reminder arrives with the right deadline in the
# recipient's language and a link to the hub's page; that a server that
# refuses first (451) and then accepts gets the message once; that a
# recipient refused every time is given up after a bounded number of
# attempts; and STARTTLS with authentication against a throwaway
# certificate, with the password in no output or record.
set -u
bin=$1
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd missing"; exit 77; }
command -v openssl >/dev/null || { echo "openssl missing"; exit 77; }
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$(readlink -f "$0")")/lib.sh"

# The server: every accepted message as a JSON line; a recipient whose
# address starts with "flaky" is refused (451) the first time, "never"
# always (550). With a certificate: STARTTLS and AUTH required.
cat >"$tmp/smtpd.py" <<'PYEOF'
import json, signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
log, port = sys.argv[1], int(sys.argv[2])
tls = len(sys.argv) > 3
seen = {}
class H:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        seen[address] = seen.get(address, 0) + 1
        if address.startswith("never"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("flaky") and seen[address] == 1:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        with open(log, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "data": envelope.content.decode("utf-8"),
                                "tls": session.ssl is not None,
                                "auth": bool(session.authenticated)}) + "\n")
        return "250 OK"
def auth(server, session, envelope, mechanism, data):
    # handled=False: aiosmtpd 1.4 answers a refusal (535) only then.
    return AuthResult(success=isinstance(data, LoginPassword) and data.login == b"relay"
                      and data.password == b"s3cret-pw", handled=False)
kw = {}
if tls:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    kw = dict(tls_context=ctx, require_starttls=True, authenticator=auth, auth_required=True)
c = Controller(H(), hostname="127.0.0.1", port=port, ready_timeout=30, **kw)
c.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
c.stop()
PYEOF
start_smtpd() { # start_smtpd [CERT KEY]
    port=$(free_port)
    : >"$tmp/mail.jsonl"
    /usr/bin/python3 "$tmp/smtpd.py" "$tmp/mail.jsonl" "$port" "$@" >"$tmp/smtpd.out" 2>&1 &
    spid=$!
    # Python's asyncio start-up takes seconds on a loaded machine.
    for _ in $(seq 600); do grep -q ready "$tmp/smtpd.out" 2>/dev/null && break; sleep 0.05; done
    grep -q ready "$tmp/smtpd.out" || { echo "FAIL: smtpd did not start"; cat "$tmp/smtpd.out"; fail=1; }
}
stop_smtpd() { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=; }
mails() { # mails 'PYTHON': the accepted messages as `m` (from, to, data)
    /usr/bin/python3 - "$tmp/mail.jsonl" "$1" <<'PYEOF' || { echo "FAIL: $1"; fail=1; }
import email, email.policy, json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
for x in m:
    x["msg"] = email.message_from_string(x["data"], policy=email.policy.default)
try:
    exec(sys.argv[2])
except AssertionError as e:
    print("assertion:", e, [(x["to"], x["msg"]["Subject"]) for x in m], file=sys.stderr)
    sys.exit(1)
PYEOF
}

db=$tmp/inc.db
run 0 admin org add Gamma --kind essential --sector energy --db "$db"
run 0 admin org add NCSC --kind csirt --db "$db"
run 0 admin route add --sector '*' --csirt NCSC --db "$db"
run 0 admin hook add --org Gamma --email security@gamma.example --db "$db"
has out "hook 1 for Gamma: mailto:security@gamma.example (nl)"
run 0 admin hook add --org NCSC --email flaky@ncsc.example --lang en --db "$db"
run 2 admin hook add --org NCSC --email 'a@b.example>, c@d.example' --db "$db"
has err "is not an e-mail address"
run 2 admin hook add --org NCSC --email x@ncsc.example --lang de --db "$db"
has err "nl or en"
run 2 admin hook add --org NCSC --lang en --db "$db"
has err "expected 'add --org ORG --url URL'"
run 2 incident hooks run --once --smtp smtp://relay:pw@127.0.0.1:25 --mail-from a@b.example --db "$db"
has err "no user or password in the URL"
run 2 incident hooks run --once --smtp smtp://127.0.0.1:25 --db "$db"
has err "--mail-from ADDR"
# serve checks the same before it starts.
run 2 serve --db "$tmp/serve.db" --smtp smtp://relay:pw@127.0.0.1:25 --mail-from a@b.example
has err "no user or password in the URL"
run 2 serve --db "$tmp/serve.db" --smtp smtps://127.0.0.1:465 --smtp-plain --mail-from a@b.example
has err "--smtp-plain is for smtp://"

# Aware 30 January 09:00 Amsterdam: the early warning is due 31 January
# 09:00 (+01:00), 08:00 UTC.
run 0 incident new --org Gamma --title "Storing portaal" --aware-at 2026-01-30T09:00:00+01:00 --db "$db"

start_smtpd
smtp=(--smtp "smtp://127.0.0.1:$port" --smtp-plain --mail-from weerbaar@hub.example
    --hub-url https://hub.example/)
# Without --smtp the e-mails wait, untouched.
run 0 incident hooks run --once --now 2026-01-31T03:00:00Z --db "$db"
has out "hooks: 2 queued, 0 delivered, 0 to retry, 0 failed"
# With it: Gamma's arrives (in Dutch); the CSIRT's server refuses once.
run 0 incident hooks run --once --now 2026-01-31T03:00:00Z "${smtp[@]}" --db "$db"
has out "hooks: 0 queued, 1 delivered, 1 to retry, 0 failed"
mails '
assert len(m) == 1, m
g = m[0]["msg"]
assert m[0]["to"] == ["security@gamma.example"] and m[0]["from"] == "weerbaar@hub.example"
assert g["Subject"] == "Herinnering: vroegtijdige waarschuwing van incident 1 uiterlijk 2026-01-31 09:00 +01:00", g["Subject"]
assert g["Content-Language"] == "nl" and g["Auto-Submitted"] == "auto-generated"
assert g["X-Weerbaar-Event-Key"] == "incident:1:early-warning:2026-01-31T08:00:00Z:due-6h"
b = g.get_content()
assert "Incident 1: Storing portaal (Gamma)" in b, b
assert "verstrijkt op 2026-01-31 09:00 +01:00 (Europe/Amsterdam), 2026-01-31 08:00 UTC" in b, b
assert "https://hub.example/#/incidents/1" in b, b
'
run 0 admin hook deliveries --format json --db "$db"
/usr/bin/python3 -c "
import json; r=json.load(open('$tmp/out'))
f=[x for x in r if x['hook']==2][0]
assert f['status']=='pending' and f['attempts']==1 and f['last_status']==451 and '451' in f['last_error'], f" ||
    { echo "FAIL: the refused delivery's record"; fail=1; }
# 30 seconds later the retry goes through, once, in English.
run 0 incident hooks run --once --now 2026-01-31T03:00:30Z "${smtp[@]}" --db "$db"
has out "hooks: 0 queued, 1 delivered, 0 to retry, 0 failed"
run 0 incident hooks run --once --now 2026-01-31T03:10:00Z "${smtp[@]}" --db "$db"
has out "hooks: 0 queued, 0 delivered, 0 to retry, 0 failed"
mails '
assert len(m) == 2, m
n = m[1]["msg"]
assert m[1]["to"] == ["flaky@ncsc.example"]
assert n["Subject"] == "Reminder: the early warning of incident 1 is due at 2026-01-31 09:00 +01:00", n["Subject"]
assert "The early warning is due at 2026-01-31 09:00 +01:00 (Europe/Amsterdam)" in n.get_content()
'

# A recipient refused every time: given up after 8 attempts.
run 0 admin hook add --org Gamma --email never@gamma.example --lang en --db "$db"
for h in 04 05 06 07 08 09 10 11 12; do
    run 0 incident hooks run --once --now "2026-01-31T$h:00:00Z" "${smtp[@]}" --db "$db"
done
run 0 admin hook deliveries 3 --format json --db "$db"
/usr/bin/python3 -c "
import json; r=json.load(open('$tmp/out'))
assert [(x['status'],x['attempts'],x['last_status']) for x in r if x['event_key'].endswith('due-6h')]==[('failed',8,550)], r" ||
    { echo "FAIL: a recipient refused every time is not given up after 8 attempts"; fail=1; }
stop_smtpd

# STARTTLS and AUTH with a throwaway certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
start_smtpd "$tmp/cert.pem" "$tmp/key.pem"
db2=$tmp/tls.db
run 0 admin org add Delta --kind essential --sector energy --db "$db2"
run 0 admin hook add --org Delta --email ciso@delta.example --lang en --db "$db2"
run 0 incident new --org Delta --title "Ransomware" --aware-at 2026-03-01T12:00:00+01:00 --db "$db2"
tls=(--smtp "smtp://127.0.0.1:$port" --mail-from weerbaar@hub.example --smtp-ca "$tmp/cert.pem"
    --smtp-user relay)
# A wrong password: refused, retried, and the password is nowhere.
WEERBAAR_SMTP_PASSWORD=wrong-Pa55word "$bin" incident hooks run --once --now 2026-03-02T08:00:00Z \
    "${tls[@]}" --db "$db2" >"$tmp/out" 2>"$tmp/err"
has out "hooks: 1 queued, 0 delivered, 1 to retry"
run 0 admin hook deliveries --format json --db "$db2"
grep -q "wrong-Pa55word" "$tmp/out" "$tmp/err" && { echo "FAIL: the password in a record"; fail=1; }
has out '"last_status": 535'
# Without the CA the certificate is refused.
WEERBAAR_SMTP_PASSWORD=s3cret-pw "$bin" incident hooks run --once --now 2026-03-02T09:00:00Z \
    --smtp "smtp://127.0.0.1:$port" --mail-from weerbaar@hub.example --smtp-user relay \
    --db "$db2" >"$tmp/out" 2>"$tmp/err"
has out "hooks: 0 queued, 0 delivered, 1 to retry"
WEERBAAR_SMTP_PASSWORD=s3cret-pw "$bin" incident hooks run --once --now 2026-03-02T10:00:00Z \
    "${tls[@]}" --db "$db2" >"$tmp/out" 2>"$tmp/err"
has out "hooks: 0 queued, 1 delivered, 0 to retry"
mails '
assert len(m) == 1 and m[0]["tls"] and m[0]["auth"], m
assert m[0]["msg"]["Subject"] == "Reminder: the early warning of incident 1 is due at 2026-03-02 12:00 +01:00"
'
stop_smtpd

[ "$fail" = 0 ] && echo "incident_mail: ok"
exit "$fail"
