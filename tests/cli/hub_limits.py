#!/usr/bin/env python3
"""The abuse scenarios of docs/hub.md "Limits" against a running hub
(driven by tests/cli/hub_limits.sh, which starts it): strangers' bodies,
slowloris from several 127.x source addresses, slow feed readers, the
protocol edges, NUL bytes; and, against a second hub with a small
--max-connections, the connections kept for keyed clients. Loopback only;
every wait is bounded.

  hub_limits.py PORT SERVER_PID KEY SENSOR_KEY DB_PATH
  hub_limits.py reserve PORT KEY       (a hub with --max-connections 32)
  hub_limits.py tls PORT KEY           (a hub with --tls-cert, --header-timeout 2)
Prints one "ok"/"FAIL" line per check; exits 1 when any failed."""
import json
import os
import socket
import sys
import threading
import time
import urllib.request

failed = 0


def check(name, cond, detail=""):
    global failed
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)[:400]))
    if not cond:
        failed += 1


def rss_kb():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def connect(src="127.0.0.1", timeout=10, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", PORT))
    return s


def read_answer(s, limit=1 << 20):
    """Reads until the peer closes or a whole answer with Content-Length arrived."""
    out = b""
    try:
        while len(out) < limit:
            b = s.recv(65536)
            if not b:
                break
            out += b
            head, sep, body = out.partition(b"\r\n\r\n")
            if sep:
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(body) >= int(line.split(b":")[1]):
                            return out
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def raw(data, src="127.0.0.1"):
    s = connect(src)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = read_answer(s)
    s.close()
    return out


def status_of(answer):
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def json_error(answer):
    """The error code of a JSON error answer, or None when it is not one."""
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"application/json" not in head.lower():
        return None
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def get(path, key=None, src=None):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return r.status, body, time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - t0



def reserve():
    """--max-connections 32: 8 wait for heads, an eighth (4) and those 8 are
    kept for keyed clients, so 20 connections without a key at most."""
    time.sleep(0.5)  # the start-up probe's connection is gone
    held = []
    codes = []
    for i in range(21):
        s = connect(f"127.0.0.{170 + i}")
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        codes.append(status_of(read_answer(s)))
        held.append(s)
    check(f"20 keyless kept-alive connections served, the 21st refused 503 busy (got {codes[-2:]})",
          codes[:20] == [200] * 20 and codes[20] == 503, codes)
    s = connect("127.0.0.195")
    s.sendall(b"GET /api/v1/events?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() + b"\r\n\r\n")
    a = read_answer(s)
    check("a keyed client still gets a connection and its answer", status_of(a) == 200, a[:200])
    s.close()
    for s in held:
        s.close()


def tls():
    """--tls-cert, --header-timeout 2: the gate cannot read the encrypted
    heads, so the deadline is kept inside libmicrohttpd."""
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", PORT), timeout=10))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    check("TLS: a request is answered", status_of(read_answer(s)) == 200)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    check("TLS: and the next on the kept-alive connection", status_of(read_answer(s)) == 200)
    s.sendall(b"GET / HTTP/1.1\r\n")
    t0 = time.monotonic()
    cut = False
    try:
        while time.monotonic() - t0 < 8:
            s.sendall(b"X-Slow: 1\r\n")
            time.sleep(0.3)
    except (OSError, ssl.SSLError):
        cut = True
    dt = time.monotonic() - t0
    check(f"TLS: a trickled head on it is cut at the deadline ({dt:.1f} s)", cut and dt < 5, dt)
    s.close()
    s = connect()
    t0 = time.monotonic()
    s.settimeout(8)
    try:
        a = s.recv(10)
    except (socket.timeout, ConnectionResetError):
        a = None
    dt = time.monotonic() - t0
    check(f"TLS: a connection that sends nothing is closed at the deadline ({dt:.1f} s)", a == b"" and dt < 5, (a, dt))
    s.close()


def main():
    # ---- protocol edges: every refusal is the documented JSON -----------------------------
    K = KEY.encode()
    edges = [
        ("garbage request line", b"garbage\r\n\r\n", 400, "invalid_request"),
        ("binary garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "invalid_request"),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"),
        ("no version", b"GET /\r\n\r\n", 400, "invalid_request"),
        ("URI over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        ("URI over 40 KiB", b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        ("head over 16 KiB", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 17000 + b"\r\n\r\n", 431, "headers_too_large"),
        ("head over 64 KiB", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: aaaaaaaaaaaaaaaaaaaa\r\n" * 3000 + b"\r\n", 431, "headers_too_large"),
        ("two differing Content-Length", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "invalid_request"),
        ("Content-Length and chunked", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "invalid_request"),
        ("chunked body", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 411, "length_required"),
        ("malformed Content-Length", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5x\r\n\r\nhello", 400, "invalid_request"),
        ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400, "invalid_request"),
        ("bare CR", b"GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", 400, "invalid_request"),
        ("folded header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, "invalid_request"),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid_request"),
        ("NUL in Authorization", b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + K + b"\x00junk\r\n\r\n", 400, "invalid_request"),
        ("%00 in a query value", b"GET /api/v1/indicators?value=1.2.3.4%00junk HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + K + b"\r\n\r\n", 400, "invalid_request"),
        ("%00 in the path", b"GET /api/v1/events/%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + K + b"\r\n\r\n", 400, "invalid_request"),
    ]
    for name, data, want, code in edges:
        a = raw(data)
        check(f"edge: {name} -> {want} JSON {code}", status_of(a) == want and json_error(a) == code, a[:300])

    # The same on the second request of a kept-alive connection (libmicrohttpd
    # reads those heads; the hub checks what it hands over).
    first = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    keep = [
        ("keep-alive: NUL in Authorization", b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + K + b"\x00junk\r\n\r\n", 400, "invalid_request"),
        ("keep-alive: %00 in a query value", b"GET /api/v1/indicators?value=a%00b HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + K + b"\r\n\r\n", 400, "invalid_request"),
        ("keep-alive: two differing Content-Length", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "invalid_request"),
        ("keep-alive: chunked body", b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "length_required"),
    ]
    for name, data, want, code in keep:
        s = connect()
        s.sendall(first)
        a1 = read_answer(s)
        s.sendall(data)
        a2 = read_answer(s)
        s.close()
        check(f"{name} -> {want} JSON {code}", status_of(a1) == 200 and status_of(a2) == want and json_error(a2) == code, a2[:300])

    # A correct key with the NUL cut off still authenticates (the check is not
    # a broken key check).
    st, _, _ = get("/api/v1/events?limit=1", KEY)
    check("a clean key still authenticates", st == 200, st)

    # ---- strangers' bodies: refused on the headers, nothing read --------------------------
    base = rss_kb()
    socks = []
    for i in range(40):
        s = connect(f"127.0.0.{10 + i % 20}")
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 9500000\r\n\r\n")
        s.setblocking(False)
        try:
            for _ in range(100):
                s.send(b"x" * 10000)
        except (BlockingIOError, ConnectionResetError, BrokenPipeError):
            pass
        socks.append(s)
    codes = []
    for s in socks:
        s.setblocking(True)
        s.settimeout(10)
        codes.append(status_of(read_answer(s)))
        s.close()
    grown = rss_kb() - base
    check("40 keyless 9.5 MB bodies short of Content-Length: all 401 before the body", codes == [401] * 40, codes)
    check(f"server memory grew by at most 64 MB with them (grew {grown // 1024} MB)", grown < 64 * 1024, grown)

    a = raw(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
    check("Expect: 100-continue without a key: the 401, no 100 Continue", status_of(a) == 401 and b"100 Continue" not in a and json_error(a) == "unauthorized", a[:200])
    a = raw(b"POST /api/v1/sightings HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\nAuthorization: Bearer nonsense\r\n\r\n")
    check("Expect: 100-continue with a bad key: 401 at once", status_of(a) == 401 and b"100 Continue" not in a, a[:200])
    a = raw(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\nAuthorization: Bearer " + SENSOR.encode() + b"\r\n\r\n")
    check("a sensor key posting an event: 403 before the body", status_of(a) == 403 and b"100 Continue" not in a, a[:200])
    a = raw(b"POST /api/v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
    check("a body to no route: 404 before the body", status_of(a) == 404 and json_error(a) == "not_found", a[:200])
    a = raw(b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nAuthorization: Bearer " + K + b"\r\n\r\n")
    check("a body on a GET: 400 before the body", status_of(a) == 400 and json_error(a) == "invalid_request", a[:200])
    a = raw(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\nAuthorization: Bearer " + K + b"\r\n\r\n")
    check("a body over --max-body: 413 before the body", status_of(a) == 413 and json_error(a) == "too_large", a[:200])

    # Keyed bodies: admitted up to the budgets, the rest 503 before the body.
    base = rss_kb()
    socks = []
    for i in range(12):
        s = connect(f"127.0.0.{40 + i}")
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\nExpect: 100-continue\r\nAuthorization: Bearer " + K + b"\r\n\r\n")
        socks.append(s)
    time.sleep(0.5)
    answers = []
    for s in socks:
        s.settimeout(1)
        answers.append(read_answer(s))
    conts = sum(b"100 Continue" in a for a in answers)
    busy = sum(status_of(a) == 503 and json_error(a) == "busy" for a in answers)
    check(f"12 keyed 9 MB bodies with a 10 MB --max-body: 4 admitted (100 Continue), 8 busy (got {conts}, {busy})", conts == 4 and busy == 8, answers)
    for s in socks:
        s.close()
    check("server memory stayed within 64 MB more", rss_kb() - base < 64 * 1024, rss_kb() - base)

    # Bodies arriving at once from one address: 8, the 9th 429.
    socks = []
    for i in range(9):
        s = connect("127.0.0.60")
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\nAuthorization: Bearer " + K + b"\r\n\r\n")
        s.settimeout(5)
        socks.append((s, s.recv(300)))
    conts = sum(b"100 Continue" in a for _, a in socks[:8])
    last = socks[8][1]
    if status_of(last) == 429 and json_error(last) is None:
        last += read_answer(socks[8][0])  # the head (security headers) is longer than 300 bytes
    check(f"9 slow keyed bodies from one address: 8 admitted, the 9th 429 too_many_bodies (got {conts})",
          conts == 8 and status_of(last) == 429 and b"too_many_bodies" in last, last[:300])
    for s, _ in socks:
        s.close()

    # ---- slowloris from several addresses ----------------------------------------------------
    loris = []
    refused = 0
    for i in range(30):
        src = f"127.0.0.{100 + i % 3}"
        s = connect(src)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        loris.append(s)
    time.sleep(0.3)
    for s in loris:
        s.settimeout(0.05)
        a = read_answer(s)
        refused += status_of(a) == 429 and json_error(a) == "too_many_connections"
    check(f"slowloris: 10 waiting heads from each of 3 addresses, 8 each kept, 2 each answered 429 (got {refused})", refused == 6, refused)
    t0 = time.monotonic()
    st, _, dt = get("/")
    check(f"an honest client is answered while they wait ({dt * 1000:.0f} ms)", st == 200 and dt < 2, (st, dt))
    stop = time.monotonic() + 6
    timed_out = 0
    for s in loris:
        try:
            while time.monotonic() < stop:
                try:
                    s.send(b"X-Slow: 1\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    break
                s.settimeout(0.3)
                a = read_answer(s)
                if a:
                    timed_out += status_of(a) == 408 and json_error(a) == "request_timeout"
                    break
        except socket.timeout:
            pass
        except ConnectionResetError:
            pass
    elapsed = time.monotonic() - t0
    check(f"their heads are cut off at the 2 s deadline with 408 JSON (24 of 24, got {timed_out}, {elapsed:.1f} s)", timed_out == 24 and elapsed < 6, timed_out)
    for s in loris:
        s.close()

    # keep-alive slowloris: the second request's head trickles in
    s = connect("127.0.0.110")
    s.sendall(first)
    read_answer(s)
    s.sendall(b"GET / HTTP/1.1\r\n")
    t0 = time.monotonic()
    closed = False
    try:
        while time.monotonic() - t0 < 8:
            s.sendall(b"X-Slow: 1\r\n")
            s.settimeout(0.5)
            try:
                a = s.recv(300)
                if a == b"" or status_of(a) == 408:
                    closed = True
                    break
            except socket.timeout:
                pass
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    dt = time.monotonic() - t0
    check(f"keep-alive slowloris: the next head is cut off too ({dt:.1f} s)", closed and dt < 5, dt)
    s.close()

    # Connections per address (64 in this test's server: --max-per-address 20)
    idle = []
    for i in range(20):
        s = connect("127.0.0.120")
        s.sendall(first)
        read_answer(s)
        idle.append(s)
    a = raw(first, "127.0.0.120")
    check("the 21st connection from one address: 429 too_many_connections", status_of(a) == 429 and json_error(a) == "too_many_connections", a[:200])
    a = raw(first, "127.0.0.121")
    check("another address is still served", status_of(a) == 200, a[:200])
    for s in idle:
        s.close()

    # ---- slow feed readers ----------------------------------------------------------------------
    def wal_size():
        try:
            return os.path.getsize(DB + "-wal")
        except OSError:
            return 0

    readers = []
    for i in range(16):
        s = connect(f"127.0.0.{130 + i % 4}", rcvbuf=4096)
        s.sendall(b"GET /feeds/public/hashes.csv HTTP/1.1\r\nHost: x\r\n\r\n")
        readers.append(s)
    time.sleep(1)
    st = []
    for s in readers:
        s.settimeout(2)
        try:
            st.append(status_of(s.recv(200)))
        except socket.timeout:
            st.append(0)
    check(f"16 slow public readers from 4 addresses: 8 streams (public budget), the rest 503 or 429 (got {sorted(st)})",
          st.count(200) == 8 and st.count(503) + st.count(429) == 8, st)
    a = raw(b"GET /feeds/public/manifest.json HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.150")
    check("a public reader from a fifth address: 503 busy with Retry-After", status_of(a) == 503 and json_error(a) == "busy" and b"Retry-After" in a, a[:300])
    t0 = time.monotonic()
    ok_keyed = 0
    for path in ["/feeds/misp/hashes.csv", "/feeds/misp/manifest.json"] * 2:
        code, body, _ = get(path, KEY)
        ok_keyed += code == 200 and len(body) > 0
    check(f"keyed feed answers meanwhile: 4 of 4 complete ({time.monotonic() - t0:.1f} s)", ok_keyed == 4, ok_keyed)
    # writers while the slow readers hold their streams: the WAL is checkpointed
    w0 = wal_size()
    ev = {"Event": {"info": "wal", "distribution": "0", "Attribute": [{"type": "ip-dst", "value": f"192.0.2.{i}"} for i in range(1, 200)]}}
    data = json.dumps(ev).encode()
    for i in range(40):
        req = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/v1/events", data=data, method="POST",
                                     headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()
    w1 = wal_size()
    check(f"40 writes while 8 slow readers hold streams: the WAL grows by under 2 MB ({w0 // 1024} -> {w1 // 1024} KB)", w1 - w0 < 2 << 20, w1 - w0)
    for s in readers:
        s.close()

    print(f"{'FAILED' if failed else 'passed'}: {failed} failed")
    return 1 if failed else 0


if sys.argv[1] in ("reserve", "tls"):
    PORT, KEY = int(sys.argv[2]), sys.argv[3]
    reserve() if sys.argv[1] == "reserve" else tls()
    print(f"{'FAILED' if failed else 'passed'}: {failed} failed")
    sys.exit(1 if failed else 0)
PORT, PID, KEY, SENSOR, DB = sys.argv[1:6]
PORT = int(PORT)
sys.exit(main())
