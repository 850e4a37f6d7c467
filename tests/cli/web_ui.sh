#!/usr/bin/env bash
# web_ui.sh - the hub's web page (web/) in a real browser: Debian's
# chromium driven by playwright-core (tests/web/e2e.mjs), with axe-core on
# every page. A hub with two member organisations, a CSIRT and a site
# admin on a loopback port; the scenario of docs/web.md "How it is tested":
# TLP:AMBER to the community found by the other organisation,
# AMBER+STRICT not found by list, search, look-up or URL; an early warning
# and its 24-hour clock; an assessment answered and its one-page PDF;
# sign-in throttling and CSRF refusal. Screenshots of every page in both
# languages (and some at 375 px) go to $WB_WEB_SHOTS (default
# build-asan/web-shots), with axe.json and the board report PDF.
#
# Skips (77) only when ../shared is absent or /usr/bin/chromium is not
# installed (scripts/install-deps installs it). The npm packages come from
# tests/web/package-lock.json (`make web-deps`, part of `make test`).
# Usage: tests/cli/web_ui.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: web_ui.sh WEERBAAR}")
# the browser runs in tests/web: a relative WB_DOC_SHOTS is the caller's
[ -n "${WB_DOC_SHOTS:-}" ] && export WB_DOC_SHOTS=$(readlink -f "$WB_DOC_SHOTS")
cd "$(dirname "$0")/../.."
SRC=$PWD
[ -d ../shared ] || { echo "../shared absent: skipped"; exit 77; }
CHROMIUM=${WB_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "$CHROMIUM not installed (scripts/install-deps): skipped"; exit 77; }
if [ ! -d tests/web/node_modules/playwright-core ] || [ ! -d tests/web/node_modules/axe-core ]; then
    echo "FAIL: tests/web/node_modules is missing: run 'make web-deps' (npm ci in tests/web)"
    exit 1
fi
command -v pdfinfo >/dev/null || { echo "FAIL: pdfinfo (poppler-utils) missing: scripts/install-deps"; exit 1; }
node tests/web/static_check.mjs || exit 1
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; [ -n "$SP" ] && wait $SP 2>/dev/null; rm -rf "$T"' EXIT
. tests/cli/lib.sh

DB=$T/hub.db
A() { "$WB" admin "$@" --db "$DB" >/dev/null || { echo "FAIL: admin $*"; exit 1; }; }
A org add Alfa-Energie --kind essential --sector energy
A org add Bravo-Zorg --kind important --sector health
A org add Test-CSIRT --kind csirt
A route add --sector '*' --csirt Test-CSIRT
A user add member@alfa.example --org Alfa-Energie --role org-admin
A user add member@bravo.example --org Bravo-Zorg --role member
A user add analyst@csirt.example --org Test-CSIRT --role member
A user add admin@csirt.example --org Test-CSIRT --role site-admin
key() { "$WB" admin key add "$1" --db "$DB" | awk '/^key:/ {print $2}'; }
export WB_KEY_A=$(key member@alfa.example) WB_KEY_B=$(key member@bravo.example)
export WB_KEY_CSIRT=$(key analyst@csirt.example) WB_KEY_ADMIN=$(key admin@csirt.example)
export WB_EMAIL_A=member@alfa.example WB_PASS_A='correct horse battery staple'
printf '%s\n' "$WB_PASS_A" | "$WB" admin user password member@alfa.example --db "$DB" >/dev/null ||
    { echo "FAIL: admin user password"; exit 1; }

# The vulnerabilities page uploads this package list; the order of its
# findings must be the one `vuln scan` gives (rank:asset:vulnerability).
export WB_VULN_INV=$SRC/tests/data/vuln/abc.csv
ADV=$SRC/tests/data/vuln/abc-csaf.json
export WB_VULN_EXPECT=$("$WB" vuln scan --advisories "$ADV" --inventory "$WB_VULN_INV" --format json 2>/dev/null |
    python3 -c 'import json,sys; print(" ".join("%d:%s:%s:%d" % (f["rank"], f["asset"], f["vulnerability"], f["overdue"]) for f in json.load(sys.stdin)["findings"]))')
[ -n "$WB_VULN_EXPECT" ] || { echo "FAIL: vuln scan of $WB_VULN_INV found nothing"; exit 1; }

PORT=$(free_port)
export WB_URL=http://127.0.0.1:$PORT
"$WB" serve --db "$DB" --listen 127.0.0.1:$PORT --web "$SRC/web" --advisories "$ADV" > "$T/serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -s -o /dev/null "$WB_URL/" && break; sleep 0.1; done
# B's first sign-in: the one-time link an administrator prints.
export WB_LINK_B=$("$WB" admin user link member@bravo.example --url "$WB_URL" --db "$DB" 2>/dev/null)
export WB_SHOTS=${WB_WEB_SHOTS:-$SRC/build-asan/web-shots}
export WB_CHROMIUM=$CHROMIUM
rm -rf "$WB_SHOTS"
mkdir -p "$WB_SHOTS"
start=$(date +%s)
(cd tests/web && timeout 330 node e2e.mjs)
rc=$?
echo "browser tests: $(($(date +%s) - start)) s; screenshots in $WB_SHOTS"
if [ $rc != 0 ]; then
    echo "--- serve.log (last 20 lines)"
    tail -20 "$T/serve.log"
fi
exit $rc
