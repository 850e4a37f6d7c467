#!/usr/bin/env bash
# deps.sh - `weerbaar deps map` end to end: a synthetic fleet of a thousand
# homes (bench/deps_gen.py plants the remote-switch exposures and writes the
# answer) must give exactly the planted exposures, on one thread and on two;
# the CTU Simda capture flags its periodic non-EU endpoints only when the
# infected host is declared an energy device; every output format parses;
# errors exit 2 naming the input.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err() { echo "FAIL: $*"; fail=1; }
export WEERBAAR_IPDATA=$tmp/no-ipdata
D=tests/data/deps

# ---- the synthetic fleet -------------------------------------------------------
python3 bench/deps_gen.py fleet "$tmp/fleet" 1000 3 || err "deps_gen.py fleet"
F=$tmp/fleet
for t in 1 2; do
    "$bin" deps map "$F/conn.log" "$F/dns.log" --inventory "$F/inventory.csv" --rir "$F/rir.txt" \
        --threads $t --format json -o "$tmp/fleet$t.json" || err "deps map fleet --threads $t"
done
python3 - "$tmp/fleet1.json" "$tmp/fleet2.json" "$F/expected.txt" <<'PY' || fail=1
import json, sys
one, two = (json.load(open(p)) for p in sys.argv[1:3])
if one != two:
    print("FAIL: --threads 1 and --threads 2 differ"); sys.exit(1)
got = sorted((e["asset"], e["dependency"]["endpoint"]) for e in one["exposures"])
want = sorted(tuple(l.split()) for l in open(sys.argv[3]))
if got != want:
    print("FAIL: fleet exposures: %d flagged, %d planted; extra %s missing %s" %
          (len(got), len(want), sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5]))
    sys.exit(1)
if len(want) < 900:
    print("FAIL: too few planted exposures: %d" % len(want)); sys.exit(1)
for e in one["exposures"]:
    d = e["dependency"]
    if d["eu_eea"] is not False or d["pattern"] == "occasional" or not d["names"]:
        print("FAIL: evidence of", e); sys.exit(1)
# every laptop browses outside the EU often, and is never flagged
laptops = [a for a in one["assets"] if a["class"] == "workstation"]
if len(laptops) != 1000 or any(d["exposure"] for a in laptops for d in a["dependencies"]):
    print("FAIL: laptops"); sys.exit(1)
# Zaptec runs on Azure (registered US) but its operator is Norwegian
z = [d for a in one["assets"] for d in a["dependencies"] if d["vendor"] == "Zaptec"]
if not z or any(d["registration_country"] != "US" or d["jurisdiction_country"] != "NO"
                or d["eu_eea"] is not True for d in z):
    print("FAIL: Zaptec jurisdiction"); sys.exit(1)
inv1 = [a for a in one["assets"] if a["asset"] == "home0001-inverter"][0]
if not inv1["critical"] or inv1["leaving_by_country"] != {"US": 2} or inv1["dependencies_leaving_eu_eea"] != 2:
    print("FAIL: critical asset shares", inv1["leaving_by_country"]); sys.exit(1)
if one["observed_days"] != 3:
    print("FAIL: observed days", one["observed_days"]); sys.exit(1)
PY

# ---- every format ----------------------------------------------------------------
# (on a hundred homes: the formats do not need the thousand)
python3 bench/deps_gen.py fleet "$tmp/small" 100 3 || err "deps_gen.py fleet small"
F=$tmp/small
for f in table csv dot svg html; do
    "$bin" deps map "$F/conn.log" "$F/dns.log" --inventory "$F/inventory.csv" --rir "$F/rir.txt" \
        --format $f -o "$tmp/out.$f" || err "--format $f"
done
head -1 "$tmp/out.csv" | grep -q '^asset,asset_address,class,criticality,owner,endpoint,names' || err "csv header"
[ "$(grep -c ',yes$' "$tmp/out.csv")" = "$(wc -l <"$F/expected.txt")" ] || err "csv exposure rows"
head -1 "$tmp/out.dot" | grep -q '^digraph deps {' || err "dot"
grep -q "^remote-switch exposures: $(wc -l <"$F/expected.txt")\$" "$tmp/out.table" || err "table exposure count"
python3 - "$tmp/out.svg" "$tmp/out.html" <<'PY' || fail=1
import sys, xml.dom.minidom, html.parser
svg = xml.dom.minidom.parse(sys.argv[1])
if svg.documentElement.tagName != "svg" or len(svg.getElementsByTagName("rect")) < 10:
    print("FAIL: svg"); sys.exit(1)
