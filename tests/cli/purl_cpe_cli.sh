#!/usr/bin/env bash
# purl_cpe_cli.sh - `weerbaar purl parse` and `weerbaar cpe match/parse`:
# outputs and exit statuses.
set -u
bin=$1
fail=0
check() {
    local want_rc=$1 want_out=$2
    shift 2
    local out rc
    out=$("$bin" "$@" 2>/tmp/purl_cpe_cli.$$)
    rc=$?
    if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL: weerbaar $*: exit $rc (want $want_rc), output '$out' (want '$want_out')"
        cat /tmp/purl_cpe_cli.$$
        fail=1
    fi
}
check 0 '{"type": "pypi", "namespace": null, "name": "django-package", "version": "1.11.1", "qualifiers": {}, "subpath": null, "purl": "pkg:pypi/django-package@1.11.1"}' \
    purl parse 'pkg:PYPI/Django_package@1.11.1'
check 0 '{"type": "deb", "namespace": "debian", "name": "curl", "version": "7.50.3-1", "qualifiers": {"arch": "i386", "distro": "jessie"}, "subpath": null, "purl": "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"}' \
    purl parse 'pkg:deb/debian/curl@7.50.3-1?distro=jessie&Arch=i386'
check 2 "" purl parse 'pkg:deb/debian/curl@7.50.3-1?Arch=i386' --strict
check 2 "" purl parse 'EnterpriseLibrary.Common@6.0.1304'
check 2 "" purl parse
"$bin" purl parse 'pkg:swift/Alamofire@5.4.3' 2>&1 | grep -q "^weerbaar: purl 'pkg:swift/Alamofire@5.4.3': a swift purl needs a namespace" ||
    { echo "FAIL: purl error message"; fail=1; }
check 0 superset cpe match 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*' 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'
check 0 subset cpe match 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*' 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*'
check 0 equal cpe match cpe:/a:microsoft:office:2016 'cpe:2.3:a:microsoft:office:2016:*:*:*:*:*:*:*'
check 0 disjoint cpe match 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*' 'cpe:2.3:a:apache:log4j:2.15.0:*:*:*:*:*:*:*'
check 2 "" cpe match 'cpe:2.3:a:apache:log4j:2.14.1' 'cpe:2.3:a:apache:log4j:2.15.0:*:*:*:*:*:*:*'
check 2 "" cpe match 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*' 'cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*'
"$bin" cpe parse 'cpe:/a:acme:widget:1.0::~~~android~~' | grep -q '"cpe23": "cpe:2.3:a:acme:widget:1.0:\*:\*:\*:\*:android:\*:\*"' ||
    { echo "FAIL: cpe parse"; fail=1; }
"$bin" purl --help | grep -q "weerbaar purl parse" || { echo "FAIL: purl --help"; fail=1; }
"$bin" cpe --help | grep -q "weerbaar cpe match" || { echo "FAIL: cpe --help"; fail=1; }
rm -f /tmp/purl_cpe_cli.$$
exit $fail
