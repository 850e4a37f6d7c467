#!/usr/bin/env bash
# assess_report.sh - `weerbaar assess report`: the board report as PDF, PNG
# and HTML. pdfinfo must show one A4 page; the text pdftotext extracts and
# the text of the HTML page must hold the numbers that `assess score
# --format json`, `incident due --format json` and the vuln scan's JSON give
# (compared in python3); very long names and many gaps still fit on one
# page; bad inputs exit 2 naming the file and JSON path.
set -u
bin=$1
command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null || {
    echo "SKIP: pdfinfo/pdftotext (poppler-utils) missing"
    exit 77
}
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err() { echo "FAIL: $*"; fail=1; }
S=../shared/testdata
[ -d "$S" ] || { echo "skipped: $S is absent (a clone without ../shared)"; exit 77; }
A=tests/data/assess
D=tests/data/incident
NOW=2026-06-15T10:00:00+02:00

# an incident register: three incidents this year (met, late, overdue,
# open deadlines), one last year that must not count, one of another org
db=$tmp/inc.db
q() { "$bin" "$@" --db "$db" >/dev/null || err "setup: $*"; }
q admin org add "Waterschap Oost" --kind essential --sector energy
q admin org add Other --kind essential --sector energy
q admin org add NCSC --kind csirt
q admin route add --sector '*' --csirt NCSC
q incident new --org "Waterschap Oost" --title "Portal DDoS" --aware-at 2026-01-30T09:00:00+01:00
q incident report 1 --stage early-warning --file $D/early-warning.json --submitted-at 2026-01-30T20:00:00+01:00
q incident report 1 --stage notification --file $D/notification.json --submitted-at 2026-02-03T10:00:00+01:00
q incident new --org "Waterschap Oost" --title "Ransomware on a file server" --aware-at 2026-05-02T09:00:00+02:00
q incident report 2 --stage early-warning --file $D/early-warning.json --submitted-at 2026-05-02T19:00:00+02:00
q incident new --org "Waterschap Oost" --title "Phishing of board members" --aware-at 2026-06-14T09:00:00+02:00
q incident new --org "Waterschap Oost" --title "Last year's" --aware-at 2025-06-14T09:00:00+02:00
q incident new --org Other --title "Not ours" --aware-at 2026-03-01T09:00:00+01:00
"$bin" incident due --now $NOW --format json --db "$db" >"$tmp/due.json"

# a vuln scan result with overdue patches
"$bin" vuln scan --advisories $S/csaf/examples/csaf/bsi-2022-0001.json \
    --advisories $S/csaf/examples/csaf/cisco-sa-20180328-smi2.json --now 2026-01-01T00:00:00Z \
    --inventory tests/data/vuln/assets.csv --kev $S/kev/known_exploited_vulnerabilities.json \
    --format json >"$tmp/scan.json" || err "vuln scan"

"$bin" assess score cbw_nis2 --answers $A/cbw-2026.csv --format json >"$tmp/s.json" || err "score"
"$bin" assess score cbw_nis2 --answers $A/cbw-2025.csv --format json >"$tmp/p.json" || err "score previous"
rep() { "$bin" assess report cbw_nis2 --answers $A/cbw-2026.csv --previous $A/cbw-2025.csv \
    --org "Waterschap Oost" --now $NOW --db "$db" --vuln "$tmp/scan.json" "$@"; }

rep --out "$tmp/b.pdf" || err "report pdf"
pdfinfo "$tmp/b.pdf" >"$tmp/info" 2>&1 || err "pdfinfo: $(cat "$tmp/info")"
grep -q '^Pages: *1$' "$tmp/info" || err "not one page: $(cat "$tmp/info")"
grep -q '^Page size: *595.276 x 841.89 pts (A4)' "$tmp/info" || err "not A4: $(cat "$tmp/info")"
grep -q '^Title: *Board report: digital resilience: Waterschap Oost$' "$tmp/info" || err "PDF title: $(cat "$tmp/info")"
pdftotext -raw "$tmp/b.pdf" "$tmp/b.txt" || err "pdftotext"

