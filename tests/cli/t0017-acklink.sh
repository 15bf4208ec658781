#!/bin/bash
# t0017-acklink.sh: one-click acknowledgement links against a real sitrepd
# on loopback, driven with curl: a page's e-mail carries its link; GET and
# HEAD show the page and change nothing; POST action=ack acknowledges as
# the link's person (the timeline says via ack-link) and a repeat says
# "already acknowledged by X at T"; action=escalate passes the role to the
# next tier (the timeline says both via ack-link, and a repeat "already
# escalated"); forged links, signatures reused on another page, person or
# expiry, expired links, links for someone not paged and used links of
# ended pages are refused with 403, an unknown page with 404, each with a
# small HTML page saying why and the store (pages, events, outbox) as it
# was.
. "$(dirname "$0")/lib.sh"

for tool in curl jq sqlite3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
if [ ! -x "$SITREP_BIN/sitrepd" ]; then
	echo "1..0 # SKIP no sitrepd in SITREP_BIN"
	exit 0
fi

plan 98
tmp_workspace

PY=/usr/bin/python3
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'

SPID=
_t17_exit() {
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
trap _t17_exit EXIT

# closed_port: a loopback port nothing listens on (bound, then released).
closed_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# req CURL-ARGS... URL: the status in CODE, headers in HDRS, body in BODY.
req() {
	local rb="$TEST_TMP/resp.body"
	: >"$rb"
	CODE=$(curl -sS --max-time 10 -D "$TEST_TMP/resp.head" -o "$rb" -w '%{http_code}' "$@" 2>"$TEST_TMP/resp.err") ||
		CODE="curl failed: $(cat "$TEST_TMP/resp.err")"
	HDRS=$(tr -d '\r' <"$TEST_TMP/resp.head" 2>/dev/null)
	BODY=$(cat "$rb" 2>/dev/null)
}

# post TOKEN ACTION: POST the form's button.
post() {
	req -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "action=$2" "$BASE/ack/$1"
}

# token PAGE PERSON EXPIRY-SECONDS: a token signed with the workspace's key
# the way the links are (HMAC-SHA256, base64url without padding): made
# here independently of sitrep.
token() {
	$PY - "$@" <<'EOF'
import base64, hashlib, hmac, sys
key = open("paging.key", "rb").read().rstrip(b" \t\r\n")
msg = ("%s.%s.%s" % tuple(sys.argv[1:4])).encode()
sig = base64.urlsafe_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).rstrip(b"=")
print(msg.decode() + "." + sig.decode())
EOF
}

# page_of N PERSON: the id of PERSON's latest page on INC-N.
page_of() {
	sqlite3 sitrep.db "SELECT max(id) FROM pages WHERE incident_id = $1 AND person = '$2'"
}

# link_of PAGE: the acknowledgement link in the page's first notification.
link_of() {
	sqlite3 sitrep.db "SELECT payload FROM outbox WHERE page_id = $1 ORDER BY id LIMIT 1" |
		grep -Eo 'https?://[^ ]*/ack/[A-Za-z0-9._-]+' | head -n 1
}

# page_state: every page as "person=state", by id.
page_state() {
	sqlite3 sitrep.db "SELECT group_concat(person || '=' || state, ' ') FROM (SELECT * FROM pages ORDER BY id)"
}

# full_state: the store as store_state sees it, every page's state, and
# which notifications exist and which are cancelled (what a delivery
# attempt changes, attempts and times, is left out: sitrepd tries the mail
# meanwhile).
full_state() {
	printf '%s|%s|%s' "$(store_state)" "$(page_state)" \
		"$(sqlite3 sitrep.db "SELECT group_concat(id || ':' || ifnull(page_id, '-') || ':' ||
			ifnull(contact, '-') || ':' || (state = 'cancelled'), ' ') FROM (SELECT * FROM outbox ORDER BY id)")"
}

# refused_link DESC CODE ERE CURL-ARGS...: the request is answered CODE
# with the small HTML page saying why (ERE, in its paragraph), no buttons,
# and the store as it was. 4 tests.
refused_link() {
	local desc=$1 code=$2 re=$3 before
	shift 3
	before=$(full_state)
	req "$@"
	is "$CODE" "$code" "$desc: $code"
	like "$HDRS" $'(^|\n)[Cc]ontent-[Tt]ype: text/html; charset=utf-8(\n|$)' "$desc: an HTML page"
	like "$BODY" "<p>[^<]*$re" "$desc: it says why"
	is "$(full_state)" "$before" "$desc: the store is unchanged"
}

