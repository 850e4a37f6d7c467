#!/usr/bin/env bash
# Integration tests of `weerbaar match` through the CLI: real logs and
# indicator files from ../shared/testdata, fixtures from tests/data, every
# error path and exit status. Usage: tests/cli/match.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: match.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
S=../shared/testdata
F=tests/data/match
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
# q FILE EXPR: evaluates a Python expression over the sightings r (a list of dicts)
q() { python3 -c "import json,sys; r=[json.loads(l) for l in open('$1') if l.strip()]; v=($2); sys.exit(0 if v else 1)"; }

# ---- demo data (always present) -------------------------------------------
"$WB" match -i demo/iocs/csirt-advisory.misp.json -i demo/iocs/partner.stix.json \
  -i demo/iocs/blocklist.txt -w demo/warninglists --now 2026-11-27T00:00:00Z demo/logs \
  > "$T/demo.jsonl" 2> "$T/demo.err"; rc=$?
check "demo: exit 0 on matches" '[ $rc = 0 ]'
check "demo: every jsonl field present with the documented types" \
  "q $T/demo.jsonl 'all(set(o)=={\"indicator\",\"type\",\"matched\",\"field\",\"file\",\"line\",\"ts\",\"event\",\"attribute\",\"source\",\"tlp\",\"uid\",\"flow_id\",\"community_id\",\"orig_h\",\"orig_p\",\"resp_h\",\"resp_p\",\"proto\",\"side\",\"internal\",\"direction\"} and isinstance(o[\"line\"],int) for o in r)'"
check "demo: warninglisted 8.8.8.8 dropped and reported with the list's name" \
  "grep -q \"8.8.8.8.*List of known public DNS resolvers\" $T/demo.err && q $T/demo.jsonl 'not any(o[\"matched\"]==\"8.8.8.8\" for o in r)'"
check "demo: expired STIX indicator reported and not matched" \
  "grep -q 'expired indicator .198.51.100.99.' $T/demo.err"
check "demo: parent domain on label boundary only (www. yes, notgemeente- no)" \
  "q $T/demo.jsonl 'any(o[\"matched\"]==\"www.gemeente-login.example\" for o in r) and not any(\"notgemeente\" in o[\"matched\"] for o in r)'"
check "demo: CIDR, ip|port, IPv6 CIDR, URL, hash, STIX OR-chain all sighted" \
  "q $T/demo.jsonl 'set(o[\"type\"] for o in r) >= {\"cidr\",\"ip-port\",\"domain\",\"url\",\"sha256\",\"ip\"}'"
check "demo: Zeek ts to RFC 3339 UTC, EVE offset converted" \
  "q $T/demo.jsonl 'any(o[\"file\"].endswith(\"conn.log\") and o[\"line\"]==10 and o[\"ts\"]==\"2026-11-26T08:00:03.440000Z\" for o in r) and any(o[\"file\"].endswith(\"eve.json\") and o[\"ts\"]==\"2026-11-26T08:16:40.002000Z\" for o in r)'"
check "demo: MISP uuids and TLP carried, to_ids false skipped" \
  "q $T/demo.jsonl 'any(o[\"attribute\"]==\"6a1f5c7e-0002-4c3e-9f40-5a6b7c8d9e01\" and o[\"event\"]==\"6a1f5c7e-1b2d-4c3e-9f40-5a6b7c8d9e01\" and o[\"tlp\"]==\"amber\" for o in r) and not any(\"benign-analytics\" in o[\"indicator\"] for o in r)'"
"$WB" match -i demo/iocs/csirt-advisory.misp.json -i demo/iocs/partner.stix.json \
  -i demo/iocs/blocklist.txt -w demo/warninglists --now 2026-11-27T00:00:00Z -j 3 demo/logs \
  > "$T/demo-j3.jsonl" 2>/dev/null
check "demo: output identical with -j 3 (input order kept)" 'cmp -s "$T/demo.jsonl" "$T/demo-j3.jsonl"'
"$WB" match -i demo/iocs/partner.stix.json --include-expired --now 2026-11-27T00:00:00Z --stats \
  --format count /dev/null > /dev/null 2> "$T/inc.err"
check "demo: --include-expired keeps the expired indicator loaded" \
  "grep -q 'indicators expired: 0' $T/inc.err && grep -q 'indicators loaded: 3' $T/inc.err"
"$WB" match -i demo/iocs/csirt-advisory.misp.json --format misp-sightings demo/logs > "$T/ms.json" 2>/dev/null
check "demo: misp-sightings aggregated per attribute with count, first and last seen" \
  "python3 -c \"import json,sys; a=json.load(open('$T/ms.json')); d={o.get('uuid'):o for o in a}; o=d['6a1f5c7e-0002-4c3e-9f40-5a6b7c8d9e01']; sys.exit(0 if o['count']==3 and o['type']=='0' and o['first_seen']<o['last_seen'] and o['date_sighting'].isdigit() and len(a)==len(d) else 1)\""
