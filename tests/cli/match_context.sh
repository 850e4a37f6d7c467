#!/usr/bin/env bash
# Integration tests of what `weerbaar match` says about each hit: the
# record's flow (Zeek uid and id.*, EVE flow_id and community_id), the
# internal host and direction against --local-nets, the output formats
# (json, csv, table, zeek-intel-log), --summary, grep's -c -l -q -m, and the
# URL-host rule. The SOC questions are asked of the CTU Simda capture and the
# Zeek uids are joined back to the records of the same logs.
# Usage: tests/cli/match_context.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: match_context.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
S=../shared/testdata
F=tests/data/match
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh
py() { python3 -c "$1"; }

# ---- EVE: flow_id, community_id, src/dest, direction ---------------------------
cat > "$T/eve.json" <<'EOF'
{"timestamp":"2026-11-26T08:00:00.000000+0000","flow_id":1676750115612680,"event_type":"alert","src_ip":"192.168.2.7","src_port":1041,"dest_ip":"203.0.113.50","dest_port":80,"proto":"TCP","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","alert":{"signature":"x"}}
{"timestamp":"2026-11-26T08:00:01.000000+0000","flow_id":42,"event_type":"http","src_ip":"203.0.113.50","src_port":4444,"dest_ip":"10.1.2.3","dest_port":443,"proto":"TCP","http":{"hostname":"www.example.org","url":"/x","http_refer":"http://cdn.evil.example/landing"}}
EOF
printf 'type,value\nip,203.0.113.50\ndomain,evil.example\n' > "$T/iocs.csv"
"$WB" match -i "$T/iocs.csv" "$T/eve.json" > "$T/eve.jsonl" 2> "$T/eve.err"; rc=$?
check "EVE: exit 0, flow_id as a number, community_id, ports, proto" \
  "[ $rc = 0 ] && py \"
import json,sys
r=[json.loads(l) for l in open('$T/eve.jsonl')]
a=r[0]
sys.exit(0 if a['flow_id']==1676750115612680 and a['community_id']=='1:LQU9qZlK+B5F3KDmev6m5PMibrg=' and a['orig_h']=='192.168.2.7' and a['orig_p']==1041 and a['resp_h']=='203.0.113.50' and a['resp_p']==80 and a['proto']=='TCP' and a['uid'] is None else 1)\""
check "EVE: the responder matched on an outbound flow names the originator as the internal host" \
  "py \"
import json,sys
a=json.loads(open('$T/eve.jsonl').readline())
sys.exit(0 if a['side']=='resp' and a['internal']=='192.168.2.7' and a['direction']=='outbound' else 1)\""
check "EVE: an inbound flow: the originator matched, the internal host is the responder" \
  "py \"
import json,sys
r=[json.loads(l) for l in open('$T/eve.jsonl')]
a=[o for o in r if o['flow_id']==42 and o['type']=='ip'][0]
sys.exit(0 if a['side']=='orig' and a['internal']=='10.1.2.3' and a['direction']=='inbound' else 1)\""
check "URL-host rule: a domain indicator matches the host of http.http_refer" \
  "py \"
import json,sys
r=[json.loads(l) for l in open('$T/eve.jsonl')]
sys.exit(0 if any(o['indicator']=='evil.example' and o['field']=='http.http_refer' for o in r) else 1)\""
"$WB" match -i "$T/iocs.csv" --local-nets 10.0.0.0/8 --local-nets fd00::/8 "$T/eve.json" > "$T/ln.jsonl" 2>/dev/null
check "--local-nets replaces the defaults: 192.168.2.7 is then external" \
  "py \"
import json,sys
a=json.loads(open('$T/ln.jsonl').readline())
sys.exit(0 if a['internal'] is None and a['direction']=='external' else 1)\""
"$WB" match -i "$T/iocs.csv" --local-nets 10.0.0.0/33 "$T/eve.json" > /dev/null 2> "$T/e"; rc=$?
check "--local-nets: a bad block is exit 2, named" "[ $rc = 2 ] && grep -q '10.0.0.0/33' $T/e"
printf '192.168.2.7 - - [26/Nov/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 5 "https://www.evil.example/a" "UA"\n' > "$T/access.log"
"$WB" match -i "$T/iocs.csv" "$T/access.log" > "$T/clf.jsonl" 2>/dev/null
check "URL-host rule: a domain indicator matches the host of a CLF referer; client is orig_h" \
  "py \"
import json,sys
r=[json.loads(l) for l in open('$T/clf.jsonl')]
sys.exit(0 if len(r)==1 and r[0]['field']=='referer' and r[0]['orig_h']=='192.168.2.7' and r[0]['internal']=='192.168.2.7' else 1)\""

