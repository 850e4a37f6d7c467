#!/usr/bin/env bash
# tests/pg/cluster.sh - a throwaway PostgreSQL cluster for the tests.
#
#   tests/pg/cluster.sh start DIR   initdb + pg_ctl start in DIR (made if
#                                   missing); prints the base URI for WB_TEST_DB
#   tests/pg/cluster.sh stop DIR    stops it and removes DIR
#
# The server listens on a Unix socket in DIR only (no TCP port at all),
# with trust authentication for its own user, fsync off (a test cluster
# that a crash loses costs nothing) and the C locale (SQLite's ordering).
# As root it runs as the unprivileged user "postgres" (initdb refuses root).
# Exits 77 (skip) when PostgreSQL's server programs are not installed.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin=${WB_PG_BIN:-}
if [ -z "$bin" ]; then
    for b in /usr/lib/postgresql/*/bin; do [ -x "$b/initdb" ] && bin=$b; done
fi
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "no PostgreSQL server (initdb) installed" >&2; exit 77; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
user=$(if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi)

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --locale=C -E UTF8 \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 2; }
    echo "postgresql:///postgres?host=$dir&user=$user"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
