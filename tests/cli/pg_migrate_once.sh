#!/usr/bin/env bash
# pg_migrate_once.sh - several processes opening one new PostgreSQL
# database at the same moment make its schema once (the migration runner's
# advisory lock, src/store/pg.c): every process succeeds, each migration
# number is recorded once, and the key secret is one row. Starts its own
# throwaway cluster (tests/pg/cluster.sh); skips (77) without PostgreSQL.
set -uo pipefail
bin=${1:?usage: pg_migrate_once.sh WEERBAAR}
here=$(dirname "$(readlink -f "$0")")
pass=0 fail=0
. "$here/lib.sh"
command -v psql >/dev/null || exit 77
c=$(mktemp -d /tmp/wb-pgonce-XXXXXX)
trap '"$here/../pg/cluster.sh" stop "$c"' EXIT
base=$("$here/../pg/cluster.sh" start "$c") || exit $?
psql -q "$base" -c "CREATE DATABASE once" || exit 2
uri="postgresql:///once?${base#*\?}"
pids=()
for i in 1 2 3 4 5 6; do
    "$bin" admin org list --db "$uri" >"$c/out$i" 2>&1 &
    pids+=($!)
done
rcs=0
for p in "${pids[@]}"; do wait "$p" || rcs=$((rcs + 1)); done
check "six processes opened the new database at once" '[ $rcs = 0 ]'
dups=$(psql -qtA "$uri" -c "SELECT count(*) FROM (SELECT version FROM schema_version GROUP BY version HAVING count(*)>1) d")
check "each migration recorded once" '[ "$dups" = 0 ]'
n=$(psql -qtA "$uri" -c "SELECT count(*) FROM schema_version")
check "every migration recorded ($n)" '[ "$n" -ge 14 ]'
k=$(psql -qtA "$uri" -c "SELECT count(*) FROM meta WHERE key='key_secret'")
check "one key secret" '[ "$k" = 1 ]'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
