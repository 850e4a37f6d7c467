#!/usr/bin/env bash
# vers_cli.sh - `weerbaar vers`: outputs and exit statuses of every action.
set -u
bin=$1
fail=0
# check WANT_STATUS WANT_STDOUT ARGS... (stdin from $IN when set)
check() {
    local want_rc=$1 want_out=$2
    shift 2
    local out rc
    out=$("$bin" "$@" < "${IN:-/dev/null}" 2>/tmp/vers_cli.$$)
    rc=$?
    if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL: weerbaar $*: exit $rc (want $want_rc), output '$out' (want '$want_out')"
        cat /tmp/vers_cli.$$
        fail=1
    fi
}
check 0 ">" vers compare deb 1:1.0~rc1-1 1.0-1
check 0 "<" vers compare pypi 1.0.dev1 1.0a1
check 0 "=" vers compare maven 1.0 1-GA
check 0 "<" vers compare rpm 1.0~rc1 1.0
check 2 "" vers compare npm 1.0 2.0.0
check 2 "" vers compare nosuch 1 2
check 2 "" vers compare deb 1.0
printf '1.0 1.0.0\n2.0-1 2.0\nonly-one\n\n3 2\n' > /tmp/vers_cli_in.$$
IN=/tmp/vers_cli_in.$$ check 2 "$(printf '=\n>\n!\n>')" vers compare maven -
unset IN
check 0 "yes" vers contains 'vers:npm/>=1.0.0|<2.0.0' 1.4.2
check 1 "no" vers contains 'vers:npm/>=1.0.0|<2.0.0' 2.0.0
check 1 "no" vers contains --scheme generic '<=2' 3
check 0 "yes" vers contains '<V3.0.29' V3.0.1 --scheme generic
check 2 "" vers contains 'vers:npm/>=1.0.0' 1.0
check 2 "" vers contains 'vers:npm/>=2|<1' 1.0.0
check 0 "vers:pypi/>=1.0|<2.0" vers normalize 'vers:pypi/<2.0|>= 1.0'
check 2 "" vers normalize --strict 'vers:pypi/<2.0|>=1.0'
check 0 "vers:npm/>=1.2.3|<2.0.0|>=2.0.0|<2.1.0" vers from-native npm '^1.2.3 || ~2.0'
check 0 "vers:pypi/>=1.0|<1.5.dev0|>=1.6.dev0" vers from-native pypi '>=1.0,!=1.5.*'
check 2 "" vers from-native gem '~> 1.0'
check 2 "" vers bogus
"$bin" vers --help | grep -q 'weerbaar vers compare deb' || { echo "FAIL: --help has no examples"; fail=1; }
"$bin" vers schemes | grep -q '^maven' || { echo "FAIL: schemes lists no maven"; fail=1; }
"$bin" vers compare deb 1.0 a1.0 2>&1 >/dev/null | grep -q "^weerbaar: deb version 'a1.0'" ||
    { echo "FAIL: error message does not name the version"; fail=1; }
rm -f /tmp/vers_cli.$$ /tmp/vers_cli_in.$$
exit $fail
