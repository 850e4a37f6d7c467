#!/usr/bin/env bash
# PyMISP, MISP's own Python client (../shared/clients/pymisp), calling the
# hub's MISP administration paths (tests/cli/admin_pymisp.py). Skips when
# ../shared is absent.
# Usage: tests/cli/admin_pymisp.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: admin_pymisp.sh WEERBAAR}")
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
PORT=$(free_port)
U=http://127.0.0.1:$PORT
"$WB" serve --db "$T/a.db" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
SP=$!
up=0; for _ in $(seq 100); do curl -s -o /dev/null "$U/" && { up=1; break; }; sleep 0.1; done
check "serve: starts" '[ $up = 1 ]'
/usr/bin/python3 tests/cli/admin_pymisp.py "$U" "$(key admin@csirt.example)" \
    "$(key soc@energienet.example)" "$PYMISP" 2> "$T/py.err"
rc=$?
check "PyMISP's administration calls" '[ $rc = 0 ]'
[ $rc = 0 ] || { tail -20 "$T/py.err"; tail -5 "$T/serve.log"; }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
