#!/usr/bin/env bash
# vuln_scan.sh - `weerbaar vuln scan` and `vuln index` end to end: real CSAF
# advisories (BSI, Cisco) and the real KEV catalogue against the inventories
# in tests/data/vuln/ (README there lists the expected findings); exit
# statuses for --fail-on; JSON, CSV and SARIF parse; the index file gives the
# same findings as the raw sources; bad input exits 2 with a message.
set -u
bin=$1
fail=0
S=../shared/testdata
ADV1=$S/csaf/examples/csaf/bsi-2022-0001.json
ADV2=$S/csaf/examples/csaf/cisco-sa-20180328-smi2.json
KEV=$S/kev/known_exploited_vulnerabilities.json
INV=tests/data/vuln/assets.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NOW=2026-01-01T00:00:00Z
scan() { "$bin" vuln scan --advisories "$ADV1" --advisories "$ADV2" --now $NOW "$@"; }
status() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL: $*: exit $rc, want $want"
        cat "$tmp/err"
        fail=1
    fi
}

# exact findings, in priority order, with KEV
scan --inventory "$INV" --kev "$KEV" --format json >"$tmp/f.json" 2>"$tmp/err" || { echo "FAIL: json scan"; cat "$tmp/err"; fail=1; }
python3 - "$tmp/f.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["rank"], f["asset"], f["vulnerability"], f["matched_by"]) for f in d["findings"]]
want = [(1, "switch-a", "CVE-2018-0171", "csaf-product"),
        (2, "switch-c", "CVE-2018-0171", "csaf-product"),
        (3, "conv-1", "CVE-2022-27193", "cpe"),
        (4, "conv-3", "CVE-2022-27193", "csaf-product")]
if got != want:
    sys.exit(f"FAIL: findings {got}\n want {want}")
a = d["findings"][0]
checks = {
    "kev": a["kev"] is True, "kev_due_date": a["kev_due_date"] == "2022-05-03T00:00:00Z",
    "severity": a["severity"] == "critical", "cvss": a["cvss_score"] == 9.8,
    "published": a["published"] == "2018-03-28T16:00:00Z",
    # critical + internet-facing: 7 days, earlier than KEV's due date
    "deadline": a["deadline"] == "2018-04-04T16:00:00Z",
    "rule": a["deadline_rule"] == "critical-internet-facing", "overdue": a["overdue"] is True,
    "c-deadline": d["findings"][1]["deadline"] == "2018-04-11T16:00:00Z",
    "summary": d["summary"]["findings"] == 4 and d["summary"]["kev"] == 2
               and d["summary"]["by_severity"]["critical"] == 2 and d["summary"]["overdue"] == 4,
    "now": d["now"] == "2026-01-01T00:00:00Z",
}
keys = ["rank", "asset", "component", "name", "version", "inventory", "internet_facing",
        "vulnerability", "cve", "ids", "title", "advisory", "advisory_source", "advisory_kind",
        "advisory_url", "matched_by", "cvss_score", "cvss_version", "cvss_vector", "severity",
        "kev", "kev_date_added", "kev_due_date", "kev_ransomware", "epss", "epss_percentile",
        "fixed_versions", "remediation", "remediation_category", "remediation_url", "published",
        "deadline", "deadline_rule", "overdue", "suppressed", "vex_status", "vex_justification",
        "vex_detail", "vex_source"]
checks["fields"] = all(list(f.keys()) == keys for f in d["findings"])
bad = [k for k, ok in checks.items() if not ok]
if bad:
    sys.exit(f"FAIL: json checks {bad}: {json.dumps(a, indent=1)}")
PY

# --fail-on
status 1 scan --inventory "$INV" --fail-on critical
status 1 scan --inventory "$INV" --kev "$KEV" --fail-on kev
status 0 scan --inventory "$INV" --fail-on kev
status 0 scan --inventory "$INV"
status 0 scan --inventory tests/data/vuln/fixed-only.csv --fail-on low
grep -q "^0 findings in 1 component" "$tmp/out" || { echo "FAIL: fixed-only table"; cat "$tmp/out"; fail=1; }
status 2 scan --inventory "$INV" --fail-on urgent

# table: aligned, overdue marked
status 0 scan --inventory "$INV"
grep -q "OVERDUE" "$tmp/out" && grep -q "^RANK" "$tmp/out" || { echo "FAIL: table"; cat "$tmp/out"; fail=1; }

