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

plan 24
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
	[ "$RC" = 2 ] && [[ $ERR == "sitrep: webhook URL '$url': "*" is not allowed ("*"); see delivery.allow in sitrep.conf(5)" ]] ||
		{ fail "subscribing $url is refused"; diag "exit $RC: $ERR"; continue; }
	pass "subscribing $url is refused, naming delivery.allow"
done
run sitrep subscribe webhook "http://user:pass@hooks.example.com/x"
is "$RC:$ERR" "2:sitrep: webhook URL 'http://user:pass@hooks.example.com/x' has a user name or password (user:password@host); a webhook is authenticated by its signature: remove it" \
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
	q "INSERT INTO subscribers (kind, address, secret, token, created_at)
	   VALUES ('webhook', '$1', 'whsec_$(head -c 24 /dev/urandom | base64)',
	           lower(hex(randomblob(16))), 0)"
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

# The site's own channel on loopback is the operator's choice: not checked.
run sitrep --as alice update 1 --audience internal -m "Internal."
is_rc 0 "an internal update is published"
run sitrep deliver --once
is "$(hits /ok/ops)" 1 "the site's webhook channel on loopback is delivered without an allow-list entry"