rep --format html --out "$tmp/b.html" || err "report html"
python3 - "$tmp/b.html" >"$tmp/h.txt" <<'PY' || err "html text"
import html.parser, sys
class P(html.parser.HTMLParser):
    out = []
    def handle_data(self, d): self.out.append(d)
    def handle_starttag(self, tag, attrs):
        self.out.append(" ")
        for k, v in attrs:  # no external resource of any kind
            if k in ("src", "href") or (v and "url(" in v): sys.exit("external resource: %s=%s" % (k, v))
        if tag in ("script", "link", "img", "iframe", "object"): sys.exit("tag " + tag)
    def handle_endtag(self, tag): self.out.append(" ")
p = P(); src = open(sys.argv[1]).read(); p.feed(src)
if "url(" in src or "@import" in src: sys.exit("external resource in CSS")
print("".join(p.out))
PY

# The same numbers in the PDF and the HTML as in the JSON of the libraries:
# numbers TEXT SCORE.json PREVIOUS.json
numbers() {
    python3 - "$1" "$2" "$3" "$tmp/due.json" "$tmp/scan.json" <<'PY' || err "numbers in $1"
import json, re, sys
text = " ".join(open(sys.argv[1]).read().split())
s, p, due, scan = (json.load(open(f)) for f in sys.argv[2:6])
bad = []
def has(pat, what):
    if not re.search(pat, text): bad.append(what + ": /" + pat + "/")
o = s["overall"]
# the headline: maturity over the answered requirements, coverage apart
has(r"\b%.2f maturity of answered \(0-5\), target 3; previous %.2f\b"
    % (o["maturity"], p["overall"]["maturity"]), "maturity with the previous one")
has(r"\b%d%%" % round(100 * o["answered"] / o["assessable"]), "coverage percent")
has(r"answered: %d/%d\b" % (o["answered"], o["assessable"]), "coverage")
has(r"\b%d requirements below the target level \(3\)" % len(s["gaps"]), "gap count")
for i, pr in enumerate(s["principles"]):
    has(r"%d\. %s" % (i + 1, re.escape(pr["title"])), "principle title")
    has(r"\b%.2f %d/%d\b" % (pr["score"], pr["answered"], pr["assessable"]), "principle %d" % (i + 1))
for g in s["gaps"][:5]:
    has(r"(^| )%s .*- / 3" % re.escape(g["ref"]), "gap " + g["ref"])
has(r"\+ %d more" % (len(s["gaps"]) - 5), "gaps beyond five")
# the overdue action of the answers: 4.1, level 2, due 2026-05-31, before the report's day
has(r"4\.1 The entity has an incident management.*2 / 3 SOC lead 2026-05-31", "overdue action")
overdue = [f for f in scan["findings"] if f["overdue"] and not f.get("suppressed")]
assert len(overdue) == scan["summary"]["overdue"] > 0
has(r"\b%d overdue patches; %d known exploited" % (len(overdue), sum(1 for f in overdue if f["kev"])), "patches")
# the most urgent by name: known exploited first, then the longest overdue
from datetime import datetime
def t(x): return datetime.fromisoformat(x.replace("Z", "+00:00"))
now = t(scan["now"])
urgent = sorted(overdue, key=lambda f: (not f["kev"], t(f["deadline"])))[:5]
for f in urgent:
    has(r"%s %s .*?%s %d\b" % (re.escape(f["cve"]), re.escape(f["asset"]), "yes" if f["kev"] else "-",
                                (now - t(f["deadline"])).days), "urgent patch " + f["asset"])
pos = [text.find(" " + f["asset"] + " ") for f in urgent]
if pos != sorted(pos) or -1 in pos: bad.append("urgent patches out of order: %s" % pos)
# this year's incidents of the organisation: 1, 2, 3 (not 4: 2025; not 5: another org)
mine = [d for d in due if d["incident"] in (1, 2, 3) and d["stage"] != "csirt-answer"]
n = {k: sum(1 for d in mine if d["state"] == k) for k in ("met", "late", "overdue", "open")}
has(r"reporting deadlines: %d met, %d late, %d overdue, %d open\." % (n["met"], n["late"], n["overdue"], n["open"]), "deadline counts")
has(r"\b3 incidents in 2026; %d deadlines missed" % (n["late"] + n["overdue"]), "incident figure")
has(r"1 Portal DDoS 2026-01-30 met late", "incident 1 row")
# the open deadlines by name and time, soonest first
names = {"early-warning": "early warning", "notification": "notification", "final-report": "final report",
         "progress-report": "progress", "progress": "progress", "final": "final report"}
op = sorted((d["due"], d["incident"], d["stage"]) for d in mine if d["state"] == "open" and d.get("due"))
assert op, "the fixture has open deadlines"
has(r"open deadlines: " + "; ".join(r"#%d %s %s %s UTC" % (i, names.get(st, st), due[:10], due[11:16])
                                     for due, i, st in op) + r"\.", "open deadlines")
if "Last year" in text or "Not ours" in text: bad.append("an incident of another year or organisation")
has(re.escape(" ".join(s["attribution"].split())), "catalogue attribution")
has(r"Basic principles: Principles: NCSC and Digital Trust Center", "principles attribution")
if bad:
    print("\n".join(bad)); print(text[:3000]); sys.exit(1)
PY
}
numbers "$tmp/b.txt" "$tmp/s.json" "$tmp/p.json"
numbers "$tmp/h.txt" "$tmp/s.json" "$tmp/p.json"