# policy file
status 0 scan --inventory "$INV" --policy tests/data/vuln/policy.json --format json
python3 -c "import json,sys; f=json.load(open('$tmp/out'))['findings']; sys.exit(0 if f[0]['deadline']=='2018-03-31T16:00:00Z' and f[1]['deadline']=='2018-04-07T16:00:00Z' else 'FAIL: policy deadlines')" || fail=1
echo '{"hihg": 3}' >"$tmp/bad-policy.json"
status 2 scan --inventory "$INV" --policy "$tmp/bad-policy.json"
grep -q 'bad-policy.json: $.hihg: unknown key' "$tmp/err" || { echo "FAIL: policy message"; cat "$tmp/err"; fail=1; }

# CSV parses with python's csv module, one row per finding
status 0 scan --inventory "$INV" --format csv
python3 -c "
import csv,sys
rows=list(csv.DictReader(open('$tmp/out', newline='')))
assert len(rows)==4 and rows[0]['asset']=='switch-a' and rows[0]['vulnerability']=='CVE-2018-0171', rows
" || { echo "FAIL: csv"; fail=1; }

# SARIF 2.1.0: required properties
status 0 scan --inventory "$INV" --format sarif
python3 -c "
import json
d=json.load(open('$tmp/out'))
assert d['version']=='2.1.0' and len(d['runs'])==1
r=d['runs'][0]; drv=r['tool']['driver']
assert drv['name']=='weerbaar' and {x['id'] for x in drv['rules']}=={'CVE-2018-0171','CVE-2022-27193'}
assert len(r['results'])==4
for res in r['results']:
    assert res['message']['text'] and res['ruleId'] in {x['id'] for x in drv['rules']}
    assert res['level'] in ('error','warning','note','none')
    assert drv['rules'][res['ruleIndex']]['id']==res['ruleId']
    ll=res['locations'][0]['logicalLocations'][0]; assert '/' in ll['fullyQualifiedName']
" || { echo "FAIL: sarif"; fail=1; }

# the index gives the same findings; index + raw sources merge
status 0 "$bin" vuln index --advisories "$ADV1" --advisories "$ADV2" --kev "$KEV" --out "$tmp/v.idx"
status 0 "$bin" vuln scan --advisories "$tmp/v.idx" --inventory "$INV" --now $NOW --format json
python3 -c "
import json
a=json.load(open('$tmp/f.json'))['findings']; b=json.load(open('$tmp/out'))['findings']
assert [(f['asset'],f['vulnerability'],f['deadline'],f['kev']) for f in a]==[(f['asset'],f['vulnerability'],f['deadline'],f['kev']) for f in b]
" || { echo "FAIL: index findings differ"; fail=1; }
status 0 "$bin" vuln scan --advisories "$tmp/v.idx" --inventory "$INV" --now $NOW --format json --no-index
cmp -s <(python3 -c "import json;print([(f['asset'],f['vulnerability']) for f in json.load(open('$tmp/out'))['findings']])") \
       <(python3 -c "import json;print([(f['asset'],f['vulnerability']) for f in json.load(open('$tmp/f.json'))['findings']])") ||
    { echo "FAIL: --no-index differs"; fail=1; }
head -c 200 "$tmp/v.idx" >"$tmp/cut.idx"
status 2 "$bin" vuln scan --advisories "$tmp/cut.idx" --inventory "$INV"
grep -q "cut.idx" "$tmp/err" || { echo "FAIL: damaged index message"; cat "$tmp/err"; fail=1; }

# a malformed advisory is reported and skipped; the rest is still reported; exit 2
echo '{"document": {"category": "csaf_security_advisory"' >"$tmp/broken.json"
status 2 scan --advisories "$tmp/broken.json" --inventory "$INV" --format json
grep -q "broken.json" "$tmp/err" || { echo "FAIL: broken advisory not named"; cat "$tmp/err"; fail=1; }
python3 -c "import json; assert json.load(open('$tmp/out'))['summary']['findings']==4" || { echo "FAIL: rest not reported"; fail=1; }
status 2 scan --inventory "$tmp/missing.csv"
status 2 "$bin" vuln scan --inventory "$INV"
status 0 "$bin" vuln --help
grep -q "weerbaar vuln scan --advisories" "$tmp/out" || { echo "FAIL: help"; fail=1; }
exit $fail
