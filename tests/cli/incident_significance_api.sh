#!/usr/bin/env bash
# incident_significance_api.sh - POST /api/v1/incidents/significance (the
# web page's significance check) answers what `weerbaar incident assess
# --format json` prints for the same facts and entity type; a bad fact is
# 422 naming its JSON path, an unknown entity type 400, no key 401.
# Usage: tests/cli/incident_significance_api.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: incident_significance_api.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
DB=$T/hub.db
"$WB" admin org add Gamma --kind essential --sector energy --db "$DB" >/dev/null
"$WB" admin user add m@gamma.example --org Gamma --role member --db "$DB" >/dev/null
K=$("$WB" admin key add m@gamma.example --db "$DB" | awk '/^key:/ {print $2}')
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done
cat > "$T/facts.json" <<'J'
{"severe_operational_disruption": "yes", "financial_loss_eur": 120000, "annual_turnover_eur": 40000000,
 "users_eu": 2000000, "complete_unavailability_minutes": 45,
 "limited_availability_minutes": 90, "limited_availability_users": 150000, "data_compromised": "no"}
J
P() { curl -s -o "$T/$1" -w '%{http_code}' -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary @"$3" "$U$4"; }
for et in cloud other trust-service; do
    r=$(P hub.json "$K" "$T/facts.json" "/api/v1/incidents/significance?entity_type=$et")
    "$WB" incident assess --entity-type $et --facts "$T/facts.json" --format json > "$T/cli.json"
    check "$et: 200, the same answer as incident assess --format json" \
        '[ "$r" = 200 ] && python3 -c "import json; exit(0 if json.load(open(\"$T/hub.json\"))==json.load(open(\"$T/cli.json\")) else 1)"'
done
r=$(P hub.json "$K" "$T/facts.json" "/api/v1/incidents/significance?entity_type=cloud")
check "cloud: significant" 'python3 -c "import json; exit(0 if json.load(open(\"$T/hub.json\"))[\"verdict\"]==\"significant\" else 1)"'
echo '{"death": "perhaps"}' > "$T/bad.json"
r=$(P x "$K" "$T/bad.json" "/api/v1/incidents/significance")
check "a bad answer: 422 naming \$.death" '[ "$r" = 422 ] && grep -q "death" $T/x'
r=$(P x "$K" "$T/facts.json" "/api/v1/incidents/significance?entity_type=bank")
check "an unknown entity type: 400" '[ "$r" = 400 ]'
r=$(P x "" "$T/facts.json" "/api/v1/incidents/significance")
check "no key: 401" '[ "$r" = 401 ]'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
