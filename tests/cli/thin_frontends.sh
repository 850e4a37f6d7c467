#!/usr/bin/env bash
# thin_frontends.sh - the front ends (src/cli/, src/hub/) call the library's
# services and never the store: no include of weerbaar/store.h (or another
# store header), no wb_store_* call, in any of their files (issue #11). The
# rules live once, in the capability modules (src/incident/, src/assess/,
# src/deps/, src/share/, src/accounts/, src/admin/, ...). The store's types
# (wb_store, its records) reach the front ends through the services'
# headers; only the calls are the services'.
#
# The sync module (src/sync/) reads the store for its documents but its
# writes are the share service's (share/sync_put.c, sync_servers.c): no
# transaction of its own (wb_store_begin, _commit, _rollback).
set -u
cd "$(dirname "$0")/../.." || exit 2
fail=0
files=$(ls src/cli/*.[ch] src/hub/*.[ch] 2> /dev/null)
[ -n "$files" ] || { echo "FAIL: no front-end files found"; exit 1; }
# The store's own headers; a front end includes the services' instead.
store_hdr='#include *"(weerbaar/store[a-z_]*\.h|store/[^"]*)"'
for f in $files; do
    # comments are not calls: drop /* ... */ and // ... before looking
    hits=$(sed -e 's|//.*$||' "$f" | perl -0pe 's{/\*.*?\*/}{ }gs' |
        grep -nE "\bwb_store_[a-z0-9_]+ *\(|$store_hdr")
    if [ -n "$hits" ]; then
        echo "$hits"
        echo "FAIL: $f uses the store directly"
        fail=1
    fi
done
sync=$(ls src/sync/*.[ch] 2> /dev/null)
[ -n "$sync" ] || { echo "FAIL: no sync module files found"; exit 1; }
for f in $sync; do
    hits=$(sed -e 's|//.*$||' "$f" | perl -0pe 's{/\*.*?\*/}{ }gs' |
        grep -nE "\bwb_store_(begin|commit|rollback) *\(")
    if [ -n "$hits" ]; then
        echo "$hits"
        echo "FAIL: $f opens store transactions (the share service's job)"
        fail=1
    fi
done
exit $fail
