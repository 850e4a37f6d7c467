#!/usr/bin/env python3
"""A loopback HTTP server for the -i URL tests: serves a directory with a
strong ETag per file (its SHA-256), answers If-None-Match with 304, wants
"Authorization: KEY" when KEY is given, and appends "METHOD PATH STATUS" per
request to LOG. Prints its port, then serves until killed.

    etag_server.py DIR LOG [KEY]
"""
import hashlib, http.server, os, sys

root, log = sys.argv[1], sys.argv[2]
key = sys.argv[3] if len(sys.argv) > 3 else None


class H(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        p = os.path.join(root, self.path.lstrip("/").split("?")[0])
        status, data, etag = 404, b"{}", None
        if key and self.headers.get("Authorization") != key:
            status = 403
        elif os.path.isfile(p):
            data = open(p, "rb").read()
            etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
            status = 304 if self.headers.get("If-None-Match") == etag and not body else 200
        with open(log, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "0" if status == 304 else str(len(data)))
        self.end_headers()
        if status != 304:
            self.wfile.write(data)

    def do_GET(self):
        self.answer(False)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.answer(True)

    def log_message(self, *a):
        pass


s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
