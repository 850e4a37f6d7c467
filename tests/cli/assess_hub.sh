#!/usr/bin/env bash
# assess_hub.sh - `weerbaar assess ... --hub URL --key KEY` against a real hub
# on a loopback port: the same commands as with --db give the same output
# (show, export, history, diff), a bad import is refused with its row and
# column and writes nothing, the CSIRT sees the assessment only after
# `assess share` and not after --revoke, the supervisor's sector view obeys
# the hub's --sector-k, and errors exit 2.
# Usage: tests/cli/assess_hub.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: assess_hub.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
d=tests/data/assess

DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB" >/dev/null 2>&1; }
A org add Gamma --kind essential --sector energy
A org add Delta --kind essential --sector energy
A org add NCSC --kind csirt
A org add RDI --kind supervisor
A route add --sector energy --csirt NCSC --supervisor RDI
A user add boss@gamma.example --org Gamma --role org-admin
A user add d@delta.example --org Delta --role org-admin
A user add c@ncsc.example --org NCSC --role member
A user add s@rdi.example --org RDI --role member
key() { "$WB" admin key add "$1" --db "$DB" | awk '/^key:/ {print $2}'; }
KG=$(key boss@gamma.example); KD=$(key d@delta.example)
KC=$(key c@ncsc.example); KS=$(key s@rdi.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --sector-k 2 > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
H() { "$WB" assess "$@" --hub "$U"; }

# the same assessment on a local database, for comparison
L=$T/local.db
"$WB" admin org add Gamma --kind essential --sector energy --db "$L" >/dev/null
lid=$("$WB" assess new --catalogue cbw_nis2 --org Gamma --scope IT --db "$L")
"$WB" assess import "$lid" $d/cbw-2025.csv --db "$L" >/dev/null
"$WB" assess answer "$lid" 11.1 --level 4 --owner CISO --db "$L" >/dev/null

id=$(H new --catalogue cbw_nis2 --scope IT --key "$KG"); rc=$?
check "new over the hub prints the id alone" '[ $rc = 0 ] && [[ $id =~ ^[0-9]+$ ]]'
# a client without catalogues of its own: the hub's decide
mkdir -p "$T/nocats"
nid=$(WEERBAAR_CATALOGUES=$T/nocats H new --catalogue nist-csf-2.0 --key "$KG" 2> "$T/e"); rc=$?
check "new over the hub needs no local catalogues" '[ $rc = 0 ] && [[ $nid =~ ^[0-9]+$ ]]'
WEERBAAR_CATALOGUES=$T/nocats H new --catalogue no-such --key "$KG" > /dev/null 2> "$T/e"; rc=$?
check "new over the hub: the hub names a catalogue it lacks; exit 2" '[ $rc = 2 ] && grep -q "no-such" "$T/e"'
H new --catalogue cbw_nis2 --org Delta --key "$KG" > /dev/null 2> "$T/e"; rc=$?
check "new for another organisation: 403, exit 2" '[ $rc = 2 ] && grep -q "own organisation" "$T/e"'
printf 'ref,level\n1.1,3\n2.1,9\n' > "$T/bad.csv"
H import "$id" "$T/bad.csv" --key "$KG" > /dev/null 2> "$T/e"; rc=$?
check "bad import: row, column, reason; exit 2" '[ $rc = 2 ] && grep -q "bad.csv:3: row 3, column level" "$T/e"'
H history "$id" --format json --key "$KG" > "$T/h.json"
check "bad import wrote nothing" "j $T/h.json 'd==[]'"
out=$(H import "$id" $d/cbw-2025.csv --key "$KG"); rc=$?
check "import over the hub prints ID@1" '[ $rc = 0 ] && [ "$out" = "$id@1" ]'
out=$(H answer "$id" 11.1 --level 4 --owner CISO --key "$KG")
check "answer over the hub prints ID@2" '[ "$out" = "$id@2" ]'

# same commands, same output as --db (ids and times aside)
strip() { sed -e 's/assessment [0-9]* of/assessment N of/' -e 's/[0-9T:.-]*Z/TIME/g' "$1"; }
H show "$id" --key "$KG" > "$T/hs"; "$WB" assess show "$lid" --db "$L" > "$T/ls"
check "show: the hub and a local database print the same" 'diff <(strip "$T/hs") <(strip "$T/ls") >/dev/null'
H show "$id" --format json --key "$KG" > "$T/hs.json"; "$WB" assess show "$lid" --format json --db "$L" > "$T/ls.json"
check "show --format json: the same scores" \
  "python3 -c \"import json; a=json.load(open('$T/hs.json')); b=json.load(open('$T/ls.json')); [x.pop('assessment') for x in (a,b)]; assert a==b\""
H export "$id" --key "$KG" > "$T/he.csv"; "$WB" assess export "$lid" --db "$L" > "$T/le.csv"
check "export: the same CSV" 'cmp -s "$T/he.csv" "$T/le.csv"'
H diff "$id@1" "$id" --format json --key "$KG" > "$T/hd.json"; "$WB" assess diff "$lid@1" "$lid" --format json --db "$L" > "$T/ld.json"
check "diff: the same changes" 'cmp -s "$T/hd.json" "$T/ld.json"'
H history "$id" --key "$KG" > "$T/hh"
check "history names who made each version" 'grep -q "boss@gamma.example .* answer 11.1 level 4" "$T/hh"'

# visibility: the CSIRT and supervisor only after a share
H show "$id" --key "$KC" > /dev/null 2> "$T/e"; rc=$?
check "CSIRT before share: not found, exit 2" '[ $rc = 2 ] && grep -q "404" "$T/e"'
H share "$id" --with csirt --key "$KG" > "$T/o"; rc=$?
check "share with the CSIRT" '[ $rc = 0 ] && grep -q "is shared with the csirt" "$T/o"'
H show "$id" --key "$KC" > /dev/null 2>&1; rc=$?
check "CSIRT after share reads it" '[ $rc = 0 ]'
H show "$id" --key "$KS" > /dev/null 2>&1; rc=$?
check "supervisor still does not" '[ $rc = 2 ]'
H answer "$id" 1.1 --level 5 --key "$KC" > /dev/null 2> "$T/e"; rc=$?
check "CSIRT may not answer (403)" '[ $rc = 2 ] && grep -q "403" "$T/e"'
H list --format json --key "$KC" > "$T/l.json"
check "CSIRT's list holds the shared assessment" "j $T/l.json 'len(d)==1 and d[0][\"shared_with\"][\"csirt\"]'"
H list --org delta --format json --key "$KC" > "$T/l.json"
check "list --org narrows the list" "j $T/l.json 'd==[]'"
H share "$id" --with csirt --revoke --key "$KG" > /dev/null
H show "$id" --key "$KC" > /dev/null 2>&1; rc=$?
check "CSIRT after revoke: not found again" '[ $rc = 2 ]'
H show "$id" --key "$KD" > /dev/null 2>&1; rc=$?
check "another organisation never sees it" '[ $rc = 2 ]'

# sectors with --sector-k 2: one energy organisation suppressed, two shown;
# only what an organisation shared with the supervisor counts
H share "$id" --with supervisor --key "$KG" > /dev/null
H sectors --format json --key "$KS" > "$T/s.json"; rc=$?
check "sector view at k-1: suppressed" "[ $rc = 0 ] && j $T/s.json 'd[\"k\"]==2 and d[\"sectors\"][0][\"suppressed\"] and d[\"total\"][\"overall\"][\"suppressed\"]'"
did=$(H new --catalogue cbw_nis2 --key "$KD")
H answer "$did" 1.1 --level 5 --key "$KD" > /dev/null
H sectors --format json --key "$KS" > "$T/s.json"
check "an assessment not shared with the supervisor is not counted" "j $T/s.json 'd[\"sectors\"][0][\"suppressed\"]'"
H share "$did" --with supervisor --key "$KD" > /dev/null
H sectors --format json --key "$KS" > "$T/s.json"
check "sector view at k: shown with 2 organisations" "j $T/s.json 'd[\"sectors\"][0][\"organisations\"]==2 and d[\"total\"][\"overall\"][\"organisations\"]==2'"
H sectors --key "$KG" > /dev/null 2> "$T/e"; rc=$?
check "an ordinary organisation may not see the sector view" '[ $rc = 2 ] && grep -q "403" "$T/e"'
H sectors --k 4 --key "$KS" > /dev/null 2> "$T/e"; rc=$?
check "--k is the hub's own setting" '[ $rc = 2 ] && grep -q "sector-k" "$T/e"'

# errors
H show "$id" > /dev/null 2> "$T/e"; rc=$?
check "no key: exit 2 naming --key" '[ $rc = 2 ] && grep -q -- "--key KEY or WEERBAAR_KEY" "$T/e"'
"$WB" assess show "$id" --hub "$U" --key 00ff > /dev/null 2> "$T/e"; rc=$?
check "a wrong key: exit 2" '[ $rc = 2 ] && grep -q "401" "$T/e"'
"$WB" assess show "$id" --hub "$U" --db "$L" --key "$KG" > /dev/null 2> "$T/e"; rc=$?
check "--hub and --db together: exit 2" '[ $rc = 2 ]'

kill $SP; wait $SP; src=$?; SP=
check "the hub stops cleanly (exit 0, nothing from the sanitizers)" \
  '[ $src = 0 ] && ! grep -q "Sanitizer" "$T/serve.log"'
echo "assess_hub: $pass passed, $fail failed"
[ $fail = 0 ]
