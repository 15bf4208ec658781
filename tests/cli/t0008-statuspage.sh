#!/bin/bash
# t0008-statuspage.sh: sitrepd's public HTTP server on loopback, driven
# with curl, raw sockets and headless Chromium against state made with the
# CLI: every endpoint's status, Content-Type, caching and CORS headers and
# HEAD; the Statuspage v2 JSON against Statuspage's field lists and value
# sets; only public data anywhere (no internal, executive, draft or
# not-yet-published text, no incident without a published customer update,
# no responder); the cache rebuilt when the store changes and identical
# bytes while it does not; 404, 405, 413, 415 and 400; subscribing (the
# same answer for an address subscribed already) and
# RFC 8058 one-click unsubscribing; hostile text escaped in HTML, well-formed
# in the feeds and round-tripped in JSON; /metrics in Prometheus' text
# format, on the internal listener only; the page in a phone-sized browser (a screenshot is kept); garbage
# on the socket; SIGTERM; and IPv6 loopback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

for tool in curl jq; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
if [ ! -x "$SITREP_BIN/sitrepd" ]; then
	echo "1..0 # SKIP no sitrepd in SITREP_BIN"
	exit 0
fi

plan 229
tmp_workspace

PY=/usr/bin/python3
# Every request goes straight to loopback, whatever proxy the caller uses.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
OUTDIR="${SITREP_TEST_OUT:-$SITREP_SRC/build/test-output}/t0008"
mkdir -p "$OUTDIR" || bail "cannot make $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
diag "test output (screenshot, page as Chromium saw it): $OUTDIR"

start_httprecv web || bail "cannot start the HTTP receiver"
H="http://127.0.0.1:$HTTP_PORT"
RLOG="$TEST_TMP/web/requests.jsonl"

