#!/usr/bin/env bash
# incident_template.sh - `weerbaar incident template STAGE` and YAML report
# input: every stage's template (YAML and JSON) is valid unchanged, with the
# earlier stages' templates as --previous; every field of the schema is in
# the YAML one; a YAML early warning is filed on a local register and stored
# as JSON; bad YAML is reported with file, line and column; validate lists a
# document's problems and the stage's missing fields in one run.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$(readlink -f "$0")")/lib.sh"

for st in early-warning notification intermediate final progress; do
    run 0 incident template "$st"
    cp "$tmp/out" "$tmp/$st.yaml"
    run 0 incident template "$st" --format json
    cp "$tmp/out" "$tmp/$st.json"
    # Every field of the schema is named in the YAML template.
    for f in summary malicious cross_border name email phone personal_data initial_assessment \
        severity description users_affected duration_minutes financial_loss_eur indicators \
        root_cause applied ongoing cross_border_impact status_update expected_handled_at; do
        grep -q "^[ #]*$f:" "$tmp/$st.yaml" || { echo "FAIL: $st template lacks $f"; fail=1; }
    done
done
has out '"$comment": ['
# Unchanged templates are valid: each stage after the ones before it.
run 0 incident validate --stage early-warning --file "$tmp/early-warning.yaml"
has out "valid early-warning report"
run 0 incident validate --stage notification --file "$tmp/notification.yaml" \
    --previous "$tmp/early-warning.yaml"
run 0 incident validate --stage notification --file "$tmp/notification.json" \
    --previous "$tmp/early-warning.json"
run 0 incident validate --stage final --file "$tmp/final.yaml" \
    --previous "$tmp/early-warning.yaml" --previous "$tmp/notification.json"
run 0 incident validate --stage intermediate --file "$tmp/intermediate.json"
run 0 incident validate --stage progress --file "$tmp/progress.yaml"
# The notification's own template alone misses the early warning's fields.
run 2 incident validate --stage notification --file "$tmp/notification.yaml"
has err "\$.contact.email: missing: a notification report needs it"
run 2 incident template closing
has err "'closing' is not a report stage"
run 2 incident list --format yaml --db "$tmp/x.db"
has err "--format yaml is for 'incident template'"

# A YAML early warning on a local register: stored as the JSON it stands for.
db=$tmp/reg.db
run 0 admin org add "Waterbedrijf Oost" --kind essential --sector drinking-water --db "$db"
run 0 incident new --org "Waterbedrijf Oost" --title "Storing" --aware-at now --db "$db"
cat >"$tmp/ew.yaml" <<'YAML'
# the early warning, by hand
summary: Pompstation onbereikbaar   # plain text
malicious: yes
cross_border: no
contact: {name: "Jan de Vries", email: jan@wbo.example, phone: "+31 20 123 4567"}
YAML
run 0 incident report 1 --stage early-warning --file "$tmp/ew.yaml" --db "$db"
has out "recorded in the local register (not sent)"
run 0 incident export 1 --format json --db "$db"
/usr/bin/python3 -c "
import json; d=json.load(open('$tmp/out'))
r=d['reports'][0]['report']
assert r=={'summary':'Pompstation onbereikbaar','malicious':'yes','cross_border':'no','contact':{'name':'Jan de Vries','email':'jan@wbo.example','phone':'+31 20 123 4567'}}, r" ||
    { echo "FAIL: the YAML early warning as stored"; fail=1; }

# Bad YAML: file, line and column.
printf 'summary: x\ncontact:\n  email: "unclosed\n' >"$tmp/bad.yaml"
run 2 incident validate --stage early-warning --file "$tmp/bad.yaml"
has err "bad.yaml:4:1: YAML: found unexpected end of stream"
printf 'summary: x\n  malicious: yes\n' >"$tmp/indent.yaml"
run 2 incident report 1 --stage early-warning --file "$tmp/indent.yaml" --db "$db"
has err "indent.yaml:2:12: YAML: mapping values are not allowed in this context"
# Problems and missing fields in one run, each with its path.
printf 'summary: ""\nmalicious: maybe\ncontact:\n  email: jan\ncolour: red\n' >"$tmp/many.yaml"
run 2 incident validate --stage early-warning --file "$tmp/many.yaml"
has err "many.yaml: \$.summary: must not be empty"
has err "many.yaml: \$.malicious: must be \"yes\", \"no\" or \"unknown\""
has err "many.yaml: \$.contact.email: not an e-mail address: 'jan'"
has err "many.yaml: \$.colour: unknown key"
has err "many.yaml: \$.cross_border: missing: an early-warning report needs it"
has err "many.yaml: \$.contact.phone: missing: an early-warning report needs it"
[ "$(wc -l <"$tmp/err")" = 7 ] || { echo "FAIL: want 7 problems (4 + 3 missing)"; cat "$tmp/err"; fail=1; }
run 2 incident validate --stage early-warning --file "$tmp/many.yaml" --format json
/usr/bin/python3 -c "
import json; d=json.load(open('$tmp/out'))
assert d['valid'] is False and len(d['problems'])==7 and d['problems'][0]['path']=='\$.summary', d" ||
    { echo "FAIL: validate --format json problems"; fail=1; }

[ "$fail" = 0 ] && echo "incident_template: ok"
exit "$fail"
