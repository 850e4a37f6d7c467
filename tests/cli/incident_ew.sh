#!/usr/bin/env bash
# incident_ew.sh - the early warning filed in one command, as a security
# officer under pressure would (issue #20): local times in Europe/Amsterdam
# and no JSON; the output says truthfully where it went ("recorded in the
# local register (not sent)" on --db, "sent to NCSC at ..., receipt ..." on
# --hub) and shows the deadlines with the time left; the id stays the last
# line. Times: now, local (echoed with the offset), the spring-forward gap and
# the repeated autumn hour refused with what to write. An unknown
# organisation says how to add it. incident due: the organisation's duties
# by default, the CSIRT's for a CSIRT's key (with the organisation column).
set -u
bin=$1
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$(readlink -f "$0")")/lib.sh"
ldb=$tmp/local.db
hdb=$tmp/hub.db
for db in "$ldb" "$hdb"; do
    "$bin" admin org add "Waterbedrijf Oost" --kind essential --sector drinking-water --db "$db" >/dev/null
    "$bin" admin org add NCSC --kind csirt --db "$db" >/dev/null
    "$bin" admin route add --sector '*' --csirt NCSC --db "$db" >/dev/null
done
"$bin" admin user add officer@oost.example --org "Waterbedrijf Oost" --role member --db "$hdb" >/dev/null
KO=$("$bin" admin key add officer@oost.example --db "$hdb" | awk '/^key:/ {print $2}')
"$bin" admin user add duty@ncsc.example --org NCSC --role member --db "$hdb" >/dev/null
KN=$("$bin" admin key add duty@ncsc.example --db "$hdb" | awk '/^key:/ {print $2}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$bin" serve --db "$hdb" --listen 127.0.0.1:$port --hooks-interval 0 >"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done

# Aware two hours ago, detected half an hour before that, as the wall clock
# in Amsterdam showed them (no offset written).
aware=$(TZ=Europe/Amsterdam date -d '-2 hours' '+%Y-%m-%d %H:%M')
detected=$(TZ=Europe/Amsterdam date -d '-150 minutes' '+%Y-%m-%dT%H:%M')
ew=(--summary "Pumping station control system unreachable" --suspected-malicious unknown
    --cross-border no --contact-name "Jan Jansen" --contact-email jan@oost.example
    --contact-phone "+31 20 555 0100")
run 0 incident new --org "Waterbedrijf Oost" --title "Storing pompstation" --aware-at "$aware" \
    --detected-at "$detected" "${ew[@]}" --db "$ldb"
has out 'incident 1 "Storing pompstation" of Waterbedrijf Oost: recorded in the local register (not sent) at '
has out "report 1: early-warning of incident 1, recorded in the local register (not sent) at "
has out "csirt-answer"
grep -Eq '^notification +[0-9T:+-]+ +open +in (69|70) h [0-9]{2} min ' "$tmp/out" ||
    { echo "FAIL: no time left on the notification"; cat "$tmp/out"; fail=1; }
grep -Eq 'met +- ' "$tmp/out" || { echo "FAIL: the early warning is not met"; fail=1; }
[ "$(tail -1 "$tmp/out")" = 1 ] || { echo "FAIL: the id is not the last line"; fail=1; }
has err "--aware-at $aware: ${aware/ /T}:00+0"
grep -q "sent to" "$tmp/out" && { echo "FAIL: --db claims it sent something"; fail=1; }

run 0 incident new --title "Storing pompstation" --aware-at "$aware" --detected-at "$detected" \
    "${ew[@]}" --hub "$url" --key "$KO"
has out 'incident 1 "Storing pompstation" of Waterbedrijf Oost: sent to NCSC at '
has out ", receipt: incident 1 on the hub"
grep -Eq '^report 1: early-warning of incident 1, sent to NCSC at [0-9T:+-]+, receipt sha256:[0-9a-f]{16}: met' "$tmp/out" ||
    { echo "FAIL: the early warning's receipt"; cat "$tmp/out"; fail=1; }
grep -Eq '^notification +[0-9T:+-]+ +open +in (69|70) h [0-9]{2} min ' "$tmp/out" ||
    { echo "FAIL: no time left on the hub's notification"; fail=1; }
[ "$(tail -1 "$tmp/out")" = 1 ] || { echo "FAIL: the id is not the last line (hub)"; fail=1; }
grep -q "not sent" "$tmp/out" && { echo "FAIL: --hub says not sent"; fail=1; }
# show prints every report's contents
run 0 incident show 1 --hub "$url" --key "$KO"
has out "summary: Pumping station control system unreachable"
has out "contact.phone: +31 20 555 0100"
run 0 incident export 1 --format json --hub "$url" --key "$KO"
python3 - "$tmp/out" <<'PYEOF' || { echo "FAIL: the report's contents"; fail=1; }
import json, sys
r = json.load(open(sys.argv[1]))
d = r["reports"][0]["report"]
assert d["summary"] == "Pumping station control system unreachable" and d["contact"]["phone"] == "+31 20 555 0100", d
PYEOF

# A field left out is named; the incident stays and the message says how to go on.
run 2 incident new --org "Waterbedrijf Oost" --title "Tweede" --aware-at now --summary "x" --db "$ldb"
has err "early warning (options): --suspected-malicious: missing: an early-warning report needs it"
has err "early warning (options): --cross-border: missing: an early-warning report needs it"
has err "early warning (options): --contact-name: missing: an early-warning report needs it"
has err "incident 2 is registered, its early warning is not"
[ "$(tail -1 "$tmp/out")" = 2 ] || { echo "FAIL: the id of a half-filed incident"; fail=1; }
run 0 incident report 2 --stage early-warning "${ew[@]}" --db "$ldb"
has out "report 2: early-warning of incident 2, recorded in the local register (not sent)"

# Times: the gap and the repeated hour are refused with what to write.
run 2 incident new --org "Waterbedrijf Oost" --title x --aware-at "2026-03-29 02:30" --db "$ldb"
has err "never happened in Europe/Amsterdam"
has err "2026-03-29T02:30:00+01:00"
run 2 incident new --org "Waterbedrijf Oost" --title x --aware-at 2026-10-25T02:30 --db "$ldb"
has err "happened twice in Europe/Amsterdam"
has err "2026-10-25T02:30:00+02:00 for the first (summer time) or 2026-10-25T02:30:00+01:00"
run 2 incident new --org "Waterbedrijf West" --title x --aware-at now --db "$ldb"
has err "unknown organisation 'Waterbedrijf West': add it first with 'weerbaar admin org add"

# due: the organisation's duties by default (the CSIRT's answer is not its
# own), the CSIRT's for its key, with the organisation column.
run 0 incident due --db "$ldb"
grep -q csirt-answer "$tmp/out" && { echo "FAIL: due shows the CSIRT's duty by default"; fail=1; }
run 0 incident due --hub "$url" --key "$KN"
has out "ORGANISATION"
has out "Waterbedrijf Oost csirt-answer"
grep -q notification "$tmp/out" && { echo "FAIL: a CSIRT's due shows the organisation's duties"; fail=1; }
run 1 incident due --duties csirt --now "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)" --db "$ldb"
has out "overdue by "
run 0 incident due --duties all --db "$ldb"
has out "csirt-answer"
has out "notification"
# The incident PDF in Dutch, drawn alike by the register and the hub.
if command -v pdftotext >/dev/null; then
    run 0 incident export 1 --format pdf --lang nl --out "$tmp/l.pdf" --db "$ldb"
    run 0 incident export 1 --format pdf --lang nl --out "$tmp/h.pdf" --hub "$url" --key "$KO"
    for x in l h; do
        pdftotext -raw "$tmp/$x.pdf" "$tmp/$x.txt"
        for w in Termijnen Meldingen "op tijd" "samenvatting Pumping station" "Acties van het CSIRT"; do
            grep -q "$w" "$tmp/$x.txt" || { echo "FAIL: the Dutch PDF ($x) lacks '$w'"; fail=1; }
        done
    done
    run 2 incident export 1 --format pdf --lang de --out "$tmp/x.pdf" --db "$ldb"
    has err "--lang 'de': nl or en"
fi
exit $fail
