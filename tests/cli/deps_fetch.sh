#!/usr/bin/env bash
# deps_fetch.sh - `weerbaar deps fetch` against a loopback HTTP server only
# (python3 -m http.server): a first download with its published .md5
# checked, a second answered 304 Not Modified (If-Modified-Since from the
# previous download), a file without a .md5, a wrong .md5 refused with the
# old file kept, and a 404 an error; the downloaded file is read by deps map;
# a slow download shows a progress line with its percentage on a terminal
# (script(1)), none with --quiet or when standard error is not a terminal.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
err() { echo "FAIL: $*"; fail=1; }
command -v python3 >/dev/null || exit 77

mkdir -p "$tmp/www" "$tmp/data"
cp tests/data/deps/delegated-fragment.txt "$tmp/www/delegated-test-extended-latest"
(cd "$tmp/www" && md5sum delegated-test-extended-latest |
    awk '{print "MD5 (delegated-test-extended-latest) = " $1}' >delegated-test-extended-latest.md5)
printf 'arin|US|ipv4|8.8.8.0|256|1|assigned|g\n' >"$tmp/www/delegated-nomd5-latest"
# a port the kernel picks, told back through a file
python3 - "$tmp/www" "$tmp/port" <<'PY' &
import functools, http.server, sys, time
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        # /slow-*: 200 kB sent over about 1.2 s, with its length
        if not self.path.startswith("/slow-") or self.path.endswith(".md5"):
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Length", "200000")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"#" * 19999 + b"\n")
            self.wfile.flush()
            time.sleep(0.12)
h = functools.partial(Quiet, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2], "w").write(str(s.server_port))
s.timeout = 60
for _ in range(40):  # bounded: at most 40 requests
    s.handle_request()
PY
srv=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "FAIL: no server"; exit 1; }
U=http://127.0.0.1:$(cat "$tmp/port")

out=$(timeout 60 "$bin" deps fetch --ipdata "$tmp/data" --url "$U/delegated-test-extended-latest" \
    --url "$U/delegated-nomd5-latest") || err "first fetch"
echo "$out" | grep -q '^delegated-test-extended-latest: downloaded [0-9]* bytes, MD5 checked$' || err "md5: $out"
echo "$out" | grep -q '^delegated-nomd5-latest: downloaded 38 bytes$' || err "no md5: [$out]"
cmp -s "$tmp/data/delegated-test-extended-latest" tests/data/deps/delegated-fragment.txt || err "content"
out=$(timeout 60 "$bin" deps fetch --ipdata "$tmp/data" --url "$U/delegated-test-extended-latest") ||
    err "second fetch"
echo "$out" | grep -q '^delegated-test-extended-latest: not modified$' || err "304: $out"

# the downloaded files are what deps map reads from --ipdata
printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\n1793491200.0\tC\t10.0.0.2\t1\t193.0.6.139\t443\ttcp\t-\t1\t1\t1\n' >"$tmp/conn.log"
timeout 60 "$bin" deps map "$tmp/conn.log" --ipdata "$tmp/data" --format csv | grep -q ',NL,,,NL,yes,' ||
    err "map with fetched data"

# a wrong checksum: refused, the old file kept
touch -d '2030-01-01' "$tmp/www/delegated-test-extended-latest"
echo "MD5 (x) = 00000000000000000000000000000000" >"$tmp/www/delegated-test-extended-latest.md5"
timeout 60 "$bin" deps fetch --ipdata "$tmp/data" --url "$U/delegated-test-extended-latest" 2>"$tmp/e"
[ $? = 2 ] || err "bad md5 exit"
grep -q 'MD5 .*says 00000000000000000000000000000000; the old file is kept' "$tmp/e" || err "bad md5 message: $(cat "$tmp/e")"
cmp -s "$tmp/data/delegated-test-extended-latest" tests/data/deps/delegated-fragment.txt || err "old file kept"
[ ! -e "$tmp/data/delegated-test-extended-latest.part" ] || err "part file left"
timeout 60 "$bin" deps fetch --ipdata "$tmp/data" --url "$U/missing" 2>"$tmp/e"
[ $? = 2 ] || err "404 exit"
grep -q 'HTTP status 404' "$tmp/e" || err "404 message"
# progress: a percentage on a terminal, nothing with --quiet or without one
if command -v script >/dev/null 2>&1; then
    script -qec "timeout 60 '$bin' deps fetch --ipdata '$tmp/data' --url '$U/slow-a'" /dev/null \
        >"$tmp/tty" 2>&1 || err "slow fetch on a terminal: exit $?"
    grep -aq 'weerbaar: slow-a: *[0-9]*% [0-9.]* kB of 200.0 kB' "$tmp/tty" ||
        { err "no progress on a terminal"; cat -v "$tmp/tty"; }
    grep -aq 'slow-a: downloaded 200000 bytes' "$tmp/tty" || err "slow fetch result"
    script -qec "timeout 60 '$bin' deps fetch --ipdata '$tmp/data' --url '$U/slow-b' --quiet" \
        /dev/null >"$tmp/tty" 2>&1 || err "slow fetch --quiet: exit $?"
    grep -aq '%' "$tmp/tty" && { err "progress with --quiet"; cat -v "$tmp/tty"; }
else
    echo "note: script(1) not installed, progress checks skipped"
fi
timeout 60 "$bin" deps fetch --ipdata "$tmp/data" --url "$U/slow-c" >"$tmp/out" 2>"$tmp/e" ||
    err "slow fetch: exit $?"
[ -s "$tmp/e" ] && { err "output on standard error when it is not a terminal"; cat -v "$tmp/e"; }
exit $fail
