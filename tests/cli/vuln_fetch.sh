#!/usr/bin/env bash
# vuln_fetch.sh - `weerbaar vuln fetch` against a loopback HTTP server
# (tests/cli/vuln_fetch_server.py: ETag, If-Modified-Since, Range) serving
# real files from ../shared/testdata/ laid out as a CSAF provider (ROLIE feed
# and a directory distribution with changes.csv, .sha256/.sha512 files, .asc
# signatures made here with a throwaway gpg key), an OSV all.zip, the KEV
# catalogue and EPSS scores. Shows: the mirror completes and `vuln scan`
# over it finds what scanning the same files directly finds; a second fetch
# transfers nothing (counted by the server); a tampered document and a bad
# signature are refused (exit 2 naming them; the good copy stays); a
# provider without keys warns, and fails with --require-signatures; no gpgv
# warns; an interrupted download resumes with a Range request; stale KEV and
# stale sources are warned about; nothing fetched is an error saying how to
# fetch.
set -u
bin=$1
S=../shared/testdata
[ -d "$S/csaf/examples/csaf" ] && [ -f "$S/kev/known_exploited_vulnerabilities.json" ] || {
    echo "SKIP: ../shared/testdata is absent"
    exit 77
}
command -v gpg >/dev/null && command -v gpgv >/dev/null || {
    echo "SKIP: gpg/gpgv not installed (scripts/install-deps)"
    exit 77
}
PY=/usr/bin/python3
fail=0
tmp=$(mktemp -d)
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
FAIL() {
    echo "FAIL: $*"
    fail=1
}

# ---- the provider, laid out and signed --------------------------------------------------
W=$tmp/www
P=$W/.well-known/csaf
mkdir -p "$P/white/2022" "$P/white/2018" "$P/white/2021" "$W/keys" "$W/kev" "$W/epss" \
    "$W/osv/PyPI" "$W/nokeys/csaf/2022"
cp "$S/csaf/examples/csaf/bsi-2022-0001.json" "$P/white/2022/"
cp "$S/csaf/examples/csaf/cisco-sa-20180328-smi2.json" "$P/white/2018/"
cp "$S/csaf/examples/csaf/rhsa-2021_5217.json" "$P/white/2021/"
cp "$S/kev/known_exploited_vulnerabilities.json" "$W/kev/"
cp tests/data/vuln/epss/epss_scores-2024-05-01.csv.gz "$W/epss/epss_scores-current.csv.gz"
$PY - "$W/osv/PyPI/all.zip" tests/data/vuln/osv <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n in ("GHSA-jfh8-c2jp-5v3q.json", "PYSEC-2099-1.json"):
        z.write(f"{sys.argv[2]}/{n}", n)
