#!/usr/bin/env bash
# deps_share.sh - `weerbaar deps picture|share|sectors`: the picture of a
# synthetic fleet's map carries no asset name, address, endpoint, DNS name
# or owner; shares with --db and with --hub (a real hub on a loopback port)
# give the same sector view; the CSIRT sees only the sectors routed to it,
# only shared pictures, and a sector of fewer than k organisations
# suppressed; --revoke takes a picture out; errors exit 2.
# Usage: tests/cli/deps_share.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: deps_share.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
j() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
export WEERBAAR_IPDATA=$T/no-ipdata

python3 bench/deps_gen.py fleet "$T/f" 20 2 >/dev/null || bad "deps_gen.py"
F=$T/f
"$WB" deps map "$F/conn.log" "$F/dns.log" --inventory "$F/inventory.csv" --rir "$F/rir.txt" \
    --format json -o "$T/map.json" || bad "deps map"

# ---- what leaves the organisation ----------------------------------------------------
"$WB" deps picture "$T/map.json" > "$T/pic.json"; rc=$?
check "picture exits 0" '[ $rc = 0 ]'
python3 - "$T/map.json" "$T/pic.json" <<'PY' && ok "no asset, address, endpoint, name or owner in the picture" || bad "identifying data in the picture"
import json, sys
m = json.load(open(sys.argv[1])); text = open(sys.argv[2]).read(); p = json.loads(text)
secrets = set()
for a in m["assets"]:
    secrets.update(x for x in (a["asset"], a["address"], a["owner"]) if x)
    for d in a["dependencies"]:
        secrets.add(d["endpoint"]); secrets.update(d["names"])
assert len(secrets) > 100, len(secrets)
leaked = [s for s in secrets if '"%s"' % s in text]
assert not leaked, leaked[:5]
assert sorted(p) == sorted(["schema", "observed_days", "share_leaving_eu_eea", "share_country_unknown",
    "by_country", "by_provider", "critical_assets", "critical_dependencies",
    "critical_dependencies_leaving_eu_eea", "critical_leaving_by_country",
    "critical_leaving_by_provider", "exposures_by_class"]), sorted(p)
assert abs(p["share_leaving_eu_eea"] - m["share_leaving_eu_eea"]) < 1e-5
ex = {}
for e in m["exposures"]:
    ex.setdefault(e["class"], set()).add(e["asset"])
assert {r["class"]: r["devices"] for r in p["exposures_by_class"]} == {k: len(v) for k, v in ex.items()}
PY

# ---- the same organisations in a local database and on a hub ----------------------------
setup() {
    A() { "$WB" admin "$@" --db "$1" >/dev/null 2>&1; }
    local db=$1
    "$WB" admin org add CERT-E --kind csirt --db "$db" >/dev/null
    "$WB" admin org add CERT-W --kind csirt --db "$db" >/dev/null
    "$WB" admin org add RDI --kind supervisor --db "$db" >/dev/null
    "$WB" admin route add --sector energy --csirt CERT-E --supervisor RDI --db "$db" >/dev/null
    "$WB" admin route add --sector drinking-water --csirt CERT-W --db "$db" >/dev/null
    for o in E1 E2 E3; do "$WB" admin org add $o --kind essential --sector energy --db "$db" >/dev/null; done
    "$WB" admin org add W1 --kind essential --sector drinking-water --db "$db" >/dev/null
}
L=$T/local.db; DB=$T/hub.db
setup "$L"; setup "$DB"
for o in E1 E2 E3 W1; do
    "$WB" admin user add boss@$o.example --org $o --role org-admin --db "$DB" >/dev/null