"$WB" match -i demo/iocs/csirt-advisory.misp.json --format count demo/logs > "$T/count" 2>/dev/null
check "demo: --format count" '[ "$(cat "$T/count")" -ge 8 ]'
"$WB" match -i demo/iocs/csirt-advisory.misp.json --all-attributes --stats --format count /dev/null 2> "$T/all.err" >/dev/null
check "demo: --all-attributes loads to_ids false too" "grep -q 'indicators loaded: 8' $T/all.err"

# ---- compressed input, stdin, directories ------------------------------------
gzip -c demo/logs/dns.log > "$T/dns.log.gz"; zstd -qc demo/logs/dns.log > "$T/dns.log.zst"
for f in dns.log.gz dns.log.zst; do
  "$WB" match -i demo/iocs/csirt-advisory.misp.json --format count "$T/$f" > "$T/n" 2>/dev/null
  check "$f decompressed transparently" '[ "$(cat "$T/n")" = 2 ]'
done
cat demo/logs/dns.log | "$WB" match -i demo/iocs/csirt-advisory.misp.json - > "$T/stdin.jsonl" 2>/dev/null
check "stdin: '-' reads standard input" "q $T/stdin.jsonl 'len(r)==2 and r[0][\"file\"]==\"(standard input)\"'"
head -c 300 "$T/dns.log.gz" > "$T/cut.log.gz"
"$WB" match -i demo/iocs/csirt-advisory.misp.json "$T/cut.log.gz" demo/logs/dns.log > "$T/cut.jsonl" 2> "$T/cut.err"; rc=$?
check "truncated gzip: exit 2, named, and the other file still matched" \
  "[ $rc = 2 ] && grep -q 'cut.log.gz: truncated gzip' $T/cut.err && q $T/cut.jsonl 'len(r)==2'"

# ---- exit statuses and errors --------------------------------------------------
"$WB" match -i demo/iocs/blocklist.txt demo/logs/access.log > /dev/null 2>&1; rc=$?
check "exit 0 when something matched" '[ $rc = 0 ]'
printf 'nothing here\n' > "$T/plain.log"
"$WB" match -i demo/iocs/blocklist.txt "$T/plain.log" > /dev/null 2>&1; rc=$?
check "exit 1 when nothing matched" '[ $rc = 1 ]'
"$WB" match -i demo/iocs/blocklist.txt "$T/missing.log" > /dev/null 2> "$T/e"; rc=$?
check "missing log: exit 2 and the file named" "[ $rc = 2 ] && grep -q 'missing.log' $T/e"
"$WB" match -i demo/iocs/blocklist.txt "$T/missing.log" demo/logs/access.log > /dev/null 2>&1; rc=$?
check "exit 2 wins over 0" '[ $rc = 2 ]'
"$WB" match -i "$F/broken.json" "$T/plain.log" > /dev/null 2> "$T/e"; rc=$?
check "broken JSON indicators: exit 2 naming file, line and column" "[ $rc = 2 ] && grep -qE 'broken.json:[0-9]+:[0-9]+' $T/e"
"$WB" match -i "$F/bad.csv" --ioc-format csv "$T/plain.log" > /dev/null 2> "$T/e"; rc=$?
check "CSV without value column: exit 2 naming the file" "[ $rc = 2 ] && grep -q 'bad.csv' $T/e"
"$WB" match -i "$T/nope.json" "$T/plain.log" > /dev/null 2> "$T/e"; rc=$?
check "missing indicator file: exit 2" "[ $rc = 2 ] && grep -q 'nope.json' $T/e"
"$WB" match "$T/plain.log" > /dev/null 2> "$T/e"; rc=$?
check "no -i: exit 2 with a hint" "[ $rc = 2 ] && grep -q -- '-i' $T/e"
"$WB" match -i demo/iocs/blocklist.txt --log-format nosuch "$T/plain.log" > /dev/null 2>&1; rc=$?
check "unknown --log-format: exit 2" '[ $rc = 2 ]'
"$WB" match -i demo/iocs/blocklist.txt --now yesterday "$T/plain.log" > /dev/null 2>&1; rc=$?
check "bad --now: exit 2" '[ $rc = 2 ]'
{ head -8 demo/logs/dns.log; for i in $(seq 12); do printf 'short\tline\n'; done; sed -n 10p demo/logs/dns.log; } > "$T/mal.log"
"$WB" match -i demo/iocs/blocklist.txt --log-format zeek "$T/mal.log" > "$T/mal.jsonl" 2> "$T/mal.err"; rc=$?
check "malformed lines: first ten reported with file:line, counted, exit not 2" \
  "[ $rc != 2 ] && [ \$(grep -c 'mal.log:[0-9]*: malformed line' $T/mal.err) = 10 ] && grep -q '12 malformed lines' $T/mal.err && grep -q 'mal.log:9:' $T/mal.err"
"$WB" match --help > "$T/help" 2>&1; rc=$?
check "--help exits 0 and lists every log format" \
  "[ $rc = 0 ] && for f in zeek zeek-json eve jsonl dns-bind dns-unbound dnsmasq clf squid nfdump-csv text; do grep -q \"  \$f \" $T/help || exit 1; done"

