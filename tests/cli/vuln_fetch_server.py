#!/usr/bin/python3
"""vuln_fetch_server.py - a loopback HTTP server for tests/cli/vuln_fetch.sh.

Serves the files below ROOT with what `weerbaar vuln fetch` relies on:
strong ETags (a hash of the content), Last-Modified from the file's mtime,
conditional GET (If-None-Match, If-Modified-Since -> 304), and byte ranges
(Range: bytes=N- with If-Range -> 206, or the whole file when If-Range no
longer matches). Written for the test from RFC 9110/9111; it is not a
general web server.

Control paths (not counted): GET /_stats gives {"requests", "bytes",
"codes": {code: n}, "ranges"} since the last GET /_reset; GET
/_cut?path=P&n=N makes the next GET of P send only N bytes of the body
(with the full Content-Length) and drop the connection, as a network
failure would; GET /_slow?path=P&bps=N sends the next GET of P at about N
bytes a second (to see progress); GET /_deny?path=P answers 401 for paths
starting with P.

usage: vuln_fetch_server.py ROOT PORTFILE
Binds 127.0.0.1 only, writes the port to PORTFILE, and serves until killed.
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

ROOT = os.path.abspath(sys.argv[1])
LOCK = threading.Lock()
STATS = {"requests": 0, "bytes": 0, "codes": {}, "ranges": 0}
CUTS = {}
SLOW = {}
DENY = []


def count(code, nbytes, ranged=False):
    with LOCK:
        STATS["requests"] += 1
        STATS["bytes"] += nbytes
        STATS["codes"][str(code)] = STATS["codes"].get(str(code), 0) + 1
        if ranged:
            STATS["ranges"] += 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if code != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def control(self, url):
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/_stats":
            with LOCK:
                body = json.dumps(STATS).encode()
        elif url.path == "/_reset":
            with LOCK:
                STATS.update(requests=0, bytes=0, codes={}, ranges=0)
            body = b"{}"
        elif url.path == "/_cut":
            CUTS[q["path"][0]] = int(q["n"][0])
            body = b"{}"
        elif url.path == "/_slow":
            SLOW[q["path"][0]] = int(q["bps"][0])
            body = b"{}"
        elif url.path == "/_deny":
            DENY.append(q["path"][0])
            body = b"{}"
        else:
            return False
        self.send(200, body, [("Content-Type", "application/json")])
        return True

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if self.control(url):
            return
        path = urllib.parse.unquote(url.path)
        if any(path.startswith(p) for p in DENY):
            count(401, 0)
            return self.send(401)
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            count(404, 0)
            return self.send(404)
        with open(full, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        mtime = int(os.stat(full).st_mtime)
        lastmod = email.utils.formatdate(mtime, usegmt=True)
        hdrs = [("ETag", etag), ("Last-Modified", lastmod), ("Accept-Ranges", "bytes")]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            if etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
                count(304, 0)
                return self.send(304, headers=hdrs)
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                since = None
            if since is not None and mtime <= since:
                count(304, 0)
                return self.send(304, headers=hdrs)
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        start = 0
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            if if_range is None or if_range in (etag, lastmod):
                start = int(rng[6:-1])
                if start >= len(data):
                    count(416, 0)
                    return self.send(416, headers=[("Content-Range", "bytes */%d" % len(data))])
        body = data[start:]
        code = 206 if start else 200
        if start:
            hdrs.append(("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data))))
        cut = CUTS.pop(path, None)
        if cut is not None:
            self.send_response(code)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:cut])
            self.wfile.flush()
            count(code, cut, bool(start))
            self.close_connection = True
            return
        count(code, len(body), bool(start))
        bps = SLOW.pop(path, None)
        if bps is not None:
            self.send_response(code)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = max(1, bps // 10)
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(0.1)
            return
        self.send(code, body, hdrs)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a client that gives up on a response (a size bound) is expected
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    srv.serve_forever()


main()