# ---- output formats agree with jsonl -------------------------------------------------
DI="-i demo/iocs/csirt-advisory.misp.json -i demo/iocs/blocklist.txt --now 2026-11-27T00:00:00Z"
DEMO="$DI demo/logs"
"$WB" match $DEMO > "$T/d.jsonl" 2>/dev/null
"$WB" match $DEMO --format json > "$T/d.json" 2>/dev/null
"$WB" match $DEMO --format csv > "$T/d.csv" 2>/dev/null
check "--format json is the array of the jsonl objects" \
  "py \"
import json,sys
a=[json.loads(l) for l in open('$T/d.jsonl')]
sys.exit(0 if a and json.load(open('$T/d.json'))==a else 1)\""
check "--format csv: a header of the jsonl keys and the same values (null empty)" \
  "py \"
import json,sys,csv
a=[json.loads(l) for l in open('$T/d.jsonl')]
rows=list(csv.DictReader(open('$T/d.csv',newline='')))
f=lambda v: '' if v is None else str(v)
sys.exit(0 if len(rows)==len(a) and list(rows[0].keys())==list(a[0].keys()) and all({k:f(v) for k,v in o.items()}==r for o,r in zip(a,rows)) else 1)\""
"$WB" match $DEMO --format table > "$T/d.table" 2>/dev/null
check "--format table: a header with time, internal host, indicator, field, event, and a row per hit" \
  "head -1 $T/d.table | grep -q 'TIME (UTC) *INTERNAL *DIR *INDICATOR *FIELD *MATCHED *EVENT *FLOW *WHERE' && [ \$(( \$(wc -l < $T/d.table) - 1 )) = \$(wc -l < $T/d.jsonl) ]"
printf 'type,value\ndomain,evil.example\n' > "$T/d.csv.iocs"
printf '{"ts":1.0,"uid":"CLONGUID0123456789abcdef","q":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.evil.example"}\n' > "$T/long.json"
"$WB" match -i "$T/d.csv.iocs" --format table "$T/long.json" > "$T/long.t" 2>/dev/null
"$WB" match -i "$T/d.csv.iocs" --format table --wide "$T/long.json" > "$T/long.w" 2>/dev/null
check "table: the matched free text is cut with … unless --wide; identifiers never" \
  "grep -q '…' $T/long.t && grep -q 'CLONGUID0123456789abcdef' $T/long.t && ! grep -q '…' $T/long.w && grep -q 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.evil.example' $T/long.w"

# ---- grep idioms and exit statuses ------------------------------------------------------
"$WB" match $DEMO -c > "$T/c" 2>/dev/null; rc=$?
check "-c: FILE:N per file (zero counts too) summing to the sightings, exit 0" \
  "[ $rc = 0 ] && [ \$(wc -l < $T/c) = \$(ls demo/logs | wc -l) ] && [ \$(cut -d: -f2 $T/c | paste -sd+ | bc) = \$(wc -l < $T/d.jsonl) ]"
"$WB" match -i "$T/iocs.csv" -c "$T/eve.json" > "$T/c1" 2>/dev/null
check "-c on one file: the number alone" '[ "$(cat "$T/c1")" = 3 ]'
"$WB" match $DEMO -l > "$T/l" 2>/dev/null; rc=$?
check "-l: the files with sightings, once each" \
  "[ $rc = 0 ] && [ \"\$(cat $T/l)\" = \"\$(py \"import json; seen=[]; [seen.append(json.loads(l)['file']) for l in open('$T/d.jsonl') if json.loads(l)['file'] not in seen]; print(chr(10).join(seen))\")\" ]"
"$WB" match $DEMO -q > "$T/q" 2>/dev/null; rc=$?
check "-q: no output, exit 0 on a match" '[ $rc = 0 ] && [ ! -s "$T/q" ]'
"$WB" match $DEMO -q "$T/missing.log" > /dev/null 2>&1; rc=$?
check "-q: a match wins over an unreadable file, as in grep" '[ $rc = 0 ]'
printf 'nothing\n' > "$T/none.log"
"$WB" match -i "$T/iocs.csv" -q "$T/none.log" > /dev/null 2>&1; rc=$?
check "-q: exit 1 when nothing matched" '[ $rc = 1 ]'
"$WB" match $DEMO -m 1 > "$T/m1" 2>/dev/null
check "-m 1: at most one sighting per file" \
  "py \"
