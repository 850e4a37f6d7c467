#!/usr/bin/env bash
# assess_db.sh - assessments in a local database (`weerbaar assess ... --db`):
# new prints the id alone, answer keeps the fields not given, import is all
# or nothing with row, column and reason, export round-trips through import,
# show ID gives the numbers `assess score` gives for the same answers, every
# answer or import is a version (history, ID@VERSION), diff of ids, share and
# revoke, the sector view at k-1 and k, ids and catalogue names told apart,
# and the exit statuses.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
db=$tmp/wb.db
d=tests/data/assess
. "$(dirname "$(readlink -f "$0")")/lib.sh"
py() { # py 'python over the JSON of $tmp/out as r'
    python3 -c "import json,sys; r=json.load(open('$tmp/out')); $1" || { echo "FAIL: $1"; cat "$tmp/out"; fail=1; }
}

run 0 admin org add Gamma --kind essential --sector energy --db "$db"
run 0 admin org add NCSC --kind csirt --db "$db"

# new: the id alone on its line
run 0 assess new --catalogue cbw_nis2 --org Gamma --scope 'IT and OT' --target 3 --db "$db"
[ "$(cat "$tmp/out")" = 1 ] || { echo "FAIL: new prints the id alone: $(cat "$tmp/out")"; fail=1; }
id=1
run 2 assess new --catalogue cbw_nis2 --org Nobody --db "$db"
has err "Nobody"
run 2 assess new --catalogue nope --org Gamma --db "$db"
has err "unknown catalogue 'nope'"
run 2 assess new --catalogue cbw_nis2 --org Gamma
has err "give --db PATH or --hub URL --key KEY"
run 2 assess new --catalogue cbw_nis2 --org Gamma --target 7 --db "$db"
has err "--target must be a level from 1 to 5"

# a fresh assessment: version 0, nothing answered, coverage 0
run 0 assess show $id --format json --db "$db"
py 'a=r["assessment"]; assert a["version"]==0 and a["organisation"]=="Gamma" and a["scope"]=="IT and OT", a; assert r["overall"]["answered"]==0 and r["overall"]["coverage"]==0'

# import with bad rows: row, column, reason, and nothing written
printf 'ref,level,owner\n1.1,3,CISO\n2.1,high,CISO\n' >"$tmp/bad.csv"
run 2 assess import $id "$tmp/bad.csv" --db "$db"
has err "bad.csv:3: row 3, column level:"
printf 'ref,level\n1.1,3\nzorgplicht-(art.-21),2\n' >"$tmp/bad2.csv"
run 2 assess import $id "$tmp/bad2.csv" --db "$db"
has err "bad2.csv:3: row 3, column ref: 'zorgplicht-(art.-21)' is a heading in cbw_nis2"
run 0 assess history $id --format json --db "$db"
py 'assert r==[], r'

# import the 2025 answers: version 1, the numbers of `assess score`
run 0 assess import $id $d/cbw-2025.csv --db "$db"
[ "$(cat "$tmp/out")" = "$id@1" ] || { echo "FAIL: import prints ID@VERSION: $(cat "$tmp/out")"; fail=1; }
"$bin" assess score cbw_nis2 --answers $d/cbw-2025.csv --format json >"$tmp/score.json"
run 0 assess show $id --format json --db "$db"
python3 - "$tmp/score.json" "$tmp/out" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
for k in s:
    if r[k] != s[k]:
        print("FAIL: show ID and score differ in", k); sys.exit(1)
assert r["assessment"]["version"] == 1 and r["previous"] is None, r["assessment"]
PY
run 0 assess show $id --db "$db"
has out "assessment 1 of Gamma (energy), version 1 of 1"
has out "overall score  0.37  10/27 (37%) answered"

# answer: a new version; fields not given keep their value, '' clears
run 0 assess answer $id 2.1 --level 3 --db "$db"
[ "$(cat "$tmp/out")" = "$id@2" ] || { echo "FAIL: answer prints ID@2: $(cat "$tmp/out")"; fail=1; }
run 0 assess export $id --format json --db "$db"
py 'a={x["ref"]:x for x in r["answers"]}["2.1"]; assert a["level"]==3 and a["owner"]=="CISO" and a["due"]=="2026-06-30" and a["note"].startswith("risk"), a'
run 0 assess answer $id 2.1 --level n/a --owner '' --note 'outsourced' --db "$db"
run 0 assess export $id --format json --db "$db"
py 'a={x["ref"]:x for x in r["answers"]}["2.1"]; assert a["level"]=="n/a" and a["owner"] is None and a["note"]=="outsourced" and a["evidence"]=="Risk method draft", a'
run 2 assess answer $id 99.9 --level 2 --db "$db"
has err "'99.9' is not an assessable requirement of cbw_nis2"
run 2 assess answer $id 1.1 --level 6 --db "$db"
has err "--level must be 0-5 or n/a"
run 2 assess answer $id 1.1 --level 2 --due 30-06-2026 --db "$db"
has err "--due must be a date YYYY-MM-DD"
run 2 assess answer 42 1.1 --level 2 --db "$db"
has err "no assessment 42"

