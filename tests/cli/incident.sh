#!/usr/bin/env bash
# incident.sh - `weerbaar incident assess|validate|deadlines|taxonomy`:
# outputs, error messages naming file and JSON path, and exit statuses.
set -u
bin=$1
d=tests/data/incident
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$(readlink -f "$0")")/lib.sh"

# deadlines: the acceptance example (early warning 24 h after aware_at).
run 0 incident deadlines --aware-at 2026-05-01T10:00:00+02:00 --now 2026-05-01T12:00:00Z --format json
python3 - "$tmp/out" <<'PY' || fail=1
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r["stage"]: r for r in rows}
assert by["early-warning"]["due"] == "2026-05-02T08:00:00Z" and by["early-warning"]["state"] == "open", rows
assert by["notification"]["due"] == "2026-05-04T08:00:00Z", rows
assert by["final"]["due"] == "2026-06-04T08:00:00Z" and by["final"]["submitted"] is None, rows
PY
# The worked example of docs/incident.md, in Amsterdam time; exit 1 (overdue).
run 1 incident deadlines --aware-at 2026-01-30T09:00:00+01:00 \
    --submitted early-warning=2026-01-30T20:00:00+01:00 \
    --notification-at 2026-01-31T16:00:00+01:00 --now 2026-02-10T12:00:00Z
has out "final          2026-02-28T16:00:00+01:00  open"
has out "csirt-answer   2026-01-31T20:00:00+01:00  overdue"
run 1 incident deadlines --aware-at 2026-01-30T09:00:00+01:00 --utc --now 2026-02-10T12:00:00Z
has out "early-warning  2026-01-31T08:00:00Z"
run 0 incident deadlines --aware-at 2026-05-01T10:00:00+02:00 --entity-type trust-service \
    --personal-data yes --now 2026-05-01T12:00:00Z
has out "notification   2026-05-02T10:00:00+02:00"
has out "gdpr-breach    2026-05-04T10:00:00+02:00"
run 2 incident deadlines --aware-at 2026-05-01 --now 2026-05-01T12:00:00Z
has err "weerbaar: incident: --aware-at '2026-05-01': not a time: write now, a local time"
run 2 incident deadlines
has err "--aware-at TIME is required"
run 2 incident deadlines --aware-at 2026-05-01T10:00:00Z --submitted csirt-answer=2026-05-01T11:00:00Z
run 2 incident deadlines --aware-at 2026-05-01T10:00:00Z --entity-type bank

# validate: cumulative state, every problem with its path.
run 0 incident validate --stage early-warning --file $d/early-warning.json
has out "valid early-warning report"
run 2 incident validate --stage notification --file $d/notification.json
for f in summary malicious cross_border contact.name contact.email contact.phone; do
    has err "weerbaar: $d/notification.json: \$.$f: missing: a notification report needs it and neither it nor an earlier report gives it (expected: "
done
[ "$(wc -l <"$tmp/err")" = 6 ] || { echo "FAIL: want 6 missing fields"; cat "$tmp/err"; fail=1; }
run 0 incident validate --stage notification --file $d/notification.json --previous $d/early-warning.json
run 0 incident validate --stage notification --file $d/notification.json --previous $d/early-warning.json --format json
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["summary"].startswith("Outage") and s["severity"]=="medium", s' "$tmp/out" || fail=1
run 2 incident validate --stage final --file $d/bad.json
has err "weerbaar: $d/bad.json: \$.severity: must be \"low\", \"medium\", \"high\" or \"critical\""
has err "weerbaar: $d/bad.json: \$.contact.email: not an e-mail address: 'not-an-address'"
has err "weerbaar: $d/bad.json: \$.impact.users_affected: must be a whole number of at least 0"
has err "weerbaar: $d/bad.json: \$.colour: unknown key"
# ... and, in the same run, what a final report misses (severity, refused
# above, not twice): 4 problems and 6 missing fields.
has err "weerbaar: $d/bad.json: \$.root_cause: missing: a final report needs it"
[ "$(wc -l <"$tmp/err")" = 10 ] || { echo "FAIL: want 10 problems"; cat "$tmp/err"; fail=1; }
run 2 incident validate --stage early-warning --file $d/missing.json
run 2 incident validate --stage closing --file $d/early-warning.json
has err "unknown stage 'closing'"
printf '{"summary": "x",\n  oops}\n' >"$tmp/broken.json"
run 2 incident validate --stage early-warning --file "$tmp/broken.json"
has err "broken.json:2:"

# assess.
run 0 incident assess --entity-type cloud --facts $d/facts-cloud.json
has out "verdict: significant (cloud computing service provider)"
has out "met      Implementing Regulation (EU) 2024/2690 Art. 7(a)"
has out "complete_unavailability_minutes 45 > 30"
run 0 incident assess --entity-type cloud --facts $d/facts-undetermined.json --format json
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); r={x["id"]:x for x in a["reasons"]}; assert a["verdict"]=="undetermined" and r["ir-7-a"]["result"]=="not-met" and r["ir-7-a"]["article"].endswith("Art. 7(a)"), a' "$tmp/out" || fail=1
run 2 incident assess --entity-type cloud --facts $d/bad.json
has err "weerbaar: $d/bad.json: \$.severity: unknown key"
run 2 incident assess --facts $d/facts-cloud.json --entity-type banking

# taxonomy.
run 0 incident taxonomy sectors
has out "public-administration	Public administration"
[ "$(wc -l <"$tmp/out")" = 18 ] || { echo "FAIL: 18 sectors"; fail=1; }
run 0 incident taxonomy rsit
has out 'rsit:availability="ddos"	Distributed Denial of Service'
run 0 incident taxonomy entity-types --format json
has out '"name": "trust-service"'
if [ -d ../shared/testdata ]; then # absent from a clone without ../shared
    run 0 incident taxonomy rsit --taxonomy ../shared/testdata/misp/taxonomies/rsit/machinetag.json
fi
run 2 incident taxonomy colours
run 2 incident frobnicate
run 0 incident --help
has out "usage: weerbaar incident ACTION"
run 0 --help
has out "incident"
exit $fail
