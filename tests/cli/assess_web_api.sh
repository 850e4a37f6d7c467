#!/usr/bin/env bash
# assess_web_api.sh - the hub routes the web page answers assessments with:
# GET /api/v1/catalogues (names and titles), /api/v1/catalogues/{name}
# (the requirement tree with texts and level meanings in nl or en),
# /api/v1/assessments/{id}/score (the numbers `assess show ID --db` prints)
# and /api/v1/assessments/{id}/report (the one-page board report as PDF or
# HTML, made by the same library code as `assess report`); who may read
# them follows the assessment's policy (404 for another organisation).
# Usage: tests/cli/assess_web_api.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: assess_web_api.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
command -v pdfinfo >/dev/null || { echo "pdfinfo missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }

DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB" >/dev/null 2>&1; }
A org add Gamma --kind essential --sector energy
A org add Delta --kind essential --sector energy
A user add boss@gamma.example --org Gamma --role org-admin
A user add d@delta.example --org Delta --role member
key() { "$WB" admin key add "$1" --db "$DB" | awk '/^key:/ {print $2}'; }
KG=$(key boss@gamma.example); KD=$(key d@delta.example)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
G() { curl -s -o "$T/$1" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $2" "$U$3"; }

r=$(G cats "$KG" '/api/v1/catalogues?lang=nl')
check "catalogue list: 200" '[[ $r == 200* ]]'
check "catalogue list names cbw_nis2 and the principles, titles in Dutch" \
    'j $T/cats "any(c[\"name\"]==\"cbw_nis2\" for c in d[\"catalogues\"]) and any(c[\"name\"]==\"ncsc-basic-principles\" and c[\"title\"].startswith(\"Basisprincipes\") for c in d[\"catalogues\"])"'
r=$(G cat "$KG" '/api/v1/catalogues/ncsc-basic-principles?lang=en')
check "catalogue: nodes with refs, parents, titles; six levels" \
    'j $T/cat "len(d[\"levels\"])==6 and any(n[\"ref\"]==\"BP1.1\" and n[\"parent\"]==\"BP1\" and n[\"assessable\"] and n[\"title\"] for n in d[\"nodes\"])"'
r=$(G x "$KG" '/api/v1/catalogues/no-such')
check "unknown catalogue: 404" '[[ $r == 404* ]]'
r=$(G x "$KG" '/api/v1/catalogues?lang=fr')
check "lang other than nl/en: 400" '[[ $r == 400* ]]'

id=$(curl -s -H "Authorization: Bearer $KG" "$U/api/v1/assessments" -d '{"catalogue":"ncsc-basic-principles"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
r=$(G x "$KG" "/api/v1/assessments/$id/report")
check "report of an assessment without answers: 409 saying so" '[[ $r == 409* ]] && grep -q "no answers yet" $T/x'
curl -s -H "Authorization: Bearer $KG" "$U/api/v1/assessments/$id/answers" -d '{"ref":"BP1.1","level":2,"owner":"CISO","due":"2026-01-01"}' >/dev/null
curl -s -H "Authorization: Bearer $KG" "$U/api/v1/assessments/$id/answers" -d '{"ref":"BP3.1","level":4}' >/dev/null
r=$(G score "$KG" "/api/v1/assessments/$id/score")
check "score: 200" '[[ $r == 200* ]]'
"$WB" assess show "$id" --db "$DB" --format json > "$T/show.json"
check "score equals what assess show --db prints" \
    'python3 -c "import json; a=json.load(open(\"$T/score\")); b=json.load(open(\"$T/show.json\")); b.pop(\"assessment\"); b.pop(\"previous\"); exit(0 if a==b else 1)"'
r=$(G score1 "$KG" "/api/v1/assessments/$id/score?version=1")
check "score of version 1 differs from version 2" '! cmp -s $T/score $T/score1'
r=$(G x "$KG" "/api/v1/assessments/$id/score?version=9")
check "score of a version that does not exist: 404" '[[ $r == 404* ]]'
r=$(G board.pdf "$KG" "/api/v1/assessments/$id/report?lang=nl")
check "report: 200 application/pdf" '[ "$r" = "200 application/pdf" ]'
check "report: one page" 'pdfinfo $T/board.pdf | grep -Eq "^Pages: +1$"'
r=$(G board.html "$KG" "/api/v1/assessments/$id/report?format=html")
check "report as HTML" '[[ $r == "200 text/html"* ]] && grep -q "assessment $id@2" $T/board.html'
r=$(G x "$KG" "/api/v1/assessments/$id/report?format=docx")
check "report format other than pdf/html: 400" '[[ $r == 400* ]]'
r=$(G x "$KD" "/api/v1/assessments/$id/report")
check "another organisation: report 404" '[[ $r == 404* ]]'
r=$(G x "$KD" "/api/v1/assessments/$id/score")
check "another organisation: score 404" '[[ $r == 404* ]]'
r=$(G x "" "/api/v1/catalogues")
check "no key: 401" '[[ $r == 401* ]]'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
