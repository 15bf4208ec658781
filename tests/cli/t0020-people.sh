#!/bin/bash
# t0020-people.sh: `sitrep people` and `sitrep page --test` against real
# loopback receivers: people lists each person's contacts (a webhook's URL
# and secret never, only where they come from), notify rules, rosters,
# the schedules they are on and who is on call, and the last delivery to
# each contact; page --test sends to every contact at once, reaches an
# SMTP sink and a signed webhook (verified with the official Standard
# Webhooks library), carries a link that a real sitrepd answers "your link
# works" without acknowledging anything, reports a bouncing address dead
# with the 550, lets a running sitrepd deliver, and refuses an unknown
# handle with the store unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

for tool in curl jq sqlite3 git; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
if ! webhooks_usable; then
	echo "1..0 # SKIP $WEBHOOKS_WHY"
	exit 0
fi
if ! smtp_usable; then
	echo "1..0 # SKIP $SMTP_WHY"
	exit 0
fi
if [ ! -x "$SITREP_BIN/sitrepd" ]; then
	echo "1..0 # SKIP no sitrepd in SITREP_BIN"
	exit 0
fi

plan 64
tmp_workspace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'

start_httprecv web || bail "cannot start the HTTP receiver"
start_smtprecv mail || bail "cannot start the SMTP server"
LOG="$TEST_TMP/web/requests.jsonl"
MAILDIR="$TEST_TMP/mail/mail"
H="http://127.0.0.1:$HTTP_PORT"