# sitrepd, started in the background (SPID), is stopped however the script
# ends; then the servers, as servers.sh does.
SPID=
_t8_exit() {
	local rc=$?
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null
		sleep 0.2
		kill -KILL "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t8_exit EXIT

# ------------------------------------------------------------ helpers

# closed_port: a loopback port nothing listens on (bound, then released).
closed_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_sitrepd [ARGS...]: sitrepd -c ./sitrep.conf ARGS in the background,
# logging to $SLOG ($TEST_TMP/sitrepd-N.log, N counting the starts); waits
# up to 60 s for "status page: http://HOST:PORT/" and "internal:
# http://HOST:PORT/" and leaves SPID, SHOST, PORT, BASE and IBASE (the
# internal listener, /metrics).
STARTS=0
start_sitrepd() {
	local i line
	STARTS=$((STARTS + 1))
	SLOG="$TEST_TMP/sitrepd-$STARTS.log"
	"$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" "$@" 2>"$SLOG" </dev/null &
	SPID=$!
	for ((i = 0; i < 1200; i++)); do
		line=$(grep -Eo 'status page: http://.*:[0-9]+/$' "$SLOG" | tail -n 1)
		IBASE=$(grep -Eo 'internal: http://.*:[0-9]+/$' "$SLOG" | tail -n 1 | sed -E 's|^internal: (.*)/$|\1|')
		if [ -n "$line" ] && [ -n "$IBASE" ]; then
			PORT=$(sed -E 's|.*:([0-9]+)/$|\1|' <<<"$line")
			SHOST=$(sed -E 's|^status page: http://(.*):[0-9]+/$|\1|' <<<"$line")
			BASE="http://$SHOST:$PORT"
			return 0
		fi
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	diag "sitrepd did not start: $(cat "$SLOG")"
	return 1
}

# stop_sitrepd: SIGTERM, wait up to 30 s; its exit code in STOP_RC
# ("killed" when it had to be).
stop_sitrepd() {
	local i
	kill -TERM "$SPID" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$SPID" 2>/dev/null; then
		kill -KILL "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		STOP_RC=killed
	else
		STOP_RC=0
		wait "$SPID" || STOP_RC=$?
	fi
	SPID=
}

# req CURL-ARGS... URL: one request; the status in CODE, the headers (CRs
# removed) in HDRS, the body in the file $RB (and in BODY, as text).
RB="$TEST_TMP/resp.body"
req() {
	: >"$RB"
	CODE=$(curl -sS --max-time 10 -D "$TEST_TMP/resp.head" -o "$RB" -w '%{http_code}' "$@" 2>"$TEST_TMP/resp.err") ||
		CODE="curl failed: $(cat "$TEST_TMP/resp.err")"
	HDRS=$(tr -d '\r' <"$TEST_TMP/resp.head" 2>/dev/null)
	BODY=$(cat "$RB" 2>/dev/null)
}

# get PATH [CURL-ARGS...]: req of GET $BASE/PATH.
get() {
	local p=$1
	shift
	req "$@" "$BASE$p"
}

# hdr NAME: the value of the header NAME in HDRS (empty when absent).
hdr() {
	local line name=${1,,} v=
	while IFS= read -r line; do
		if [[ ${line,,} == "$name:"* ]]; then
			v=${line#*:}
			v=${v# }
		fi
	done <<<"$HDRS"
	printf '%s' "$v"
}

# save NAME PATH: GET PATH into $DOCS/NAME (the public documents the
# privacy and escaping checks read).
DOCS="$TEST_TMP/docs"
mkdir -p "$DOCS"
save() {
	curl -sS --max-time 10 -o "$DOCS/$1" "$BASE$2"
}

# head_checks PATH...: a HEAD request for each PATH on a raw socket (to see
# that no body follows), into HEADS[PATH] as "STATUS|Content-Type|
# Content-Length|bytes after the headers".
declare -A HEADS=()
head_checks() {
	local p v
	while IFS=$'\t' read -r p v; do
		HEADS[$p]=$v
	done < <($PY - "$PORT" "$@" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for path in sys.argv[2:]:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path.encode())
    r = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            r += c
    except OSError:
        pass
    s.close()
    head, sep, rest = r.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    words = lines[0].split(" ")
    h = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        h[k.strip().lower()] = v.strip()
    print("%s\t%s|%s|%s|%d" % (path, words[1] if len(words) > 1 else "?", h.get("content-type", "-"),
                              h.get("content-length", "-"), len(rest) if sep else -1))
EOF
	)
}

# same A B: "same" when the strings are, else "different".
same() {
	if [ "$1" = "$2" ]; then
		echo same
	else
		echo different
	fi
}

# jsondiff JSON1 JSON2: where two JSON texts differ, a line per value (at
# most 6), for a diagnostic.
jsondiff() {
	$PY - "$1" "$2" <<'EOF'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = []
def walk(x, y, path):
    if type(x) != type(y) or not isinstance(x, (dict, list)):
        if x != y:
            out.append("%s: %s -> %s" % (path or ".", json.dumps(x), json.dumps(y)))
        return
    if isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            walk(x.get(k), y.get(k), "%s.%s" % (path, k))
    else:
        for i in range(max(len(x), len(y))):
            walk(x[i] if i < len(x) else None, y[i] if i < len(y) else None, "%s[%d]" % (path, i))
walk(a, b, "")
print("\n".join(out[:6] + (["... %d more" % (len(out) - 6)] if len(out) > 6 else [])))
EOF
}

# outbox_idle: nothing pending in the outbox (what sitrepd can send now,
# it has sent; the e-mail channel's failures wait out a long backoff).
outbox_idle() {
	[ "$(sitrep outbox --json | jq '.counts.pending')" = 0 ]
}

# state_is STATE DESC: the last run exited 0 with --json's .state STATE;
# says what it printed when not.
state_is() {
	is "$RC:$(jq -r .state <<<"$OUT" 2>/dev/null)" "0:$1" "$2" || diag "    stdout: $OUT" "    stderr: $ERR"
}

# api DOC JQ: jq -r JQ over $BASE/api/v2/DOC.
api() {
	curl -sS --max-time 10 "$BASE/api/v2/$1" | jq -r "$2"
}

# ============================================================ setup

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

# The ops webhook (internal and executive updates) goes to the receiver,
# so deliveries succeed and /metrics has latencies; the e-mail channel
# serving customers (needed for e-mail subscriptions) goes to a port no one
# listens on, with a backoff longer than the script.
export T8_OPS_URL="$H/ok/ops"
MAIL_PORT=$(closed_port)
CONF_MAIL_PORT=$MAIL_PORT $PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
# (many forms from one address: no subscribe rate limit here, t0010 has it)
t, n1 = re.subn(r'listen = "127\.0\.0\.1:8080"', 'listen = "127.0.0.1:0"; subscribe_burst = 100000', t)
t, n2 = re.subn(r'name      = "Example Status"', 'name      = "T8 Status"', t)
t, n3 = re.subn(r"^channels = \(.*?^\);\n", lambda m: """channels = (
  { id = "ops-hook"; type = "webhook"; audiences = [ "internal", "executives" ];
    url_env = "T8_OPS_URL"; },
  { id = "mail"; type = "email"; audiences = [ "customers" ];
    smtp_url = "smtp://127.0.0.1:%s"; from = "status@t8.invalid"; }
);
""" % os.environ["CONF_MAIL_PORT"], t, flags=re.S | re.M)
assert n1 == n2 == n3 == 1, (n1, n2, n3)
t += 'delivery = { timeout = "2s"; retries = 3; backoff = [ "10m" ];\n'
t += '             allow = [ "127.0.0.1/32" ]; };\n'  # the receivers are on loopback
open(p, "w", encoding="utf-8").write(t)
EOF
sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"

start_sitrepd || bail "cannot start sitrepd"
is "$SHOST" "127.0.0.1" "sitrepd logs 'status page: http://127.0.0.1:PORT/' for http.listen 127.0.0.1:0"
like "$PORT" '^[1-9][0-9]*$' "and the port it was given"

# ------------------------------------------------------------ an empty store

get /api/v2/status.json
is "$CODE:$(jq -c .status <<<"$BODY")" '200:{"indicator":"none","description":"All Systems Operational"}' \
	"before any incident: status.json says none, All Systems Operational"
is "$(api components.json '[.components[].status] | unique | join(",")')" "operational" \
	"before any incident: every component is operational"
is "$(api incidents.json '.incidents | length'):$(api scheduled-maintenances.json '.scheduled_maintenances | length')" "0:0" \
	"before any incident: no incidents, no maintenances"
get /
like "$BODY" '<p class="banner s-none">All Systems Operational</p>' "before any incident: the page's banner says All Systems Operational"
req "$IBASE/metrics"
like "$BODY" $'(^|\n)sitrep_overdue_updates 0(\n|$)' "before any incident: /metrics has no overdue updates"

# ============================================================ state, made with the CLI

# Maintenances first, so they start (and one ends) while the rest is made.
run sitrep --as alice maintenance schedule --title "Quick mail relay restart" --component email \
	--from +1s --until +3s -m "MAINT-Q mail relay restart" --json
state_is scheduled "a maintenance from +1s until +3s (to complete during the test)"
run sitrep --as alice maintenance schedule --title "Billing maintenance window" --component payments \
	--from +2s --until +1h -m "MAINT-B payments may be slow" --json
state_is scheduled "a maintenance from +2s until +1h (to be in progress)"
run sitrep --as alice maintenance schedule --title "Database upgrade" --component database \
	--from +1h --until +2h -m "MAINT-D storage upgrade" --json
state_is scheduled "a maintenance from +1h until +2h (upcoming)"

# Subscribers, through the public form, before the updates they will get.
req -X POST --data-urlencode kind=webhook --data-urlencode "address=$H/ok/sub" \
	--data-urlencode component=api "$BASE/subscribe"
is "$CODE:$(hdr content-type)" "201:text/html; charset=utf-8" "POST /subscribe (webhook, component api): 201, an HTML page"
like "$BODY" '<code>whsec_[A-Za-z0-9+/=]+</code>' "the page shows the webhook's signing secret once"
HOOK_TOKEN=$(grep -Eo 'unsubscribe\?token=[0-9a-f]{32}' <<<"$BODY" | head -n 1 | sed 's/.*=//')
like "$HOOK_TOKEN" '^[0-9a-f]{32}$' "and its unsubscribe link"
req -X POST -d 'kind=email&address=reader%40example.net' "$BASE/subscribe"
is "$CODE" 201 "POST /subscribe (e-mail; an e-mail channel serves customers): 201"
run sitrep subscribers --json
is "$RC:$(jq -c '[.[] | [.kind, .address, .components]]' <<<"$OUT")" \
	"0:[[\"webhook\",\"$H/ok/sub\",[\"api\"]],[\"email\",\"reader@example.net\",[]]]" \
	"sitrep subscribers --json lists both, the webhook for api only"
MAIL_TOKEN=$(jq -r '.[] | select(.kind == "email") | .unsubscribe_token' <<<"$OUT")
is "$(jq -r '.[] | select(.kind == "webhook") | .unsubscribe_token' <<<"$OUT")" "$HOOK_TOKEN" \
	"the token on the page is the subscriber's"

# INC-1: public, with internal and executive updates and responders.
# Its internal title never leaves the team: the public reads the public one.
run sitrep --as alice open outage --title "INTERNAL-TITLE-a11e Login failures for @bigcreator" \
	--public-title "Login failures" --sev SEV3 --json
[ "$RC" = 0 ] && [ "$(jq -r .id <<<"$OUT")" = 1 ] || bail "cannot open INC-1: $ERR"
run sitrep --as alice update INC-1 --audience customers -m "PUBLIC-C1 We are investigating failed logins." --json
state_is published "a customer update at SEV3 is published at once"
run sitrep --as alice update INC-1 --audience internal -m "INTERNAL-SECRET-7f3a db-7 is on fire, page Dave" --json
state_is published "an internal update"
run sitrep --as alice update INC-1 --audience executives -m "EXEC-SECRET-9b2c revenue at risk" --json
state_is published "an executive update"
sitrep --as bob role take 1 commander >/dev/null 2>&1 &&
	sitrep --as carol role take 1 comms >/dev/null 2>&1 &&
	sitrep --as dave role take 1 ops >/dev/null 2>&1
is "$(sitrep role list 1 --json | jq -r '[.[].person] | join(",")')" "bob,carol,dave" \
	"bob, carol and dave hold roles on INC-1"
run sitrep --as alice update INC-1 --audience customers -m "LATER-SECRET-c0de scheduled for later" --at +1h --json
is "$RC:$(jq -r '.publish_at != null' <<<"$OUT")" "0:true" "a customer update scheduled an hour ahead"

# INC-2: SEV2, its customer update a draft awaiting approval.
run sitrep --as alice open outage --title "HIDDEN-TITLE-5e1d Payments slow" --sev SEV2 --json
[ "$RC" = 0 ] || bail "cannot open INC-2: $ERR"
run sitrep --as alice update INC-2 --audience customers -m "DRAFT-SECRET-41d0 unapproved wording" --json
state_is draft "a customer update at SEV2 is a draft awaiting approval"

# INC-3: public, then resolved.
run sitrep --as alice open degraded --title "Search slowness" --public-title "Search slowness" --sev SEV3 --json
[ "$RC" = 0 ] || bail "cannot open INC-3: $ERR"
sitrep --as alice update INC-3 --audience customers -m "PUBLIC-C3 Searches are slow." >/dev/null 2>&1
run sitrep --as alice resolve INC-3 -m "RESOLVE-NOTE-88aa cache flushed"
is "$RC:$OUT" "0:INC-3 is resolved" "INC-3 resolved"

# INC-4: hostile text as the title and as a customer update.
LONG=$($PY -c 'print("é✓" * 2000)')
HTITLE=$'<script>alert(1)</script> "Login" & it\'s ]]> down\x01\x1b[0m!'
HTEXT=$'<script>alert(1)</script> "quoted" \'single\' ]]> <![CDATA[x]]> &amp; ctl:\x01\x02\x1b\x7f:end\r\nnext line '"$LONG"
export HTITLE HTEXT
run sitrep --as alice open outage --title "$HTITLE" --public-title "$HTITLE" --sev SEV3 --json
[ "$RC" = 0 ] && [ "$(jq -r .id <<<"$OUT")" = 4 ] || bail "cannot open INC-4: $ERR"
run sitrep --as alice update INC-4 --audience customers -m "$HTEXT" --next 1s --json
state_is published "a hostile customer update (script, quotes, ]]>, controls, 2,000 × é✓) is published"

# ------------------------------------------------------------ maintenances move

mnt_active() {
	[ "$(api scheduled-maintenances/active.json '[.scheduled_maintenances[].name] | join(",")')" = "Billing maintenance window" ]
}
mnt_done() {
	[ "$(api scheduled-maintenances.json '.scheduled_maintenances[] | select(.name | startswith("Quick")) | .status')" = completed ]
}
ok "sitrepd starts the +2s maintenance: active.json lists it" wait_until 60 mnt_active
ok "and completes the +1s..+3s one" wait_until 60 mnt_done
ok "sitrepd delivered what it could: nothing pending in the outbox" wait_until 60 outbox_idle

# ============================================================ every endpoint

# endpoint PATH STATUS CONTENT-TYPE CORS CACHE: GET and HEAD. Three tests.
endpoint() {
	local p=$1 code=$2 ct=$3 cors=$4 cache=$5 len desc got
	get "$p"
	is "$CODE|$(hdr content-type)" "$code|$ct" "GET $p: $code, $ct"
	if [ -n "$cors" ]; then
		desc="CORS $cors"
	else
		desc="no CORS header"
	fi
	is "$(hdr access-control-allow-origin)|$(hdr cache-control)|$(hdr x-content-type-options)" \
		"$cors|$cache|nosniff" "GET $p: $desc, Cache-Control $cache, nosniff"
	len=$(stat -c %s "$RB")
	got=${HEADS[$p]:-no answer}
	is "$got" "$code|$ct|$len|0" "HEAD $p: $code, $ct, the GET body's Content-Length${len:+ ($len)}, no body"
}

J="application/json; charset=utf-8"
HT="text/html; charset=utf-8"
DOC="public, max-age=10"
head_checks / /index.html /incidents/INC-1 /api/v2/summary.json /api/v2/status.json \
	/api/v2/components.json /api/v2/incidents.json /api/v2/incidents/unresolved.json \
	/api/v2/scheduled-maintenances.json /api/v2/scheduled-maintenances/upcoming.json \
	/api/v2/scheduled-maintenances/active.json /history.atom /history.rss /subscribe \
	"/unsubscribe?token=$MAIL_TOKEN" /healthz
endpoint / 200 "$HT" "" "$DOC"
endpoint /index.html 200 "$HT" "" "$DOC"
endpoint /incidents/INC-1 200 "$HT" "" "$DOC"
for d in summary status components incidents incidents/unresolved scheduled-maintenances \
	 scheduled-maintenances/upcoming scheduled-maintenances/active; do
	endpoint "/api/v2/$d.json" 200 "$J" "*" "$DOC"
done
endpoint /history.atom 200 "application/atom+xml; charset=utf-8" "*" "$DOC"
endpoint /history.rss 200 "application/rss+xml; charset=utf-8" "*" "$DOC"
endpoint /subscribe 200 "$HT" "" "no-store"
endpoint "/unsubscribe?token=$MAIL_TOKEN" 200 "$HT" "" "no-store"
endpoint /healthz 200 "text/plain; charset=utf-8" "" "no-store"
# /metrics says what was not announced: the internal listener's alone
get /metrics
is "$CODE" 404 "GET /metrics on the public listener: 404 (it is internal)"
req "$IBASE/metrics"
is "$CODE|$(hdr content-type)|$(hdr cache-control)" "200|text/plain; version=0.0.4; charset=utf-8|no-store" \
	"GET /metrics on the internal listener ($IBASE): 200, Prometheus text, no-store"
PORT=${IBASE##*:} head_checks /metrics
like "${HEADS[/metrics]}" '^200\|text/plain; version=0.0.4; charset=utf-8\|[1-9][0-9]*\|0$' \
	"HEAD /metrics on the internal listener: 200, its Content-Length, no body"
req "$IBASE/"
is "$CODE" 404 "the internal listener serves no public document"

# Keep-alive: HEAD, GET and GET pipelined on one connection, each answered
# in turn (a HEAD that sent a body would garble the next answer).
KEEP=$($PY - "$PORT" <<'EOF'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /api/v2/status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          b"GET /api/v2/status.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
r = b""
try:
    while True:
        c = s.recv(65536)
        if not c:
            break
        r += c
except OSError:
    pass
out = []
for method in ("HEAD", "GET", "GET"):
    head, sep, r = r.partition(b"\r\n\r\n")
    if not sep:
        out.append("nothing")
        break
    lines = head.decode("latin-1").split("\r\n")
    n = 0
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if k.strip().lower() == "content-length":
            n = int(v)
    body, r = (b"", r) if method == "HEAD" else (r[:n], r[n:])
    try:
        what = "JSON" if isinstance(json.loads(body), dict) else "other JSON"
    except ValueError:
        what = body.decode("utf-8", "replace").strip() if len(body) < 10 else "%d bytes" % len(body)
    out.append("%s %s" % (lines[0].split(" ")[1], what or "-"))
print(" | ".join(out) + (" | and %d bytes more" % len(r) if r else ""))
EOF
)
is "$KEEP" "200 - | 200 ok | 200 JSON" "one keep-alive connection: HEAD (no body), GET /healthz, GET status.json, answered in turn"

get /
like "$(hdr content-security-policy)" "^default-src 'none'; style-src 'unsafe-inline';" \
	"the HTML page's Content-Security-Policy allows no script (default-src 'none')"
is "$(hdr referrer-policy)" "no-referrer" "and sends Referrer-Policy: no-referrer"
get /api/v2/summary.json -X OPTIONS -H 'Origin: http://127.0.0.1:1' -H 'Access-Control-Request-Method: GET'
is "$CODE|$(hdr access-control-allow-origin)|$(hdr access-control-allow-methods)|$(hdr allow)" \
	"204|*|GET, HEAD|GET, HEAD, OPTIONS" "OPTIONS (CORS preflight) on the API: 204 with Allow-Origin *, Allow-Methods GET, HEAD"
is "$(curl -sS "$BASE/" | sha256sum)" "$(curl -sS "$BASE/index.html" | sha256sum)" "/ and /index.html are the same page"
get "/api/v2/summary.json?callback=x"
is "$CODE:$(jq -r .page.name <"$RB")" "200:T8 Status" "a query string does not change the route"
get /subscribe
like "$BODY" '<form method="post" action="subscribe">' "GET /subscribe: a form that posts back to /subscribe"
like "$BODY" 'name="component" value="payments"> <label for="c-[0-9]+">Payments and billing</label>' \
	"with a box per component"
get "/unsubscribe?token=$MAIL_TOKEN"
like "$BODY" "<form method=\"post\" action=\"unsubscribe\\?token=$MAIL_TOKEN\">" \
	"GET /unsubscribe?token=T: a confirmation form (a GET unsubscribes no one)"
is "$(sitrep subscribers --json | jq length)" 2 "both subscribers still active after the GET"

# ============================================================ the Statuspage v2 JSON

for d in summary status components incidents scheduled-maintenances; do
	save "$d.json" "/api/v2/$d.json"
done
save unresolved.json /api/v2/incidents/unresolved.json
save upcoming.json /api/v2/scheduled-maintenances/upcoming.json
save active.json /api/v2/scheduled-maintenances/active.json

# Field lists and value sets of the Statuspage v2 public API
# (https://metastatuspage.com/api/v2/, developer.statuspage.io).
pytap 12 - "$DOCS" <<'EOF'
import json, os, re, sys
from datetime import datetime
D = sys.argv[1]
PAGE = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT = {"id", "name", "status", "created_at", "updated_at", "position", "description",
             "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
GROUP = COMPONENT | {"components"}
INCIDENT = {"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
            "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"}
MAINT = INCIDENT | {"scheduled_for", "scheduled_until"}
UPDATE = {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
          "affected_components", "deliver_notifications", "custom_tweet", "tweet_id"}
STATUS = {"indicator", "description"}
COMPONENT_STATUS = {"operational", "degraded_performance", "partial_outage", "major_outage",
                    "under_maintenance"}
INCIDENT_STATUS = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINT_STATUS = {"scheduled", "in_progress", "verifying", "completed"}
IMPACT = {"none", "minor", "major", "critical"}
INDICATOR = {"none": "All Systems Operational", "minor": "Minor Service Outage",
             "major": "Partial System Outage", "critical": "Major System Outage",
             "maintenance": "Service Under Maintenance"}
TOP = {"summary": {"page", "components", "incidents", "scheduled_maintenances", "status"},
       "status": {"page", "status"}, "components": {"page", "components"},
       "incidents": {"page", "incidents"}, "unresolved": {"page", "incidents"},
       "scheduled-maintenances": {"page", "scheduled_maintenances"},
       "upcoming": {"page", "scheduled_maintenances"},
       "active": {"page", "scheduled_maintenances"}}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
docs = {}
for name in TOP:
    with open(os.path.join(D, name + ".json"), "rb") as f:
        docs[name] = json.loads(f.read().decode("utf-8"))

class Bad(Exception):
    pass

def need(cond, why):
    if not cond:
        raise Bad(why)

def iso(v, what, null=False):
    if v is None and null:
        return None
    need(isinstance(v, str) and ISO.match(v), "%s is not an ISO 8601 time: %r" % (what, v))
    return datetime.fromisoformat(v.replace("Z", "+00:00"))

def keys(o, want, what):
    need(isinstance(o, dict), "%s is not an object" % what)
    got = set(o)
    need(got == want, "%s: missing %s, extra %s" % (what, sorted(want - got), sorted(got - want)))

def component(c, what):
    keys(c, GROUP if c.get("group") else COMPONENT, what)
    need(c["status"] in COMPONENT_STATUS, "%s status %r" % (what, c["status"]))
    need(isinstance(c["position"], int), "%s position %r" % (what, c["position"]))
    need(isinstance(c["showcase"], bool) and isinstance(c["group"], bool)
         and isinstance(c["only_show_if_degraded"], bool), "%s booleans" % what)
    need(all(isinstance(c[k], str) for k in ("id", "name", "page_id")), "%s strings" % what)
    need(c["group_id"] is None or isinstance(c["group_id"], str), "%s group_id" % what)
    iso(c["created_at"], what + " created_at")
    iso(c["updated_at"], what + " updated_at")
    need(c["start_date"] is None or re.match(r"^\d{4}-\d\d-\d\d$", c["start_date"]),
         "%s start_date %r" % (what, c["start_date"]))

def updates(inc, statuses, what):
    need(isinstance(inc["incident_updates"], list), what + " incident_updates")
    prev = None
    for u in inc["incident_updates"]:
        w = "%s update %s" % (what, u.get("id"))
        keys(u, UPDATE, w)
        need(u["status"] in statuses, "%s status %r" % (w, u["status"]))
        need(u["incident_id"] == inc["id"], "%s incident_id %r" % (w, u["incident_id"]))
        need(isinstance(u["body"], str) and isinstance(u["deliver_notifications"], bool), w)
        t = iso(u["created_at"], w + " created_at")
        iso(u["updated_at"], w + " updated_at")
        iso(u["display_at"], w + " display_at")
        need(prev is None or prev >= t, "%s: updates are not newest first" % what)
        prev = t

def incident(i, what, fields=INCIDENT, statuses=INCIDENT_STATUS, impacts=IMPACT):
    w = "%s %s" % (what, i.get("id"))
    keys(i, fields, w)
    need(i["status"] in statuses, "%s status %r" % (w, i["status"]))
    need(i["impact"] in impacts, "%s impact %r" % (w, i["impact"]))
    for k in ("created_at", "updated_at", "started_at"):
        iso(i[k], w + " " + k)
    for k in ("monitoring_at", "resolved_at"):
        iso(i[k], w + " " + k, null=True)
    need(isinstance(i["shortlink"], str) and i["shortlink"].startswith("http"), w + " shortlink")
    for c in i["components"]:
        component(c, w + " component")

def check(desc, fn):
    try:
        fn()
        print("ok\t" + desc)
    except Bad as e:
        print("not ok\t%s\t%s" % (desc, e))
    except Exception as e:
        print("not ok\t%s\t%s: %s" % (desc, type(e).__name__, e))

def top():
    for n, d in docs.items():
        keys(d, TOP[n], n + ".json")

def page():
    for n, d in docs.items():
        keys(d["page"], PAGE, n + ".json page")
        p = d["page"]
        need(p["name"] == "T8 Status", "%s.json page name %r" % (n, p["name"]))
        need(p["time_zone"] == "UTC", "%s.json time_zone %r" % (n, p["time_zone"]))
        need(isinstance(p["id"], str) and p["id"], n + ".json page id")
        need(p["url"] == "http://127.0.0.1:8080/", "%s.json page url %r" % (n, p["url"]))
        iso(p["updated_at"], n + ".json page updated_at")

def components():
    for n in ("summary", "components"):
        for c in docs[n]["components"]:
            component(c, "%s.json component %s" % (n, c.get("id")))

def groups():
    cs = {c["id"]: c for c in docs["components"]["components"]}
    need(len(cs) == len(docs["components"]["components"]), "component ids are not unique")
    for c in cs.values():
        if c["group"]:
            need(c["group_id"] is None, "group %s has a group_id" % c["id"])
            for m in c["components"]:
                need(m in cs and cs[m]["group_id"] == c["id"], "group %s member %s" % (c["id"], m))
        elif c["group_id"] is not None:
            g = cs.get(c["group_id"])
            need(g is not None and g["group"] and c["id"] in g["components"],
                 "%s names group %s, which does not list it" % (c["id"], c["group_id"]))

def incidents():
    for n in ("summary", "incidents", "unresolved"):
        for i in docs[n]["incidents"]:
            incident(i, n + ".json incident")

def incident_updates():
    for n in ("summary", "incidents", "unresolved"):
        for i in docs[n]["incidents"]:
            updates(i, INCIDENT_STATUS, n + ".json " + i["id"])

def maintenances():
    for n in ("summary", "scheduled-maintenances", "upcoming", "active"):
        for m in docs[n]["scheduled_maintenances"]:
            incident(m, n + ".json maintenance", MAINT, MAINT_STATUS, {"maintenance"})
            updates(m, MAINT_STATUS, n + ".json " + m["id"])
            need(iso(m["scheduled_for"], "scheduled_for") < iso(m["scheduled_until"], "until"),
                 "%s: scheduled_for is not before scheduled_until" % m["id"])
            need((m["status"] == "completed") == (m["resolved_at"] is not None),
                 "%s %s resolved_at %r" % (m["id"], m["status"], m["resolved_at"]))

def status():
    for n in ("summary", "status"):
        keys(docs[n]["status"], STATUS, n + ".json status")
        s = docs[n]["status"]
        need(s["indicator"] in INDICATOR, "indicator %r" % s["indicator"])
        need(INDICATOR[s["indicator"]] == s["description"],
             "indicator %r with description %r" % (s["indicator"], s["description"]))
    need(docs["summary"]["status"] == docs["status"]["status"], "summary's status differs")

def unresolved():
    all_ = docs["incidents"]["incidents"]
    want = [i for i in all_ if i["status"] not in ("resolved", "postmortem")]
    need(docs["unresolved"]["incidents"] == want, "unresolved.json is not incidents.json's unresolved ones")
    need(docs["summary"]["incidents"] == want, "summary.json's incidents are not the unresolved ones")
    need(len(want) < len(all_), "incidents.json has no resolved incident")

def resolved_at():
    for i in docs["incidents"]["incidents"]:
        r = i["status"] in ("resolved", "postmortem")
        need(r == (i["resolved_at"] is not None), "%s %s resolved_at %r" % (i["id"], i["status"], i["resolved_at"]))
    cs = [iso(i["created_at"], "created_at") for i in docs["incidents"]["incidents"]]
    need(cs == sorted(cs, reverse=True), "incidents.json is not newest first")

def maint_lists():
    allm = docs["scheduled-maintenances"]["scheduled_maintenances"]
    up = docs["upcoming"]["scheduled_maintenances"]
    act = docs["active"]["scheduled_maintenances"]
    need(all(m["status"] == "scheduled" for m in up), "upcoming.json has %r" % [m["status"] for m in up])
    need(all(m["status"] in ("in_progress", "verifying") for m in act),
         "active.json has %r" % [m["status"] for m in act])
    ids = lambda l: sorted(m["id"] for m in l)
    need(ids(docs["summary"]["scheduled_maintenances"]) == ids(up + act),
         "summary.json's maintenances are not upcoming + active")
    need(ids(allm) == sorted(set(ids(allm))) and set(ids(up + act)) <= set(ids(allm)),
         "scheduled-maintenances.json lacks some")

def same_components():
    need(docs["summary"]["components"] == docs["components"]["components"],
         "summary.json's components differ from components.json's")

check("Statuspage JSON: every document has exactly Statuspage's top-level keys", top)
check("Statuspage JSON: page is id, name, url, time_zone, updated_at (the configured values, an ISO 8601 time)", page)
check("Statuspage JSON: components have Statuspage's 13 fields, statuses and ISO 8601 times", components)
check("Statuspage JSON: groups list their members and each member names its group", groups)
check("Statuspage JSON: incidents have Statuspage's fields, statuses, impacts and ISO 8601 times", incidents)
check("Statuspage JSON: incident_updates have Statuspage's fields and statuses, name their incident, newest first", incident_updates)
check("Statuspage JSON: scheduled maintenances have the incident fields plus scheduled_for/until, impact maintenance, statuses scheduled..completed", maintenances)
check("Statuspage JSON: status.indicator and description are Statuspage's and agree", status)
check("Statuspage JSON: unresolved.json and summary.json's incidents are incidents.json's unresolved ones", unresolved)
check("Statuspage JSON: incidents newest first; resolved_at set exactly on resolved ones", resolved_at)
check("Statuspage JSON: upcoming.json only scheduled, active.json only in progress; summary has both", maint_lists)
check("Statuspage JSON: summary.json's components are components.json's", same_components)
EOF

# The values, for the state made above.
is "$(jq -c '.status' "$DOCS/status.json")" '{"indicator":"minor","description":"Minor Service Outage"}' \
	"status: minor, Minor Service Outage (SEV3 incidents)"
is "$(jq -c '[.components[] | "\(.id)=\(.status)"]' "$DOCS/components.json")" \
	'["group-platform=degraded_performance","api=degraded_performance","web=degraded_performance","auth=degraded_performance","database=operational","group-billing=under_maintenance","payments=under_maintenance","group-messaging=operational","email=operational"]' \
	"components: the outage's degraded, payments under maintenance, groups their worst member, the rest operational"
is "$(jq -c '[.incidents[] | "\(.id) \(.status) \(.impact)"]' "$DOCS/incidents.json")" \
	'["inc-4 investigating minor","inc-3 resolved minor","inc-1 investigating minor"]' \
	"incidents.json: INC-4, INC-3 (resolved) and INC-1, newest first; not INC-2 (no published customer update)"
is "$(jq -c '[.incidents[] | select(.id == "inc-1") | .incident_updates[].body]' "$DOCS/incidents.json")" \
	'["PUBLIC-C1 We are investigating failed logins."]' "INC-1's incident_updates: only its published customer update"
is "$(jq -r '.incidents[] | select(.id == "inc-1") | [.shortlink, ([.components[].id] | join(","))] | join(" ")' "$DOCS/incidents.json")" \
	"http://127.0.0.1:8080/incidents/inc-1 api,web,auth" "INC-1's shortlink is under the page URL; its components are the playbook's"
is "$(jq -c '[.scheduled_maintenances[] | "\(.name)=\(.status)"] | sort' "$DOCS/scheduled-maintenances.json")" \
	'["Billing maintenance window=in_progress","Database upgrade=scheduled","Quick mail relay restart=completed"]' \
	"scheduled-maintenances.json: one scheduled, one in progress, one completed"
is "$(jq -c '[.scheduled_maintenances[] | select(.status == "completed") | .incident_updates[].status]' "$DOCS/scheduled-maintenances.json")" \
	'["completed","in_progress","scheduled"]' "the completed one's updates: completed, in_progress, scheduled (newest first)"
is "$(jq -c '[.scheduled_maintenances[].name]' "$DOCS/upcoming.json"):$(jq -c '[.scheduled_maintenances[].name]' "$DOCS/active.json")" \
	'["Database upgrade"]:["Billing maintenance window"]' "upcoming.json and active.json"

# ============================================================ only public data

save index.html /
save inc1.html /incidents/INC-1
save inc3.html /incidents/INC-3
save inc4.html /incidents/inc-4
save inc2.html /incidents/INC-2
save history.atom /history.atom
save history.rss /history.rss
save subscribe.html /subscribe
save unsubscribe.html "/unsubscribe?token=$MAIL_TOKEN"
save metrics.txt /metrics
save healthz.txt /healthz
ok "the public /metrics is a 404 page, with no sitrep_ sample in it" \
	eval '[[ $(cat "$DOCS/metrics.txt") == *"Not found"* && $(cat "$DOCS/metrics.txt") != *sitrep_* ]]'
get /incidents/INC-2
is "$CODE" 404 "/incidents/INC-2 (only a draft customer update): 404"

# leaks ERE: the public documents whose bodies match ERE (grep -Ei).
leaks() {
	grep -Eil -- "$1" "$DOCS"/* | sed 's|.*/||' | tr '\n' ' '
}
is "$(ls "$DOCS" | wc -l)" 19 "19 public documents saved to search"
like "$(leaks 'PUBLIC-C1')" 'summary.json' "the search finds the published customer update (it is not vacuous)"
is "$(leaks 'INTERNAL-SECRET')" "" "no internal update text in any public document"
is "$(leaks 'EXEC-SECRET')" "" "no executive update text in any public document"
is "$(leaks 'DRAFT-SECRET|HIDDEN-TITLE')" "" "no draft text, and not the title of the incident with only a draft"
is "$(leaks 'INTERNAL-TITLE')" "" "no internal title of a public incident: only its public title"
is "$(leaks 'LATER-SECRET')" "" "no text of an update scheduled for later"
is "$(leaks 'RESOLVE-NOTE')" "" "no resolve note (it is the timeline's)"
is "$(leaks '\b(alice|bob|carol|dave|erin)\b|Alice Ng|Bob Okafor|Carol Diaz|Dave Kim|@example\.com')" "" \
	"no responder's handle, name or address in any public document"
is "$(leaks 'reader@example\.net|/ok/sub')" "" "no subscriber's address in any public document"

# Every body is UTF-8 without control characters (tab, LF, CR aside).
pytap 1 - "$DOCS" <<'EOF'
import os, re, sys
D = sys.argv[1]
bad = []
for n in sorted(os.listdir(D)):
    b = open(os.path.join(D, n), "rb").read()
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("%s: not UTF-8 (%s)" % (n, e))
        continue
    m = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]", t)
    if m:
        bad.append("%s: U+%04X at %d" % (n, ord(m.group()), m.start()))
print(("not ok\t%s\t%s" % ("every public document is UTF-8 with no control characters", "; ".join(bad)))
      if bad else "ok\tevery public document is UTF-8 with no control characters")
EOF

# ============================================================ hostile text

pytap 6 - "$DOCS" <<'EOF'
import html, json, os, re, sys
import xml.etree.ElementTree as ET
D = sys.argv[1]
def clean(s):
    return "".join(c for c in s if not ((ord(c) < 0x20 and c not in "\t\n") or 0x7f <= ord(c) < 0xa0))
title, text = clean(os.environ["HTITLE"]), clean(os.environ["HTEXT"])
LONG = "é✓" * 2000
read = lambda n: open(os.path.join(D, n), "rb").read().decode("utf-8")
A = "{http://www.w3.org/2005/Atom}"

class Bad(Exception):
    pass
def need(cond, why):
    if not cond:
        raise Bad(why)
def check(desc, fn):
    try:
        fn()
        print("ok\t" + desc)
    except Bad as e:
        print("not ok\t%s\t%s" % (desc, e))
    except Exception as e:
        print("not ok\t%s\t%s: %s" % (desc, type(e).__name__, str(e)[:300]))

def inc4():
    for i in json.loads(read("incidents.json"))["incidents"]:
        if i["id"] == "inc-4":
            return i
    raise Bad("no inc-4 in incidents.json")

def j_title():
    got = inc4()["name"]
    need(got == title, "name %r, expected %r" % (got, title))
def j_body():
    b = inc4()["incident_updates"][0]["body"]
    need(b == text, "body %r... (%d chars), expected %r... (%d chars)" % (b[:80], len(b), text[:80], len(text)))
    need(LONG in b, "the 2,000 × é✓ are not all there")

def html_page(n):
    def f():
        p = read(n)
        need("<script" not in p.lower(), "%s has a raw <script" % n)
        need("&lt;script&gt;alert(1)&lt;/script&gt;" in p, "%s: no &lt;script&gt;" % n)
        need("&quot;Login&quot; &amp; it&#39;s ]]&gt; down" in p, "%s: the title's quotes, & and > are not escaped" % n)
        u = html.unescape(p)
        need(title in u, "%s: the title is not there, whole" % n)
        need(text.replace("\n", "") in u.replace("\n", "") and LONG in p, "%s: the update is not there, whole" % n)
    return f

def atom():
    root = ET.fromstring(read("history.atom").encode("utf-8"))
    need(root.tag == A + "feed", "root %r" % root.tag)
    es = [e for e in root.findall(A + "entry") if e.findtext(A + "title") == title]
    need(len(es) == 1, "%d entries titled with the cleaned title" % len(es))
    c = es[0].find(A + "content")
    need(c.get("type") == "html", "content type %r" % c.get("type"))
    frag = c.text or ""
    need("<script" not in frag.lower(), "the content's HTML has a raw <script")
    need("&lt;script&gt;alert(1)&lt;/script&gt;" in frag, "the content's HTML does not escape the script")
    need(text.split("\n")[0] in html.unescape(frag) and LONG in frag, "the update is not in the content, whole")

def rss():
    root = ET.fromstring(read("history.rss").encode("utf-8"))
    need(root.tag == "rss" and root.get("version") == "2.0", "root %r %r" % (root.tag, root.get("version")))
    items = [i for i in root.find("channel").findall("item") if i.findtext("title") == title]
    need(len(items) == 1, "%d items titled with the cleaned title" % len(items))
    frag = items[0].findtext("description") or ""
    need("<script" not in frag.lower(), "the description's HTML has a raw <script")
    need("&lt;script&gt;alert(1)&lt;/script&gt;" in frag, "the description's HTML does not escape the script")
    need(text.split("\n")[0] in html.unescape(frag) and LONG in frag, "the update is not in the description, whole")

check("hostile: the JSON name is the title without its control characters", j_title)
check("hostile: the JSON update body is the text without its control characters (CR too), 2,000 × é✓ whole", j_body)
check("hostile: the status page escapes it (no raw <script>, &quot; &#39; &amp; &gt;), title and update whole", html_page("index.html"))
check("hostile: /incidents/inc-4 escapes it the same way", html_page("inc4.html"))
check("hostile: the Atom feed parses; the entry's title is the cleaned title, its HTML content escapes the script", atom)
check("hostile: the RSS feed parses; the item's title is the cleaned title, its HTML description escapes the script", rss)
EOF

# The e-mail subscriber's copy of INC-4's update: its subject carries the
# title, which the status page cleans of control characters.
is "$(sitrep outbox --json | jq -c '[.messages[] | select(.state == "dead") | "\(.recipient) INC-\(.incident): \(.last_error)"]')" "[]" \
	"hostile: no outbox message is dead (the e-mail subscriber gets INC-4's update too)"

# The feeds otherwise: one entry per public incident and maintenance.
pytap 2 - "$DOCS" <<'EOF'
import os, sys
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
D = sys.argv[1]
A = "{http://www.w3.org/2005/Atom}"
WANT = {"Login failures", "Search slowness", "Quick mail relay restart", "Billing maintenance window",
        "Database upgrade"}
def report(desc, why):
    print(("not ok\t%s\t%s" % (desc, why)) if why else "ok\t" + desc)
why = None
try:
    f = ET.parse(os.path.join(D, "history.atom")).getroot()
    for k in ("id", "title", "updated"):
        if not f.findtext(A + k):
            why = "the feed has no " + k
    datetime.fromisoformat(f.findtext(A + "updated").replace("Z", "+00:00"))
    es = f.findall(A + "entry")
    titles = {e.findtext(A + "title") for e in es}
    if len(es) != 6 or not WANT <= titles:
        why = "entries: %r" % sorted(titles)
    for e in es:
        for k in ("id", "title", "updated", "published"):
            if not e.findtext(A + k):
                why = "an entry has no " + k
        datetime.fromisoformat(e.findtext(A + "updated").replace("Z", "+00:00"))
        if e.find(A + "link") is None or not e.find(A + "link").get("href", "").startswith("http://127.0.0.1:8080/"):
            why = "an entry's link is not under the page URL"
except Exception as e:
    why = "%s: %s" % (type(e).__name__, e)
report("Atom: feed id, title, updated; 6 entries (3 incidents, 3 maintenances) with id, title, updated, published, link", why)
why = None
try:
    ch = ET.parse(os.path.join(D, "history.rss")).getroot().find("channel")
    for k in ("title", "link", "description", "lastBuildDate"):
        if not ch.findtext(k):
            why = "the channel has no " + k
    parsedate_to_datetime(ch.findtext("lastBuildDate"))
    items = ch.findall("item")
    titles = {i.findtext("title") for i in items}
    if len(items) != 6 or not WANT <= titles:
        why = "items: %r" % sorted(titles)
    for i in items:
        for k in ("title", "link", "guid", "pubDate", "description"):
            if not i.findtext(k):
                why = "an item has no " + k
        if parsedate_to_datetime(i.findtext("pubDate")).utcoffset() is None:
            why = "pubDate %r has no zone" % i.findtext("pubDate")
except Exception as e:
    why = "%s: %s" % (type(e).__name__, e)
report("RSS 2.0: channel title, link, description, lastBuildDate; 6 items with title, link, guid, RFC 822 pubDate, description", why)
EOF

# ------------------------------------------------------------ the HTML page

HTMLP=$(cat "$DOCS/index.html")
like "$HTMLP" '<p class="banner s-minor">Minor Service Outage</p>' "the page's banner: Minor Service Outage"
like "$HTMLP" 'Active incidents</h2>.*<a href="incidents/inc-1">Login failures</a>.*Scheduled maintenance</h2>' \
	"INC-1 under Active incidents"
like "$HTMLP" 'Past incidents .*<a href="incidents/inc-3">Search slowness</a>' "the resolved INC-3 under Past incidents"
like "$HTMLP" 'In progress</h3>.*Billing maintenance window.*Upcoming</h3>.*Database upgrade' \
	"maintenance: in progress, then upcoming"
like "$(cat "$DOCS/inc1.html")" '<h1>Login failures</h1>.*PUBLIC-C1 We are investigating failed logins\.' \
	"/incidents/INC-1: its title and its public update"

# ============================================================ caching

get /api/v2/summary.json
S1=$(sha256sum <"$RB") E1=$(hdr etag)
get /api/v2/summary.json
is "$(sha256sum <"$RB")|$(hdr etag)" "$S1|$E1" "an unchanged store: summary.json again, the same bytes and ETag"
like "$E1" '^"[^"]+"$' "the ETag is a quoted strong validator"
get /api/v2/summary.json -H "If-None-Match: $E1"
is "$CODE|$(stat -c %s "$RB")|$(hdr etag)|$(hdr access-control-allow-origin)" "304|0|$E1|*" \
	"If-None-Match with it: 304, no body, the ETag, CORS *"
A1=$(curl -sS "$BASE/" | sha256sum)$(curl -sS "$BASE/history.atom" | sha256sum)$(curl -sS "$BASE/history.rss" | sha256sum)
A2=$(curl -sS "$BASE/" | sha256sum)$(curl -sS "$BASE/history.atom" | sha256sum)$(curl -sS "$BASE/history.rss" | sha256sum)
is "$A2" "$A1" "an unchanged store: the page and both feeds again, the same bytes"

# Internal and executive updates change the store but nothing public.
get /api/v2/status.json
ST1=$BODY
get /api/v2/components.json
CO1=$BODY
P1=$(curl -sS "$BASE/")
F1=$(curl -sS "$BASE/history.atom")
sleep 0.3
sitrep --as carol update INC-1 --audience internal -m "INTERNAL-SECRET-2 rollback half done" >/dev/null 2>&1 &&
	sitrep --as carol update INC-1 --audience executives -m "EXEC-SECRET-2 no ETA" >/dev/null 2>&1 ||
	bail "cannot post internal updates"
wait_until 60 outbox_idle || bail "sitrepd did not deliver the internal updates"
get /api/v2/status.json
is "$(jq -r .page.updated_at <<<"$BODY")" "$(jq -r .page.updated_at <<<"$ST1")" \
	"after internal and executive updates only: page.updated_at does not move (nothing public changed)"
get /api/v2/components.json
is "$(same "$BODY" "$CO1")" same "and components.json is the same bytes" ||
	diag "$(jsondiff "$CO1" "$BODY")"
P2=$(curl -sS "$BASE/")
F2=$(curl -sS "$BASE/history.atom")
is "$(same "$P2$F2" "$P1$F1")" same "and so are the page and the Atom feed" ||
	diag "$(diff <(printf '%s\n' "$P1" "$F1") <(printf '%s\n' "$P2" "$F2") | head -n 12)"

# A customer update shows at once everywhere.
get /api/v2/summary.json
E_BEFORE=$(hdr etag)
T0=$(now_ms)
sitrep --as carol update INC-1 --audience customers --status identified \
	-m "PUBLIC-C2 We found the cause: an expired certificate." >/dev/null 2>&1 || bail "cannot post PUBLIC-C2"
shows_c2() {
	local p
	for p in / /incidents/INC-1 /api/v2/summary.json /history.atom /history.rss; do
		[[ $(curl -sS --max-time 5 "$BASE$p") == *"PUBLIC-C2 We found the cause"* ]] || return 1
	done
}
wait_until 60 shows_c2
T1=$(now_ms)
ok "after sitrep update: the page, the incident page, summary.json and both feeds show it" shows_c2
ok "within 5 s of the command's return (took $((T1 - T0)) ms)" test $((T1 - T0)) -le 5000
get /api/v2/summary.json
isnt "$(hdr etag)" "$E_BEFORE" "summary.json has a new ETag"
is "$(jq -c '.incidents[] | select(.id == "inc-1") | [.status, .incident_updates[0].body, .incident_updates[0].status]' "$RB")" \
	'["identified","PUBLIC-C2 We found the cause: an expired certificate.","identified"]' \
	"INC-1 is identified, the new update first"
sitrep --as carol update INC-1 --audience customers --status monitoring -m "PUBLIC-C4 Fix deployed." >/dev/null 2>&1
is "$(api incidents.json '.incidents[] | select(.id == "inc-1") | [.status, (.monitoring_at == .incident_updates[0].created_at | tostring)] | join(" ")')" \
	"monitoring true" "a monitoring update: status monitoring, monitoring_at its time"

# ============================================================ errors

get /no/such/page
is "$CODE|$(hdr content-type)" "404|$HT" "an unknown path: 404, an HTML page"
like "$BODY" '<h1>Not found</h1>' "that says Not found"
get /api/v2/nope.json
is "$CODE|$(hdr content-type)|$(jq -r .error <"$RB")" "404|$J|There is nothing at this address." \
	"an unknown /api path: 404 with a JSON error"
for p in /incidents/INC-99 /incidents/xyz /incidents/INC-1/more /incidents/; do
	get "$p"
	is "$CODE" 404 "GET $p: 404"
done
get /incidents/INC-99
like "$BODY" 'href="\.\./history\.atom"' "the error page under /incidents/ links back with ../"
get /api/v2/summary.json -X POST -d x=1
is "$CODE|$(hdr allow)|$(jq -r .error <"$RB")" "405|GET, HEAD, OPTIONS|Method not allowed" \
	"POST /api/v2/summary.json: 405, Allow: GET, HEAD, OPTIONS, a JSON error"
get /api/v2/status.json -X GET --data-binary 'x=1'
like "$CODE" '^[1-5][0-9][0-9]$' "a GET with a body (3 bytes) gets an answer, not a dropped connection"
get /healthz
is "$CODE" 200 "and sitrepd answers the next request"
get / -X PUT -d x
is "$CODE|$(hdr allow)" "405|GET, HEAD, OPTIONS" "PUT /: 405 with Allow"
get /subscribe -X DELETE
is "$CODE|$(hdr allow)" "405|GET, HEAD, POST, OPTIONS" "DELETE /subscribe: 405, Allow names POST"
get /history.atom -X POST -d x
is "$CODE" 405 "POST /history.atom: 405"
BIG=$(head -c 9000 /dev/zero | tr '\0' a)
req -X POST --data-binary "kind=webhook&address=$BIG" "$BASE/subscribe"
is "$CODE" 413 "POST /subscribe with a 9,000-byte form (cap 8 KiB): 413"
req -X POST -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "kind=webhook&address=$BIG$BIG" "$BASE/subscribe"
is "$CODE" 413 "the same, chunked (no Content-Length): 413"
req -X POST --data-binary "List-Unsubscribe=One-Click&x=$BIG" "$BASE/unsubscribe?token=$MAIL_TOKEN"
is "$CODE" 413 "POST /unsubscribe over the cap: 413"
is "$(sitrep subscribers --json | jq length)" 2 "and it unsubscribed no one"
req -X POST --data-binary 'kind=webhook&address=%zz' "$BASE/subscribe"
is "$CODE" 400 "a malformed %-escape: 400"
req -X POST --data-binary 'kind=webhook&address=%00' "$BASE/subscribe"
is "$CODE" 400 "a %00 in the form: 400"
req -X POST --data-binary "$(for i in $(seq 200); do printf 'f%d=1&' "$i"; done)kind=webhook" "$BASE/subscribe"
is "$CODE" 400 "200 fields: 400"
req -X POST --data-binary 'address=x' "$BASE/subscribe"
is "$CODE" 400 "no kind: 400"
like "$BODY" 'Not subscribed:</strong> Choose e-mail or webhook\.' "the form says to choose"
req -X POST -d kind=webhook -d "address=$H/ok/x" -d component=nope "$BASE/subscribe"
is "$CODE" 400 "an unknown component: 400"
req -X POST -d kind=email -d address=not-an-address "$BASE/subscribe"
is "$CODE" 400 "a bad e-mail address: 400"
req -X POST --data-urlencode kind=webhook --data-urlencode 'address="><script>alert(1)</script>' "$BASE/subscribe"
is "$CODE" 400 "a webhook URL that is markup: 400"
ok "the form shows the address back escaped" eval '[[ $BODY != *"<script"* && $BODY == *"&quot;&gt;&lt;script&gt;"* ]]'
req -X POST --data-urlencode kind=webhook --data-urlencode $'address=http://127.0.0.1/x\r\nX-Evil: 1' "$BASE/subscribe"
is "$CODE" 400 "a webhook URL with CR LF: 400"
req -X POST -H 'Content-Type: text/plain' --data-binary 'kind=webhook' "$BASE/subscribe"
is "$CODE" 415 "a form sent as text/plain: 415"
# The same URL again is answered as the first time was (nothing tells
# that it was taken): a subscription of its own, with its own secret.
req -X POST --data-urlencode kind=webhook --data-urlencode "address=$H/ok/sub" "$BASE/subscribe"
is "$CODE" 201 "subscribing the same webhook again: 201, as the first time"
AGAIN_TOKEN=$(grep -Eo 'unsubscribe\?token=[0-9a-f]{32}' <<<"$BODY" | head -n 1 | sed 's/.*=//')
ok "a subscription of its own: not the first one's token" eval '[[ $AGAIN_TOKEN =~ ^[0-9a-f]{32}$ && $AGAIN_TOKEN != "$HOOK_TOKEN" ]]'
is "$(sitrep subscribers --json | jq length)" 3 "the refused forms added no subscriber (the repeat is one)"
sitrep unsubscribe "$AGAIN_TOKEN" >/dev/null 2>&1 || bail "cannot unsubscribe the repeated webhook"

# ============================================================ unsubscribe (RFC 8058)

get /unsubscribe
is "$CODE" 400 "GET /unsubscribe without a token: 400"
get "/unsubscribe?token=00000000000000000000000000000000"
is "$CODE" 404 "an unknown token: 404"
get "/unsubscribe?token=nothex"
is "$CODE" 404 "a token that is not one: 404"
req -X POST -d List-Unsubscribe=One-Click "$BASE/unsubscribe?token=$HOOK_TOKEN"
is "$CODE" 200 "one-click POST (urlencoded) to /unsubscribe?token=T: 200"
like "$BODY" '<h1>Unsubscribed</h1>' "the page says Unsubscribed"
req -X POST -F List-Unsubscribe=One-Click "$BASE/unsubscribe?token=$MAIL_TOKEN"
is "$CODE" 200 "one-click POST as multipart/form-data (RFC 8058's SHOULD): 200"
is "$(sitrep subscribers --json | jq length)" 0 "sitrep subscribers --json: both gone"
is "$(sitrep subscribers --all --json | jq -c '[.[] | [.kind, .disabled_reason]]')" \
	'[["webhook","unsubscribed"],["email","unsubscribed"],["webhook","unsubscribed"]]' "--all shows them disabled, 'unsubscribed'"
req -X POST -d List-Unsubscribe=One-Click "$BASE/unsubscribe?token=$HOOK_TOKEN"
is "$CODE" 200 "a second one-click POST: 200 still"
get "/unsubscribe?token=$HOOK_TOKEN"
like "$BODY" 'already ended' "GET after: the subscription has already ended"

# ============================================================ /metrics

wait_until 60 outbox_idle || bail "sitrepd did not deliver what was pending"
# The subscriber's receiver logs a request once it has answered it: wait for
# the five updates to be there, not for the outbox alone.
sub_updates() {
	jq -r 'select(.path == "/ok/sub" and .method == "POST") | .body | fromjson | select(.type == "incident.update") | .data.incident.id' "$RLOG" |
		sort | uniq -c | sed 's/^ *//' | tr '\n' ' '
}
sub_got_five() {
	[ "$(sub_updates)" = "3 INC-1 1 INC-3 1 INC-4 " ]
}
wait_until 60 sub_got_five || diag "the subscriber's log: $(sub_updates)"
req "$IBASE/metrics"
cp "$RB" "$TEST_TMP/metrics.txt"
sitrep outbox --json | jq -c .counts >"$TEST_TMP/outbox.json"
sitrep list --json >"$TEST_TMP/list.json"
pytap 8 - "$TEST_TMP/metrics.txt" "$TEST_TMP/outbox.json" "$TEST_TMP/list.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
outbox = json.load(open(sys.argv[2]))
incs = json.load(open(sys.argv[3]))
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)?\})? ([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))$')
samples, types, helps, bad = {}, {}, set(), []
for line in text.split("\n")[:-1] if text.endswith("\n") else ["<no final newline>"]:
    if line.startswith("# HELP "):
        helps.add(line.split(" ")[2])
    elif line.startswith("# TYPE "):
        _, _, name, t = line.split(" ", 3)
        types[name] = t
    elif line.startswith("#"):
        pass
    else:
        m = SAMPLE.match(line)
        if not m:
            bad.append(line)
            continue
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if re.sub(r"_(bucket|sum|count)$", "", name) in types else name
        if family not in types or family not in helps:
            bad.append("no HELP/TYPE before " + line)
        samples[(name, m.group(3) or "")] = float(m.group(4))

