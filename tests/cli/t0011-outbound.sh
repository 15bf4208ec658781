#!/bin/bash
# t0011-outbound.sh: what leaves on a subscriber's behalf. Webhook URLs to
# private, loopback, link-local and unspecified addresses are refused when
# subscribed and, whatever a name resolves to, at every connection (a
# listener on loopback proves nothing arrived), unless delivery.allow names
# them; the site's own channels are the operator's and are not checked.
# E-mail subscribers confirm by a link before anything else reaches them,
# and expire unconfirmed; subscribing again reveals nothing. Addresses with
# UTF-8 (RFC 6531) are taken and sent with SMTPUTF8, or refused precisely
# when the relay does not offer it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

if ! smtp_usable; then
	echo "1..0 # SKIP $SMTP_WHY"
	exit 0
fi

plan 77
tmp_workspace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
WEB_PORT=$HTTP_PORT
start_smtprecv mail || bail "cannot start the SMTP server"
MAIL_PORT=$SMTP_PORT
LOG="$TEST_TMP/web/requests.jsonl"
MAILDIR="$TEST_TMP/mail/mail"

q() {
	sqlite3 sitrep.db "$@"
}

# hits PATH: how many requests the loopback receiver got for PATH.
hits() {
	if [ -f "$LOG" ]; then
		jq -r '.path' "$LOG" | grep -cxF -- "$1"
	else
		echo 0
	fi
}

# set_conf DELIVERY: the workspace's channels (a webhook channel and an
# e-mail channel to the loopback SMTP server) and its delivery group.
set_conf() {
	DL=$1 /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n = re.subn(r"^channels = \(.*?^\);\n", lambda m: """channels = (
  { id = "ops-hook"; type = "webhook"; audiences = [ "internal" ];
    url_env = "T11_OPS_URL"; },
  { id = "mail"; type = "email"; audiences = [ "customers" ];
    smtp_url = "smtp://127.0.0.1:%s"; from = "status@example.com"; }
);
""" % os.environ["MAIL_PORT"], t, flags=re.S | re.M)
assert n == 1, "no channels list"
t = re.sub(r"^delivery = \{.*?\};\n", "", t, flags=re.S | re.M)
t += "delivery = { " + os.environ["DL"] + " };\n"
open(p, "w", encoding="utf-8").write(t)
EOF
	sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"
}
export MAIL_PORT
export T11_OPS_URL="http://127.0.0.1:$WEB_PORT/ok/ops"
NOALLOW='timeout = "5s"; retries = 0; backoff = [ "1s" ];'
ALLOW="$NOALLOW allow = [ \"127.0.0.1/32\" ];"

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
set_conf "$NOALLOW"

# ============================================================ 1. SSRF: at subscribe time

subs_state() {
	q 'SELECT count(*) FROM subscribers'
}
for url in "http://169.254.169.254/latest/meta-data/" "http://10.0.0.1/" \
	   "http://127.0.0.1:22/" "http://[::1]/x" "http://localhost:$WEB_PORT/ok/a" \
	   "http://0/x" "http://[::ffff:127.0.0.1]:$WEB_PORT/x" "http://100.64.0.1/x" \
	   "http://2130706433/x"; do
	run sitrep subscribe webhook "$url"
	[ "$RC" = 1 ] && [[ $ERR == "sitrep: webhook URL '$url': "*" is not allowed ("*"); see delivery.allow in sitrep.conf(5)" ]] ||
		{ fail "subscribing $url is refused"; diag "exit $RC: $ERR"; continue; }
	pass "subscribing $url is refused, naming delivery.allow"
done
run sitrep subscribe webhook "http://user:pass@hooks.example.com/x"
is "$RC:$ERR" "1:sitrep: webhook URL 'http://user:pass@hooks.example.com/x' has a user name or password (user:password@host); a webhook is authenticated by its signature: remove it" \
	"a URL with user:password@ is refused"