import json,sys,collections
c=collections.Counter(json.loads(l)['file'] for l in open('$T/m1'))
sys.exit(0 if c and max(c.values())==1 and len(c)==len(set(json.loads(l)['file'] for l in open('$T/d.jsonl'))) else 1)\""
"$WB" match $DEMO -c -l > /dev/null 2>&1; rc=$?
check "-c with -l: exit 2" '[ $rc = 2 ]'
"$WB" match $DEMO --summary --format csv > /dev/null 2>&1; rc=$?
check "--summary with csv: exit 2" '[ $rc = 2 ]'

# ---- zeek-intel-log: Zeek 6's intel.log shape, read back by weerbaar --------------------
"$WB" match $DEMO --format zeek-intel-log > "$T/intel.log" 2>/dev/null
check "zeek-intel-log: the #fields and #types of Zeek 6's intel.log" \
  "diff <(grep -E '^#(separator|set_separator|empty_field|unset_field|path|fields|types)' $T/intel.log) $F/zeek-intel-log.header"
check "zeek-intel-log: one line per sighting, 15 tab-separated fields, #close at the end" \
  "[ \$(grep -vc '^#' $T/intel.log) = \$(wc -l < $T/d.jsonl) ] && grep -v '^#' $T/intel.log | awk -F'\t' 'NF!=15{exit 1}' && tail -1 $T/intel.log | grep -q '^#close'"
"$WB" match $DI --log-format zeek "$T/intel.log" --format count > "$T/ic" 2> "$T/ie"
check "zeek-intel-log: weerbaar's Zeek reader reads it without a malformed line" \
  "[ \$(cat $T/ic) -gt 0 ] && ! grep -q malformed $T/ie"

# ---- the SOC questions on the CTU Simda capture ---------------------------------------------
if [ -d "$S/zeek/ctu-simda" ]; then
  "$WB" match -i "$F/simda.csv" --summary "$S/zeek/ctu-simda/" > "$T/simda.jsonl" 2>/dev/null; rc=$?
  check "CTU Simda: one command answers which internal hosts contacted which indicators, first and last seen" \
    "[ $rc = 0 ] && py \"
import json,sys
r=[json.loads(l) for l in open('$T/simda.jsonl')]
ind={o['indicator']:o for o in r if o.get('summary')=='indicator'}
hosts={o['host']:o for o in r if o.get('summary')=='host'}
a=ind['104.239.157.210']; d=ind['volykyc.com']
ok=(a['hits']==sum(1 for o in r if 'summary' not in o and o['indicator']=='104.239.157.210')
    and '192.168.1.116' in a['internal_hosts'] and a['first_seen']<a['last_seen'] and a['tlp']=='green'
    and '192.168.1.116' in d['internal_hosts'] and set(hosts['192.168.1.116']['indicators'])>={'104.239.157.210','volykyc.com','http://gatyfus.com/login.php'})
sys.exit(0 if ok else 1)\""
  check "CTU Simda: every hit's Zeek uid joins back to its record on the uid column; HTTP hits join conn.log's connections with the same endpoints" \
    "py \"
import json,sys,os
def read(p):
    fields=None; byline={}; uids={}
    for i,l in enumerate(open(p),1):
        l=l.rstrip('\n')
        if l.startswith('#fields'): fields=l.split('\t')[1:]
        if l.startswith('#') or not fields: continue
        v=dict(zip(fields,l.split('\t'))); byline[i]=v; uids[v['uid']]=v
    return byline,uids
logs={f:read('$S/zeek/ctu-simda/'+f) for f in ('conn.log','dns.log','http.log')}
hits=[o for o in (json.loads(l) for l in open('$T/simda.jsonl')) if 'summary' not in o]
ok=len(hits)>0
for o in hits:
    byline,uids=logs[os.path.basename(o['file'])]
    rec=byline[o['line']]
    ok=ok and o['uid']==rec['uid'] and o['orig_h']==rec['id.orig_h'] and o['resp_h']==rec['id.resp_h'] and o['resp_p']==int(rec['id.resp_p'])
http=[o for o in hits if o['file'].endswith('http.log')]
conn=logs['conn.log'][1]
joined=[o for o in http if o['uid'] in conn]
ok=ok and len(joined)>=50 and all(conn[o['uid']]['id.orig_h']==o['orig_h'] and conn[o['uid']]['id.resp_h']==o['resp_h'] and conn[o['uid']]['id.orig_p']==str(o['orig_p']) for o in joined)
sys.exit(0 if ok else 1)\""
  "$WB" match -i "$F/simda.csv" --summary-only --format table "$S/zeek/ctu-simda/" > "$T/simda.t" 2>/dev/null
  check "CTU Simda: --summary-only --format table names the internal hosts per indicator" \
    "grep -q '^104.239.157.210 .*192.168.1.116' $T/simda.t && grep -q '^192.168.1.116 .*volykyc.com' $T/simda.t"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