def report(desc, why):
    print(("not ok\t%s\t%s" % (desc, why)) if why else "ok\t" + desc)
def v(name, labels=""):
    return samples.get((name, labels))

report("/metrics: every line is a # comment or a Prometheus sample under its # HELP and # TYPE", "; ".join(bad[:3]))
want = {"sitrep_open_incidents": "gauge", "sitrep_outbox_messages": "gauge", "sitrep_overdue_updates": "gauge",
        "sitrep_delivery_latency_seconds": "histogram", "sitrep_scheduler_lag_seconds": "gauge"}
report("/metrics: the five families with their types", None if all(types.get(k) == t for k, t in want.items()) else repr(types))
open_ = {s: 0 for s in ("SEV1", "SEV2", "SEV3", "SEV4")}
for i in incs:
    if i["status"] not in ("resolved", "closed"):
        open_[i["severity"]] += 1
got = {s: v("sitrep_open_incidents", 'severity="%s"' % s) for s in open_}
report("/metrics: sitrep_open_incidents{severity=...} matches sitrep list (%s)" % ", ".join("%s %d" % kv for kv in open_.items()),
       None if got == {k: float(n) for k, n in open_.items()} else repr(got))
got = {s: v("sitrep_outbox_messages", 'state="%s"' % s) for s in ("pending", "retrying", "sent", "dead")}
report("/metrics: sitrep_outbox_messages{state=...} matches sitrep outbox (%s)" % json.dumps(outbox, sort_keys=True),
       None if got == {k: float(outbox[k]) for k in got} else repr(got))