# ---- --follow --------------------------------------------------------------------
cp demo/logs/dns.log "$T/grow.log"
"$WB" match -i demo/iocs/csirt-advisory.misp.json --follow "$T/grow.log" > "$T/follow.jsonl" 2>/dev/null &
FP=$!
sleep 1
sed -n 9p demo/logs/dns.log >> "$T/grow.log"
sleep 1
kill -TERM $FP; wait $FP; rc=$?
check "--follow: sightings in lines appended later, with their line numbers, exit 0 on SIGTERM" \
  "[ $rc = 0 ] && q $T/follow.jsonl 'sorted(o[\"line\"] for o in r)==[9,9,14,14]'"

# ---- real data from ../shared/testdata ----------------------------------------------
if [ -d "$S" ]; then
  "$WB" match -i "$F/simda.csv" "$S/zeek/ctu-simda/" > "$T/simda.jsonl" 2> "$T/simda.err"; rc=$?
  check "CTU Simda: exit 0" '[ $rc = 0 ]'
  check "CTU Simda: 7 DNS queries for the DGA domain volykyc.com" \
    "q $T/simda.jsonl 'sum(1 for o in r if o[\"indicator\"]==\"volykyc.com\" and o[\"field\"]==\"query\")==7'"
  check "CTU Simda: 103 connections to 104.239.157.210 in conn.log" \
    "q $T/simda.jsonl 'sum(1 for o in r if o[\"indicator\"]==\"104.239.157.210\" and o[\"file\"].endswith(\"conn.log\") and o[\"field\"]==\"id.resp_h\")==103'"
  check "CTU Simda: 3 requests for http://gatyfus.com/login.php, from host+uri" \
    "q $T/simda.jsonl 'sum(1 for o in r if o[\"indicator\"]==\"http://gatyfus.com/login.php\")==3'"
  check "CTU Simda: a known sighting with its line, ts and TLP" \
    "q $T/simda.jsonl 'any(o[\"file\"].endswith(\"ctu-simda/conn.log\") and o[\"line\"]==221 and o[\"tlp\"]==\"green\" and o[\"ts\"].startswith(\"1970-01-01T00:03:11\") for o in r)'"
  "$WB" match -i "$F/simda.csv" --format count "$S/zeek/slips-json/" > "$T/n" 2>/dev/null
  "$WB" match -i "$F/simda.csv" "$S/zeek/slips-json/" > "$T/slips.jsonl" 2>/dev/null
  check "Zeek JSON: 46 connections into 147.32.80.0/24 at 147.32.80.9" \
    "q $T/slips.jsonl 'sum(1 for o in r if o[\"file\"].endswith(\"conn.log\") and o[\"field\"]==\"id.resp_h\" and o[\"matched\"]==\"147.32.80.9\" and o[\"type\"]==\"cidr\")==46'"
  "$WB" match -i "$F/simda.csv" "$S/flows/ctu-malicious.nfdump.csv" > "$T/nf.jsonl" 2> "$T/nf.err"; rc=$?
  check "nfdump CSV: 147.32.80.119 in 4569 flows, summary lines not malformed" \
    "[ $rc = 0 ] && q $T/nf.jsonl 'sum(1 for o in r if o[\"indicator\"]==\"147.32.80.119\")==4569' && ! grep -q malformed $T/nf.err"
  "$WB" match -i "$S/misp/feed-misp-tests" --all-attributes --stats --format count /dev/null 2> "$T/feed.err" >/dev/null; rc=$?
  check "MISP feed directory loads (its one attribute is a 'link': skipped and counted)" \
    "[ $rc = 1 ] && grep -q \"unsupported attribute type 'link': 1\" $T/feed.err"
  "$WB" match -i "$S/misp/real-events/eset-glupteba.misp-event.json" --stats --format count /dev/null 2> "$T/g.err" >/dev/null
  check "real MISP event (to_ids as strings) loads its domains" "grep -qE '^  domain +[1-9]' $T/g.err"
  "$WB" match -i "$S/stix/apt1.json" --stats --format count /dev/null 2> "$T/apt1.err" >/dev/null
  check "STIX apt1.json: CIDRs inside = comparisons are CIDR indicators" "grep -qE '^  cidr +[1-9]' $T/apt1.err"
  printf 'type,value\nip,8.8.8.8\nip,192.168.1.1\ndomain,volykyc.com\n' > "$T/wl.csv"
  "$WB" match -i "$T/wl.csv" -w "$S/misp/warninglists" --stats --format count /dev/null 2> "$T/wl.err" >/dev/null
  check "real warninglists drop 8.8.8.8 and an RFC 1918 address, keep the DGA domain" \
    "grep -q 'indicators on warninglists: 2' $T/wl.err && grep -q 'indicators loaded: 1' $T/wl.err"
  "$WB" match -i "$S/zeek/intel-basic.txt" --stats --format count "$S/zeek/" > /dev/null 2> "$T/zi.err"; rc=$?
  check "Zeek Intel file loads and the Zeek test logs scan without error" "[ $rc != 2 ] && grep -q 'indicators loaded: [1-9]' $T/zi.err"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