SPID=
_t20_exit() {
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
trap _t20_exit EXIT

q() {
	sqlite3 sitrep.db "$@"
}

# outbox_state: a digest of the outbox, to show a refusal queued nothing.
outbox_state() {
	q 'SELECT * FROM outbox ORDER BY id' | sha256sum | cut -c1-12
}

# req CURL-ARGS... URL: the status in CODE, the body in BODY.
req() {
	local rb="$TEST_TMP/resp.body"
	: >"$rb"
	CODE=$(curl -sS --max-time 10 -o "$rb" -w '%{http_code}' "$@" 2>"$TEST_TMP/resp.err") ||
		CODE="curl failed: $(cat "$TEST_TMP/resp.err")"
	BODY=$(cat "$rb" 2>/dev/null)
}

# hook_posts PATH: the receiver's log lines for POSTs to PATH.
hook_posts() {
	jq -c --arg p "$1" 'select(.method == "POST" and .path == $p)' "$LOG" 2>/dev/null
}

# whv SECRET FILE: the official Standard Webhooks check of every POST in
# FILE (its "ok" lines kept out of the TAP stream).
whv() {
	whverify "$1" <"$2" >"$TEST_TMP/whv.out" 2>&1 || { diag "$(cat "$TEST_TMP/whv.out")"; return 1; }
}

# ============================================================ setup

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
[ -s paging.key ] || bail "sitrep init wrote no paging.key"
SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export ANA_PUSH_URL="$H/ok/ana-phone" ANA_PUSH_SECRET="$SECRET"
export BOB_PUSH_URL="$H/always500/bob-phone"
printf '%s\n' "$H/ok/dana-phone" >"$TEST_TMP/dana.url"
CONF_MAIL_PORT=$SMTP_PORT CONF_DANA_URL="$TEST_TMP/dana.url" /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n1 = re.subn(r'listen = "127\.0\.0\.1:8080"', 'listen = "127.0.0.1:0"', t)
t, n2 = re.subn(r"^people = \(.*?^\);\n", lambda m: """people = (
  { handle = "ana"; name = "Ana Lima"; tier = "L1";
    contacts = (
      { id = "mail";  type = "email";   address = "ana@t20.test"; },
      { id = "phone"; type = "webhook"; url_env = "ANA_PUSH_URL"; secret_env = "ANA_PUSH_SECRET"; }
    );
    notify = (
      { contact = "mail";  after = "0m"; },
      { contact = "phone"; after = "2m"; min_severity = "SEV2"; }
    );
  },
  { handle = "bob"; name = "Bob Okafor"; tier = "L2";
    contacts = (
      { id = "mail";  type = "email";   address = "permfail@t20.test"; },
      { id = "phone"; type = "webhook"; url_env = "BOB_PUSH_URL"; }
    );
  },
  { handle = "carol"; name = "Carol Diaz"; email = "carol@t20.test"; tier = "L3"; },
  { handle = "dana"; name = "Dana Wu";
    contacts = ( { id = "push"; type = "webhook"; url_file = "%s"; } );
  },
  { handle = "erin"; name = "Erin Vendor"; }
);
""" % os.environ["CONF_DANA_URL"], t, flags=re.S | re.M)
t, n3 = re.subn(r'smtp_url = "smtp://127\.0\.0\.1:25"', 'smtp_url = "smtp://127.0.0.1:%s"' % os.environ["CONF_MAIL_PORT"], t)
t, n4 = re.subn(r"^tiers = \{.*?^\};\n", """tiers = {
  L1 = [ "ana" ];
  L2 = { people = [ "bob" ]; schedules = [ "ops" ]; };
};
""", t, flags=re.S | re.M)
assert n1 == n2 == n4 == 1 and n3 >= 1, (n1, n2, n3, n4)
t += 'delivery = { timeout = "3s"; retries = 2; backoff = [ "10m" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
run sitrep outbox
[ "$RC" = 0 ] || bail "the rewritten sitrep.conf is not valid: $ERR"
# a schedule: dana then carol, a week each, from a week ago: dana now
start=$(date -u -d '-1 day' '+%Y-%m-%d %H:00')
cat >playbooks/ops.schedule <<EOF
time_zone = "UTC";
rotation = { people = [ "dana", "carol" ]; length = "1w"; start = "$start"; };
EOF
git_commit playbooks "ops schedule" || bail "cannot commit the schedule"
run sitrep schedule validate
[ "$RC" = 0 ] || bail "the schedule is not valid: $OUT $ERR"

# ============================================================ people

run sitrep people
is_rc 0 "sitrep people"
has_line "$OUT" '^HANDLE +NAME +TIER +ROSTERS +SCHEDULES +ON CALL NOW$' && pass "a table of people" ||
	{ fail "a table of people"; diag "$OUT"; }
like "$OUT" $'\nana +Ana Lima +L1 +L1 +- +no\n' "ana: name, tier, roster, no schedule, not on call"
like "$OUT" $'\ndana +Dana Wu +- +L2 via ops +ops +ops until ' "dana: on L2 through the ops schedule, on call now until the handoff"
like "$OUT" $'\ncarol +Carol Diaz +L3 +L2 via ops, L3 +ops +no\n' "carol: on L3, and on L2 through the ops schedule, not on call now"
like "$OUT" $'\nana/mail +email +ana@t20\\.test via paging-mail +at once +never\n' \
	"ana's e-mail contact: address, channel, rule, never notified yet"
like "$OUT" $'\nana/phone +webhook +URL from \\$ANA_PUSH_URL, signed \\(\\$ANA_PUSH_SECRET\\) +after 2m, SEV1-SEV2 +never' \
	"ana's webhook: where its URL and secret come from, after 2m from SEV2"
like "$OUT" $'\ndana/push +webhook +URL from file [^ ]*dana\\.url, unsigned ' "dana's webhook from a file, unsigned"
like "$OUT" $'\ncarol/email +email +carol@t20\\.test' "carol's e-mail address is her contact"
unlike "$OUT$ERR" "$(quotemeta "$H")" "no webhook URL is printed"
unlike "$OUT$ERR" "$(quotemeta "${SECRET#whsec_}")" "no secret is printed"
run sitrep people --json
is_rc 0 "sitrep people --json"
is "$(jq -r '[.people[].handle] | join(" ")' <<<"$OUT")" "ana bob carol dana erin" "every person"
is "$(jq -c '.people[] | select(.handle == "ana") | .contacts[1] | [.contact, .type, .url_env, .secret_env, .notify[0].after, .notify[0].min_severity]' <<<"$OUT")" \
	'["ana/phone","webhook","ANA_PUSH_URL","ANA_PUSH_SECRET",120,"SEV2"]' "ana's webhook as JSON: variables, not values"
is "$(jq -c '.people[] | select(.handle == "dana") | [.on_call, .schedules[0].name, .schedules[0].on_call, (.schedules[0].until != null), .rosters]' <<<"$OUT")" \
	'[true,"ops",true,true,["L2 via ops"]]' "dana on call for ops as JSON"
is "$(jq -c '.people[] | select(.handle == "erin") | [.contacts, .on_call, .tier]' <<<"$OUT")" '[[],false,null]' "erin: no contact"
unlike "$OUT" "$(quotemeta "$H")" "no URL in the JSON"

# ============================================================ page --test, delivered here

before=$(outbox_state)
refused 1 "no person 'nobody'.*sitrep people" "an unknown handle" sitrep page --test nobody
is "$(outbox_state)" "$before" "an unknown handle queues nothing"
refused 1 "'erin' has no contact" "a person without a contact" sitrep page --test erin
run sitrep page --test ana extra
is_rc 2 "page --test with another argument is a usage error"

run sitrep page --test ana
is_rc 0 "page --test ana: every contact reached, exit 0"
like "$OUT" $'\nana/mail +email +sent' "her e-mail: sent"
like "$OUT" $'\nana/phone +webhook +sent' "her webhook (notified only after 2m in a page): sent at once"
LINK=$(grep -Eo 'http://[^ ]*/ack/0\.ana\.[0-9]+\.[A-Za-z0-9_-]{43}' <<<"$OUT" | head -n 1)
like "$LINK" '^http://127\.0\.0\.1:8080/ack/0\.ana\.' "the output shows the test link: page 0, for ana"
is "$(q "SELECT count(*) FROM outbox WHERE contact LIKE 'ana/%' AND incident_id IS NULL AND page_id IS NULL AND state = 'sent'")" 2 \
	"two outbox rows, with the contact and no incident or page, sent"
is "$(q 'SELECT count(*) FROM pages')" 0 "no page was made"
is "$(jq -s 'length' "$MAILDIR/index.jsonl" 2>/dev/null)" 1 "the SMTP sink got one message"
MAIL=$(cat "$MAILDIR/0001.eml" 2>/dev/null | tr -d '\r')
MAILTEXT=$(/usr/bin/python3 -c 'import email, sys; m = email.message_from_binary_file(open(sys.argv[1], "rb")); print(m.get_payload(decode=True).decode())' "$MAILDIR/0001.eml" 2>&1)
like "$MAIL" $'\nSubject: \\[PAGE TEST\\] test page for Ana Lima \\(ana\\) through mail \\(email\\)' "its subject says [PAGE TEST]"
like "$MAIL" $'\nTo: <?ana@t20\\.test' "to ana's address"
like "$MAILTEXT" "^test page for Ana Lima \\(ana\\) through mail \\(email\\)\\." "its text says it is a test page"
like "$MAILTEXT" "here: $(quotemeta "$LINK")" "with the link"
hook_posts /ok/ana-phone >"$TEST_TMP/ana.jsonl"
is "$(wc -l <"$TEST_TMP/ana.jsonl" | tr -d ' ')" 1 "the webhook receiver got one POST"
ok "its Standard Webhooks signature verifies with ana's secret" whv "$SECRET" "$TEST_TMP/ana.jsonl"
HOOK=$(jq -r '.body' "$TEST_TMP/ana.jsonl")
is "$(jq -c '[.type, .data.incident, .data.page, .data.person]' <<<"$HOOK")" '["incident.page_test",null,null,"ana"]' \
	"event incident.page_test, no incident, no page, for ana"
is "$(jq -r '.data.ack_url' <<<"$HOOK")" "$LINK" "the webhook carries the same link"

run sitrep people --json
is "$(jq -r '.people[] | select(.handle == "ana") | .contacts | map(.last_delivery.state) | join(" ")' <<<"$OUT")" "sent sent" \
	"people: the last delivery to each of ana's contacts was sent"
run sitrep people
like "$OUT" $'\nana/mail +email .* sent [^\n]*\n' "people's table says sent"

# ============================================================ the link against sitrepd

start_sitrepd || bail "cannot start sitrepd"
before=$(store_state)
ob=$(outbox_state)
req "$BASE/ack/${LINK##*/ack/}"
is "$CODE" 200 "GET the test link: 200"
like "$BODY" 'test page for Ana Lima \(ana\): your link works' "it says the link works"
req -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data action=ack "$BASE/ack/${LINK##*/ack/}"
is "$CODE" 200 "POST Acknowledge on it: 200"
like "$BODY" 'nothing was acknowledged' "and it acknowledges nothing"
is "$(store_state)|$(outbox_state)" "$before|$ob" "the store is unchanged"
forged="${LINK##*/ack/}"
forged="${forged%?}$([ "${forged: -1}" = A ] && echo B || echo A)"
req "$BASE/ack/$forged"
is "$CODE" 403 "a forged test link: 403"
other=$(sed -E 's/^0\.ana\./0.bob./' <<<"${LINK##*/ack/}")
req "$BASE/ack/$other"
is "$CODE" 403 "ana's test link with bob's name: 403"

# ============================================================ failures, sitrepd delivering

run sitrep page --test bob
is_rc 1 "page --test bob: not every contact reached, exit 1"
like "$OUT" '(sent by sitrepd)' "sitrepd held the delivery lock and sent it"
like "$OUT" $'\nbob/mail +email +dead \\(message [0-9]+\\): [^\n]*550' "the bouncing address: dead with the 550"
like "$OUT" $'\nbob/phone +webhook +retrying \\(message [0-9]+\\): [^\n]*500' "the failing webhook: retrying with the 500"
like "$ERR" "did not reach 2 of bob's 2 contacts" "it says so"
run sitrep people
like "$OUT" $'\nbob/mail +email +permfail@t20\\.test[^\n]* dead [^\n]*: [^\n]*550' "people shows bob's e-mail dead with the 550"
like "$OUT" $'\nbob/phone +webhook [^\n]* retrying again at ' "and his webhook retrying"

run sitrep page --test dana
is_rc 0 "page --test dana through sitrepd: exit 0"
like "$OUT" $'\ndana/push +webhook +sent' "her webhook from a URL file: sent"
is "$(hook_posts /ok/dana-phone | wc -l | tr -d ' ')" 1 "the receiver got it"
stop_sitrepd

run sitrep page --test carol
is_rc 0 "page --test carol, with sitrepd stopped: delivered here"
like "$OUT" $'\ncarol/email +email +sent' "her e-mail (her address as the contact): sent"
is "$(jq -s 'length' "$MAILDIR/index.jsonl")" 2 "the SMTP sink has two messages (bob's bounced)"

run sitrep page --test ana --json
is_rc 0 "page --test --json"
is "$(jq -c '[.person, .all_sent, (.contacts | map(.state))]' <<<"$OUT")" '["ana",true,["sent","sent"]]' "as JSON"