done
"$WB" admin user add c@cert-e.example --org CERT-E --role member --db "$DB" >/dev/null
"$WB" admin user add c@cert-w.example --org CERT-W --role member --db "$DB" >/dev/null
key() { "$WB" admin key add "$1" --db "$DB" | awk '/^key:/ {print $2}'; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$U/" && break; sleep 0.1; done

# two energy organisations share: below k, suppressed
for o in E1 E2; do
    "$WB" deps share "$T/map.json" --with csirt --org $o --db "$L" > "$T/out"
    "$WB" deps share "$T/map.json" --with csirt --hub "$U" --key "$(key boss@$o.example)" >> "$T/out"; rc=$?
done
check "share prints the version" '[ $rc = 0 ] && grep -q "dependency picture version 1 is shared with the csirt" "$T/out"'
KCE=$(key c@cert-e.example)
"$WB" deps sectors --hub "$U" --key "$KCE" > "$T/s.json"
check "two organisations: the sector is suppressed, values null" \
    "j $T/s.json 'd[\"sectors\"][0][\"suppressed\"] and d[\"sectors\"][0][\"share_leaving_eu_eea\"][\"share\"] is None'"
# the third, and W1 (another CSIRT's sector)
"$WB" deps share "$T/map.json" --with csirt --org E3 --db "$L" >/dev/null
"$WB" deps share "$T/map.json" --with csirt --hub "$U" --key "$(key boss@E3.example)" >/dev/null
"$WB" deps share "$T/map.json" --with csirt --org W1 --db "$L" >/dev/null
"$WB" deps share "$T/map.json" --with csirt --hub "$U" --key "$(key boss@W1.example)" >/dev/null
"$WB" deps sectors --hub "$U" --key "$KCE" > "$T/hub.json"
"$WB" deps sectors --db "$L" --for CERT-E > "$T/local.json"; rc=$?
check "sectors --db exits 0" '[ $rc = 0 ]'
check "three organisations: published, only energy" \
    "j $T/hub.json '[s[\"sector\"] for s in d[\"sectors\"]] == [\"energy\"] and d[\"sectors\"][0][\"organisations\"] == 3 and d[\"total\"][\"organisations\"] == 3'"
check "--db and --hub give the same view" "cmp -s $T/hub.json $T/local.json"
"$WB" deps sectors --hub "$U" --key "$(key c@cert-w.example)" > "$T/w.json"
check "the other CSIRT sees its sector, suppressed (one organisation)" \
    "j $T/w.json '[s[\"sector\"] for s in d[\"sectors\"]] == [\"drinking-water\"] and d[\"sectors\"][0][\"suppressed\"]'"
"$WB" deps sectors --db "$L" --for RDI > "$T/r.json"
check "the supervisor sees nothing that was not shared with it" "j $T/r.json 'd[\"sectors\"] == []'"
"$WB" deps share --revoke --with csirt --org E3 --db "$L" > "$T/out"; rc=$?
check "revoke exits 0" '[ $rc = 0 ] && grep -q "no longer shared" "$T/out"'
"$WB" deps share --revoke --with csirt --hub "$U" --key "$(key boss@E3.example)" >/dev/null
"$WB" deps sectors --hub "$U" --key "$KCE" > "$T/hub.json"
"$WB" deps sectors --db "$L" --for CERT-E > "$T/local.json"
check "after a revocation: two organisations, suppressed, on both" \
    "j $T/hub.json 'd[\"sectors\"][0][\"suppressed\"]' && cmp -s $T/hub.json $T/local.json"

# ---- errors ---------------------------------------------------------------------------------
"$WB" deps sectors --hub "$U" --key "$(key boss@E1.example)" > /dev/null 2> "$T/e"; rc=$?
check "an organisation's sector view: 403, exit 2" '[ $rc = 2 ] && grep -q "CSIRTs, supervisors" "$T/e"'
"$WB" deps share "$T/map.json" --with everyone --org E1 --db "$L" 2> "$T/e"; rc=$?
check "bad --with: exit 2" '[ $rc = 2 ] && grep -q "csirt or supervisor" "$T/e"'
"$WB" deps share "$T/map.json" --with csirt --db "$L" 2> "$T/e"; rc=$?
check "--db without --org: exit 2" '[ $rc = 2 ] && grep -q -- "--org" "$T/e"'
"$WB" deps share "$F/inventory.csv" --with csirt --org E1 --db "$L" 2> "$T/e"; rc=$?
check "not a map report: exit 2 naming it" '[ $rc = 2 ] && grep -q "inventory.csv" "$T/e"'
"$WB" deps share --help | grep -q -- '--revoke'; rc=$?
check "help" '[ $rc = 0 ]'

echo "$pass passed, $fail failed"
[ $fail = 0 ]
