#!/usr/bin/env bash
# assess_sheet.sh - the answer sheet round trip for every built-in catalogue,
# as CSV and as XLSX: `assess template` -> filled in by a program (Python's
# csv and zipfile, as a spreadsheet would: numbers for levels, a serial date,
# text with commas, quotes and line breaks) -> `assess import` -> `assess
# export` and `assess show` give back exactly what was filled in. Also: the
# unfilled template reads as no answers, a bad level in the XLSX is named
# by its row and column, the XLSX has the drop-down and the levels sheet,
# and binary output to a terminal is refused.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
db=$tmp/wb.db
run() { # run WANT_RC ARGS...: output in $tmp/out, $tmp/err
    local want=$1
    shift
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL: weerbaar $*: exit $rc (want $want)"
        head -c 2000 "$tmp/out" "$tmp/err"
        fail=1
    fi
}
has() { # has FILE TEXT: fixed-string search
    grep -qF -- "$2" "$tmp/$1" || { echo "FAIL: '$2' not in $1 of the last run:"; head -c 2000 "$tmp/$1"; fail=1; }
}

# fill.py FORMAT IN OUT EXPECT: fills every row of a template; writes what
# it filled as JSON to EXPECT ({ref: [level, evidence, owner, due, note]})
cat >"$tmp/fill.py" <<'EOF'
import csv, io, json, re, sys, zipfile
fmt, src, dst, expect = sys.argv[1:5]
def answer(i, ref):
    i += fmt == 'xlsx'  # the second import differs from the first
    level = 'n/a' if i % 7 == 6 else str(i % 6)
    ev = 'evidence %d, with "quotes"' % i if i % 3 == 0 else ''
    owner = 'CISO' if i % 2 == 0 else ''
    due = '2026-%02d-%02d' % (1 + i % 12, 1 + i % 28) if i % 4 != 3 else ''
    note = 'line one\nline two' if i % 5 == 0 else ''
    return [level, ev, owner, due, note]
filled = {}
if fmt == 'csv':
    rows = list(csv.reader(open(src, newline='', encoding='utf-8')))
    head = rows[0]
    assert head == ['ref', 'requirement', 'level', 'evidence', 'owner', 'due', 'note', 'levels'], head
    for i, r in enumerate(rows[1:]):
        assert r[2:7] == [''] * 5 and r[1] and r[7].startswith('0 = '), r
        a = answer(i, r[0])
        r[2:7] = a
        filled[r[0]] = a
    with open(dst, 'w', newline='', encoding='utf-8') as f:
        csv.writer(f).writerows(rows)
else:
    z = zipfile.ZipFile(src)
    sheet = z.read('xl/worksheets/sheet1.xml').decode()
    assert '<dataValidation type="list"' in sheet and '"0,1,2,3,4,5,n/a"' in sheet, 'no drop-down'
    assert 'xl/worksheets/sheet2.xml' in z.namelist(), 'no levels sheet'
    sst = re.findall(r'<si><t[^>]*>(.*?)</t></si>', z.read('xl/sharedStrings.xml').decode(), re.S)
    def esc(s):
        return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    def fill_row(m):
        num, attrs, body = int(m.group(1)), m.group(2), m.group(3)
        if num == 1:
            return m.group(0)
        ref = sst[int(re.search(r'<c r="A%d"[^>]*t="s"[^>]*><v>(\d+)</v>' % num, body).group(1))]
        ref = ref.replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')
        a = answer(num - 2, ref)
        filled[ref] = a
        cells = body
        lv = a[0]
        # a level picked from the drop-down comes back as a number
        cells += ('<c r="C%d"><v>%s</v></c>' % (num, lv)) if lv != 'n/a' else \
                 ('<c r="C%d" t="inlineStr"><is><t>n/a</t></is></c>' % num)
        for col, v in zip('DEFG', a[1:]):
            if not v:
                continue
            if col == 'F' and num % 2 == 0:
                # a date typed into a cell the program made a date: a serial
                import datetime
                d = datetime.date.fromisoformat(v) - datetime.date(1899, 12, 30)
                cells += '<c r="F%d"><v>%d</v></c>' % (num, d.days)
            else:
                cells += '<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (col, num, esc(v))
        return '<row r="%d"%s>%s</row>' % (num, attrs, cells)
    sheet = re.sub(r'<row r="(\d+)"([^>]*)>(.*?)</row>', fill_row, sheet, flags=re.S)
    out = zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED)
    for n in z.namelist():
        out.writestr(n, sheet if n == 'xl/worksheets/sheet1.xml' else z.read(n))
    out.close()