# An assessment in the database: 2025's answers, then 2026's as version 2;
# the report compares version 2 with version 1 and equals `assess show ID`.
id=$("$bin" assess new --catalogue cbw_nis2 --org "Waterschap Oost" --db "$db" | tail -1)
q assess import "$id" $A/cbw-2025.csv
q assess import "$id" $A/cbw-2026.csv
"$bin" assess show "$id" --format json --db "$db" >"$tmp/ds.json" || err "assess show ID"
"$bin" assess show "$id@1" --format json --db "$db" >"$tmp/dp.json" || err "assess show ID@1"
"$bin" assess report "$id" --db "$db" --vuln "$tmp/scan.json" --now $NOW --out "$tmp/db.pdf" || err "report ID"
pdfinfo "$tmp/db.pdf" | grep -q '^Pages: *1$' || err "report ID: not one page"
pdftotext -raw "$tmp/db.pdf" "$tmp/db.txt"
numbers "$tmp/db.txt" "$tmp/ds.json" "$tmp/dp.json"
grep -q "assessment $id@2" "$tmp/db.txt" || err "report ID names the version"
"$bin" assess report "$id@1" --db "$db" --now $NOW --format html | grep -q 'previous 0' &&
    err "version 1 has no previous version"

# The same assessment and incidents from a hub serving that database: the
# same page, word for word.
if command -v curl >/dev/null; then
    q admin user add boss@oost.example --org "Waterschap Oost" --role org-admin
    key=$("$bin" admin key add boss@oost.example --db "$db" | awk '/^key:/ {print $2}')
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" serve --db "$db" --listen 127.0.0.1:$port >"$tmp/serve.log" 2>&1 &
    sp=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    "$bin" assess report "$id" --hub "http://127.0.0.1:$port" --key "$key" --vuln "$tmp/scan.json" \
        --now $NOW --out "$tmp/hub.pdf" 2>"$tmp/e" || err "report over --hub: $(cat "$tmp/e")"
    pdftotext -raw "$tmp/hub.pdf" "$tmp/hub.txt"
    cmp -s "$tmp/hub.txt" "$tmp/db.txt" || err "the hub's report differs: $(diff "$tmp/db.txt" "$tmp/hub.txt" | head)"
    "$bin" assess report cbw_nis2 --answers $A/cbw-2026.csv --previous $A/cbw-2025.csv \
        --org "Waterschap Oost" --now $NOW --hub "http://127.0.0.1:$port" --key "$key" \
        --vuln "$tmp/scan.json" --out "$tmp/hubf.pdf" || err "file form with --hub"
    pdftotext -raw "$tmp/hubf.pdf" "$tmp/hubf.txt"
    numbers "$tmp/hubf.txt" "$tmp/s.json" "$tmp/p.json"
    "$bin" assess report "$id" --hub "http://127.0.0.1:$port" --key nope --out "$tmp/x.pdf" 2>"$tmp/e"
    [ $? = 2 ] && grep -q '401' "$tmp/e" || err "a bad key: $(cat "$tmp/e")"
    "$bin" assess report "$id" --hub "http://127.0.0.1:$port" --db "$db" --out "$tmp/x.pdf" 2>"$tmp/e"
    [ $? = 2 ] && grep -q 'not both' "$tmp/e" || err "--hub and --db"
    kill $sp
    wait $sp 2>/dev/null