# ============================================================ setup

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
if [ ! -s paging.key ]; then
	diag "sitrep init wrote no paging.key: making one"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >paging.key
	chmod 600 paging.key
fi
MAIL_PORT=$(closed_port)
CONF_MAIL_PORT=$MAIL_PORT $PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n1 = re.subn(r'listen = "127\.0\.0\.1:8080"', 'listen = "127.0.0.1:0"; subscribe_burst = 1000', t)
t, n2 = re.subn(r"^channels = \(.*?^\);\n", lambda m: """channels = (
  { id = "mail"; type = "email"; audiences = [ "customers" ];
    smtp_url = "smtp://127.0.0.1:%s"; from = "status@t17.invalid"; }
);
""" % os.environ["CONF_MAIL_PORT"], t, flags=re.S | re.M)
assert n1 == n2 == 1, (n1, n2)
if not re.search(r"^paging\s*=", t, flags=re.M):
    t += 'paging = { link_key_file = "paging.key"; link_lifetime = "1d"; };\n'
t += 'delivery = { timeout = "2s"; retries = 3; backoff = [ "10m" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
run sitrep outbox
[ "$RC" = 0 ] || bail "the rewritten sitrep.conf is not valid: $ERR"
start_sitrepd || bail "cannot start sitrepd"

# ============================================================ a page and its link

run sitrep --as bob open outage --title "Checkout <fails>" --sev SEV1
is_rc 0 "bob opens INC-1 at SEV1"
run sitrep --as bob page 1 ops
is_rc 0 "bob pages ops on INC-1"
P1=$(page_of 1 alice)
like "$P1" '^[1-9][0-9]*$' "alice (L1) is paged"
LINK=$(link_of "$P1")
like "$LINK" "^http://127\.0\.0\.1:8080/ack/$P1\.alice\.[1-9][0-9]*\.[A-Za-z0-9_-]{43}$" \
	"her notification carries the link: the status page URL, /ack/, page.person.expiry.sig"
