#!/usr/bin/env bash
# vers_diff.sh - differential test of `weerbaar vers compare SCHEME -` against
# the scheme's real implementation (tests/vuln/oracle.py) on a generated
# corpus (tests/vuln/gen_versions.py).
#
# usage: vers_diff.sh WEERBAAR SCHEME COUNT [SEED]
# Exit 0 when every answer agrees, 1 listing the first differences, 77 when
# the oracle is not installed.
set -uo pipefail
bin=$1 scheme=$2 count=$3 seed=${4:-440}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3   # Debian's python: python3-rpm and python3-packaging live there
[ -x "$py" ] || { echo "vers_diff: $py missing, skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

modules=
if [ "$scheme" = npm ]; then
    # node-semver from npm: WB_NODE_MODULES, or installed once into the
    # git-ignored tests/vuln/node/ (needs the npm registry).
    modules=${WB_NODE_MODULES:-$here/node/node_modules}
    if [ ! -f "$modules/semver/package.json" ] && command -v npm >/dev/null; then
        timeout 300 npm install --silent --no-audit --no-fund --prefix "$here/node" semver \
            >/dev/null 2>&1 || true
    fi
fi

"$py" "$here/gen_versions.py" "$scheme" "$count" "$seed" > "$tmp/pairs" || exit 1
"$py" "$here/oracle.py" "$scheme" "$modules" < "$tmp/pairs" > "$tmp/want"
rc=$?
if [ $rc -eq 77 ]; then echo "vers_diff: no oracle for $scheme installed, skipped"; exit 77; fi
[ $rc -eq 0 ] || { echo "vers_diff: the $scheme oracle failed"; exit 1; }
"$bin" vers compare "$scheme" - < "$tmp/pairs" > "$tmp/got" 2> "$tmp/err"

pairs=$(wc -l < "$tmp/pairs")
if [ "$(wc -l < "$tmp/want")" != "$pairs" ]; then
    echo "vers_diff: the oracle answered $(wc -l < "$tmp/want") of $pairs pairs"; exit 1
fi
paste -d ' ' "$tmp/pairs" "$tmp/want" "$tmp/got" |
    awk '$3 != $4 { print "  " $1 " vs " $2 ": oracle " $3 ", weerbaar " $4 }' > "$tmp/diff"
ndiff=$(wc -l < "$tmp/diff")
invalid=$(grep -c '^!$' "$tmp/want")
if [ "$ndiff" -ne 0 ]; then
    echo "vers_diff $scheme: $ndiff of $pairs pairs differ; the first:"
    head -20 "$tmp/diff"
    grep -m5 . "$tmp/err"
    exit 1
fi
echo "vers_diff $scheme: $pairs pairs agree ($invalid rejected by both)"
