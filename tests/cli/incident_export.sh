#!/usr/bin/env bash
# incident_export.sh - `weerbaar incident export ID --format pdf`: an A4 PDF
# whose text holds the incident's deadlines with the states `incident due
# --format json` gives, each report's fields and the CSIRT's actions; an
# incident with many reports runs over several pages; --format json is
# unchanged; pdf is refused where it does not apply.
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
D=tests/data/incident
db=$tmp/inc.db
NOW=2026-03-15T12:00:00+01:00
q() { "$bin" "$@" --db "$db" >/dev/null || err "setup: $*"; }
q admin org add Gamma --kind essential --sector energy
q admin org add NCSC --kind csirt
q admin route add --sector '*' --csirt NCSC
q incident new --org Gamma --title "Portal DDoS" --aware-at 2026-01-30T09:00:00+01:00 --tlp amber+strict
q incident report 1 --stage early-warning --file $D/early-warning.json --submitted-at 2026-01-30T20:00:00+01:00
q incident report 1 --stage notification --file $D/notification.json --submitted-at 2026-02-03T10:00:00+01:00
q incident comment 1 --text "Please send the firewall logs of 30 January"
# a correction that withdraws a field and adds a money amount
echo '{"impact": {"duration_minutes": null, "financial_loss_eur": 1234.5}}' >"$tmp/corr.json"
q incident report 1 --stage notification --file "$tmp/corr.json" --submitted-at 2026-02-04T10:00:00+01:00

"$bin" incident export 1 --format pdf --out "$tmp/i.pdf" --now $NOW --db "$db" || err "export pdf"
pdfinfo "$tmp/i.pdf" >"$tmp/info" 2>&1 || err "pdfinfo: $(cat "$tmp/info")"
grep -q '^Page size: *595.276 x 841.89 pts (A4)' "$tmp/info" || err "not A4: $(cat "$tmp/info")"
grep -q '^Title: *Incident 1: Portal DDoS$' "$tmp/info" || err "PDF title: $(cat "$tmp/info")"
pdftotext -raw "$tmp/i.pdf" "$tmp/i.txt" || err "pdftotext"
"$bin" incident due --now $NOW --format json --db "$db" >"$tmp/due.json"
python3 - "$tmp/i.txt" "$tmp/due.json" <<'PY' || err "export text"
import json, re, sys
text = " ".join(open(sys.argv[1]).read().split())
bad = []
def has(pat, what):
    if not re.search(pat, text): bad.append(what + ": /" + pat + "/")
has(r"Incident 1: Portal DDoS", "title")
has(r"TLP:AMBER\+STRICT", "TLP marking")
has(r"aware at \(the clock's start\) 2026-01-30 09:00 \+01:00", "aware_at in Amsterdam time")
for d in json.load(open(sys.argv[2])):
    has(r"\b%s\b.*?\b%s\b" % (re.escape(d["stage"]), d["state"]), "deadline %s %s" % (d["stage"], d["state"]))
has(r"early-warning aware_at \+ 24 h \(NIS2 Art\. 23\(4\)\(a\)\) 2026-01-31 09:00 \+01:00 2026-01-30 20:00 \+01:00 met", "early warning row")
has(r"notification .* 2026-02-02 09:00 \+01:00 2026-02-03 10:00 \+01:00 late", "notification row")
has(r"Report 1: early-warning, submitted 2026-01-30 20:00 \+01:00", "report 1")
has(r"contact: e-mail csirt@example\.nl", "report field")
has(r"Report 2: notification", "report 2")
has(r"comment .* Please send the firewall logs of 30 January", "CSIRT comment")
has(r"Report 3: notification, submitted 2026-02-04 10:00 \+01:00 channel recorded \(made through another channel", "correction")
has(r"duration \(minutes\) \(withdrawn\) financial loss \(EUR\) 1234\.50", "withdrawn field and amount")
# the merged state: the withdrawn duration is gone, the amount is there
state = text[text.index("Current state"):]
if "duration (minutes)" in state or "financial loss (EUR) 1234.50" not in state: bad.append("merged state")
if bad: print("\n".join(bad)); print(text[:2500]); sys.exit(1)
PY

# --utc prints UTC times
"$bin" incident export 1 --format pdf --utc --out "$tmp/u.pdf" --now $NOW --db "$db" || err "export --utc"
pdftotext -raw "$tmp/u.pdf" - | grep -q '2026-01-30 08:00 UTC' || err "--utc times"

# many reports: several pages, every report in them, a page footer on each
for i in $(seq 2 39); do
    python3 -c "import json; print(json.dumps({'summary': 'Correction %d: ' % $i + 'the portal was slow. ' * 12}))" >"$tmp/c.json"
    q incident report 1 --stage early-warning --file "$tmp/c.json" --submitted-at 2026-02-0$((i % 9 + 1))T12:00:00+01:00
done
"$bin" incident export 1 --format pdf --out "$tmp/many.pdf" --now $NOW --db "$db" || err "export many"
pages=$(pdfinfo "$tmp/many.pdf" | sed -n 's/^Pages: *//p')
[ "${pages:-0}" -ge 3 ] || err "41 reports on $pages pages, want several"
pdftotext -raw "$tmp/many.pdf" - | tr '\n' ' ' >"$tmp/many.txt"
n=$(grep -o 'Report [0-9]*: ' "$tmp/many.txt" | sort -u | wc -l)
[ "$n" = 41 ] || err "$n reports in the PDF, want 41"
f=$(grep -o 'TLP:AMBER+STRICT · weerbaar · incident 1' "$tmp/many.txt" | wc -l)
[ "$f" = "$pages" ] || err "$f page footers on $pages pages"

# standard output, JSON unchanged, and errors
"$bin" incident export 1 --format pdf --db "$db" | head -c 5 | grep -q '%PDF-' || err "PDF on standard output"
"$bin" incident export 1 --format json --db "$db" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["id"] == 1 and len(d["reports"]) == 41' ||
    err "export json"
"$bin" incident export 1 --db "$db" 2>"$tmp/e"
[ $? = 2 ] && grep -q 'format json is required (or --format pdf)' "$tmp/e" || err "export without --format"
"$bin" incident show 1 --format pdf --db "$db" 2>"$tmp/e"
[ $? = 2 ] && grep -q 'incident show: --format pdf is for export' "$tmp/e" || err "show --format pdf"
"$bin" incident export 9 --format pdf --out "$tmp/x.pdf" --db "$db" 2>"$tmp/e"
[ $? = 2 ] && grep -q 'no incident 9' "$tmp/e" || err "unknown incident: $(cat "$tmp/e")"
[ -e "$tmp/x.pdf" ] && err "a failed export left a file"
"$bin" incident export 1 --format pdf --out "$tmp/no/such/dir.pdf" --db "$db" 2>"$tmp/e"
[ $? = 2 ] && grep -q 'cannot create' "$tmp/e" || err "unwritable --out: $(cat "$tmp/e")"
"$bin" incident --help | grep -q 'export ID --format json|pdf' || err "help"
exit $fail