is "$(subs_state)" 0 "no subscriber was stored"

# ============================================================ 2. SSRF: at connect time

# Allowed, a subscriber's webhook by a name that resolves to loopback
# reaches the receiver: the control.
set_conf "$ALLOW"
run sitrep subscribe webhook "http://localhost:$WEB_PORT/ok/by-name"
is_rc 0 "with 127.0.0.1/32 allowed, a webhook at localhost is taken"
run sitrep --as alice open outage --title "Outbound" --sev SEV3
is_rc 0 "INC-1 opened"
run sitrep --as alice update 1 --audience customers -m "First."
is_rc 0 "a customer update is published"
run sitrep deliver --once
is "$RC:$(hits /ok/by-name)" "0:1" "allowed, the receiver got the POST"

# The site no longer allows loopback: the same name now leads nowhere.
set_conf "$NOALLOW"
run sitrep --as alice update 1 --audience customers -m "Second."
is_rc 0 "a second customer update is published"
run sitrep deliver --once
is_rc 0 "deliver --once exits 0"
is "$(hits /ok/by-name)" 1 "not allowed, the loopback receiver got nothing more"
like "$(q "SELECT state || '|' || last_error FROM outbox WHERE update_id = (SELECT max(id) FROM updates) AND subscriber_id IS NOT NULL")" \
	"^dead\|address (127\.0\.0\.1|::1) is not allowed \(loopback\); see delivery\.allow in sitrep\.conf\(5\) \(after 1 attempts\)$" \
	"the row is dead and says which address was refused and why"

# Rows written straight into the store (as a database from before this
# check would hold, or a name that resolves elsewhere by now): each is
# refused when its connection is opened.
sub_insert() {
	q "INSERT INTO subscribers (kind, address, secret, token, created_at, confirmed_at)
	   VALUES ('webhook', '$1', 'whsec_$(head -c 24 /dev/urandom | base64)',
	           lower(hex(randomblob(16))), 1, 1)"
}
sitrep unsubscribe "http://localhost:$WEB_PORT/ok/by-name" >/dev/null 2>&1 || bail "cannot unsubscribe"
sub_insert "http://0:$WEB_PORT/ok/zero"
sub_insert "http://[::ffff:127.0.0.1]:$WEB_PORT/ok/mapped"
sub_insert "http://10.0.0.1:$WEB_PORT/ok/private"
sub_insert "http://169.254.169.254/latest/meta-data/"
run sitrep --as alice update 1 --audience customers -m "Third."
is_rc 0 "a third customer update is published"
run sitrep deliver --once
is "$(q "SELECT group_concat(state || ' ' || last_error, '|') FROM (SELECT * FROM outbox
	WHERE update_id = (SELECT max(id) FROM updates) AND subscriber_id IS NOT NULL ORDER BY id)")" \
	"$(printf '%s|' \
	"dead address 0.0.0.0 is not allowed (unspecified); see delivery.allow in sitrep.conf(5) (after 1 attempts)" \
	"dead address ::ffff:127.0.0.1 is not allowed (loopback); see delivery.allow in sitrep.conf(5) (after 1 attempts)" \
	"dead address 10.0.0.1 is not allowed (private); see delivery.allow in sitrep.conf(5) (after 1 attempts)" \
	"dead address 169.254.169.254 is not allowed (link-local); see delivery.allow in sitrep.conf(5) (after 1 attempts)" | sed 's/|$//')" \
	"every private target is refused at connect time, with the address and the reason"
is "$(jq -r '.path' "$LOG" | grep -v '^/ok/ops$' | sort | uniq -c | tr -s ' ')" " 1 /ok/by-name" \
	"the loopback listener received nothing but the allowed POST"