fi

# PNG: the page at 110 dpi; standard output when --out is not given.
rep --format png --out "$tmp/b.png" || err "report png"
python3 - "$tmp/b.png" <<'PY' || err "png size"
import struct, sys
d = open(sys.argv[1], "rb").read(32)
assert d[:8] == b"\x89PNG\r\n\x1a\n", d[:8]
w, h = struct.unpack(">II", d[16:24])
assert (w, h) == (910, 1287), (w, h)
PY
rep | head -c 5 | grep -q '%PDF-' || err "PDF on standard output"

# Dutch
rep --lang nl --out "$tmp/nl.pdf" || err "report nl"
pdftotext -raw "$tmp/nl.pdf" - | tr '\n' ' ' >"$tmp/nl.txt"
for want in "Bestuursrapportage digitale weerbaarheid" "De vijf basisprincipes" "Breng je risico's in kaart" \
    "meldtermijnen: 2 op tijd, 1 te laat, 4 verlopen, 4 open." "achterstallige patches"; do
    grep -qF "$want" "$tmp/nl.txt" || err "Dutch report lacks '$want'"
done

# Without --db, --vuln and --previous the report says what is missing.
"$bin" assess report cbw_nis2 --answers $A/cbw-2026.csv --org X --out "$tmp/min.pdf" || err "minimal report"
pdftotext -raw "$tmp/min.pdf" - | tr '\n' ' ' | grep -q "No incident register was given (--db)." || err "minimal: no register"
pdftotext -raw "$tmp/min.pdf" - | tr '\n' ' ' | grep -q "overdue patches (no scan given)" || err "minimal: no scan"

# Very long names everywhere, many gaps and overdue actions: still one page.
if python3 -c 'import yaml' 2>/dev/null; then
    mkdir -p "$tmp/cats"
    python3 - data/catalogues/cbw_nis2.yaml "$tmp/cats/cbw_nis2.yaml" <<'PY' || err "long catalogue"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
long = " ".join(["Zorgvuldig-en-aantoonbaar-beheerde"] * 40) + " " + "W" * 700
for n in doc["objects"]["framework"]["requirement_nodes"]:
    n["name"] = long
    for t in (n.get("translations") or {}).values():
        t["name"] = long
doc["objects"]["framework"]["name"] = long
doc["copyright"] = doc["copyright"] + " " + long
yaml.safe_dump(doc, open(sys.argv[2], "w"), allow_unicode=True)
PY
    python3 - "$tmp/long.csv" <<'PY'
import sys
refs = ["1.1", "2.1", "3.1", "4.1", "5.1", "6.1", "6.2", "7.1", "8.1", "9.1", "10.1", "11.1"]
owner = "Afdeling " + "informatiebeveiliging en privacy " * 30
with open(sys.argv[1], "w") as f:
    f.write("ref,level,owner,due\n")
    for r in refs: f.write('%s,1,"%s",2026-01-%02d\n' % (r, owner, refs.index(r) + 1))
