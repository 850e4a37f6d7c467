#!/usr/bin/env bash
# assess.sh - `weerbaar assess`: the catalogue list against counts taken
# independently with python3's YAML parser, show with language fallback,
# score and diff of the example answers, and the exit status of errors.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err() { echo "FAIL: $*"; fail=1; }

# every built-in catalogue: nodes and assessable requirements as python3 counts them
"$bin" assess catalogues --format json >"$tmp/cats.json" || err "assess catalogues --format json"
if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$tmp/cats.json" data/catalogues <<'PY' || fail=1
import json, os, sys, yaml
listed = {c["name"]: c for c in json.load(open(sys.argv[1]))}
files = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".yaml"))
if sorted(listed) != sorted(f[:-5] for f in files):
    print("FAIL: catalogues listed", sorted(listed), "files", files); sys.exit(1)
for f in files:
    doc = yaml.safe_load(open(os.path.join(sys.argv[2], f)))
    nodes = doc["objects"]["framework"]["requirement_nodes"]
    want = (len(nodes), sum(1 for n in nodes if n.get("assessable")))
    c = listed[f[:-5]]
    if (c["nodes"], c["assessable"]) != want or c["attribution"] != doc.get("copyright"):
        print("FAIL:", f, "listed", c["nodes"], c["assessable"], "python3", want); sys.exit(1)
PY
fi
"$bin" assess catalogues | grep -q '^cbw_nis2 .* 47 .* 27  nl,en .*Cbw (NIS2) Control Framework' ||
    err "catalogues table lists cbw_nis2"
"$bin" assess catalogues | grep -q 'ADR & NOREA, Cbw (NIS2) Control Framework (2025), CC-BY 4.0 licensed' ||
    err "catalogues table shows the cbw_nis2 attribution"

# show: text in the language asked for, the other marked
"$bin" assess show cbw_nis2 11.1 --lang nl | grep -q 'De entiteit heeft logische en fysieke' || err "show nl"
"$bin" assess show cbw_nis2 11.1 --lang en | grep -q 'The entity has logical and physical' || err "show en"
out=$("$bin" assess show nis2-directive 21.2.j --lang nl)
echo "$out" | grep -q '^description: \[en\]' || err "show marks English text shown for --lang nl: $out"
echo "$out" | grep -q '^attribution: European law' || err "show gives the attribution"
"$bin" assess show cbw_nis2 --lang nl | grep -q '^Zorgplicht (art. 21)$' || err "outline in Dutch"
"$bin" assess show cbw_nis2 'zorgplicht-(art.-21)' --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["children"][0]=="zorgplicht-(art.-21):1" and d["name"]=="Duty of care (Art. 21)", d' ||
    err "show heading as JSON"
"$bin" assess show ncsc-basic-principles BP4.3 | grep -q '(j) multi-factor' || err "principle shows its measure"

# errors: exit 2 and a message naming what is wrong
"$bin" assess show nope 2>"$tmp/e"; [ $? = 2 ] && grep -q "unknown catalogue 'nope' (there are: abro_2026" "$tmp/e" || err "unknown catalogue"
"$bin" assess show cbw_nis2 99.9 2>"$tmp/e"; [ $? = 2 ] && grep -q "cbw_nis2 has no requirement or heading '99.9'" "$tmp/e" || err "unknown ref"
"$bin" assess show cbw_nis2 --lang fr 2>/dev/null; [ $? = 2 ] || err "--lang fr"
"$bin" assess score cbw_nis2 --answers tests/data/assess/cbw-2025.csv --target 9 2>/dev/null; [ $? = 2 ] || err "--target 9"
printf 'ref,level\n1.1,3\nzorgplicht-(art.-21),2\n' >"$tmp/bad.csv"
"$bin" assess score cbw_nis2 --answers "$tmp/bad.csv" 2>"$tmp/e"; [ $? = 2 ] || err "bad answers exit"
grep -q "bad.csv:3: row 3, column ref: 'zorgplicht-(art.-21)' is a heading in cbw_nis2" "$tmp/e" || err "bad answers message: $(cat "$tmp/e")"

# score: the numbers of docs/assess.md
out=$("$bin" assess score cbw_nis2 --answers tests/data/assess/cbw-2025.csv)
echo "$out" | grep -q '^overall score  0.37  10/27 (37%) answered' || err "overall score: $out"
echo "$out" | grep -q '^  4 Manage access to data and services  *1.00  1/2 (50%)' || err "principle 4"
echo "$out" | grep -q '^  (j) multi-factor.*2.00  1/1 (100%)' || err "measure j"
echo "$out" | grep -q '^gaps below target 3: 23' || err "gap count"
"$bin" assess score cbw_nis2 --answers tests/data/assess/cbw-2025.csv --format json >"$tmp/s.json" || err "score json"
python3 - "$tmp/s.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
# score counts unanswered as 0; maturity is the mean over the 9 rated (not n/a)
ok = (d["overall"] == {"score": 0.37, "maturity": 2.11, "rated": 9, "answered": 10,
                       "assessable": 27, "coverage": 0.37}
      and len(d["principles"]) == 5 and len(d["nis2_measures"]) == 10
      and d["gaps"][0]["shortfall"] == 3 and d["gaps"][-1]["ref"] == "11.1"
      and "ADR & NOREA" in d["attribution"])
if not ok: print("FAIL: score json", d["overall"], d["gaps"][:1]); sys.exit(1)
PY
# the same answers as JSON score the same
python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open("tests/data/assess/cbw-2025.csv")))
print(json.dumps({"answers": rows}))' >"$tmp/a.json"
"$bin" assess score cbw_nis2 --answers "$tmp/a.json" --format json | cmp -s - "$tmp/s.json" || err "JSON answers score as CSV"

out=$("$bin" assess diff cbw_nis2 --from tests/data/assess/cbw-2025.csv --to tests/data/assess/cbw-2026.csv)
echo "$out" | grep -q '^  slipped   4.1          3 -> 2' || err "diff slipped: $out"
echo "$out" | grep -q '^3 improved, 1 slipped, 4 unchanged, 1 new, 1 removed, 1 changed' || err "diff summary"

# --catalogues adds a directory; its catalogue is listed and usable
mkdir "$tmp/more"
cat >"$tmp/more/mine.yaml" <<'Y'
urn: urn:x:library:mine
name: Mine
copyright: mine, CC0
objects:
  framework:
    urn: urn:x:framework:mine
    requirement_nodes:
    - {urn: 'urn:x:req_node:mine:r1', ref_id: R1, assessable: true, name: Do one thing}
Y
"$bin" assess catalogues --catalogues "$tmp/more" | grep -q '^mine .* 1 .* 1  en' || err "--catalogues"
"$bin" assess show mine R1 --catalogues "$tmp/more" | grep -q 'Do one thing' || err "show from --catalogues"
WEERBAAR_CATALOGUES="$tmp/more" "$bin" assess catalogues | grep -c "^[a-z]" | grep -qx 1 || err "WEERBAAR_CATALOGUES replaces the built-in directory"
"$bin" assess --help | grep -q "weerbaar assess score CATALOGUE" || err "--help"
exit $fail