# A connection the site's own channel opened to a host (unchecked: the
# operator's), kept alive in the engine's cache, must not carry a
# subscriber's POST to a URL naming the same host and port: each request
# is checked again just before it goes out. One lane, so both share one
# connection cache; the subscriber's row falls due 2 s after the channel's.
set_conf "$NOALLOW threads = 1;"
sub_insert "http://127.0.0.1:$WEB_PORT/ok/reuse"
run sitrep --as alice update 1 --audience internal -m "Internal, opening the connection."
is_rc 0 "an internal update for the site's channel"
run sitrep --as alice update 1 --audience customers -m "Fourth."
is_rc 0 "a fourth customer update"
q "UPDATE outbox SET next_at = next_at + 2000 WHERE update_id = (SELECT max(id) FROM updates)
   AND subscriber_id IS NOT NULL" || bail "cannot delay the subscriber's rows"
"$SITREP_BIN/sitrep" deliver >/dev/null 2>&1 &
DPID=$!
reuse_done() {
	[ "$(q "SELECT count(*) FROM outbox WHERE update_id = (SELECT max(id) FROM updates)
	       AND subscriber_id IS NOT NULL AND state = 'pending'")" = 0 ]
}
wait_until 60 reuse_done || diag "the subscriber's rows were not tried"
kill -TERM "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
is "$(hits /ok/reuse)" 0 \
	"a cached connection to the same host did not carry the subscriber's POST"
like "$(q "SELECT last_error FROM outbox WHERE recipient = 'http://127.0.0.1:$WEB_PORT/ok/reuse'")" \
	"address 127\.0\.0\.1 is not allowed \(loopback\)" "and its row says which address was refused"
sitrep unsubscribe "http://127.0.0.1:$WEB_PORT/ok/reuse" >/dev/null 2>&1 || bail "cannot unsubscribe"
set_conf "$NOALLOW"

# The site's own channel on loopback is the operator's choice: not checked.
run sitrep --as alice update 1 --audience internal -m "Internal."
is_rc 0 "an internal update is published"
run sitrep deliver --once
is "$(hits /ok/ops)" 2 "the site's webhook channel on loopback is delivered without an allow-list entry (here and above)"

# A redirect is never followed, even to an address that is allowed.
set_conf "$ALLOW"
REDIR="http://127.0.0.1:$WEB_PORT/redirect/307/x?to=http://127.0.0.1:$WEB_PORT/ok/redirected"
run sitrep subscribe webhook "$REDIR"
is_rc 0 "a webhook that answers with a redirect is subscribed"
run sitrep --as alice update 1 --audience customers -m "Fourth."
run sitrep deliver --once
is "$(hits /redirect/307/x):$(hits /ok/redirected)" "1:0" "its redirect is not followed"
is "$(q "SELECT state || ' ' || last_error FROM outbox WHERE recipient = '$REDIR'")" \
	"dead HTTP 307 (after 1 attempts)" "the 307 is a failed attempt"
sitrep unsubscribe "$REDIR" >/dev/null 2>&1 || bail "cannot unsubscribe"

# ============================================================ 3. double opt-in, and no answer that tells