PY
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'weerbaar test <test@example.invalid>' ed25519 sign never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')
gpg --batch --armor --export "$FPR" >"$W/keys/$FPR.asc"
sign() { # checksums and a detached signature beside a document
    (cd "$(dirname "$1")" && sha256sum "$(basename "$1")" >"$(basename "$1").sha256" &&
        sha512sum "$(basename "$1")" >"$(basename "$1").sha512")
    rm -f "$1.asc"
    gpg --batch --quiet --armor --detach-sign -o "$1.asc" "$1" 2>/dev/null
}
for f in "$P"/white/*/*.json; do sign "$f"; done
printf '"2022/bsi-2022-0001.json","2022-03-17T13:09:42Z"\n"2018/cisco-sa-20180328-smi2.json","2018-03-28T16:00:00Z"\n' >"$P/white/changes.csv"

# the server (its port is known only when it runs)
$PY tests/cli/vuln_fetch_server.py "$W" "$tmp/port" &
srv_pid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "FAIL: the test server did not start"; exit 1; }
B=http://127.0.0.1:$(cat "$tmp/port")
ctl() { curl -s "$B/$1"; }
stat_of() { ctl _stats | $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

cat >"$P/feed-tlp-white.json" <<EOF
{"feed": {"id": "test-feed", "title": "test", "link": [{"rel": "self", "href": "$B/.well-known/csaf/feed-tlp-white.json"}],
 "category": [], "updated": "2022-01-01T00:00:00Z",
 "entry": [{"id": "RHSA-2021:5217", "title": "RHSA-2021:5217", "updated": "2021-12-21T00:00:00Z",
   "link": [{"rel": "self", "href": "$B/.well-known/csaf/white/2021/rhsa-2021_5217.json"},
            {"rel": "hash", "href": "$B/.well-known/csaf/white/2021/rhsa-2021_5217.json.sha512"},
            {"rel": "signature", "href": "$B/.well-known/csaf/white/2021/rhsa-2021_5217.json.asc"}],
   "content": {"type": "application/json", "src": "$B/.well-known/csaf/white/2021/rhsa-2021_5217.json"},
   "format": {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"}}]}}
EOF
cat >"$P/provider-metadata.json" <<EOF
{"canonical_url": "$B/.well-known/csaf/provider-metadata.json",
 "distributions": [{"rolie": {"feeds": [{"summary": "all", "tlp_label": "WHITE", "url": "$B/.well-known/csaf/feed-tlp-white.json"}]}},
                   {"directory_url": "$B/.well-known/csaf/white/"}],
 "last_updated": "2024-01-01T00:00:00Z", "list_on_CSAF_aggregators": true, "metadata_version": "2.0",
 "mirror_on_CSAF_aggregators": true,
 "public_openpgp_keys": [{"fingerprint": "$FPR", "url": "$B/keys/$FPR.asc"}],
 "publisher": {"category": "coordinator", "name": "weerbaar test provider", "namespace": "https://example.invalid"},
 "role": "csaf_trusted_provider"}
EOF
# a second provider that publishes no keys and no signatures
cp "$S/csaf/examples/csaf/bsi-2022-0001.json" "$W/nokeys/csaf/2022/"
(cd "$W/nokeys/csaf/2022" && sha256sum bsi-2022-0001.json >bsi-2022-0001.json.sha256)
printf '2022/bsi-2022-0001.json\n' >"$W/nokeys/csaf/index.txt"
cat >"$W/nokeys/provider-metadata.json" <<EOF
{"canonical_url": "$B/nokeys/provider-metadata.json", "distributions": [{"directory_url": "$B/nokeys/csaf"},
   {"rolie": {"feeds": [{"summary": "members only", "tlp_label": "GREEN", "url": "$B/nokeys/green/feed.json"}]}}],
 "last_updated": "2024-01-01T00:00:00Z", "list_on_CSAF_aggregators": false, "metadata_version": "2.0",
 "mirror_on_CSAF_aggregators": false, "publisher": {"category": "vendor", "name": "unsigned", "namespace": "https://example.invalid"},
 "role": "csaf_provider"}
EOF

D=$tmp/adv
SRC=(--source "csaf:$B/.well-known/csaf/provider-metadata.json" --source "kev:$B/kev/known_exploited_vulnerabilities.json"
    --source "epss:$B/epss/epss_scores-current.csv.gz" --source "osv:PyPI=$B/osv/PyPI/all.zip")
M=$D/csaf/127.0.0.1_$(cat "$tmp/port")

# ---- 1. a complete mirror -------------------------------------------------------------------
"$bin" vuln fetch --dir "$D" "${SRC[@]}" >"$tmp/out" 2>"$tmp/err" || { FAIL "first fetch: exit $?"; cat "$tmp/err"; }
for f in provider-metadata.json white/2022/bsi-2022-0001.json white/2018/cisco-sa-20180328-smi2.json \
    white/2021/rhsa-2021_5217.json white/2022/bsi-2022-0001.json.asc white/2021/rhsa-2021_5217.json.sha512; do
    [ -f "$M/$f" ] || FAIL "mirror lacks $f"
done
cmp -s "$M/white/2022/bsi-2022-0001.json" "$P/white/2022/bsi-2022-0001.json" || FAIL "mirrored document differs"
[ -f "$D/kev/known_exploited_vulnerabilities.json" ] && [ -f "$D/epss/epss_scores-current.csv.gz" ] &&
    [ -f "$D/osv/PyPI/all.zip" ] || FAIL "kev/epss/osv not fetched"
grep -q "NOT signature-checked\|without an OpenPGP" "$tmp/err" && { FAIL "signed provider warned"; cat "$tmp/err"; }
$PY - "$M/.fetch-state.json" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
f = s["files"]
bad = [k for k in ("white/2022/bsi-2022-0001.json", "white/2018/cisco-sa-20180328-smi2.json",
                   "white/2021/rhsa-2021_5217.json")
       if not (f[k].get("signed") is True and f[k].get("checksum") in ("sha512", "sha256"))]
if bad or s.get("signatures") != "checked" or "checked" not in s:
    sys.exit(f"FAIL: state not verified for {bad}: {json.dumps(s, indent=1)[:800]}")
PY

# ---- 2. a scan over the mirror finds what scanning the same files directly finds ---------------
printf 'asset,vendor,product,version,cpe,purl,internet_facing,criticality,owner\napp-1,,,2.14.1,,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1,true,high,dev\n' >"$tmp/app.csv"
NOW=2026-01-01T00:00:00Z
proj='import json,sys; print(json.dumps(sorted((f["asset"],f["component"],f["vulnerability"],f["matched_by"],f["kev"],f["epss"],f["severity"],f["deadline"]) for f in json.load(open(sys.argv[1]))["findings"])))'
"$bin" vuln scan --dir "$D" --inventory tests/data/vuln/assets.csv --inventory "$tmp/app.csv" --now $NOW \
    --format json >"$tmp/m.json" 2>"$tmp/merr" || { FAIL "scan over the mirror: exit $?"; cat "$tmp/merr"; }
"$bin" vuln scan --advisories "$P/white" --advisories "$W/osv/PyPI/all.zip" --kev "$W/kev/known_exploited_vulnerabilities.json" \
    --epss "$W/epss/epss_scores-current.csv.gz" --inventory tests/data/vuln/assets.csv --inventory "$tmp/app.csv" \
    --now $NOW --format json >"$tmp/d.json" 2>"$tmp/derr" || { FAIL "direct scan: exit $?"; cat "$tmp/derr"; }
a=$($PY -c "$proj" "$tmp/m.json")
b=$($PY -c "$proj" "$tmp/d.json")
[ "$a" = "$b" ] || FAIL "mirror scan differs from direct scan:
 mirror $a
 direct $b"
n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/m.json")
[ "$n" -ge 5 ] || FAIL "mirror scan found only $n findings"
echo "$a" | grep -q 'CVE-2021-44228' || FAIL "the OSV all.zip was not read from the mirror"
echo "$a" | grep -q '"CVE-2018-0171", "csaf-product", true' || FAIL "KEV from the mirror not applied"
grep -q "reading $D (4 sources, the oldest fetched" "$tmp/merr" || { FAIL "scan does not say what it reads"; cat "$tmp/merr"; }
# vuln index without --advisories: the fetched directory, as scan reads it (the default one too)
mkdir -p "$tmp/xdgi/weerbaar" && ln -s "$D" "$tmp/xdgi/weerbaar/advisories"
XDG_DATA_HOME=$tmp/xdgi "$bin" vuln index --out "$tmp/m.idx" >/dev/null 2>"$tmp/ierr" || { FAIL "index over the mirror: exit $?"; cat "$tmp/ierr"; }
grep -q "vuln index: reading $tmp/xdgi/weerbaar/advisories (4 sources, the oldest fetched" "$tmp/ierr" || { FAIL "index does not say what it reads"; cat "$tmp/ierr"; }
"$bin" vuln scan --advisories "$tmp/m.idx" --inventory tests/data/vuln/assets.csv --inventory "$tmp/app.csv" --now $NOW \
    --format json >"$tmp/i.json" 2>/dev/null || FAIL "scan of the mirror's index: exit $?"
[ "$($PY -c "$proj" "$tmp/i.json")" = "$a" ] || FAIL "the mirror's index differs from scanning the mirror"

# ---- 3. a second fetch transfers nothing new ------------------------------------------------
ctl _reset >/dev/null
"$bin" vuln fetch --dir "$D" >"$tmp/out" 2>"$tmp/err" || { FAIL "second fetch: exit $?"; cat "$tmp/err"; }
r=$(stat_of 'd["requests"], d["bytes"], d["codes"].get("304", 0)')
[ "$r" = "7 0 7" ] || FAIL "second fetch: (requests, body bytes, 304s) = $r, want (7, 0, 7): metadata, key, feed, changes.csv, kev, epss, osv"
grep -q "127.0.0.1_.*current; 4 requests (4 not modified), 0 files updated, 3 unchanged" "$tmp/out" || { FAIL "second fetch summary"; cat "$tmp/out"; }

# ---- 4. a tampered document is refused and the good copy stays ---------------------------------
cp "$P/white/2022/bsi-2022-0001.json" "$tmp/bsi.orig"
sed -i 's/"CVE-2022-27193"/"CVE-2022-99999"/' "$P/white/2022/bsi-2022-0001.json"
sed -i 's/2022-03-17T13:09:42Z/2022-03-18T00:00:00Z/' "$P/white/changes.csv"
"$bin" vuln fetch --dir "$D" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] || FAIL "tampered document: exit $rc, want 2"
grep -q "$B/.well-known/csaf/white/2022/bsi-2022-0001.json: SHA-512 does not match .*bsi-2022-0001.json.sha512.*refused; $M/white/2022/bsi-2022-0001.json keeps its previous copy" "$tmp/err" ||
    { FAIL "tamper message"; cat "$tmp/err"; }
cmp -s "$M/white/2022/bsi-2022-0001.json" "$tmp/bsi.orig" || FAIL "tampered document replaced the good copy"
ls -A "$M/white/2022" | grep -q part && FAIL "a .part file was left behind"
# a scan names the refused document's provider; the provider is still current
"$bin" vuln scan --dir "$D" --inventory tests/data/vuln/assets.csv >/dev/null 2>"$tmp/err"
grep -q "warning: vuln scan: csaf/127.0.0.1_[0-9]* ($B/.well-known/csaf/provider-metadata.json): 1 document was refused or not fetched at its last fetch: an older copy or none is scanned" "$tmp/err" ||
    { FAIL "scan does not name the refused document's provider"; cat "$tmp/err"; }
grep -q "last fetched\|never been fetched" "$tmp/err" && { FAIL "a refused document made the provider stale"; cat "$tmp/err"; }

# ---- 5. a bad signature is refused (checksums fit: the provider's files were replaced) ------------
(cd "$P/white/2022" && sha256sum bsi-2022-0001.json >bsi-2022-0001.json.sha256 &&
    sha512sum bsi-2022-0001.json >bsi-2022-0001.json.sha512)
"$bin" vuln fetch --dir "$D" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] || FAIL "bad signature: exit $rc, want 2"
grep -q "bsi-2022-0001.json: OpenPGP: BAD signature.*refused" "$tmp/err" || { FAIL "bad signature message"; cat "$tmp/err"; }
cmp -s "$M/white/2022/bsi-2022-0001.json" "$tmp/bsi.orig" || FAIL "badly signed document replaced the good copy"
# signed by a key the metadata does not list
GNUPGHOME=$tmp/gnupg2
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'other <o@example.invalid>' ed25519 sign never 2>/dev/null
rm -f "$P/white/2022/bsi-2022-0001.json.asc"
gpg --batch --quiet --armor --detach-sign -o "$P/white/2022/bsi-2022-0001.json.asc" "$P/white/2022/bsi-2022-0001.json"
"$bin" vuln fetch --dir "$D" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "bsi-2022-0001.json: OpenPGP: signed by a key the provider metadata does not list" "$tmp/err" ||
    { FAIL "foreign key: exit $rc"; cat "$tmp/err"; }
# the provider fixes it: a properly signed new version is taken
GNUPGHOME=$tmp/gnupg
sign "$P/white/2022/bsi-2022-0001.json"
"$bin" vuln fetch --dir "$D" >"$tmp/out" 2>"$tmp/err" || { FAIL "fixed document: exit $?"; cat "$tmp/err"; }
cmp -s "$M/white/2022/bsi-2022-0001.json" "$P/white/2022/bsi-2022-0001.json" || FAIL "the re-signed document was not taken"
cp "$tmp/bsi.orig" "$P/white/2022/bsi-2022-0001.json"
sign "$P/white/2022/bsi-2022-0001.json"
sed -i 's/2022-03-18T00:00:00Z/2022-03-19T00:00:00Z/' "$P/white/changes.csv"
"$bin" vuln fetch --dir "$D" >/dev/null 2>"$tmp/err" || { FAIL "restoring: exit $?"; cat "$tmp/err"; }

# ---- 6. a provider without keys; --require-signatures; no gpgv -----------------------------------
ctl "_deny?path=/nokeys/green/" >/dev/null
NK=(--source "csaf:$B/nokeys/provider-metadata.json")
"$bin" vuln fetch --dir "$tmp/nk" "${NK[@]}" >"$tmp/out" 2>"$tmp/err" || { FAIL "unsigned provider: exit $?"; cat "$tmp/err"; }
grep -q "warning: csaf/127.0.0.1_[0-9]*_[0-9a-f]* ($B/nokeys/provider-metadata.json): the provider publishes no OpenPGP keys" "$tmp/err" ||
    { FAIL "no warning for an unsigned provider"; cat "$tmp/err"; }
ls "$tmp"/nk/csaf/*/csaf/2022/bsi-2022-0001.json >/dev/null 2>&1 || FAIL "unsigned provider's document not fetched"
grep -q "warning: csaf/127.0.0.1_[0-9]*_[0-9a-f]*: feed $B/nokeys/green/feed.json (TLP:GREEN) needs authorisation: skipped" "$tmp/err" ||
    { FAIL "no warning for a feed that needs authorisation"; cat "$tmp/err"; }