class P(html.parser.HTMLParser):
    tables = 0
    def handle_starttag(self, tag, attrs):
        if tag == "table": P.tables += 1
P().feed(open(sys.argv[2]).read())
if P.tables < 5:
    print("FAIL: html tables", P.tables); sys.exit(1)
PY

# ---- the CTU Simda capture ---------------------------------------------------------
S=../shared/testdata/zeek/ctu-simda
if [ -d "$S" ]; then
    for cls in heat-pump workstation; do
        printf 'address,asset,class,criticality,owner\n192.168.1.116,infected,%s,high,lab\n' $cls >"$tmp/simda.csv"
        "$bin" deps map "$S/conn.log" "$S/dns.log" "$S/http.log" --inventory "$tmp/simda.csv" \
            --rir $D/delegated-fragment.txt --asnames $D/asn.txt --format json -o "$tmp/simda-$cls.json" ||
            err "simda $cls"
    done
    python3 - "$tmp/simda-heat-pump.json" "$tmp/simda-workstation.json" <<'PY' || fail=1
import json, sys
hp, ws = (json.load(open(p)) for p in sys.argv[1:3])
got = sorted(e["dependency"]["endpoint"] for e in hp["exposures"])
# the three endpoints contacted 71-103 times on the capture's one day, all
# registered in the US: Google DNS and two Simda C&C servers at Rackspace
want = ["104.239.157.210", "23.253.126.58", "8.8.8.8"]
if got != want:
    print("FAIL: simda heat-pump exposures", got); sys.exit(1)
if ws["exposures"]:
    print("FAIL: simda workstation flagged", ws["exposures"]); sys.exit(1)
d = {d["endpoint"]: d for a in hp["assets"] for d in a["dependencies"]}
g = d["8.8.8.8"]
if g["asn"] != 15169 or g["as_name"] != "GOOGLE" or g["registration_country"] != "US":
    print("FAIL: 8.8.8.8", g); sys.exit(1)
if "vowycac.com" not in d["217.70.184.38"]["names"] or d["217.70.184.38"]["eu_eea"] is not True:
    print("FAIL: names and FR registration of 217.70.184.38"); sys.exit(1)
if hp["records"] != 2976 or hp["skipped"] != 0:
    print("FAIL: records", hp["records"], hp["skipped"]); sys.exit(1)
PY
    N=../shared/testdata/flows/ctu-malicious.nfdump.csv
    printf 'address,asset,class,criticality,owner\n147.32.80.0/24,ctu-lab,workstation,low,ctu\n' >"$tmp/ctu.csv"
    "$bin" deps map "$N" --inventory "$tmp/ctu.csv" --format json -o "$tmp/nf.json" || err "nfdump csv"
    python3 - "$tmp/nf.json" <<'PY' || err "nfdump records"
import json, sys
r = json.load(open(sys.argv[1]))
# 4593 records (the file's own summary says so), every one read
ok = r["records"] == 4593 and r["skipped"] == 0 and r["flows"] > 0
ok = ok and [a["asset"] for a in r["assets"]] == ["ctu-lab"]
sys.exit(0 if ok else 1)
PY
fi

# ---- errors ------------------------------------------------------------------------------
"$bin" deps map "$F/conn.log" --format pdf 2>"$tmp/e"; [ $? = 2 ] || err "bad format exit"
grep -q "unknown --format 'pdf'" "$tmp/e" || err "bad format message"
"$bin" deps map "$tmp/missing.log" 2>"$tmp/e"; [ $? = 2 ] || err "missing log exit"
grep -q "missing.log" "$tmp/e" || err "missing log message: $(cat "$tmp/e")"
printf 'address,asset,class\n10.0.0.1,x,toaster\n' >"$tmp/bad.csv"
"$bin" deps map "$F/conn.log" --inventory "$tmp/bad.csv" 2>"$tmp/e"; [ $? = 2 ] || err "bad inventory exit"
grep -q "bad.csv:2: unknown device class 'toaster'" "$tmp/e" || err "bad inventory message"
"$bin" deps map "$F/conn.log" --periodic-share 2 2>/dev/null; [ $? = 2 ] || err "bad --periodic-share"
"$bin" deps map --help | grep -q -- '--periodic-per-day N' || err "help"
"$bin" deps frobnicate 2>/dev/null; [ $? = 2 ] || err "unknown action"
exit $fail
