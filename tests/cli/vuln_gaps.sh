#!/usr/bin/env bash
# vuln_gaps.sh - `weerbaar vuln` details, with in-tree fixtures only: the loud
# warning about a Debian package list without source names comes once, and
# only when Debian/Ubuntu advisories are loaded; EPSS scores older than
# --max-age (their score_date) are warned about, naming the file.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$(readlink -f "$0")")/lib.sh"
D=tests/data/vuln

# a dpkg list without source names, read twice
printf 'libc6:amd64\t2.36-9\nlibssl3:amd64\t3.0.11-1\n' >"$tmp/q1.txt"
cp "$tmp/q1.txt" "$tmp/q2.txt"
# with a Debian OSV advisory: one warning, with the command that fixes it
run 0 vuln scan --advisories $D/osv-debian --inventory "$tmp/q1.txt" --inventory "$tmp/q2.txt"
[ "$(grep -c 'WARNING: .*names no source packages' "$tmp/err")" = 1 ] || { echo "FAIL: no-source warning not once"; cat "$tmp/err"; fail=1; }
has err "dpkg-query -W -f='\${binary:Package} \${Version} \${source:Package} \${source:Version}"
# also from an index built from it
run 0 vuln index --advisories $D/osv-debian --out "$tmp/deb.idx"
run 0 vuln scan --advisories "$tmp/deb.idx" --inventory "$tmp/q1.txt"
has err "names no source packages"
# with only non-Debian advisories (OSV GHSA, CSAF without deb purls): none
run 0 vuln scan --advisories $D/osv/GHSA-jfh8-c2jp-5v3q.json --advisories $D/abc-csaf.json --inventory "$tmp/q1.txt"
! grep -q 'names no source packages' "$tmp/err" || { echo "FAIL: no-source warning without Debian advisories"; cat "$tmp/err"; fail=1; }

# EPSS staleness: the score_date of the file's first line against --now
E=$D/epss/epss_scores-2024-05-01.csv.gz
G=$D/osv/GHSA-jfh8-c2jp-5v3q.json
run 0 vuln scan --advisories $G --inventory $D/assets.csv --epss $E --now 2024-05-10T00:00:00Z
has err "warning: vuln scan: the EPSS scores $E are from 9 days ago (score_date 2024-05-01T00:00:00Z), more than 7 days"
run 0 vuln scan --advisories $G --inventory $D/assets.csv --epss $D/epss/epss_scores.csv --now 2024-05-05T00:00:00Z
! grep -q 'EPSS' "$tmp/err" || { echo "FAIL: EPSS within 7 days warned about"; cat "$tmp/err"; fail=1; }
run 0 vuln scan --advisories $G --inventory $D/assets.csv --epss $E --now 2024-05-10T00:00:00Z --max-age 30
! grep -q 'EPSS' "$tmp/err" || { echo "FAIL: EPSS within --max-age 30 warned about"; cat "$tmp/err"; fail=1; }
run 0 vuln index --advisories $G --epss $E --out "$tmp/e.idx"
has err "warning: vuln index: the EPSS scores $E are from"

exit $fail