json.dump(filled, open(expect, 'w'))
EOF

# check.py EXPECT EXPORT SHOW: the export and the show have what was filled
cat >"$tmp/check.py" <<'EOF'
import json, sys
want = json.load(open(sys.argv[1]))
got = {a['ref']: a for a in json.load(open(sys.argv[2]))['answers']}
show = json.load(open(sys.argv[3]))
assert len(got) == len(want), (len(got), len(want))
for ref, (level, ev, owner, due, note) in want.items():
    a = got[ref]
    exp = [level, ev or None, owner or None, due or None, note or None]
    have = [str(a['level']), a['evidence'], a['owner'], a['due'], a['note']]
    assert have == exp, (ref, have, exp)
levels = {n['ref']: n.get('level') for n in show['nodes'] if n['assessable_requirement']}
for ref, (level, *_rest) in want.items():
    assert str(levels[ref]) == level, (ref, levels[ref], level)
assert show['overall']['answered'] == len(want), show['overall']
EOF

run 0 admin org add Gamma --kind essential --sector energy --db "$db"
run 0 assess catalogues --format json
cats=$(python3 -c "import json; print(' '.join(c['name'] for c in json.load(open('$tmp/out'))))")
[ -n "$cats" ] || { echo "FAIL: no catalogues"; fail=1; }
for cat in $cats; do
    # one assessment per catalogue: the XLSX import is the second version
    run 0 assess new --catalogue "$cat" --org Gamma --db "$db"
    id=$(cat "$tmp/out")
    for fmt in csv xlsx; do
        lang=en
        [ "$fmt" = xlsx ] && lang=nl
        run 0 assess template "$cat" --format "$fmt" --lang "$lang" --out "$tmp/t.$fmt"
        python3 "$tmp/fill.py" "$fmt" "$tmp/t.$fmt" "$tmp/f.$fmt" "$tmp/want.json" ||
            { echo "FAIL: $cat $fmt: filling the template"; fail=1; continue; }
        run 0 assess import "$id" "$tmp/f.$fmt" --db "$db"
        run 0 assess export "$id" --format json --db "$db"
        cp "$tmp/out" "$tmp/export.json"
        run 0 assess show "$id" --format json --db "$db"
        python3 "$tmp/check.py" "$tmp/want.json" "$tmp/export.json" "$tmp/out" ||
            { echo "FAIL: $cat $fmt: round trip"; fail=1; }
    done
done
# the template as it is: read, but nothing answered yet
for fmt in csv xlsx; do
    run 2 assess import 1 "$tmp/t.$fmt" --db "$db"
    has err "no answers"
done

run 0 assess template cbw_nis2 --format xlsx --out "$tmp/c.xlsx"
python3 - "$tmp/c.xlsx" "$tmp/f.xlsx" "$tmp/bad.xlsx" "$tmp/dtd.xlsx" <<'EOF' || { echo "FAIL: making bad sheets"; fail=1; }
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read('xl/worksheets/sheet1.xml').decode()
bad = re.sub(r'(<row r="4"[^>]*>)(.*?)</row>', lambda m: m.group(1) + m.group(2) + '<c r="C4" t="inlineStr"><is><t>high</t></is></c></row>', sheet, count=1, flags=re.S)
for dst, text in ((sys.argv[3], bad), (sys.argv[4], '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + sheet.split('?>', 1)[1])):
    out = zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED)
    for n in z.namelist():
        out.writestr(n, text if n == 'xl/worksheets/sheet1.xml' else z.read(n))
    out.close()
EOF
run 2 assess score cbw_nis2 --answers "$tmp/bad.xlsx"
has err "row 4, column level: 'high' is not a level"
run 2 assess score cbw_nis2 --answers "$tmp/dtd.xlsx"
has err "document type declaration is not accepted"

# binary output to a terminal is refused with a hint (script gives a tty)
if command -v script >/dev/null; then
    TERM=dumb script -qec "'$bin' assess template cbw_nis2 --format xlsx" /dev/null >"$tmp/tty" 2>&1
    rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: XLSX to a terminal: exit $rc (want 2)"; fail=1; }
    grep -qF -- "give --out FILE" "$tmp/tty" || { echo "FAIL: no --out hint:"; cat "$tmp/tty"; fail=1; }
fi
exit $fail