# sitrepd serves the public form and sends what is queued.
# (every form here comes from 127.0.0.1: no rate limit for this test)
sed -i 's/^http = { listen = "127\.0\.0\.1:8080"; };/http = { listen = "127.0.0.1:0"; subscribe_burst = 100000; };/' sitrep.conf
grep -q '^http = { listen = "127.0.0.1:0"; subscribe_burst = 100000; };' sitrep.conf || bail "cannot set http.listen"
set_conf "$ALLOW"
SPID=
start_sitrepd() {
	local i line
	SLOG="$TEST_TMP/sitrepd.log"
	"$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" 2>"$SLOG" </dev/null &
	SPID=$!
	for ((i = 0; i < 400; i++)); do
		line=$(grep -Eo 'status page: http://.*:[0-9]+/$' "$SLOG" | tail -n 1)
		if [ -n "$line" ]; then
			BASE=${line#status page: }
			BASE=${BASE%/}
			return 0
		fi
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	diag "sitrepd did not start: $(cat "$SLOG")"
	return 1
}
_t11_exit() {
	local rc=$?
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t11_exit EXIT
start_sitrepd || bail "cannot start sitrepd"

# req CURL-ARGS...: one request; its status in CODE and body in BODY.
req() {
	CODE=$(curl -sS --max-time 10 -o "$TEST_TMP/body" -w '%{http_code}' "$@" 2>&1) || CODE="curl failed: $CODE"
	BODY=$(cat "$TEST_TMP/body" 2>/dev/null)
}
# mails_to ADDR: how many messages the SMTP server stored for ADDR.
mails_to() {
	if [ -f "$MAILDIR/index.jsonl" ]; then
		jq -r --arg a "$1" 'select(.rcpt_tos | index($a)) | .file' "$MAILDIR/index.jsonl" | wc -l
	else
		echo 0
	fi
}
mails_to_are() {
	[ "$(mails_to "$1")" = "$2" ]
}
# last_mail_to ADDR: the file of the newest message to ADDR.
last_mail_to() {
	jq -r --arg a "$1" 'select(.rcpt_tos | index($a)) | .file' "$MAILDIR/index.jsonl" | tail -n 1
}
sub_col() {
	q "SELECT $2 FROM subscribers WHERE address = '$1' ORDER BY id DESC LIMIT 1"
}

req -X POST -d 'kind=email&address=reader%40example.net' "$BASE/subscribe"
FIRST="$CODE|$BODY"
like "$CODE" '^2[0-9][0-9]$' "POST /subscribe with an e-mail address succeeds"
is "$(sub_col reader@example.net "coalesce(confirmed_at, 'unconfirmed')")" unconfirmed \
	"the e-mail subscriber starts unconfirmed"
ok "a confirmation mail reaches the address" wait_until 60 mails_to_are reader@example.net 1
M="$MAILDIR/$(last_mail_to reader@example.net)"
MAILTEXT=$(/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["Subject"]); print(m.get_body().get_content())' "$M")
like "$MAILTEXT" "^Confirm your subscription to " "its subject asks to confirm"
CTOKEN=$(grep -Eo 'subscribe/confirm\?token=[0-9a-f]{32}' <<<"$MAILTEXT" | head -n 1 | sed 's/.*=//')
like "$CTOKEN" '^[0-9a-f]{32}$' "it carries a /subscribe/confirm link with a token"
isnt "$CTOKEN" "$(sub_col reader@example.net token)" "the confirmation token is not the unsubscribe token"

run sitrep --as alice update 1 --audience customers -m "While unconfirmed."
is_rc 0 "a customer update is published while the address is unconfirmed"
is "$(q "SELECT count(*) FROM outbox WHERE subscriber_id = $(sub_col reader@example.net id)")" 0 \
	"nothing is queued for an unconfirmed subscriber"

req -X POST -d 'kind=email&address=reader%40example.net' "$BASE/subscribe"
is "$CODE|$BODY" "$FIRST" "subscribing the address again gets the very same answer"
is "$(q "SELECT count(*) FROM outbox WHERE recipient = 'reader@example.net'")" 1 \
	"and no second confirmation mail within the hour"

req "$BASE/subscribe/confirm?token=$CTOKEN"
is "$CODE" 200 "GET of the confirmation link: 200"
like "$BODY" "<form method=\"post\" action=\"confirm\\?token=$CTOKEN\">" "it shows a button that posts the confirmation"
is "$(sub_col reader@example.net "coalesce(confirmed_at, 'unconfirmed')")" unconfirmed \
	"a GET alone (a mail scanner) confirms nothing"
req -X POST "$BASE/subscribe/confirm?token=$CTOKEN"
is "$CODE" 200 "POST of the confirmation link: 200"
like "$BODY" "<h1>Subscribed</h1>" "the page says subscribed"
like "$(sub_col reader@example.net "coalesce(confirmed_at, 'unconfirmed')")" '^[0-9]+$' "the subscriber is confirmed"
req -X POST "$BASE/subscribe/confirm?token=$CTOKEN"
is "$CODE" 404 "the link works once"
req -X POST "$BASE/subscribe/confirm?token=nothex"
is "$CODE" 404 "a malformed token: 404"

run sitrep --as alice update 1 --audience customers -m "Now confirmed."
is_rc 0 "a customer update is published after the confirmation"
ok "the confirmed subscriber gets it" wait_until 60 mails_to_are reader@example.net 2

req -X POST -d 'kind=email&address=reader%40example.net' "$BASE/subscribe"
is "$CODE|$BODY" "$FIRST" "subscribing a confirmed address again: the very same answer"
is "$(q "SELECT count(*) FROM outbox WHERE recipient = 'reader@example.net' AND update_id IS NULL")" 1 \
	"and nothing is sent to it"

# An unconfirmed subscription ends after 24 hours: the next subscribe ends it.
req -X POST -d 'kind=email&address=late%40example.net' "$BASE/subscribe"
like "$CODE" '^2[0-9][0-9]$' "another address subscribes"
ok "its confirmation mail arrives" wait_until 60 mails_to_are late@example.net 1
LTOKEN=$(grep -Eo 'subscribe/confirm\?token=[0-9a-f]{32}' "$MAILDIR/$(last_mail_to late@example.net)" | head -n 1 | sed 's/.*=//')
late_state() {
	[ "$(sub_col late@example.net "coalesce(disabled_reason, 'active')")" = "not confirmed in time" ]
}
q "UPDATE subscribers SET created_at = created_at - 25 * 3600 * 1000 WHERE address = 'late@example.net'"
ok "left unconfirmed for 24 hours, sitrepd's scheduler ends it" wait_until 30 late_state
req -X POST "$BASE/subscribe/confirm?token=$LTOKEN"
is "$CODE" 404 "its link no longer confirms"

# The operator's subscribe is taken at once, and told of a repeat.
run sitrep subscribe email ops@example.net --json
is "$RC:$(jq -c .confirmed <<<"$OUT")" "0:true" "sitrep subscribe email: confirmed at once"
is "$(q "SELECT count(*) FROM outbox WHERE recipient = 'ops@example.net'")" 0 "with no confirmation mail"
run sitrep subscribe email ops@example.net
is "$RC" 1 "the operator is told the address is already subscribed"

# A webhook URL subscribed twice through the form: two subscriptions, each
# with its own secret; the second answer hands out nothing of the first.
HOOK="http://127.0.0.1:$WEB_PORT/ok/twice"
req -X POST --data-urlencode kind=webhook --data-urlencode "address=$HOOK" "$BASE/subscribe"
C1=$CODE
S1=$(grep -Eo 'whsec_[A-Za-z0-9+/=]+' <<<"$BODY" | head -n 1)
req -X POST --data-urlencode kind=webhook --data-urlencode "address=$HOOK" "$BASE/subscribe"
S2=$(grep -Eo 'whsec_[A-Za-z0-9+/=]+' <<<"$BODY" | head -n 1)
is "$C1:$CODE" "201:201" "the same webhook URL twice: the same status"
ok "each answer shows a secret, and they differ" eval '[ -n "$S1" ] && [ -n "$S2" ] && [ "$S1" != "$S2" ]'
is "$(q "SELECT count(*) FROM subscribers WHERE address = '$HOOK' AND disabled_at IS NULL")" 2 \
	"two active subscriptions"

# ============================================================ 4. internationalised addresses (RFC 6531)

req -X POST --data-urlencode kind=email --data-urlencode 'address=jürgen.self@example.org' "$BASE/subscribe"
like "$CODE" '^2[0-9][0-9]$' "POST /subscribe takes a UTF-8 local part (jürgen.self@example.org)"
req -X POST --data-urlencode kind=email --data-urlencode 'address=user@bücher.example' "$BASE/subscribe"
like "$CODE" '^2[0-9][0-9]$' "and an internationalised domain (user@bücher.example)"
ok "the confirmation to jürgen.self@example.org arrives" wait_until 60 mails_to_are 'jürgen.self@example.org' 1
is "$(jq -c --arg a 'jürgen.self@example.org' 'select(.rcpt_tos | index($a)) | [.smtputf8, .mail_options]' "$MAILDIR/index.jsonl")" \
	'[true,["SIZE='"$(jq -r --arg a 'jürgen.self@example.org' 'select(.rcpt_tos | index($a)) | .size' "$MAILDIR/index.jsonl")"'","SMTPUTF8"]]' \
	"sent with SMTPUTF8, the relay offering it"
ok "the confirmation to user@bücher.example arrives" wait_until 60 mails_to_are 'user@bücher.example' 1
is "$(jq -c --arg a 'user@bücher.example' 'select(.rcpt_tos | index($a)) | .smtputf8' "$MAILDIR/index.jsonl")" true \
	"sent with SMTPUTF8 too, the domain as it was given (RFC 6531 allows a U-label)"
# RFC 6532: the header carries the address in UTF-8 as it is.
is "$(/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_string(open(sys.argv[1], "rb").read().decode("utf-8"), policy=email.policy.SMTPUTF8)
print(m["To"].addresses[0].addr_spec, len(m.defects))' "$MAILDIR/$(last_mail_to 'jürgen.self@example.org')")" \
	"jürgen.self@example.org 0" "its To: header is the UTF-8 address, and the message has no defects"
kill -TERM "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=

# A relay that does not offer SMTPUTF8: those rows are dead, saying why,
# before anything is sent; ASCII addresses go as before.
start_smtprecv plain --no-smtputf8 || bail "cannot start the SMTP server without SMTPUTF8"
MAIL_PORT=$SMTP_PORT
set_conf "$ALLOW"
run sitrep subscribe email 'grüße@example.org'
is_rc 0 "sitrep subscribe email takes grüße@example.org"
run sitrep subscribe email 'ops@müller.example'
is_rc 0 "and ops@müller.example"
# With sitrepd stopped, the next subscribe ends what was left unconfirmed.
q "UPDATE subscribers SET created_at = created_at - 25 * 3600 * 1000 WHERE address = 'user@bücher.example'"
run sitrep subscribe email 'next@example.org'
is "$RC:$(sub_col 'user@bücher.example' "coalesce(disabled_reason, 'active')")" "0:not confirmed in time" \
	"left unconfirmed for 24 hours, it is ended at the next subscribe"
run sitrep --as alice update 1 --audience customers -m "To a relay without SMTPUTF8."
is_rc 0 "a customer update is published"
run sitrep deliver --once
is_rc 0 "deliver --once exits 0"
is "$(q "SELECT group_concat(recipient || ' ' || state || ' ' || coalesce(last_error, '-'), '|') FROM (SELECT * FROM outbox
	WHERE update_id = (SELECT max(id) FROM updates) AND subscriber_id IS NOT NULL AND type = 'email' ORDER BY id)")" \
	"reader@example.net sent -|ops@example.net sent -|grüße@example.org dead the mail relay does not offer SMTPUTF8 (RFC 6531), which the address 'grüße@example.org' needs: use a relay that does|ops@müller.example dead the mail relay does not offer SMTPUTF8 (RFC 6531), which the address 'ops@müller.example' needs: use a relay that does|next@example.org sent -" \
	"the ASCII addresses are sent; the UTF-8 ones are dead with the precise reason"
is "$(jq -r '.rcpt' "$TEST_TMP/plain/mail/rcpt.jsonl" | sort | tr '\n' ' ')" "next@example.org ops@example.net reader@example.net " \
	"the relay without SMTPUTF8 was never given a UTF-8 address"