"$bin" vuln fetch --dir "$tmp/nk" >"$tmp/out" 2>"$tmp/err"
grep -q "publishes no OpenPGP keys" "$tmp/err" || FAIL "the unsigned-provider warning is not repeated"
"$bin" vuln fetch --dir "$tmp/nk2" "${NK[@]}" --require-signatures >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "publishes no OpenPGP keys.*--require-signatures" "$tmp/err" || { FAIL "--require-signatures: exit $rc"; cat "$tmp/err"; }
ls "$tmp"/nk2/csaf/*/csaf/2022 >/dev/null 2>&1 && FAIL "--require-signatures still fetched documents"
# sizes are bounded: a 100 kB "checksum file" is not read
head -c 100000 /dev/zero >"$W/nokeys/csaf/2022/bsi-2022-0001.json.sha512"
"$bin" vuln fetch --dir "$tmp/nk3" "${NK[@]}" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "$B/nokeys/csaf/2022/bsi-2022-0001.json: checksum: $B/nokeys/csaf/2022/bsi-2022-0001.json.sha512: larger than 65536 bytes: refused" "$tmp/err" ||
    { FAIL "an oversized checksum file: exit $rc"; cat "$tmp/err"; }
PATH=/nonexistent "$bin" vuln fetch --dir "$tmp/ng" --source "csaf:$B/.well-known/csaf/provider-metadata.json" >"$tmp/out" 2>"$tmp/err"
grep -q "gpgv (Debian package gpgv) is not installed: documents are NOT signature-checked" "$tmp/err" || { FAIL "no-gpgv warning"; cat "$tmp/err"; }
PATH=/nonexistent "$bin" vuln fetch --dir "$tmp/ng2" --source "csaf:$B/.well-known/csaf/provider-metadata.json" --require-signatures >/dev/null 2>&1
[ $? = 2 ] || FAIL "no gpgv with --require-signatures: not exit 2"

# ---- 7. an interrupted download resumes with a Range request ------------------------------------
echo " " >>"$W/kev/known_exploited_vulnerabilities.json"
ctl "_cut?path=/kev/known_exploited_vulnerabilities.json&n=300000" >/dev/null
"$bin" vuln fetch --dir "$D" --source "kev:$B/kev/known_exploited_vulnerabilities.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "300000 bytes kept in .*\.known_exploited_vulnerabilities.json.part; the next fetch resumes" "$tmp/err" ||
    { FAIL "cut download: exit $rc"; cat "$tmp/err"; }
ctl _reset >/dev/null
"$bin" vuln fetch --dir "$D" --source "kev:$B/kev/known_exploited_vulnerabilities.json" >"$tmp/out" 2>"$tmp/err" || { FAIL "resume: exit $?"; cat "$tmp/err"; }
r=$(stat_of 'd["ranges"], d["codes"].get("206", 0), d["bytes"]')
size=$(stat -c %s "$W/kev/known_exploited_vulnerabilities.json")
[ "$r" = "1 1 $((size - 300000))" ] || FAIL "resume: (ranges, 206s, bytes) = $r, want (1, 1, $((size - 300000)))"
cmp -s "$D/kev/known_exploited_vulnerabilities.json" "$W/kev/known_exploited_vulnerabilities.json" || FAIL "resumed file differs"

# progress on a terminal (percentage and time left), never otherwise
echo " " >>"$W/kev/known_exploited_vulnerabilities.json"
ctl "_slow?path=/kev/known_exploited_vulnerabilities.json&bps=1000000" >/dev/null
script -qec "'$bin' vuln fetch --dir '$D' --source 'kev:$B/kev/known_exploited_vulnerabilities.json'" /dev/null >"$tmp/tty" 2>&1 ||
    { FAIL "fetch on a terminal: exit $?"; cat "$tmp/tty"; }
grep -aq "weerbaar: known_exploited_vulnerabilities.json: *[0-9]*% [0-9.]* [kM]B of 1.3 MB, [0-9]* s left" "$tmp/tty" || { FAIL "no progress on a terminal"; cat -v "$tmp/tty"; }
grep -q $'\r' "$tmp/err" && FAIL "progress written when stderr is not a terminal"

# ---- 8. staleness ------------------------------------------------------------------------------
# the shared KEV was released 2025-08-25
"$bin" vuln scan --advisories "$S/csaf/examples/csaf/bsi-2022-0001.json" --inventory tests/data/vuln/assets.csv \
    --kev "$S/kev/known_exploited_vulnerabilities.json" --now 2026-01-01T00:00:00Z >/dev/null 2>"$tmp/err"
grep -q "warning: vuln scan: the KEV catalogue $S/kev/known_exploited_vulnerabilities.json was released 128 days ago (dateReleased 2025-08-25T17:04:19.979600Z), more than 7 days" "$tmp/err" ||
    { FAIL "no stale-KEV warning"; cat "$tmp/err"; }
"$bin" vuln scan --advisories "$S/csaf/examples/csaf/bsi-2022-0001.json" --inventory tests/data/vuln/assets.csv \
    --kev "$S/kev/known_exploited_vulnerabilities.json" --now 2026-01-01T00:00:00Z --max-age 200 >/dev/null 2>"$tmp/err"
grep -q "KEV catalogue" "$tmp/err" && FAIL "stale-KEV warning within --max-age"
"$bin" vuln scan --dir "$D" --inventory tests/data/vuln/assets.csv --now 2099-01-01T00:00:00Z >/dev/null 2>"$tmp/err"
grep -q "warning: vuln scan: kev ($B/kev/known_exploited_vulnerabilities.json) was last fetched .* days ago .*, more than 7 days: run 'weerbaar vuln fetch --dir $D'" "$tmp/err" &&
    grep -q "warning: vuln scan: csaf/127.0.0.1_" "$tmp/err" || { FAIL "no stale-source warning"; cat "$tmp/err"; }
"$bin" vuln scan --dir "$D" --inventory tests/data/vuln/assets.csv --now 2099-01-01T00:00:00Z --max-age 36500 >/dev/null 2>"$tmp/err"
grep -q "last fetched" "$tmp/err" && FAIL "stale-source warning within --max-age"

# ---- 9. nothing fetched; the default directory -------------------------------------------------
"$bin" vuln scan --dir "$tmp/empty" --inventory tests/data/vuln/assets.csv >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "no advisories: give --advisories PATH, or fetch them into $tmp/empty first" "$tmp/err" &&
    grep -q "weerbaar vuln fetch --dir $tmp/empty --source csaf:https://advisories.ncsc.nl/.well-known/csaf/provider-metadata.json" "$tmp/err" ||
    { FAIL "nothing fetched: exit $rc"; cat "$tmp/err"; }
XDG_DATA_HOME=$tmp/xdg "$bin" vuln scan --inventory tests/data/vuln/assets.csv >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "fetch them into $tmp/xdg/weerbaar/advisories first" "$tmp/err" || { FAIL "default dir (XDG_DATA_HOME)"; cat "$tmp/err"; }
"$bin" vuln index --dir "$tmp/empty" --out "$tmp/e.idx" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "vuln index: no advisories: give --advisories PATH, or fetch them into $tmp/empty first" "$tmp/err" &&
    [ ! -e "$tmp/e.idx" ] || { FAIL "index with nothing fetched"; cat "$tmp/err"; }
XDG_DATA_HOME=$tmp/xdg "$bin" vuln index --out "$tmp/e.idx" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "vuln index: no advisories: .*fetch them into $tmp/xdg/weerbaar/advisories first" "$tmp/err" || { FAIL "index: default dir (XDG_DATA_HOME)"; cat "$tmp/err"; }
XDG_DATA_HOME=$tmp/xdg "$bin" vuln fetch --source "kev:$B/kev/known_exploited_vulnerabilities.json" >/dev/null 2>"$tmp/err" &&
    [ -f "$tmp/xdg/weerbaar/advisories/kev/known_exploited_vulnerabilities.json" ] || { FAIL "fetch into the default dir"; cat "$tmp/err"; }
"$bin" vuln fetch --dir "$tmp/none" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "nothing fetched into $tmp/none yet: name the sources" "$tmp/err" || FAIL "fetch without sources"
"$bin" vuln fetch --dir "$tmp/x" --source "ftp://x" >/dev/null 2>&1
[ $? = 2 ] || FAIL "a bad --source is not exit 2"
# a source that is not what it claims: an HTML page as KEV is refused
echo '<html>captive portal</html>' >"$W/kev/portal.json"
"$bin" vuln fetch --dir "$tmp/pt" --source "kev:$B/kev/portal.json" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "$B/kev/portal.json: not a KEV catalogue.*refused; $tmp/pt/kev/known_exploited_vulnerabilities.json not written" "$tmp/err" ||
    { FAIL "a non-KEV file is not refused"; cat "$tmp/err"; }
"$bin" vuln fetch --help | grep -q "csaf:URL" || FAIL "vuln fetch --help"

exit $fail