bs = sorted(((float(l.split('"')[1].replace("+Inf", "inf")), n) for (name, l), n in samples.items()
             if name == "sitrep_delivery_latency_seconds_bucket"))
cnt, tot = v("sitrep_delivery_latency_seconds_count"), v("sitrep_delivery_latency_seconds_sum")
why = None
if not bs or bs[-1][0] != float("inf"):
    why = "no +Inf bucket"
elif any(bs[i][1] > bs[i + 1][1] for i in range(len(bs) - 1)):
    why = "buckets not cumulative: %r" % bs
elif bs[-1][1] != cnt:
    why = "+Inf bucket %r != _count %r" % (bs[-1][1], cnt)
elif tot is None or tot < 0 or (cnt > 0 and not 0 <= tot / cnt < 30):
    why = "_sum %r for _count %r" % (tot, cnt)
report("/metrics: sitrep_delivery_latency_seconds buckets cumulative, +Inf = _count, a plausible _sum", why)
report("/metrics: _count is the deliveries sitrepd made (outbox sent: %d)" % outbox["sent"],
       None if cnt == outbox["sent"] and cnt >= 3 else "count %r" % cnt)
lag = v("sitrep_scheduler_lag_seconds")
report("/metrics: sitrep_scheduler_lag_seconds between 0 and 5 (%r)" % lag, None if lag is not None and 0 <= lag < 5 else "lag %r" % lag)
od = v("sitrep_overdue_updates")
report("/metrics: sitrep_overdue_updates counts INC-4's customer update promised in 1 s (%r)" % od,
       None if od is not None and 1 <= od <= 3 * sum(open_.values()) else "overdue %r" % od)
