#!/usr/bin/python3
"""httprecv: a loopback HTTP receiver for sitrep's delivery tests.

Records every request as one JSON line appended to --log, and answers by
the first segment of the path, so one server can play many recipients:

  /ok/...                      204
  /ok200/...                   200, body "ok\\n"
  /fail-once/<key>             500 the first time that path is hit, then 200
  /fail/<n>/<key>              500 the first n times, then 200
  /always500/...               500 always
  /retry-after/<secs>/<key>    429 with "Retry-After: <secs>" the first time, then 200
  /slow/<secs>/...             sleeps <secs>, then 200
  /gone/...                    410
  /redirect/<code>/...?to=URL  <code> (a 3xx) with "Location: URL"
  anything else                404

"The first time" counts per path (without the query string), across all
methods. Usage:

  httprecv.py --log FILE [--port 0] [--host 127.0.0.1|::1]
              [--portfile FILE] [--pidfile FILE] [--verbose]

Prints the port it bound on stdout and, atomically, to --portfile. Exits 0
on SIGTERM or SIGINT. Python 3 standard library only.
"""

import argparse
import base64
import ipaddress
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, log_path, verbose):
        host = addr[0]
        self.address_family = (socket.AF_INET6 if ":" in host
                               else socket.AF_INET)
        self.log_file = open(log_path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.hits = {}          # path -> number of requests so far
        self.seq = 0
        self.verbose = verbose
        super().__init__(addr, Handler)

    def record(self, entry, path):
        """Count a hit on path, log entry; return the hit's number (1-based)."""
        with self.lock:
            self.seq += 1
            n = self.hits.get(path, 0) + 1
            self.hits[path] = n
            entry["seq"] = self.seq
            entry["hit"] = n
            return n

    def write(self, entry):
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "httprecv/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("httprecv: %s\n" % (fmt % args))

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    break
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # Trailer section, up to the empty line.
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)          # CRLF after the chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def decide(self, segs, hit):
        """(status, extra headers, seconds to sleep) for a request."""
        first = segs[0] if segs else ""
        try:
            if first == "ok":
                return 204, {}, 0
            if first == "ok200":
                return 200, {}, 0
            if first == "fail-once":
                return (500 if hit <= 1 else 200), {}, 0
            if first == "fail" and len(segs) >= 2:
                return (500 if hit <= int(segs[1]) else 200), {}, 0
            if first == "always500":
                return 500, {}, 0
            if first == "retry-after" and len(segs) >= 2:
                if hit <= 1:
                    return 429, {"Retry-After": segs[1]}, 0
                return 200, {}, 0
            if first == "slow" and len(segs) >= 2:
                return 200, {}, float(segs[1])
            if first == "gone":
                return 410, {}, 0
            if first == "redirect" and len(segs) >= 2:
                to = urllib.parse.parse_qs(self.query).get("to", [""])[0]
                return int(segs[1]), {"Location": to}, 0
        except ValueError:
            return 400, {}, 0
        return 404, {}, 0

    def handle_any(self):
        received = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        segs = [urllib.parse.unquote(s) for s in path.split("/") if s != ""]
        body = self.read_body()
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = (headers[name] + ", " + value
                             if name in headers else value)
        entry = {
            "method": self.command,
            "path": path,
            "query": url.query,
            "headers": headers,
            "body": body.decode("utf-8", errors="replace"),
            "body_b64": base64.b64encode(body).decode("ascii"),
            "time": received,
            "client": self.client_address[0],
        }
        hit = self.server.record(entry, path)
        self.query = url.query
        status, extra, delay = self.decide(segs, hit)
        entry["status"] = status
        self.server.write(entry)

        if delay > 0:
            time.sleep(delay)
        payload = b"" if status == 204 else (
            b"ok\n" if status == 200 else
            ("%d\n" % status).encode("ascii"))
        try:
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            if status != 204:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD" and payload:
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test): nothing to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser(description="loopback HTTP receiver")
    ap.add_argument("--log", required=True, help="JSON-lines request log")
    ap.add_argument("--port", type=int, default=0, help="0: any free port")
    ap.add_argument("--host", default="127.0.0.1",
                    help="a loopback address: 127.0.0.1 (default) or ::1")
    ap.add_argument("--portfile")
    ap.add_argument("--pidfile")
    ap.add_argument("--verbose", action="store_true",
                    help="log each request to stderr too")
    args = ap.parse_args()

    if not ipaddress.ip_address(args.host).is_loopback:
        ap.error("--host must be a loopback address")

    server = Receiver((args.host, args.port), args.log, args.verbose)
    port = server.server_address[1]

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return: call it elsewhere.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.pidfile:
        write_atomically(args.pidfile, "%d\n" % os.getpid())
    if args.portfile:
        write_atomically(args.portfile, "%d\n" % port)
    print(port, flush=True)

    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        server.log_file.close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
