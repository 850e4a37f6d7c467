#!/usr/bin/env bash
# vuln_scan.sh - `weerbaar vuln scan` and `vuln index` end to end: real CSAF
# advisories (BSI, Cisco) and the real KEV catalogue against the inventories
# in tests/data/vuln/ (README there lists the expected findings); exit
# statuses for --fail-on; JSON, CSV and SARIF parse; the index file gives the
# same findings as the raw sources; bad input exits 2 with a message; the
# real CycloneDX and SPDX SBOMs against OSV records (tests/data/vuln/maven);
# VEX (CycloneDX, and a CSAF VEX range) suppressing findings.
set -u
bin=$1
fail=0
S=../shared/testdata
[ -d "$S" ] || { echo "skipped: $S is absent (a clone without ../shared)"; exit 77; }
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
        "advisory_url", "matched_by", "status", "cvss_score", "cvss_version", "cvss_vector", "severity",
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
# the real SBOMs (CycloneDX 1.2, SPDX 2.3) against OSV records: ranges in the
# maven scheme, source rating words, not-affected and fixed versions absent
SB=$S/sbom
status 0 "$bin" vuln scan --advisories tests/data/vuln/maven --inventory "$SB/dropwizard-1.3.15.cdx.json" \
    --inventory "$SB/keycloak-10.0.2.cdx.json" --inventory "$SB/spdx-examplemaven-0.0.1-enriched.spdx.json" \
    --now $NOW --format json
python3 - "$tmp/out" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["asset"], f["name"], f["version"], f["vulnerability"], f["matched_by"]) for f in d["findings"]]
want = [("dropwizard-parent", "jackson-databind", "2.9.10", "CVE-2020-8840", "purl"),
        ("dropwizard-parent", "h2", "1.4.197", "CVE-2021-42392", "purl"),
        ("keycloak-parent", "h2", "1.4.197", "CVE-2021-42392", "purl"),
        ("dropwizard-parent", "snakeyaml", "1.23", "CVE-2017-18640", "purl"),
        ("keycloak-parent", "snakeyaml", "1.14", "CVE-2017-18640", "purl"),
        ("keycloak-parent", "snakeyaml", "1.17", "CVE-2017-18640", "purl"),
        ("keycloak-parent", "snakeyaml", "1.19", "CVE-2017-18640", "purl"),
        ("keycloak-parent", "snakeyaml", "1.20", "CVE-2017-18640", "purl")]
if got != want:
    sys.exit(f"FAIL: SBOM findings {got}\n want {want}")
y = d["findings"][3]
# no CVSS anywhere: the source's own "HIGH" rates it, and sets the deadline
if not (y["severity"] == "high" and y["cvss_score"] is None and y["deadline_rule"] == "high"
        and y["deadline"] == "2020-05-07T16:04:53Z" and y["fixed_versions"] == ["1.26"]):
    sys.exit(f"FAIL: source severity {y}")
# the components of all three SBOMs were read (the SPDX one has no findings)
if d["summary"]["components"] < 1072 + 1:
    sys.exit(f"FAIL: SBOM components {d['summary']}")
PY

# a bad component in an SBOM: skipped with file and JSON path, the rest of it
# and the other SBOMs scanned, counted in the summary; not an error (exit 0)
printf '%s' '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"ok","version":"1"},{"type":"library","name":"x","version":"1","purl":"pkg:maven/only"}]}' >"$tmp/bad.cdx.json"
status 0 "$bin" vuln scan --advisories tests/data/vuln/maven --inventory "$tmp/bad.cdx.json" \
    --inventory "$SB/dropwizard-1.3.15.cdx.json" --now $NOW --format json
grep -q 'bad.cdx.json: $.components\[1\].purl: ' "$tmp/err" || { echo "FAIL: bad SBOM message"; cat "$tmp/err"; fail=1; }
python3 -c "import json,sys; s=json.load(open('$tmp/out'))['summary']; sys.exit(0 if s['findings']==3 and s['skipped_components']==1 and s['components']==1+168 else 'FAIL: SBOM rest not reported')" || fail=1

# VEX: CycloneDX not_affected for ABC 4.2 suppresses; its 'exploitable'
# statement for DEF does not; a CSAF VEX range (DEF < 1.0) covers 0.9.5 only
ABC="--advisories tests/data/vuln/abc-csaf.json --inventory tests/data/vuln/abc.csv --kev $KEV --now $NOW"
VEXES="--vex $S/vex/cdx-Case-1-vex-not_affected.json --vex $S/vex/cdx-Case-1-vex-affected.json --vex tests/data/vuln/def-vex-range.json"
status 1 "$bin" vuln scan $ABC --format json --fail-on kev
cp "$tmp/out" "$tmp/abc.json"
status 1 "$bin" vuln scan $ABC $VEXES --format json --fail-on kev
cp "$tmp/out" "$tmp/abc-vex.json"
status 1 "$bin" vuln scan $ABC $VEXES --format json --show-suppressed --fail-on kev
python3 - "$tmp/abc.json" "$tmp/abc-vex.json" "$tmp/out" <<'PY' || fail=1
import json, sys
a, v, s = (json.load(open(p)) for p in sys.argv[1:4])
row = lambda f: (f["rank"], f["asset"], f["version"], f["suppressed"])
# abc-new (4.3) and def-new (1.1) are the fixed versions: no finding
want = [(1, "def-host", "1.0", False), (2, "abc-host", "4.2", False), (3, "def-old", "0.9.5", False)]
if [row(f) for f in a["findings"]] != want:
    sys.exit(f"FAIL: ABC findings {[row(f) for f in a['findings']]}")
h = a["findings"][0]
# internet-facing critical: 7 days from the release, earlier than KEV's due date
if not (h["deadline"] == "2021-12-17T12:00:00Z" and h["deadline_rule"] == "critical-internet-facing"
        and h["kev"] and h["kev_ransomware"] and h["kev_due_date"] == "2021-12-24T00:00:00Z"):
    sys.exit(f"FAIL: def-host {h}")
b = a["findings"][1]
if not (b["deadline"] == "2021-12-24T00:00:00Z" and b["deadline_rule"] == "kev"
        and b["remediation_category"] == "vendor_fix" and b["fixed_versions"] == ["4.3"]):
    sys.exit(f"FAIL: abc-host {b}")
if [row(f) for f in v["findings"]] != [(1, "def-host", "1.0", False)] or v["summary"]["suppressed"] != 2:
    sys.exit(f"FAIL: VEX findings {[row(f) for f in v['findings']]} {v['summary']}")
sup = {f["asset"]: f for f in s["findings"] if f["suppressed"]}
if sorted(sup) != ["abc-host", "def-old"] or len(s["findings"]) != 3:
    sys.exit(f"FAIL: --show-suppressed {[row(f) for f in s['findings']]}")
x = sup["abc-host"]
if not (x["rank"] is None and x["vex_status"] == "not_affected" and x["vex_justification"] == "code_not_present"
        and x["vex_source"].endswith("cdx-Case-1-vex-not_affected.json")):
    sys.exit(f"FAIL: suppressed abc-host {x}")
if sup["def-old"]["vex_justification"] != "vulnerable_code_not_present":
    sys.exit(f"FAIL: suppressed def-old {sup['def-old']}")
PY
exit $fail
