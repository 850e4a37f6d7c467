#!/usr/bin/env bash
# board-report.sh - the board report of docs/assess.md from the repository's
# test data: an incident register with three incidents this year, a vuln
# scan of the CSAF examples against the KEV catalogue, and the 2026 answers
# compared with 2025. Writes board.pdf, board.html and board.png to OUTDIR.
#
#   demo/board-report.sh [WEERBAAR [OUTDIR]]   (from the repository's root)
set -eu
bin=${1:-build/weerbaar}
out=${2:-.}
S=../shared/testdata
D=tests/data/incident
db=$out/board-demo.db
rm -f "$db"
w() { "$bin" "$@" --db "$db" >/dev/null; }
w admin org add "Waterschap Oost" --kind essential --sector energy
w admin org add NCSC --kind csirt
w admin route add --sector '*' --csirt NCSC
w incident new --org "Waterschap Oost" --title "Portal DDoS" --aware-at 2026-01-30T09:00:00+01:00
w incident report 1 --stage early-warning --file $D/early-warning.json --submitted-at 2026-01-30T20:00:00+01:00
w incident report 1 --stage notification --file $D/notification.json --submitted-at 2026-02-03T10:00:00+01:00
w incident new --org "Waterschap Oost" --title "Ransomware on a file server" --aware-at 2026-05-02T09:00:00+02:00
w incident report 2 --stage early-warning --file $D/early-warning.json --submitted-at 2026-05-02T19:00:00+02:00
w incident new --org "Waterschap Oost" --title "Phishing of board members" --aware-at 2026-06-14T09:00:00+02:00
"$bin" vuln scan --advisories $S/csaf/examples/csaf/bsi-2022-0001.json \
    --advisories $S/csaf/examples/csaf/cisco-sa-20180328-smi2.json --now 2026-01-01T00:00:00Z \
    --inventory tests/data/vuln/assets.csv --kev $S/kev/known_exploited_vulnerabilities.json \
    --format json >"$out/scan.json"
for f in pdf html png; do
    "$bin" assess report cbw_nis2 --answers tests/data/assess/cbw-2026.csv \
        --previous tests/data/assess/cbw-2025.csv --org "Waterschap Oost" \
        --db "$db" --vuln "$out/scan.json" --now 2026-06-15T10:00:00+02:00 \
        --format $f --out "$out/board.$f"
done