EOF
SUBS=$(jq -r 'select(.path == "/ok/sub" and .method == "POST") | .body' "$RLOG")
is "$(sub_updates)" "3 INC-1 1 INC-3 1 INC-4 " "the webhook subscriber got the five published customer updates (INC-1 three, INC-3, INC-4)"
is "$(grep -Eo 'INTERNAL-SECRET|EXEC-SECRET|DRAFT-SECRET|HIDDEN-TITLE|INTERNAL-TITLE|LATER-SECRET|RESOLVE-NOTE' <<<"$SUBS" | sort -u | tr '\n' ' ')" "" \
	"and no internal, executive, draft or scheduled text, nor the incident with only a draft"

# ============================================================ a phone-sized browser

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	skip 6 "chromium is not installed (make deps installs it)"
else
	# Headless, phone-sized, and kept off the network: no background
	# requests, no proxy, and no name but loopback resolves.
	chrome() {
		timeout 60 "$CHROME" --headless=new --no-sandbox --disable-gpu --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--no-default-browser-check --no-pings --no-proxy-server \
			--host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1' \
			--window-size=412,915 "$@" 2>>"$TEST_TMP/chrome.log"
	}
	rm -f "$OUTDIR/statuspage.png" "$OUTDIR/statuspage-dom.html"
	chrome --user-data-dir="$TEST_TMP/chrome1" --screenshot="$OUTDIR/statuspage.png" "$BASE/" >/dev/null &
	CPID=$!
	chrome --user-data-dir="$TEST_TMP/chrome2" --dump-dom "$BASE/" >"$OUTDIR/statuspage-dom.html"
	wait "$CPID"
	ok "Chromium (412×915) saves a screenshot of the page: $OUTDIR/statuspage.png" test -s "$OUTDIR/statuspage.png"
	is "$($PY -c 'import struct, sys