PY
    # seven incidents with long titles for an organisation with a long name
    org="Gemeenschappelijke Regeling $(printf 'Waterzuivering %.0s' $(seq 6))"
    db2=$tmp/long.db
    "$bin" admin org add "$org" --kind essential --sector energy --db "$db2" >/dev/null || err "long org"
    for i in 1 2 3 4 5 6 7; do
        "$bin" incident new --org "$org" --title "$(printf 'Langdurige verstoring %.0s' $(seq 20))" \
            --aware-at 2026-0$i-01T09:00:00+01:00 --db "$db2" >/dev/null || err "long incident $i"
    done
    "$bin" assess report cbw_nis2 --catalogues "$tmp/cats" --answers "$tmp/long.csv" \
        --org "$org" --scope "$(printf 'alle systemen %.0s' $(seq 80))" --previous "$tmp/long.csv" \
        --db "$db2" --vuln "$tmp/scan.json" --now 2026-07-15T10:00:00+02:00 --out "$tmp/long.pdf" 2>"$tmp/e" ||
        err "long report: $(cat "$tmp/e")"
    pdfinfo "$tmp/long.pdf" | grep -q '^Pages: *1$' || err "long names: not one page"
    pdftotext -raw "$tmp/long.pdf" - | tr '\n' ' ' >"$tmp/long.txt"
    grep -q '+ 9 more' "$tmp/long.txt" || err "long names: overdue actions counted"
    grep -q '+ 3 more. reporting deadlines' "$tmp/long.txt" || err "long names: incidents counted"
fi

# Errors: exit 2 and a message naming the file and the JSON path.
expect2() { # expect2 TEXT ARGS...
    local want=$1
    shift
    "$bin" assess report "$@" >"$tmp/out" 2>"$tmp/e"
    local rc=$?
    [ $rc = 2 ] && grep -qF -- "$want" "$tmp/e" || err "assess report $*: exit $rc, '$(cat "$tmp/e")', want '$want'"
}
echo '{"summary": {"overdue": 1}, "findings": [{"overdue": "yes"}]}' >"$tmp/bad1.json"
expect2 "bad1.json: \$.findings[0].overdue: not a boolean" cbw_nis2 --answers $A/cbw-2026.csv --org X --vuln "$tmp/bad1.json" --out "$tmp/x.pdf"
echo '{"summary": {"overdue": 5}, "findings": [{"overdue": true}]}' >"$tmp/bad2.json"
expect2 "bad2.json: \$.summary.overdue: says 5, but the findings hold 1" cbw_nis2 --answers $A/cbw-2026.csv --org X --vuln "$tmp/bad2.json" --out "$tmp/x.pdf"
echo '[1' >"$tmp/bad3.json"
expect2 "bad3.json:2:0: not JSON:" cbw_nis2 --answers $A/cbw-2026.csv --org X --vuln "$tmp/bad3.json" --out "$tmp/x.pdf"
expect2 "\$.findings: missing" cbw_nis2 --answers $A/cbw-2026.csv --org X --vuln $A/../incident/facts-cloud.json --out "$tmp/x.pdf"
expect2 "no-such.json" cbw_nis2 --answers $A/cbw-2026.csv --org X --vuln "$tmp/no-such.json" --out "$tmp/x.pdf"
expect2 "--org ORG is required" cbw_nis2 --answers $A/cbw-2026.csv
expect2 "--format must be pdf, html or png" cbw_nis2 --answers $A/cbw-2026.csv --org X --format docx
expect2 "unknown catalogue 'nope'" nope --answers $A/cbw-2026.csv --org X --out "$tmp/x.pdf"
expect2 "--previous goes with --answers" 1 --previous $A/cbw-2025.csv --db "$db"
expect2 "no assessment 99" 99 --db "$db" --out "$tmp/x.pdf"
expect2 "'x1' is not an assessment id" x1 --db "$db" --out "$tmp/x.pdf"
expect2 "give --db PATH (or --hub URL --key KEY) for an assessment" 1 --out "$tmp/x.pdf"
expect2 "--org and --scope go with --answers" "$id" --db "$db" --org X --out "$tmp/x.pdf"
id2=$("$bin" assess new --catalogue cbw_nis2 --org "Waterschap Oost" --db "$db" | tail -1)
expect2 "assessment $id2 has no answers yet" "$id2" --db "$db" --out "$tmp/x.pdf"
expect2 "cannot create" cbw_nis2 --answers $A/cbw-2026.csv --org X --out "$tmp/no/dir/x.pdf"
[ -e "$tmp/x.pdf" ] && err "a failed report left a file"
"$bin" assess report --help | grep -q 'assess report cbw_nis2 --answers' || err "help has examples"
"$bin" assess --help | grep -q 'report ' || err "assess help names report"
exit $fail
