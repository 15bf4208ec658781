#!/bin/bash
# t0010-http-attack.sh: sitrepd's public listener attacked over raw
# loopback sockets, as the issue's attacker did: 600 slow clients (from one
# address, then from six: 127.0.0.2-7 are loopback too) while a normal
# client is served within seconds and the daemon holds a bounded number of
# descriptors; wrk with 530 connections served; every ambiguous framing
# (Content-Length twice, Content-Length with Transfer-Encoding, an unknown
# Transfer-Encoding, HTTP/1.1 without Host, a NUL in a header) answered 400
# with the connection closed and the smuggled request behind it never
# answered; 445 query arguments answered at once; /metrics only on the
# internal listener; POST /subscribe limited per address (429 and
# Retry-After) and answered alike for an address subscribed already.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$SITREP_BIN/sitrepd" ]; then
	echo "1..0 # SKIP no sitrepd in SITREP_BIN"
	exit 0
fi

plan 31
tmp_workspace

PY=/usr/bin/python3
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'

SPID=
_t10_exit() {
	local rc=$?
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null
		sleep 0.2
		kill -KILL "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	(exit "$rc")
	_lib_exit
}
trap _t10_exit EXIT

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
$PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
import re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n = re.subn(r'^http = \{[^}]*\};',
               'http = { listen = "127.0.0.1:0"; max_connections_per_address = 64;\n'
               '  timeout = "10s"; subscribe_burst = 3; subscribe_every = "1h"; };', t, flags=re.M)
assert n == 1, "no http group"
# e-mail subscriptions need a channel serving customers by e-mail; its relay
# is a port nobody listens on, retried after the test is over
t, n = re.subn(r"^channels = \(.*?^\);\n", """channels = (
  { id = "mail"; type = "email"; audiences = [ "customers" ];
    smtp_url = "smtp://127.0.0.1:9"; from = "status@t10.invalid"; }
);
""", t, flags=re.S | re.M)
assert n == 1, "no channels list"
t += 'delivery = { timeout = "2s"; retries = 1; backoff = [ "1h" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
run sitrep outbox
is_rc 0 "the config with the http limits (max_connections_per_address, timeout, subscribe_*) is valid"

# Started with a soft open-files limit of 256 (below the slow clients'
# count): sitrepd raises it to the hard limit itself.
HARD=$(ulimit -Hn)
(
	[ "$HARD" = unlimited ] || [ "$HARD" -gt 256 ] && ulimit -Sn 256
	exec "$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" 2>"$TEST_TMP/sitrepd.log" </dev/null
) &
SPID=$!
started() {
	grep -Eq 'status page: http://127\.0\.0\.1:[0-9]+/$' "$TEST_TMP/sitrepd.log" &&
		grep -Eq 'internal: http://127\.0\.0\.1:[0-9]+/$' "$TEST_TMP/sitrepd.log"
}
wait_until 20 started || bail "sitrepd did not start: $(cat "$TEST_TMP/sitrepd.log")"
PORT=$(grep -Eo 'status page: http://127\.0\.0\.1:[0-9]+/$' "$TEST_TMP/sitrepd.log" | sed -E 's|.*:([0-9]+)/$|\1|')
IPORT=$(grep -Eo 'internal: http://127\.0\.0\.1:[0-9]+/$' "$TEST_TMP/sitrepd.log" | sed -E 's|.*:([0-9]+)/$|\1|')
ok "sitrepd logs its status page and its internal listener, on two ports" \
	eval '[ -n "$PORT" ] && [ -n "$IPORT" ] && [ "$PORT" != "$IPORT" ]'
diag "public port $PORT, internal port $IPORT"
SOFT=$(awk '/^Max open files/ { print $4 }' "/proc/$SPID/limits")
HARDP=$(awk '/^Max open files/ { print $5 }' "/proc/$SPID/limits")
is "$SOFT" "$HARDP" "started with a soft limit of 256 open files, sitrepd raised it to the hard limit ($HARDP)"

# ============================================================ slow clients