b = open(sys.argv[1], "rb").read(24)
print("%s %dx%d" % (b[:8] == b"\x89PNG\r\n\x1a\n", *struct.unpack(">II", b[16:24])))' "$OUTDIR/statuspage.png" 2>&1)" \
		"True 412x915" "it is a 412×915 PNG"
	DOM=$(cat "$OUTDIR/statuspage-dom.html")
	like "$DOM" '<p class="banner s-minor">Minor Service Outage</p>' "the DOM Chromium built shows the banner Minor Service Outage"
	like "$DOM" '<a href="incidents/inc-1">Login failures</a>' "and the incident's title, as a link"
	like "$DOM" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "the hostile title is text in the DOM"
	is "$(grep -ci '<script' <<<"$DOM")" 0 "and no script element came of it"
fi

# ============================================================ garbage on the socket

# Each at once on its own connection; while two of them hang half-sent,
# /healthz is asked on another. One line per case: NAME<TAB>the first line
# of the answer, or "closed".
$PY - "$PORT" <<'EOF' >"$TEST_TMP/garbage.txt"
import socket, sys, threading, time
port = int(sys.argv[1])
cases = [
    ("GARBAGE", b"GARBAGE\r\n\r\n"),
    ("a TLS ClientHello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32))),
    ("an HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("an HTTP/0.9 request", b"GET /\r\n\r\n"),
    ("a 100 KB header", b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 100000 + b"\r\n\r\n"),
    ("a 70 KB URL", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("a request cut short", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Len"),
    ("NUL bytes", b"\x00" * 64 + b"\r\n\r\n"),
    ("a negative Content-Length", b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
    ("a bad chunk size", b"POST /subscribe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
     b"Content-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nkind=webhook\r\n0\r\n\r\n"),
    ("a path that is not UTF-8", b"GET /\xff\xfe%00 HTTP/1.1\r\nHost: x\r\n\r\n"),
]
res = {}
def send(name, data):
    out = b""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1.5)
        s.sendall(data)
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except OSError:
        pass
    res[name] = out.split(b"\r\n")[0].decode("latin-1") if out else "closed"
threads = [threading.Thread(target=send, args=c) for c in cases]
for th in threads:
    th.start()
time.sleep(0.3)
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    r = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        r += c
    health = r.split(b"\r\n")[0].decode("latin-1") + " " + r.partition(b"\r\n\r\n")[2].decode("latin-1").strip()
except OSError as e:
    health = "no answer (%s)" % e
for th in threads:
    th.join()
print("healthz meanwhile\t" + health)
for name, _ in cases:
    print("%s\t%s" % (name, res.get(name, "no answer")))
EOF
while IFS=$'\t' read -r name reply; do
	if [ "$name" = "healthz meanwhile" ]; then
		is "$reply" "HTTP/1.1 200 OK ok" "while connections hang half-sent, /healthz answers 200 ok"
	else
		unlike "$reply" '^HTTP/1\.[01] 2' "$name: no 2xx ($reply)"
	fi
done <"$TEST_TMP/garbage.txt"
is "$(grep -c . "$TEST_TMP/garbage.txt")" 12 "every piece of garbage was sent"
ok "sitrepd is still running" kill -0 "$SPID"
get /healthz
is "$CODE:$BODY" "200:ok" "/healthz: 200 ok after the garbage"
get /api/v2/status.json
is "$CODE:$(jq -r .status.indicator <"$RB")" "200:minor" "status.json still served"
$PY - "$PORT" <<'EOF' >"$TEST_TMP/par.txt"
import http.client, sys, threading
port, codes = int(sys.argv[1]), []
def get():
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/api/v2/summary.json")
        r = c.getresponse()
        r.read()
        codes.append(r.status)
    except Exception as e:
        codes.append(type(e).__name__)
ts = [threading.Thread(target=get) for _ in range(40)]
for th in ts:
    th.start()
for th in ts:
    th.join()
print("\n".join(str(c) for c in codes))
EOF
is "$(sort "$TEST_TMP/par.txt" | uniq -c | sed 's/^ *//')" "40 200" "40 concurrent requests: all 200"

# ============================================================ stopping, and IPv6

stop_sitrepd
is "$STOP_RC" 0 "SIGTERM: sitrepd exits 0"
ok "and no longer listens" eval '! curl -sS --max-time 2 -o /dev/null "$BASE/healthz" 2>/dev/null'
is "$(grep -Eci 'Sanitizer|runtime error|fatal|panic' "$SLOG")" 0 \
	"its log has no sanitizer report or fatal error (run with SITREP_BIN=build-san to look for them)"

if $PY -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	start_sitrepd --listen '[::1]:0' || bail "cannot start sitrepd on ::1"
	is "$SHOST" "[::1]" "--listen [::1]:0: sitrepd logs http://[::1]:PORT/"
	get /api/v2/status.json -g
	is "$CODE:$(jq -r .status.indicator <"$RB")" "200:minor" "and serves the status page over IPv6 loopback"
	stop_sitrepd
	is "$STOP_RC" 0 "and stops on SIGTERM"
else
	skip 3 "no IPv6 loopback here"
fi
