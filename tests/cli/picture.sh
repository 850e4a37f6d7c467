#!/usr/bin/env bash
# picture.sh - `weerbaar picture` on the demo hub (`admin demo`, with its
# generated constituency): JSON with published and suppressed cells and no
# organisation name; the HTML page (SVG, no script, a table per chart); the
# PDF rendered to PNG with pdftoppm (page count) and its text (pdftotext)
# holding the JSON's key numbers, in Dutch and English; errors exit 2.
# Usage: tests/cli/picture.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: picture.sh WEERBAAR}")
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || { echo "poppler-utils missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
jv() { python3 -c "import json; d=json.load(open('$1')); print($2)"; }

"$WB" admin demo --db "$T/hub.db" > "$T/keys" 2>&1 || bad "admin demo"
"$WB" picture --db "$T/hub.db" > "$T/p.json"; rc=$?
check "json exits 0" '[ $rc = 0 ]'
check "schema" 'j "$T/p.json" "d[\"schema\"] == \"weerbaar-picture/1\" and d[\"k\"] == 3"'
check "the demo constituency publishes a total and sectors" \
    'j "$T/p.json" "d[\"themes\"][\"incidents\"][\"total\"][\"incidents\"] > 0 and sum(1 for c in d[\"themes\"][\"incidents\"][\"by\"][\"sector\"] if \"incidents\" in c) >= 3"'
check "every published cell has >= k organisations" \
    'j "$T/p.json" "all(c[\"organisations\"] >= 3 for th in (\"incidents\",\"early_warning\",\"notification\",\"final_report\",\"csirt_answer\") for t in d[\"themes\"][th][\"by\"].values() for c in t if \"organisations\" in c)"'
check "each incidents table adds up to the total" \
    'j "$T/p.json" "all(sum(c.get(\"incidents\", 0) for c in t) == d[\"themes\"][\"incidents\"][\"total\"][\"incidents\"] for t in d[\"themes\"][\"incidents\"][\"by\"].values())"'
check "no organisation name" '! grep -q "Demo-Org\|Energienet\|Demo-CSIRT" "$T/p.json"'
check "sightings and exposure are themes with a total" \
    'j "$T/p.json" "all(\"total\" in d[\"themes\"][t] for t in (\"sightings\", \"exposure\"))"'

"$WB" picture --db "$T/hub.db" --k 200 > "$T/k.json"; rc=$?
check "--k 200: everything suppressed, never a zero" \
    '[ $rc = 0 ] && j "$T/k.json" "d[\"themes\"][\"incidents\"][\"total\"].get(\"suppressed\") is True and all(c.get(\"suppressed\") for c in d[\"themes\"][\"incidents\"][\"by\"][\"sector\"])"'
"$WB" picture --db "$T/hub.db" --from 2000-01-01 --to 2000-02-01 > "$T/e.json"; rc=$?
check "an empty period: suppressed" '[ $rc = 0 ] && j "$T/e.json" "d[\"themes\"][\"incidents\"][\"total\"].get(\"suppressed\") is True and d[\"period\"][\"from\"] == \"2000-01-01T00:00:00Z\" and d[\"previous_period\"][\"from\"] == \"1999-12-01T00:00:00Z\""'

"$WB" picture --db "$T/hub.db" --format html --out "$T/p.html"; rc=$?
check "html exits 0" '[ $rc = 0 ]'
check "html: SVG charts, no script" 'grep -q "<svg" "$T/p.html" && ! grep -qi "<script" "$T/p.html"'
check "html: a table beside every chart" '[ "$(grep -o "<svg" "$T/p.html" | wc -l)" = "$(grep -o "<table" "$T/p.html" | wc -l)" ]'
check "html: Dutch by default" 'grep -q "Dreigingsbeeld" "$T/p.html"'
check "html: no organisation name" '! grep -q "Demo-Org\|Energienet" "$T/p.html"'

for lang in nl en; do
    "$WB" picture --db "$T/hub.db" --format pdf --lang $lang --out "$T/p-$lang.pdf"; rc=$?
    check "pdf $lang exits 0" '[ $rc = 0 ]'
    pdftoppm -r 30 -png "$T/p-$lang.pdf" "$T/pg-$lang" || bad "pdftoppm $lang"
    n=$(ls "$T"/pg-$lang-*.png 2>/dev/null | wc -l)
    check "pdf $lang: a cover and a page per theme ($n pages)" '[ "$n" -ge 10 ] && [ "$n" -le 16 ]'
    pdftotext -layout "$T/p-$lang.pdf" "$T/p-$lang.txt" || bad "pdftotext $lang"
done
check "pdf nl: Dutch title" 'grep -q "Dreigingsbeeld van de achterban" "$T/p-nl.txt"'
check "pdf en: English title" 'grep -q "Threat picture of the constituency" "$T/p-en.txt"'
total=$(jv "$T/p.json" 'd["themes"]["incidents"]["total"]["incidents"]')
ew=$(jv "$T/p.json" '"%.0f%%" % (100 * d["themes"]["early_warning"]["total"]["on_time_share"])')
sec=$(jv "$T/p.json" '[c for c in d["themes"]["incidents"]["by"]["sector"] if "incidents" in c][0]')
seckey=$(python3 -c "import ast; print(ast.literal_eval('''$sec''')['key'])")
secn=$(python3 -c "import ast; print(ast.literal_eval('''$sec''')['incidents'])")
check "pdf: the cover's total is the JSON's ($total)" 'head -40 "$T/p-en.txt" | grep -qw "$total"'
check "pdf: the cover's early-warning share is the JSON's ($ew)" 'head -40 "$T/p-en.txt" | grep -qF "$ew"'
check "pdf: the sector row $seckey shows $secn" 'grep -E "^ *$seckey +$secn( |$)" "$T/p-en.txt" | grep -q .'
check "pdf: no organisation name" '! grep -q "Demo-Org\|Energienet" "$T/p-en.txt"'
kev=$(jv "$T/p.json" 'd["themes"]["exposure"]["total"]["kev_overdue_findings"]')
sightings=$(jv "$T/p.json" 'd["themes"]["sightings"]["total"]["sightings"]')
check "pdf: the exposure and sightings totals are the JSON's ($kev, $sightings)" \
    'grep -E "^ *total +$kev( |$)" "$T/p-en.txt" | grep -q . && grep -E "^ *total +$sightings( |$)" "$T/p-en.txt" | grep -q .'
check "pdf: the new themes in Dutch" 'grep -q "Waarnemingen" "$T/p-nl.txt" && grep -q "Weerbaarheid" "$T/p-nl.txt"'

"$WB" picture --db "$T/hub.db" --k 1 > /dev/null 2>&1; rc=$?
check "--k 1 is refused" '[ $rc = 2 ]'
"$WB" picture --db "$T/none.db" > /dev/null 2> "$T/err"; rc=$?
check "a missing database is an error, not a new one" '[ $rc = 2 ] && [ ! -e "$T/none.db" ]'
"$WB" picture --db "$T/hub.db" --from 2026-01-01 > /dev/null 2>&1; rc=$?
check "--from without --to is refused" '[ $rc = 2 ]'
"$WB" picture --db "$T/hub.db" --format xml > /dev/null 2>&1; rc=$?
check "--format xml is refused" '[ $rc = 2 ]'

# ---- the hub: CSIRTs and supervisors see the sectors routed to them ----------------
A() { "$WB" admin "$@" --db "$T/hub.db" > /dev/null || bad "admin $*"; }
A org add CERT-Energy --kind csirt
A org add RDI --kind supervisor
A route add --sector energy --csirt CERT-Energy
A route add --sector health --csirt Demo-CSIRT --supervisor RDI
A user add c@cert-energy.example --org CERT-Energy --role member
A user add s@rdi.example --org RDI --role member
key() { "$WB" admin key add "$1" --db "$T/hub.db" | awk '/^key:/ {print $2}'; }
KC=$(key c@cert-energy.example)
KS=$(key s@rdi.example)
KM=$(awk '$1 == "soc@energienet.example" {print $4}' "$T/keys")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
"$WB" serve --db "$T/hub.db" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
"$WB" picture --hub "$U" --key "$KC" > "$T/c.json"; rc=$?
check "hub: a CSIRT sees only its sector" \
    '[ $rc = 0 ] && j "$T/c.json" "d[\"viewer\"] == \"csirt\" and [c[\"key\"] for c in d[\"themes\"][\"incidents\"][\"by\"][\"sector\"]] == [\"energy\"]"'
"$WB" picture --hub "$U" --key "$KS" --from 2000-01-01 --to 2000-02-01 > "$T/s.json"; rc=$?
check "hub: a supervisor sees only its sector, over the period asked" \
    '[ $rc = 0 ] && j "$T/s.json" "d[\"viewer\"] == \"supervisor\" and d[\"period\"][\"from\"] == \"2000-01-01T00:00:00Z\" and [c[\"key\"] for c in d[\"themes\"][\"incidents\"][\"by\"][\"sector\"]] == [\"health\"]"'
check "hub: a supervisor has no scan data (scans are shared with CSIRTs)" \
    'j "$T/s.json" "d[\"themes\"][\"exposure\"][\"data\"] is False"'
"$WB" picture --hub "$U" --key "$KM" > /dev/null 2> "$T/err"; rc=$?
check "hub: an essential organisation is refused" '[ $rc = 2 ] && grep -q "403\|CSIRTs, supervisors" "$T/err"'
"$WB" picture --hub "$U" --key "$KC" --format pdf --out "$T/h.pdf"; rc=$?
check "hub: the PDF of the CSIRT's picture" '[ $rc = 0 ] && pdftotext "$T/h.pdf" "$T/h.txt" && grep -q energy "$T/h.txt"'
"$WB" picture --hub "$U" --key "$KC" --k 5 > /dev/null 2>&1; rc=$?
check "hub: --k is refused (the hub's k applies)" '[ $rc = 2 ]'

echo "picture.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
