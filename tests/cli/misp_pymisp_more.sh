#!/usr/bin/env bash
# More of MISP's API with PyMISP (../shared/clients/pymisp) against a hub on
# loopback with the shipped galaxies loaded (data/galaxies): sightings
# search, lists and deletion (audited), ids in write answers, HEAD,
# galaxies and clusters, proposals, attributes by id, objects/delete,
# object template checks, restSearch stix2, and another organisation's
# key on each (tests/cli/misp_pymisp_more.py). Also the
# galaxy import's refusals. Skips when ../shared is absent.
# Usage: tests/cli/misp_pymisp_more.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: misp_pymisp_more.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
PYMISP=../shared/clients/pymisp
[ -d "$PYMISP/pymisp" ] || { echo "skip: $PYMISP absent"; exit 77; }
/usr/bin/python3 -c 'import requests, dateutil, deprecated' 2>/dev/null ||
    { echo "python3-requests, python3-dateutil, python3-deprecated missing (scripts/install-deps)"; exit 1; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
. tests/cli/lib.sh

"$WB" admin demo --db "$T/a.db" > "$T/keys" 2>&1
key() { awk -v u="$1" '$1 == u {print $4}' "$T/keys"; }
"$WB" admin galaxy add data/galaxies --db "$T/a.db" > "$T/gal" 2>&1
check "admin galaxy add: the shipped set" 'grep -q "4 galaxies, 8 clusters" "$T/gal"'
"$WB" admin galaxy add data/galaxies --db "$T/a.db" > /dev/null 2>&1
n=$("$WB" admin galaxy list --db "$T/a.db" --format json | grep -c '"type"')
check "admin galaxy add again replaces, adds nothing" '[ "$n" = 4 ]'
printf '{"type": "x y", "name": "n", "uuid": "c1dc03b2-89b3-42a5-9d41-782ef726435a"}' > "$T/bad.json"
"$WB" admin galaxy add "$T/bad.json" --db "$T/a.db" > /dev/null 2> "$T/err"
rc=$?
check "a bad galaxy file: exit 2 naming the member" '[ $rc = 2 ] && grep -q "bad.json: \$.type" "$T/err"'
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$T/a.db" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
up=0; for _ in $(seq 100); do curl -s -o /dev/null "$U/" && { up=1; break; }; sleep 0.1; done
check "serve: starts" '[ $up = 1 ]'
/usr/bin/python3 tests/cli/misp_pymisp_more.py "$U" "$(key soc@energienet.example)" \
    "$(key ict@gemeente-voorbeeld.example)" "$(key sensor@energienet.example)" \
    "$(key admin@csirt.example)" "$PYMISP" 2> "$T/py.err"
rc=$?
check "the PyMISP checks pass" '[ $rc = 0 ]'
[ $rc = 0 ] || { cat "$T/py.err" | tail -30; tail -5 "$T/serve.log"; }
n=$(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit where action=\x27sighting.delete\x27").fetchone()[0])' "$T/a.db")
check "sightings/delete is audited (two entries)" '[ "$n" = 2 ]'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
