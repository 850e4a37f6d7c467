#!/usr/bin/env bash
# vuln_rpm.sh - `weerbaar vuln scan` against CSAF products named without purl
# or CPE: Red Hat's older CSAF names builds only as NEVRA product versions
# ("telnet-1:0.17-65.el7_6.x86_64"), and an appliance vendor's advisory
# names a Debian package by vendor, product and version. An `rpm -qa` list
# and a CycloneDX SBOM of rpm and deb purls must find exactly the older
# builds on the same platform, and nothing for other package names that
# share a prefix, other architectures, source packages, other module
# streams, module builds against plain ones, other vendors, or other purl
# types. Expected findings: tests/data/vuln/README.md. Also: the real
# RHSA-2022:0011 example, and the same findings through an index file.
set -u
bin=$1
fail=0
D=tests/data/vuln
RH=$D/rhsa-nopurl.json
DEB=$D/debian-names.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NOW=2026-01-01T00:00:00Z

# findings as "component version vulnerability matched_by fixed" lines
findings() {
    "$bin" vuln scan --now $NOW --format json "$@" >"$tmp/f.json" 2>"$tmp/err" || {
        echo "FAIL: scan $*: exit $?"
        cat "$tmp/err"
        fail=1
        return
    }
    python3 - "$tmp/f.json" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print(f["component"], f["version"], f["vulnerability"], f["matched_by"], " ".join(f["fixed_versions"]))
PY
}
expect() {
    local what=$1 want=$2 got=$3
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what"
        echo "--- want"
        echo "$want"
        echo "--- got"
        echo "$got"
        fail=1
    fi
}

# 1. rpm -qa list on RHEL 7 against NEVRA products (no purl anywhere)
want='pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64&distro=rhel-7&epoch=1 1:0.17-64.el7 CVE-2020-10188 package-name 1:0.17-65.el7_6
pkg:rpm/redhat/openssl-libs@1.0.2k-19.el7?arch=i686&distro=rhel-7&epoch=1 1:1.0.2k-19.el7 CVE-2023-0286 package-name 1:1.0.2k-26.el7_9
pkg:rpm/redhat/openssl@1.0.2k-19.el7?arch=x86_64&distro=rhel-7&epoch=1 1:1.0.2k-19.el7 CVE-2023-0286 package-name 1:1.0.2k-26.el7_9
pkg:rpm/redhat/python3-foo@2.0-2.el7?arch=noarch&distro=rhel-7 2.0-2.el7 CVE-2099-1001 package-name 2.0-3.el7'
got=$(findings --advisories $RH --inventory $D/inv/rpm-el7.txt --distro rhel-7)
expect "rpm list, rhel-7" "$want" "$got"

# 2. the same list said to be RHEL 8: the advisory's builds are for RHEL 7
got=$(findings --advisories $RH --inventory $D/inv/rpm-el7.txt --distro rhel-8)
expect "rpm list, rhel-8 (other platform)" "" "$got"

# 3. purl-bearing rpm and deb components (CycloneDX) matched by name
want='pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64&epoch=1&distro=rhel-7 1:0.17-64.el7 CVE-2020-10188 package-name 1:0.17-65.el7_6
pkg:rpm/redhat/nodejs@18.12.1-1.module%2Bel8.7.0%2B17306%2Bfc023f99?arch=x86_64&epoch=1&rpmmod=nodejs:18:8070020221024084802:ad008a3a&distro=rhel-8 1:18.12.1-1.module+el8.7.0+17306+fc023f99 CVE-2023-23918 package-name 1:18.14.2-2.module+el8.8.0+18319+c1f9a26a
pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u4?arch=amd64&distro=debian-11 1.1.1n-0+deb11u4 CVE-2023-0464 package-name 1.1.1n-0+deb11u5'
got=$(findings --advisories $RH --advisories $DEB --inventory $D/inv/os-packages.cdx.json)
expect "CycloneDX rpm/deb purls" "$want" "$got"

# 4. the same through an index file
"$bin" vuln index --advisories $RH --advisories $DEB --out "$tmp/x.idx" 2>"$tmp/err" || {
    echo "FAIL: index"
    cat "$tmp/err"
    fail=1
}
got=$(findings --advisories "$tmp/x.idx" --inventory $D/inv/os-packages.cdx.json)
expect "CycloneDX rpm/deb purls, index" "$want" "$got"

# 5. the real RHSA-2022:0011 (Red Hat's CSAF example, no purls): telnet and
# telnet-server older than 1:0.17-65.el7_6 on RHEL 7.6 are affected; the
# fixed build itself (ppc64le) is not
printf 'telnet 1:0.17-64.el7 x86_64\ntelnet-server 1:0.17-64.el7 x86_64\ntelnet 1:0.17-65.el7_6 ppc64le\n' >"$tmp/rpm.txt"
want="pkg:rpm/redhat/telnet-server@0.17-64.el7?arch=x86_64&distro=rhel-7.6&epoch=1 1:0.17-64.el7 CVE-2020-10188 package-name 1:0.17-65.el7_6
pkg:rpm/redhat/telnet@0.17-64.el7?arch=x86_64&distro=rhel-7.6&epoch=1 1:0.17-64.el7 CVE-2020-10188 package-name 1:0.17-65.el7_6"
if [ -d ../shared/testdata ]; then # absent from a clone without ../shared
    got=$(findings --advisories ../shared/testdata/csaf/examples/csaf/rhsa-2022_0011.json --inventory "$tmp/rpm.txt" --distro rhel-7.6)
    expect "RHSA-2022:0011" "$want" "$got"
fi

exit $fail
