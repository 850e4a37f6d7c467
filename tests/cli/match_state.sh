#!/usr/bin/env bash
# `weerbaar match --state FILE`: read positions kept across runs. The same
# sensor run twice over the same log stores each sighting once; a sensor
# that follows a log, is killed (-9) mid-file and restarted, while the log
# is appended to and rotated (rename + new file, then copytruncate),
# reports every line exactly once; a report left unacknowledged in the
# state file is sent again without counting twice (sighting_uuid); two
# overlapping directory arguments read each file once.
# Usage: tests/cli/match_state.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: match_state.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP= MP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; [ -n "$MP" ] && kill -9 $MP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB"; }
A org add Alpha --kind essential --sector energy >/dev/null 2>&1
A user add a@alpha.example --org Alpha --role member >/dev/null 2>&1
A user add s@alpha.example --org Alpha --role sensor >/dev/null 2>&1
key() { A key add "$1" | awk '/^key:/ {print $2}'; }
KA=$(key a@alpha.example); KS=$(key s@alpha.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --hooks-interval 0 > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
post() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' --data-binary "$2" "$U$3"; }
post "$KA" '{"Event":{"info":"state","distribution":"0","Attribute":[{"type":"domain","value":"one.example","to_ids":true},{"type":"domain","value":"two.example","to_ids":true}]}}' /api/v1/events > /dev/null
# total V: the sum of the hub's sighting counts of value V
total() {
  curl -s -H "Authorization: Bearer $KA" "$U/api/v1/sightings?value=$1" |
    python3 -c 'import json,sys; print(sum(s["Sighting"]["count"] for s in json.load(sys.stdin)["response"]))'
}
# lines FILE N VALUE: appends N log lines that each sight VALUE
lines() { for _ in $(seq "$2"); do printf '{"ts":"%s","q":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$3" >> "$1"; done; }

# ---- the same sensor twice over the same log -------------------------------------
lines "$T/a.log" 7 one.example
for run in 1 2; do
  "$WB" match --hub "$U" --key "$KS" --report --state "$T/a.state" --log-format jsonl --format count "$T/a.log" > "$T/out$run" 2> "$T/err$run"
done
check "run twice: each sighting stored once" '[ "$(total one.example)" = 7 ] && [ "$(cat $T/out2)" = 0 ]'
lines "$T/a.log" 2 one.example
"$WB" match --hub "$U" --key "$KS" --report --state "$T/a.state" --log-format jsonl --format count "$T/a.log" > "$T/out3" 2>&1
check "a third run reads only the new lines" '[ "$(total one.example)" = 9 ] && [ "$(head -1 $T/out3)" = 2 ]'
check "the state file names the log" 'grep -q "^file .*a.log" "$T/a.state"'

# ---- a sensor's options from the configuration file ([match] section) ------------
lines "$T/b.log" 3 one.example
printf '[match]\nhub = %s\nreport = true\nstate = %s\nlog-format = jsonl\nformat = count\n' "$U" "$T/b.state" > "$T/w.conf"
WEERBAAR_MATCH_KEY=$KS "$WB" match --config "$T/w.conf" "$T/b.log" > "$T/outc" 2> "$T/errc"; rc=$?
check "match --config: hub, report, state and formats from [match], the key from WEERBAAR_MATCH_KEY" '[ $rc = 0 ] && [ "$(total one.example)" = 12 ] && [ -s "$T/b.state" ] && [ "$(cat $T/outc)" = 3 ]'
printf '[match]\nhubb = x\n' > "$T/bad.conf"
"$WB" match --config "$T/bad.conf" "$T/b.log" > /dev/null 2> "$T/e"; rc=$?
check "an unknown [match] key: exit 2 naming file and line" '[ $rc = 2 ] && grep -q "bad.conf:2" "$T/e"'

# ---- follow: killed mid-file, restarted, rotated while it runs -------------------
L=$T/f.log
: > "$L"
follow() {
  "$WB" match --hub "$U" --key "$KS" --follow --hub-interval 1 --report --state "$T/f.state" \
    --log-format jsonl --format count "$L" >> "$T/f.out" 2>> "$T/f.err" &
  MP=$!
}
# wait_total V N: until the hub holds N sightings of V (at most 15 s)
wait_total() { for _ in $(seq 150); do [ "$(total "$1")" = "$2" ] && return 0; sleep 0.1; done; return 1; }
follow
lines "$L" 10 two.example
check "following: the first lines reported" 'wait_total two.example 10'
lines "$L" 5 two.example
sleep 0.3
kill -9 $MP; wait $MP 2>/dev/null; MP=
lines "$L" 5 two.example
follow
check "killed and restarted: every line once" 'wait_total two.example 20'
mv "$L" "$L.1"; lines "$L.1" 3 two.example   # written to the old file after the rename
lines "$L" 4 two.example                        # the new file
check "rotated by rename: the old file's last lines and the new file, once" 'wait_total two.example 27'
cp "$L" "$L.2"; : > "$L"; lines "$L" 2 two.example   # copytruncate
check "copytruncate: the lines after it, once" 'wait_total two.example 29'
kill -TERM $MP; wait $MP; rc=$?; MP=
check "SIGTERM: exit 0 or 1 (count output), nothing more" '[ $rc -le 1 ] && [ "$(total two.example)" = 29 ]'
follow
lines "$L" 1 two.example
check "restarted after the rotations: only the new line" 'wait_total two.example 30'
kill -TERM $MP; wait $MP; MP=
sleep 0.2
check "and no more" '[ "$(total two.example)" = 30 ]'

# ---- a report left unacknowledged is sent again, counted once --------------------
SU=2b3c4d5e-6f70-4819-9aab-1c2d3e4f5a6b
post "$KS" '{"value":"one.example","count":4,"sighting_uuid":"'$SU'"}' /api/v1/sightings > /dev/null
{ echo "weerbaar-match-state 1"; echo 'pending [{"value":"one.example","count":4,"sighting_uuid":"'$SU'"}]'; } > "$T/p.state"
: > "$T/empty.log"
"$WB" match --hub "$U" --key "$KS" --report --state "$T/p.state" --log-format jsonl "$T/empty.log" > /dev/null 2> "$T/p.err"
check "pending report resent, not counted twice, then cleared" '[ "$(total one.example)" = 16 ] && ! grep -q "^pending" "$T/p.state"'
echo garbage > "$T/bad.state"
"$WB" match --hub "$U" --key "$KS" --state "$T/bad.state" "$T/empty.log" > /dev/null 2> "$T/e"; rc=$?
check "a damaged state file: exit 2 naming file and line" '[ $rc = 2 ] && grep -q "bad.state:1:" "$T/e"'

# ---- overlapping directories: each file once ------------------------------------
mkdir -p "$T/d/sub"
printf 'one.example\n' > "$T/iocs.txt"
lines "$T/d/x.log" 2 one.example
lines "$T/d/sub/y.log" 3 one.example
"$WB" match -i "$T/iocs.txt" --log-format jsonl --format count "$T/d" "$T/d/sub" "$T/d/sub/y.log" > "$T/c" 2>&1
check "overlapping directory arguments read each file once" '[ "$(cat $T/c)" = 5 ]'
kill -TERM $SP; wait $SP; SP=
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