# export round-trips: the CSV exported, imported again, is the same set
run 0 assess export $id --db "$db"
cp "$tmp/out" "$tmp/v3.csv"
head -1 "$tmp/v3.csv" | grep -q '^ref,level,evidence,owner,due,note$' || { echo "FAIL: CSV header"; fail=1; }
run 0 assess import $id "$tmp/v3.csv" --db "$db"
run 0 assess export $id@4 --db "$db"
cmp -s "$tmp/out" "$tmp/v3.csv" || { echo "FAIL: export, import, export differs"; diff "$tmp/v3.csv" "$tmp/out"; fail=1; }

# history: every version, never rewritten
run 0 assess import $id $d/cbw-2026.csv --db "$db"
run 0 assess history $id --db "$db"
has out "import cbw-2025.csv (10 answers)"
has out "answer 2.1 level n/a"
run 0 assess history $id --format json --db "$db"
py 'assert [v["version"] for v in r]==[1,2,3,4,5], r; assert r[4]["action"]=="import cbw-2026.csv (10 answers)"'
run 0 assess export $id@1 --db "$db"
cp "$tmp/out" "$tmp/v1.csv"
python3 - "$tmp/v1.csv" $d/cbw-2025.csv <<'PY' || fail=1
import csv, sys
a = {r["ref"]: r["level"] for r in csv.DictReader(open(sys.argv[1]))}
b = {r["ref"]: r["level"] for r in csv.DictReader(open(sys.argv[2]))}
if a != b: print("FAIL: version 1 changed", a, b); sys.exit(1)
PY
run 2 assess show $id@9 --db "$db"
has err "assessment 1 has no version 9"

# show with the previous version beside it (what a board compares)
run 0 assess show $id --format json --db "$db"
py 'p=r["previous"]; assert p["version"]==4 and len(p["principles"])==5 and "overall" in p, p'

# diff: ids and ID@VERSION, the same as the file-based diff
run 0 assess diff $id@1 $id --db "$db"
has out "assessment 1@1 (Gamma) -> 1@5 (Gamma)"
has out "slipped   4.1          3 -> 2"
"$bin" assess diff cbw_nis2 --from $d/cbw-2025.csv --to $d/cbw-2026.csv --format json >"$tmp/fdiff.json"
run 0 assess diff $id@1 $id@5 --format json --db "$db"
cmp -s "$tmp/out" "$tmp/fdiff.json" || { echo "FAIL: diff of ids differs from the file diff"; fail=1; }
run 2 assess diff $id@1 $id@8 --db "$db"
run 0 assess new --catalogue abro_2026 --org Gamma --db "$db"
run 2 assess diff 1 2 --db "$db"
has err "is of catalogue cbw_nis2 and 2 of abro_2026"

# ids and catalogue names: show CATALOGUE and diff CATALOGUE still work
run 0 assess show cbw_nis2 11.1
has out "cbw_nis2 11.1 (assessable requirement)"
run 2 assess show 1
has err "assess show: give --db PATH or --hub URL --key KEY"
run 2 assess show 1x
has err "unknown catalogue '1x'"

# share and revoke
run 0 assess share $id --with supervisor --db "$db"
has out "assessment 1 is shared with the supervisor"
run 0 assess list --format json --db "$db"
py 'a=r[0]; assert a["shared_with"]=={"csirt":False,"supervisor":True}, a'
run 0 assess share $id --with supervisor --revoke --db "$db"
run 0 assess list --db "$db"
has out "1      Gamma                    cbw_nis2                     5      3 -"
run 2 assess share $id --with board --db "$db"
has err "--with must be csirt or supervisor"

# sectors: energy at k-1 = 2 organisations suppressed, at k = 3 shown
run 0 admin org add Delta --kind essential --sector energy --db "$db"
run 0 admin org add Epsilon --kind essential --sector energy --db "$db"
run 0 assess new --catalogue cbw_nis2 --org Delta --db "$db"
delta=$(cat "$tmp/out")
run 0 assess answer "$delta" 1.1 --level 5 --db "$db"
run 0 assess sectors --catalogue cbw_nis2 --format json --db "$db"
py 'e=r["sectors"][0]; assert e["sector"]=="energy" and e["suppressed"] and e["organisations"] is None and e["overall"]["score"] is None, e; assert r["total"]["overall"]["suppressed"]'
run 0 assess sectors --db "$db"
has out "energy                      <k      <k"
run 0 assess sectors --k 2 --format json --db "$db"
py 'e=r["sectors"][0]; assert e["organisations"]==2 and not e["suppressed"], e'
run 0 assess new --catalogue cbw_nis2 --org Epsilon --db "$db"
run 0 assess import "$(cat "$tmp/out")" $d/cbw-2025.csv --db "$db"
run 0 assess sectors --format json --db "$db"
py 'e=r["sectors"][0]; assert e["organisations"]==3 and e["overall"]["organisations"]==3 and r["total"]["organisations"]==3, e'
run 2 assess sectors --k 1 --db "$db"
has err "--k must be a number of organisations, at least 2"

# help teaches the commands
run 0 assess new --help
has out "weerbaar assess diff \$id@1 \$id --db wb.db"
exit $fail
