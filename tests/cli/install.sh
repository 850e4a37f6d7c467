#!/usr/bin/env bash
# install.sh - `cmake --install BUILD --prefix DIR` into an empty directory
# gives a program that works from DIR/bin with nothing else set: it finds its
# catalogues and data beside itself (DIR/share/weerbaar), `assess`, `admin
# demo` and `serve` (start, GET /, /healthz, /metrics, stop) run, and the man page and docs are
# where the FHS puts them. A program copied away from its data refuses to
# serve and names the places it looked.
# The build directory of the program under test is installed, and the
# release build in build/ too when there is one (`make test` makes it).
# Usage: tests/cli/install.sh path/to/weerbaar
set -uo pipefail
WB=$(readlink -f "${1:?usage: install.sh WEERBAAR}")
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
[ -f "$(dirname "$WB")/cmake_install.cmake" ] || { echo "not a CMake build directory"; exit 77; }
T=$(mktemp -d)
SP=
trap '[ -n "$SP" ] && kill -9 $SP 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# nothing of ours in the environment, and a working directory with nothing in it
mkdir -p "$T/empty" "$T/home"
CLEAN=(env -i PATH=/usr/bin:/bin HOME="$T/home" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS}
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS})
clean() { "${CLEAN[@]}" "$@"; }
SRC=$PWD
cd "$T/empty"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

builds=("$(dirname "$WB")")
rel=$(readlink -f "$SRC/build" 2>/dev/null)
if [ -n "$rel" ] && [ "$rel" != "${builds[0]}" ] && [ -f "$rel/cmake_install.cmake" ] &&
    [ -x "$rel/weerbaar" ]; then
    builds+=("$rel")
fi

i=0
for b in "${builds[@]}"; do
    i=$((i + 1))
    D=$T/prefix$i
    name=$(basename "$b")
    cmake --install "$b" --prefix "$D" > "$T/install.log" 2>&1; rc=$?
    check "$name: cmake --install into an empty directory" '[ $rc = 0 ]'
    check "$name: FHS layout (bin, share/weerbaar, man1, doc)" \
        '[ -x $D/bin/weerbaar ] && [ -f $D/share/weerbaar/catalogues/cbw_nis2.yaml ] &&
         [ -f $D/share/weerbaar/vendor-clouds.yaml ] && [ -f $D/share/weerbaar/eu-eea.txt ] &&
         [ -f $D/share/man/man1/weerbaar.1 ] && [ -f $D/share/doc/weerbaar/hub.md ] &&
         [ -f $D/share/doc/weerbaar/README.md ]'
    W=$D/bin/weerbaar
    clean "$W" assess catalogues > "$T/cats" 2> "$T/e"; rc=$?
    check "$name: assess catalogues finds the installed ones" \
        '[ $rc = 0 ] && grep -q "^cbw_nis2" "$T/cats"'
    DB=$T/hub$i.db
    clean "$W" admin demo --db "$DB" > "$T/demo" 2> "$T/e"; rc=$?
    check "$name: admin demo" '[ $rc = 0 ] && grep -q "admin@csirt.example" "$T/demo"'
    id=$(clean "$W" assess new --catalogue cbw_nis2 --org Energienet --scope IT --db "$DB" 2> "$T/e")
    rc=$?
    check "$name: assess new on the demo database" '[ $rc = 0 ] && [[ $id =~ ^[0-9]+$ ]]'
    P=$(port)
    "${CLEAN[@]}" "$W" serve --db "$DB" --listen 127.0.0.1:$P > "$T/serve.log" 2>&1 &
    SP=$!
    code=000
    for _ in $(seq 100); do
        code=$(curl -s -o "$T/index" -w '%{http_code}' "http://127.0.0.1:$P/") && [ "$code" != 000 ] && break
        sleep 0.1
    done
    check "$name: serve answers GET / with 200" '[ "$code" = 200 ] && [ -s "$T/index" ]'
    code=$(curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$P/healthz")
    check "$name: GET /healthz 200, status ok" '[ "$code" = 200 ] && grep -q "\"status\": *\"ok\"" "$T/health"'
    curl -s -o "$T/metrics" "http://127.0.0.1:$P/metrics"
    check "$name: GET /metrics from loopback counts GET / and /healthz" \
        'grep -q "^weerbaar_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1$" "$T/metrics"'
    kill -TERM $SP
    wait $SP; rc=$?
    SP=
    check "$name: serve stops on SIGTERM with 0" '[ $rc = 0 ] && grep -q "stopped" "$T/serve.log"'
done

# The program alone, without its share/ (and no configured prefix holding
# catalogues): serve refuses to start and says where it looked.
mkdir -p "$T/lone/bin"
cp "$WB" "$T/lone/bin/weerbaar"
if [ ! -d /usr/local/share/weerbaar/catalogues ]; then
    clean "$T/lone/bin/weerbaar" serve --db "$T/lone.db" --listen 127.0.0.1:$(port) \
        > /dev/null 2> "$T/e"; rc=$?
    check "without catalogues serve refuses (exit 2) naming where it looked" \
        '[ $rc = 2 ] && grep -q "lone/bin/../share/weerbaar/catalogues" "$T/e"'
    mkdir -p "$T/mine"
    cp "$SRC/data/catalogues/cbw_nis2.yaml" "$T/mine/"
    P=$(port)
    "${CLEAN[@]}" "$T/lone/bin/weerbaar" serve --db "$T/lone.db" --listen 127.0.0.1:$P --catalogues "$T/mine" \
        > "$T/serve.log" 2>&1 &
    SP=$!
    code=000
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/") && [ "$code" != 000 ] && break
        sleep 0.1
    done
    check "with --catalogues DIR it serves without the built-in ones" '[ "$code" = 200 ]'
    kill -TERM $SP
    wait $SP
    SP=
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