T1=${LINK##*/ack/}
exp=$(cut -d. -f3 <<<"$T1")
now=$(date +%s)
ok "the link works for about a day (link_lifetime 1d)" test $((exp - now)) -gt 86000 -a $((exp - now)) -le 86401
is "$(token "$P1" alice "$exp")" "$T1" "its signature is HMAC-SHA256 under paging.key in base64url"

# ============================================================ GET changes nothing

before=$(store_state)
pages_before=$(page_state)
req "$BASE/ack/$T1"
is "$CODE" 200 "GET the link: 200"
like "$BODY" 'INC-1' "it names the incident"
like "$BODY" 'Checkout &lt;fails&gt;' "its internal title, escaped"
like "$BODY" 'SEV1' "its severity"
like "$BODY" 'paged as ops' "the role"
like "$BODY" '<button type="submit" name="action" value="ack">Acknowledge</button>' "an Acknowledge button"
like "$BODY" 'value="escalate">Can’t take it — escalate now</button>' "and a Can't take it button"
unlike "$BODY" '<script' "no script"
like "$HDRS" $'(^|\n)[Cc]ache-[Cc]ontrol: no-store(\n|$)' "Cache-Control: no-store"
like "$HDRS" $'(^|\n)[Rr]eferrer-[Pp]olicy: no-referrer(\n|$)' "Referrer-Policy: no-referrer"
req -I "$BASE/ack/$T1"
is "$CODE" 200 "HEAD the link: 200"
is "$(store_state)|$(page_state)" "$before|$pages_before" "GET and HEAD changed nothing"

# ============================================================ refused links

before=$(full_state)
sig=${T1##*.}
forged=${T1%?}$([ "${T1: -1}" = A ] && echo B || echo A)
refused_link "a forged signature, GET" 403 'bad signature' "$BASE/ack/$forged"
refused_link "a forged signature, POST" 403 'bad signature' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack "$BASE/ack/$forged"
refused_link "alice's signature reused with bob's name" 403 'bad signature' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack \
	"$BASE/ack/$P1.bob.$exp.$sig"
refused_link "her signature reused on another page" 403 'bad signature' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack \
	"$BASE/ack/$((P1 + 1)).alice.$exp.$sig"
refused_link "her signature reused with a later expiry" 403 'bad signature' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack \
	"$BASE/ack/$P1.alice.$((exp + 86400)).$sig"
expired=$(token "$P1" alice $((now - 60)))
refused_link "a link signed with the key but expired, GET" 403 'expired at' "$BASE/ack/$expired"
refused_link "the expired link, POST" 403 'expired at' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack "$BASE/ack/$expired"
refused_link "both buttons at once (action twice)" 400 'Choose Acknowledge or escalate' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' \
	--data 'action=ack&action=escalate' "$BASE/ack/$T1"
refused_link "a malformed link" 403 'malformed' "$BASE/ack/9999.alice.$exp.AAAA"
refused_link "a well-signed link for no page" 404 'no such page' "$BASE/ack/$(token 9999 alice "$exp")"
refused_link "a well-signed link for bob, who is not paged, on alice's page" 403 \
	'made for bob, who is not the person this page is for: only the person paged' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack \
	"$BASE/ack/$(token "$P1" bob "$exp")"
refused_link "a well-signed link for mallory, no person at all" 403 'made for mallory' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=escalate \
	"$BASE/ack/$(token "$P1" mallory "$exp")"
req -X DELETE "$BASE/ack/$T1"
is "$CODE" 405 "DELETE: 405"
req -X POST -H 'Content-Type: text/plain' --data 'action=ack' "$BASE/ack/$T1"
is "$CODE" 415 "a POST that is not a form: 415"
post "$T1" maybe
is "$CODE" 400 "an action that is neither ack nor escalate: 400"
is "$(full_state)" "$before" "none of them changed anything"
like "$(cat "$SLOG")" 'ack link: POST from 127\.0\.0\.1: 403 the acknowledgement link has a bad signature' \
	"sitrepd logs a refused link with why"

# ============================================================ acknowledge

post "$T1" ack
is "$CODE" 200 "POST action=ack: 200"
like "$BODY" 'Acknowledged: you are on INC-1 as ops' "Acknowledged: you are on INC-1 as ops"
is "$(sqlite3 sitrep.db "SELECT state || ' ' || ended_by || ' ' || ended_via FROM pages WHERE id = $P1")" \
	"acked alice ack-link" "alice's page ended acked by alice via ack-link"
run sitrep timeline 1
like "$OUT" "alice +acknowledged the page for ops \\(PG-$P1\\) via ack-link" "the timeline says via ack-link"
is "$(sqlite3 sitrep.db "SELECT count(*) FROM outbox WHERE page_id = $P1 AND state IN ('pending', 'retrying')")" 0 \
	"no notification of hers is left to send"
after=$(store_state)
post "$T1" ack
is "$CODE" 200 "POST again: 200"
like "$BODY" 'Already acknowledged by alice at [^<]*[0-9]{2}:[0-9]{2}' "already acknowledged by alice at T"
is "$(store_state)" "$after" "and nothing changed"
req "$BASE/ack/$T1"
is "$CODE" 200 "GET now: 200"
unlike "$BODY" '<form' "without the buttons"
refused_link "the used link again, to escalate the acknowledged page" 403 \
	'This page has ended, so the link no longer works: it was acknowledged by alice at' \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=escalate "$BASE/ack/$T1"

# ============================================================ escalate

run sitrep --as bob open outage --title "Search slow" --sev SEV2
is_rc 0 "bob opens INC-2"
run sitrep --as bob page 2 ops
is_rc 0 "and pages ops"
P2=$(page_of 2 alice)
T2=$(link_of "$P2")
T2=${T2##*/ack/}
post "$T2" escalate
is "$CODE" 200 "POST action=escalate: 200"
like "$BODY" 'Escalated' "it says escalated"
is "$(sqlite3 sitrep.db "SELECT state FROM pages WHERE id = $P2")" escalated "alice's page escalated"
like "$(page_of 2 bob)" '^[1-9][0-9]*$' "bob (L2) is paged now"
refused_link "her link again, to acknowledge the page she escalated" 403 \
	"it was escalated by alice at [^<]*: alice can(&#39;|'|&#x27;)t take it \\(PG-$P2\\)" \
	-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack "$BASE/ack/$T2"
post "$T2" escalate
is "$CODE:$(grep -Eo '<p>Already escalated by alice at' <<<"$BODY")" "200:<p>Already escalated by alice at" \
	"escalating it again: already escalated by alice at T"
run sitrep timeline 2
like "$OUT" "alice +escalated ops from L1 via ack-link \\(tiered\\): bob@L2 \\(PG-[0-9]+\\)[^:]*: alice can't take it \\(PG-$P2\\)" \
	"the timeline: escalated via ack-link, who is paged now and why"

# ============================================================ the log

like "$(cat "$SLOG")" 'ack link: POST PG-'"$P1"' \(alice\) from 127\.0\.0\.1: 200 acknowledged' \
	"sitrepd logs each answer with its outcome"
