#!/usr/bin/env bash
# Integration tests of `weerbaar intel export` (Zeek Intel, Suricata datasets
# and rules, CSV) and of `-i URL` (a MISP feed, a restSearch and a single file
# over loopback HTTP, cached with ETags). Exports are checked for syntax
# (tests/cli/surirules.py, which must accept the documented forms in
# tests/data/match/suricata/) and read back: with weerbaar's own loaders they
# must make `match` find the same sightings, and the Suricata files must
# select exactly the set's indicators.
# Usage: tests/cli/intel_export.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: intel_export.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
F=tests/data/match
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
SR="python3 tests/cli/surirules.py"
DI="-i demo/iocs/csirt-advisory.misp.json -i demo/iocs/partner.stix.json -i demo/iocs/blocklist.txt -w demo/warninglists --now 2026-11-27T00:00:00Z"
# sightings as comparable tuples
tuples() { python3 -c "
import json,sys
for l in open('$1'):
    o=json.loads(l)
    if o['type'] in '$2'.split(): continue
    print('\t'.join(str(o[k]) for k in '$3'.split()))" | sort; }

"$WB" match $DI demo/logs > "$T/orig.jsonl" 2>/dev/null

# ---- csv -------------------------------------------------------------------------
"$WB" intel export --to csv $DI --out "$T/x.csv" 2> "$T/csv.err"; rc=$?
check "csv: exit 0, warninglisted and expired indicators left out" \
  "[ $rc = 0 ] && ! grep -q '8.8.8.8' $T/x.csv && ! grep -q '198.51.100.99' $T/x.csv && grep -q '11 indicators exported' $T/csv.err"
"$WB" match -i "$T/x.csv" demo/logs > "$T/csv.jsonl" 2>/dev/null
check "csv: read back, match finds the same sightings (indicator, event, attribute, TLP)" \
  "diff <(tuples $T/orig.jsonl '' 'file line field indicator type event attribute tlp') <(tuples $T/csv.jsonl '' 'file line field indicator type event attribute tlp')"

# ---- zeek-intel ------------------------------------------------------------------
"$WB" intel export --to zeek-intel $DI > "$T/intel.dat" 2> "$T/zi.err"; rc=$?
check "zeek-intel: Zeek 6's Intel::read_files header, 5 tab-separated fields, its types" \
  "[ $rc = 0 ] && [ \"\$(head -1 $T/intel.dat)\" = \"\$(printf '#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url')\" ] && tail -n +2 $T/intel.dat | awk -F'\t' 'NF!=5 || \$2 !~ /^Intel::(ADDR|SUBNET|DOMAIN|URL|EMAIL|FILE_HASH)\$/ {exit 1}'"
check "zeek-intel: URLs without their scheme, as Zeek sees them; ip|port reported as not exportable" \
  "grep -qP '^gemeente-login.example/digid/inloggen.php\tIntel::URL' $T/intel.dat && grep -q '1 ip-port indicator not exported' $T/zi.err"
"$WB" match -i "$T/intel.dat" demo/logs > "$T/zi.jsonl" 2>/dev/null
check "zeek-intel: read back by weerbaar's Zeek Intel loader, match finds the same records and fields (less ip|port)" \
  "diff <(tuples $T/orig.jsonl 'ip-port' 'file line field') <(tuples $T/zi.jsonl '' 'file line field')"

# ---- suricata --------------------------------------------------------------------
check "checker: accepts the forms of Suricata's documentation" \
  "$SR check $F/suricata/doc-examples.rules"
printf 'alert dns any any -> any any (msg:"x"; dns.query; content:"a;b"; sid:1; rev:1;)\n' > "$T/broken.rules"
check "checker: refuses an unescaped ';' in a content" "! $SR check $T/broken.rules 2>/dev/null"
python3 -c "
import csv
for r in csv.DictReader(open('$T/x.csv')):
    t,v=r['type'],r['value']
    if t in ('domain','hostname'): print('name\t'+v)
    elif t in ('ip','cidr'): print('addr\t'+v)
    elif t in ('md5','sha1','sha256'): print('hash\t'+v)
    elif t=='url': print('url\t'+v.split('://',1)[-1])
    elif t=='ip-port': print('ip-port\t'+v)" | sort > "$T/want"
"$WB" intel export --to suricata-dataset $DI --out "$T/ds" 2> "$T/ds.err"; rc=$?
check "suricata-dataset: rules parse; dataset, iprep and hash files select exactly the names, addresses and hashes" \
  "[ $rc = 0 ] && $SR check $T/ds/weerbaar-datasets.rules && diff <($SR content $T/ds | sort) <(grep -Pv '^(url|ip-port)\t' $T/want)"
check "suricata-dataset: URL, e-mail and ip|port reported as not exportable" \
  "grep -q '1 url indicator not exported' $T/ds.err && grep -q '1 email indicator' $T/ds.err && grep -q '1 ip-port indicator' $T/ds.err"
"$WB" intel export --to suricata-rules $DI --out "$T/rules" --sid-base 2000000 2> "$T/r.err"; rc=$?
check "suricata-rules: rules parse, sids from --sid-base, and they select exactly the indicators" \
  "[ $rc = 0 ] && $SR check $T/rules/weerbaar.rules && grep -q 'sid:2000000;' $T/rules/weerbaar.rules && diff <($SR content $T/rules | sort) $T/want"
"$WB" intel export --to suricata-rules $DI > /dev/null 2> "$T/e"; rc=$?
check "suricata without --out DIR: exit 2 with the reason" "[ $rc = 2 ] && grep -q -- '--out DIR' $T/e"
"$WB" intel export --to snort $DI > /dev/null 2>&1; rc=$?
check "unknown --to: exit 2" '[ $rc = 2 ]'
"$WB" intel export --to csv $DI demo/logs > /dev/null 2> "$T/e"; rc=$?
check "a stray argument is refused, not taken for a file: exit 2" "[ $rc = 2 ] && grep -q 'unexpected argument' $T/e"

# ---- -i URL: a MISP feed, a single file, restSearch; ETag cache --------------------
mkdir -p "$T/www/feed" "$T/cache"
U=6a1f5c7e-1b2d-4c3e-9f40-5a6b7c8d9e01
cp demo/iocs/csirt-advisory.misp.json "$T/www/feed/$U.json"
printf '{"%s": {"info": "demo", "timestamp": 1764000000}}' "$U" > "$T/www/feed/manifest.json"
mkdir -p "$T/www/feed2" && cp "$T/www/feed/$U.json" "$T/www/feed2/" && printf '{"%s": {"info": "no timestamp"}}' "$U" > "$T/www/feed2/manifest.json"
cp demo/iocs/blocklist.txt "$T/www/list.txt"
python3 -c "import json; e=json.load(open('demo/iocs/csirt-advisory.misp.json')); json.dump({'response':[e]},open('$T/www/restSearch','w'))"
mkdir -p "$T/www/events" && cp "$T/www/restSearch" "$T/www/events/restSearch"
python3 tests/cli/etag_server.py "$T/www" "$T/req.log" k1 > "$T/port" &
SP=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
export XDG_CACHE_HOME="$T/cache"
"$WB" match -i "http://127.0.0.1:$P/feed/" --key k1 demo/logs > "$T/u1.jsonl" 2> "$T/u1.err"; rc=$?
"$WB" match -i demo/iocs/csirt-advisory.misp.json demo/logs > "$T/local.jsonl" 2>/dev/null
check "-i feed URL: the same sightings as the local event, fetched (2 files)" \
  "[ $rc = 0 ] && diff <(tuples $T/local.jsonl '' 'file line field indicator event attribute tlp') <(tuples $T/u1.jsonl '' 'file line field indicator event attribute tlp') && grep -q '2 fetched, 0 unchanged' $T/u1.err"
"$WB" match -i "http://127.0.0.1:$P/feed/manifest.json" --key k1 demo/logs > "$T/u2.jsonl" 2> "$T/u2.err"
check "-i feed URL again: the manifest answered 304, the event (same manifest timestamp) not asked for" \
  "grep -q '0 fetched, 2 unchanged' $T/u2.err && cmp -s $T/u1.jsonl $T/u2.jsonl && [ \$(grep -c ' 304\$' $T/req.log) = 1 ] && [ \$(grep -c '$U.json' $T/req.log) = 1 ]"
python3 -c "
import json; p='$T/www/feed/$U.json'; e=json.load(open(p)); e['Event']['info']+=' (updated)'; json.dump(e,open(p,'w'))
m='$T/www/feed/manifest.json'; j=json.load(open(m)); j['$U']['timestamp']+=60; json.dump(j,open(m,'w'))"
"$WB" match -i "http://127.0.0.1:$P/feed/" --key k1 --format count demo/logs > /dev/null 2> "$T/u3.err"
check "-i feed URL after an event changed (timestamp bumped): the manifest and that event travel" "grep -q '2 fetched, 0 unchanged' $T/u3.err"
"$WB" match -i "http://127.0.0.1:$P/feed2/" --key k1 --format count demo/logs > /dev/null 2>&1
: > "$T/req.log"
"$WB" match -i "http://127.0.0.1:$P/feed2/" --key k1 --format count demo/logs > /dev/null 2> "$T/u4.err"
check "-i feed URL without manifest timestamps: each file revalidated with its ETag (two 304s)" \
  "grep -q '0 fetched, 2 unchanged' $T/u4.err && [ \$(grep -c ' 304\$' $T/req.log) = 2 ]"
WEERBAAR_KEY=k1 "$WB" match -i "http://127.0.0.1:$P/list.txt" --format count demo/logs > "$T/n" 2>/dev/null; rc=$?
"$WB" match -i demo/iocs/blocklist.txt --format count demo/logs > "$T/n0" 2>/dev/null
check "-i URL of a single plain list, key from WEERBAAR_KEY" "[ $rc = 0 ] && cmp -s $T/n $T/n0"
"$WB" match -i "http://127.0.0.1:$P/events/restSearch" --key k1 --format count demo/logs > "$T/n" 2>/dev/null; rc=$?
check "-i restSearch URL: POSTed, the response's events loaded" \
  "[ $rc = 0 ] && [ \"\$(cat $T/n)\" = \"\$(wc -l < $T/local.jsonl)\" ] && grep -q 'POST /events/restSearch 200' $T/req.log"
"$WB" match -i "http://127.0.0.1:$P/feed/" --key wrong demo/logs > /dev/null 2> "$T/e"; rc=$?
check "-i URL refused (403): exit 2 naming the URL and status" "[ $rc = 2 ] && grep -q 'manifest.json: HTTP 403' $T/e"
"$WB" intel export --to csv -i "http://127.0.0.1:$P/feed/" --key k1 > "$T/uc.csv" 2>/dev/null; rc=$?
check "intel export takes -i URL too" "[ $rc = 0 ] && grep -q '^domain,gemeente-login.example' $T/uc.csv"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
