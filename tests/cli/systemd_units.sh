#!/usr/bin/env bash
# systemd_units.sh - the systemd units that `cmake --install` puts into
# PREFIX/lib/systemd/system (weerbaar-hub.service, weerbaar-sensor.service,
# from dist/systemd/*.in) name the installed program, are hardened
# (DynamicUser, ProtectSystem=strict, NoNewPrivileges, state in a
# StateDirectory) and pass `systemd-analyze verify` without a single
# complaint (it reports unknown or bad settings as "ignoring" and still
# exits 0, so any output is a failure here).
# Skips (77) without systemd-analyze (scripts/install-deps installs it).
# Usage: tests/cli/systemd_units.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: systemd_units.sh WEERBAAR}")
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (apt-get install systemd)"; exit 77; }
[ -f "$(dirname "$WB")/cmake_install.cmake" ] || { echo "not a CMake build directory"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# verify works offline, but it needs a systemd it can talk to for nothing
# here; if it cannot run at all in this container, say so and skip
if ! systemd-analyze --version >/dev/null 2>&1; then
    echo "systemd-analyze cannot run here"
    exit 77
fi

D=$T/prefix
cmake --install "$(dirname "$WB")" --prefix "$D" > /dev/null 2>&1
U=$D/lib/systemd/system
for unit in weerbaar-hub.service weerbaar-sensor.service; do
    f=$U/$unit
    check "$unit: installed" '[ -f "$f" ]'
    check "$unit: runs the installed program" 'grep -q "^ExecStart=$D/bin/weerbaar " "$f"'
    for k in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes ProtectHome=yes \
        "CapabilityBoundingSet=$"; do
        check "$unit: $k" 'grep -q "^$k" "$f"'
    done
    check "$unit: state in a StateDirectory" 'grep -q "^StateDirectory=weerbaar" "$f"'
    out=$(cd "$T" && systemd-analyze verify --man=no "$f" 2>&1)
    rc=$?
    [ -n "$out" ] && echo "$out"
    check "$unit: systemd-analyze verify, no complaint" '[ $rc = 0 ] && [ -z "$out" ]'
done
# the check can fail: a bad value is reported (and only "ignored")
sed 's/^ProtectSystem=strict/ProtectSystem=bogus/' "$U/weerbaar-hub.service" > "$T/weerbaar-hub.service"
out=$(cd "$T" && systemd-analyze verify --man=no "$T/weerbaar-hub.service" 2>&1)
check "a bad setting makes verify speak" '[ -n "$out" ]'

echo "$pass passed, $fail failed"
[ $fail = 0 ]
