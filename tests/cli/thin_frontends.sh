#!/usr/bin/env bash
# thin_frontends.sh - the front ends of incidents, assessments and the
# dependency picture (src/cli/, src/hub/) call their capability's service and
# never the store: no weerbaar/store.h include, no wb_store_* call (issue #11).
# The rules live once, in src/incident/, src/assess/ and src/deps/.
set -u
cd "$(dirname "$0")/../.." || exit 2
fail=0
files=$(ls src/cli/cmd_incident*.c src/cli/cmd_assess*.c src/cli/cmd_deps*.c \
    src/hub/incident_api.c src/hub/assess_api.c src/hub/deps_api.c 2> /dev/null)
[ -n "$files" ] || { echo "FAIL: no front-end files found"; exit 1; }
for f in $files; do
    if grep -nE 'wb_store_[a-z_]+ *\(|#include "weerbaar/store.h"' "$f"; then
        echo "FAIL: $f uses the store directly"
        fail=1
    fi
done
exit $fail