# 600 connections that send half a request and wait; then six probes from
# 127.0.0.1, each to be answered within 5 s; then the daemon's descriptors.
pytap 6 - "$PORT" "$SPID" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
def report(desc, why):
    print("ok\t" + desc if why is None else "not ok\t%s\t%s" % (desc, why), flush=True)
def fds():
    return len(os.listdir("/proc/%d/fd" % pid))
def probe():
    t = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    d = b""
    while True:
        x = s.recv(4096)
        if not x:
            break
        d += x
    s.close()
    return d.split(b"\r\n")[0].decode("latin-1"), time.time() - t
def slow(addrs, n=600):
    socks, errs = [], 0
    for i in range(n):
        s = socket.socket()
        try:
            s.bind((addrs[i % len(addrs)], 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            errs += 1
            s.close()
    return socks, errs
for label, addrs in (("one address", ["127.0.0.1"]),
                     ("six addresses", ["127.0.0.%d" % i for i in range(2, 8)])):
    socks, errs = slow(addrs)
    print("# %s: %d slow connections opened (%d refused at connect)" % (label, len(socks), errs))
    time.sleep(2.5)  # older than the limits' grace
    got = []
    for i in range(6):
        try:
            got.append(probe())
        except OSError as e:
            got.append((repr(e), 99))
    bad = [g for g in got if not g[0].startswith("HTTP/1.1 200") or g[1] > 5]
    report("600 slow clients from %s: 6 of 6 probes from 127.0.0.1 answered 200 within 5 s (slowest %.2f s)"
           % (label, max(g[1] for g in got)), None if not bad else repr(bad))
    n = fds()
    report("and sitrepd holds %d descriptors, not one per slow client" % n,
           None if n < (300 if len(addrs) == 1 else 500) else "%d open descriptors" % n)
    for s in socks:
        s.close()
    deadline = time.time() + 20
    while time.time() < deadline and fds() > 100:
        time.sleep(0.2)
report("the slow connections' descriptors are released once they close (%d open)" % fds(),
       None if fds() <= 100 else "still %d" % fds())
code, secs = probe()
report("and the page is served as before", None if code.startswith("HTTP/1.1 200") else code)
EOF

# ============================================================ many fast clients

if command -v wrk >/dev/null 2>&1; then
	wrk -c530 -t2 -d3s --timeout 5s "http://127.0.0.1:$PORT/" >"$TEST_TMP/wrk.out" 2>&1
	REQS=$(grep -Eo '^ *[0-9]+ requests in' "$TEST_TMP/wrk.out" | grep -Eo '[0-9]+' | head -n 1)
	ok "wrk -c530 for 3 s: requests are served (${REQS:-0})" [ "${REQS:-0}" -gt 500 ]
	[ "${REQS:-0}" -gt 500 ] || diag "$(cat "$TEST_TMP/wrk.out")"
	run curl -sS --max-time 5 "http://127.0.0.1:$PORT/healthz"
	is "$RC:$OUT" "0:ok" "and a normal client right after"
else
	skip 2 "wrk is not installed"
fi

# ============================================================ framing

pytap 9 - "$PORT" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def report(desc, why):
    print("ok\t" + desc if why is None else "not ok\t%s\t%s" % (desc, why), flush=True)
def exchange(raw):
    s = socket.create_connection(("127.0.0.1", port), timeout=8)
    t = time.time()
    s.sendall(raw)
    d, closed = b"", False
    try:
        while True:
            x = s.recv(65536)
            if not x:
                closed = True
                break
            d += x
    except OSError:
        pass
    s.close()
    return d, closed, time.time() - t
SMUG = b"GET /api/v2/status.json HTTP/1.1\r\nHost: x\r\n\r\n"
cases = [
    ("Content-Length twice (0 then 44): the bytes after are a smuggled request",
     b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
     b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n" % len(SMUG) + SMUG),
    ("Content-Length with Transfer-Encoding: chunked",
     b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\n" + SMUG),
    ("an unknown Transfer-Encoding",
     b"POST /subscribe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
    ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n" + SMUG),
    ("a NUL byte in a header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n" + SMUG),
    ("a NUL byte in a header name", b"GET / HTTP/1.1\r\nHost: x\r\nX-\x00A: b\r\n\r\n" + SMUG),
]
for desc, raw in cases:
    d, closed, secs = exchange(raw)
    answers = d.count(b"\r\nDate: ")
    why = None
    if not d.startswith(b"HTTP/1.1 400 "):
        why = "answered %r" % d[:60]
    elif answers != 1 or b'"indicator"' in d:
        why = "%d answers: the smuggled request was served" % answers
    elif not closed or secs > 5 or b"\r\nConnection: close\r\n" not in d:
        why = "the connection stays open (closed=%s, %.1f s)" % (closed, secs)
    report("%s: 400, one answer, the connection closed at once" % desc, why)
for n in (445, 3000):
    q = "&".join("p%d=1" % i for i in range(n)).encode()
    d, closed, secs = exchange(b"GET /?" + q + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    ok_ = (d.startswith(b"HTTP/1.1 414 ") or d.startswith(b"HTTP/1.1 400 ")) and secs < 3
    report("a query of %d arguments: answered 414 at once (%.2f s), not left hanging" % (n, secs),
           None if ok_ else "%r after %.1f s" % (d[:40], secs))
d, closed, secs = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nConnection: close\r\n\r\n")
report("a well-framed request is served", None if d.startswith(b"HTTP/1.1 200 ") else repr(d[:60]))
EOF

# ============================================================ metrics are internal

run sitrep --as alice open outage --title "Unannounced" --sev SEV2
is_rc 0 "an incident with no public update yet"
run curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics"
is "$OUT" 404 "public /metrics: 404"
run curl -sS --max-time 5 "http://127.0.0.1:$PORT/api/v2/status.json"
like "$OUT" '"indicator":"none"' "status.json still says all is well (nothing was announced)"
run curl -sS --max-time 5 "http://127.0.0.1:$IPORT/metrics"
like "$OUT" 'sitrep_open_incidents\{severity="SEV2"\} 1' "the internal listener's /metrics counts it"

# ============================================================ the subscribe form

pytap 6 - "$PORT" <<'EOF'
import socket, sys, urllib.parse
port = int(sys.argv[1])
def report(desc, why):
    print("ok\t" + desc if why is None else "not ok\t%s\t%s" % (desc, why), flush=True)
def post(fields, src="127.0.0.1"):
    body = urllib.parse.urlencode(fields).encode()
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(8)
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /subscribe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    d = b""
    while True:
        x = s.recv(65536)
        if not x:
            break
        d += x
    head, _, body = d.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    return int(lines[0].split()[1]), hdrs, body.decode("utf-8", "replace")
c1, _, b1 = post({"kind": "email", "address": "first@example.com"})
c2, _, b2 = post({"kind": "email", "address": "first@example.com"})
report("subscribing an address twice: the same status (%d, %d) and the same page" % (c1, c2),
       None if c1 == c2 and c1 < 300 and b1 == b2 else "second answer differs")
c, _, b = post({"kind": "email", "address": "x\udcff@example.com".encode("utf-8", "surrogateescape")})
report("an address that is not UTF-8: 400 naming the field",
       None if c == 400 and "address" in b and "UTF-8" in b else "%d" % c)
c, h, _ = post({"kind": "email", "address": "third@example.com"})
report("the fourth POST from this address within the hour (burst 3): 429", None if c == 429 else "%d" % c)
ra = h.get("retry-after", "")
report("with Retry-After in seconds (%s)" % ra, None if ra.isdigit() and 0 < int(ra) <= 3600 else repr(ra))
c, _, _ = post({"kind": "email", "address": "other@example.com"}, src="127.0.0.9")
report("another address is not limited by it: 201", None if c == 201 else "%d" % c)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /subscribe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
d = s.recv(100)
report("reading the form is not limited", None if d.startswith(b"HTTP/1.1 200") else repr(d[:40]))
EOF

run sitrep subscribers --json
is "$(jq length <<<"$OUT")" 2 "two subscribers stored: the repeated, refused and limited forms added none"
