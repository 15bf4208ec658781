#!/bin/bash
# t0006-delivery.sh: the outbox and `sitrep deliver` against real servers on
# loopback (tests/cli/servers): one customer update fanned out to a signed
# webhook, Slack, Teams, Discord and e-mail (SMTP AUTH) channels and to
# webhook and e-mail subscribers (component filters honoured), each request
# checked at the receiver (Standard Webhooks signatures verified by the
# official library, payload shapes, RFC 5322 mail parsed by Python's email
# package); failures (500 once, 429 with Retry-After, a timeout, a refused
# connection, 410 Gone, retries spent, SMTP 451 and 550) with the states,
# attempts and times they leave, and `outbox retry`; one attempt per row per
# `deliver --once`; a proxy named in the environment used; nothing sent to
# who unsubscribed; bad input refused with the store unchanged; one engine
# per store and SIGTERM; a SIGKILLed engine at 2,000 recipients resumed
# with nothing lost and repeats keeping their webhook-id; and no leaks
# under valgrind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

if ! webhooks_usable; then
	echo "1..0 # SKIP $WEBHOOKS_WHY"
	exit 0
fi
if ! smtp_usable; then
	echo "1..0 # SKIP $SMTP_WHY"
	exit 0
fi

plan 231
tmp_workspace
# Every request goes straight to loopback, whatever proxy the caller uses,
# except where a test names one.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv proxy || bail "cannot start the receiver that plays a proxy"
PROXY_PORT=$HTTP_PORT
start_httprecv web || bail "cannot start the HTTP receiver"
start_smtprecv mail || bail "cannot start the SMTP server"
MAIL_PORT=$SMTP_PORT
start_smtprecv authmail --user status --password 's3cret pass' || bail "cannot start the SMTP server with AUTH"
AUTHMAIL_PORT=$SMTP_PORT
LOG="$TEST_TMP/web/requests.jsonl"
MAILDIR="$TEST_TMP/mail/mail"          # workspace wf's mail
AUTHMAILDIR="$TEST_TMP/authmail/mail"  # workspace w1's, sent with AUTH
H="http://127.0.0.1:$HTTP_PORT"
PAGE_URL="http://127.0.0.1:8080/"

# A delivery engine the script started in the background (BG) is killed
# however the script ends; then the servers are stopped as servers.sh does.
# (Set after the last server starts: starting one sets servers.sh's trap.)
BG=
_t6_exit() {
	local rc=$?
	if [ -n "$BG" ]; then
		kill -KILL "$BG" 2>/dev/null
		wait "$BG" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t6_exit EXIT

# ------------------------------------------------------------ helpers

# q SQL...: a query on the current workspace's store (or on $DB).
q() {
	sqlite3 "${DB:-sitrep.db}" "$@"
}

# now_ms: the time in milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# sleep_until MS: sleep until the time MS, in milliseconds since the epoch.
sleep_until() {
	local d=$(($1 - $(now_ms)))
	if [ "$d" -gt 0 ]; then
		sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	fi
}

# new_secret: a fresh Standard Webhooks secret, whsec_ and 24 random bytes.
new_secret() {
	printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | base64)"
}

# closed_port: a loopback port nothing listens on (bound, then released).
closed_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# set_conf CHANNELS DELIVERY: replace the channels list of ./sitrep.conf
# with CHANNELS and set its delivery group to DELIVERY.
set_conf() {
	CH=$1 DL=$2 /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
# people's e-mail contacts need an e-mail channel (sitrep.conf(5), paging)
PAGING_MAIL = "" if 'type = "email"' in os.environ["CH"] else \
    (",\n" if os.environ["CH"].strip() else "") + \
    '  { id = "paging-mail"; type = "email"; audiences = [ ]; smtp_url = "smtp://127.0.0.1:9"; from = "s@example.com"; }'
t, n = re.subn(r"^channels = \(.*?^\);\n",
               lambda m: "channels = (\n" + os.environ["CH"] + PAGING_MAIL + "\n);\n",
               t, flags=re.S | re.M)
assert n == 1, "no channels list"
t = re.sub(r"^delivery = \{.*?\};\n", "", t, flags=re.S | re.M)
# the receivers are on loopback: subscribers' webhooks may reach them
t += "delivery = { allow = [ \"127.0.0.1/32\", \"::1/128\" ]; " + os.environ["DL"] + " };\n"
open(p, "w", encoding="utf-8").write(t)
EOF
	sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"
}

# whv SECRET FILE: whverify over the log lines in FILE (run gives commands
# /dev/null for stdin, so the lines come as a file).
whv() {
	whverify "$1" <"$2"
}

# reqs PATH: the receiver's log lines for PATH, in order (from $RLOG, a
# copy of the log, when set).
reqs() {
	jq -c --arg p "$1" 'select(.path == $p)' "${RLOG:-$LOG}"
}

# hits PATH: how many requests PATH got.
hits() {
	reqs "$1" | wc -l | tr -d ' '
}

# body PATH [N]: the body of PATH's Nth request (1st by default).
body() {
	reqs "$1" | sed -n "${2:-1}p" | jq -r '.body'
}

# whids PATH: the distinct webhook-ids PATH received, one a line.
whids() {
	reqs "$1" | jq -r '.headers["webhook-id"] // "-"' | sort -u
}

# row SQL-CONDITION COLUMNS: COLUMNS of the one outbox row matching.
row() {
	q "SELECT $2 FROM outbox WHERE $1"
}

# sql_true SQL: the query prints 1 (a condition for wait_until).
sql_true() {
	[ "$(q "$1")" = 1 ]
}

# counts: the outbox counts as sitrep outbox --json gives them, compact.
counts() {
	sitrep outbox --json | jq -c '.counts'
}

# dstate: a digest of the delivery tables, so a refused command can be
# shown to have changed nothing.
dstate() {
	printf '%s subscribers, %s outbox rows, rows %s' \
		"$(q 'SELECT count(*) FROM subscribers')" "$(q 'SELECT count(*) FROM outbox')" \
		"$(q 'SELECT * FROM subscribers ORDER BY id;
			SELECT * FROM subscriber_components ORDER BY subscriber_id, component;
			SELECT * FROM outbox ORDER BY id;
			SELECT count(*) FROM updates' | sha256sum | cut -c1-12)"
}

# drefused RC ERE DESC CMD...: CMD exits RC, says why on stderr (ERE), and
# leaves subscribers and the outbox as they were. Three tests.
drefused() {
	local rc=$1 re=$2 desc=$3 before
	shift 3
	before=$(dstate)
	run "$@"
	is_rc "$rc" "$desc (exit $rc)"
	like "$ERR" "$re" "$desc: the message says why"
	is "$(dstate)" "$before" "$desc: subscribers and outbox unchanged"
}

# eml FILE: the message parsed by Python's email package (policy.default),
# as one JSON object.
eml() {
	/usr/bin/python3 - "$1" <<'EOF'
import email, json, sys
from email import policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=policy.default)
def addrs(h):
    v = m[h]
    return None if v is None else [a.addr_spec for a in v.addresses]
def s(h):
    v = m[h]
    return None if v is None else str(v)
defects = [type(d).__name__ for d in m.defects]
for k in m.keys():
    defects += [type(d).__name__ for d in getattr(m[k], "defects", ())]
part = m.get_body(preferencelist=("plain",))
print(json.dumps({
    "from": addrs("From"),
    "from_name": m["From"].addresses[0].display_name if m["From"] else None,
    "to": addrs("To"),
    "subject": s("Subject"),
    "message_id": s("Message-ID"),
    "date": m["Date"].datetime.timestamp() if m["Date"] is not None and m["Date"].datetime else None,
    "list_unsubscribe": s("List-Unsubscribe"),
    "list_unsubscribe_post": s("List-Unsubscribe-Post"),
    "content_type": m.get_content_type(),
    "charset": m.get_content_charset(),
    "cte": s("Content-Transfer-Encoding"),
    "body": part.get_content() if part is not None else None,
    "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
    "long_lines": any(len(l) > 998 for l in raw.split(b"\r\n")),
    "defects": defects,
}, ensure_ascii=False))
EOF
}

# mail_file RCPT [N]: the Nth message (1st by default) either SMTP server
# stored whose envelope recipients are exactly RCPT.
mail_file() {
	local d
	for d in "$AUTHMAILDIR" "$MAILDIR"; do
		[ -s "$d/index.jsonl" ] || continue
		jq -r --arg r "$1" --arg d "$d" 'select(.rcpt_tos == [$r]) | "\($d)/\(.file)"' "$d/index.jsonl"
	done | sed -n "${2:-1}p"
}

# held_lock PID: PID holds an flock on ./sitrep.db-deliver.lock (from
# /proc/locks, without touching the lock).
held_lock() {
	local ino
	[ -e sitrep.db-deliver.lock ] || return 1
	ino=$(stat -c %i sitrep.db-deliver.lock)
	grep -Eq "FLOCK +ADVISORY +WRITE +$1 +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}

# wait_gone PID SECS: wait up to SECS for PID to exit; its exit code in
# WAIT_RC, and whether it exited in time as the return value.
wait_gone() {
	local pid=$1 i n=$(($2 * 20))
	for ((i = 0; i < n; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		WAIT_RC=killed
		return 1
	fi
	WAIT_RC=0
	wait "$pid" || WAIT_RC=$?
	return 0
}

TITLE="Störung — API ✓"
# The text has Slack's three control characters: <!here> would notify the
# whole channel unless escaped as Slack's formatting reference requires.
TEXT="Errors on the API are elevated — wir arbeiten daran ✓ <!here> R&D"
TEXT_SLACK="Errors on the API are elevated — wir arbeiten daran ✓ &lt;!here&gt; R&amp;D"

# ============================================================ 1. the happy path

W1="$TEST_TMP/w1"
sitrep init "$W1" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W1" || bail "no workspace"

HOOK_SECRET=$(new_secret)
WRONG_SECRET=$(new_secret)
export T1_HOOK_URL="$H/ok/w1-hook" T1_HOOK_SECRET="$HOOK_SECRET"
export T1_SLACK_URL="$H/ok/w1-slack" T1_TEAMS_URL="$H/ok/w1-teams"
export T1_DISCORD_URL="$H/ok/w1-discord" T1_OPS_URL="$H/ok/w1-ops"
export T1_SMTP_PASSWORD='s3cret pass'
set_conf "
  { id = \"hook\"; type = \"webhook\"; audiences = [ \"customers\" ];
    url_env = \"T1_HOOK_URL\"; secret_env = \"T1_HOOK_SECRET\"; },
  { id = \"slack\"; type = \"slack\"; audiences = [ \"customers\" ]; url_env = \"T1_SLACK_URL\"; },
  { id = \"teams\"; type = \"teams\"; audiences = [ \"customers\" ]; url_env = \"T1_TEAMS_URL\"; },
  { id = \"discord\"; type = \"discord\"; audiences = [ \"customers\" ]; url_env = \"T1_DISCORD_URL\"; },
  { id = \"ops\"; type = \"slack\"; audiences = [ \"internal\" ]; url_env = \"T1_OPS_URL\"; },
  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];
    smtp_url = \"smtp://127.0.0.1:$AUTHMAIL_PORT\"; from = \"status@example.com\";
    user = \"status\"; password_env = \"T1_SMTP_PASSWORD\";
    to = [ \"exec@example.com\" ]; }" \
	'timeout = "2s"; retries = 3; backoff = [ "1s" ]; concurrency = 64;'

# ------------------------------------------------------------ subscribers

run sitrep subscribe webhook "$H/ok/w1-sub1" --json
is_rc 0 "subscribe webhook --json exits 0"
S1_ID=$(jq -r '.id' <<<"$OUT")
S1_SECRET=$(jq -r '.secret' <<<"$OUT")
S1_TOKEN=$(jq -r '.unsubscribe_token' <<<"$OUT")
like "$S1_SECRET" '^whsec_[A-Za-z0-9+/]{32}$' "the subscriber's secret is whsec_ and 24 bytes of base64"
like "$S1_TOKEN" '^[0-9a-f]{32}$' "its unsubscribe token is 32 hex digits"
run sitrep subscribe webhook "$H/ok/w1-sub2" --component api
is_rc 0 "subscribe webhook (human output) with a matching component filter exits 0"
like "$OUT" "^subscriber [0-9]+: webhook $(quotemeta "$H/ok/w1-sub2") \(some components\)"$'\n'"signing secret \(shown once; [^)]*\): whsec_[A-Za-z0-9+/]{32}"$'\n'"unsubscribe token: [0-9a-f]{32}$" \
	"the human output shows the secret once and the token"
S2_ID=$(sed -n 's/^subscriber \([0-9]*\):.*/\1/p' <<<"$OUT")
S2_SECRET=$(sed -n 's/^signing secret.*: \(whsec_.*\)$/\1/p' <<<"$OUT")
isnt "$S2_SECRET" "$S1_SECRET" "each subscriber has its own secret"
run sitrep subscribe email cust1@example.com --json
is_rc 0 "subscribe email exits 0"
C1_ID=$(jq -r '.id' <<<"$OUT")
C1_TOKEN=$(jq -r '.unsubscribe_token' <<<"$OUT")
is "$(jq -c 'has("secret")' <<<"$OUT")" false "an e-mail subscriber has no signing secret"
run sitrep subscribe email cust2@example.com --component payments --json
is_rc 0 "subscribe email --component payments exits 0"
C2_ID=$(jq -r '.id' <<<"$OUT")
run sitrep subscribers --json
is "$(jq -c '[.[] | [.id, .kind, .address, .components]]' <<<"$OUT")" \
	"[[$S1_ID,\"webhook\",\"$H/ok/w1-sub1\",[]],[$S2_ID,\"webhook\",\"$H/ok/w1-sub2\",[\"api\"]],[$C1_ID,\"email\",\"cust1@example.com\",[]],[$C2_ID,\"email\",\"cust2@example.com\",[\"payments\"]]]" \
	"subscribers --json lists the four with their component filters"
is "$(jq -c 'map(has("secret")) | any' <<<"$OUT")" false "subscribers --json never shows a secret"

# ------------------------------------------------------------ one update, eight rows

# The UTF-8 title is the public one: it is what customers' channels carry.
run sitrep --as alice open outage --title "$TITLE" --public-title "$TITLE" --sev SEV3
is_rc 0 "alice opens INC-1 at SEV3 with a UTF-8 (public) title"
run sitrep --as alice update 1 --audience customers -m "$TEXT"
is_rc 0 "a customer update at SEV3 is published at once"
like "$OUT" "^UPD-1 published to customers: 8 messages queued" \
	"8 messages: 4 chat/webhook channels, the channel's 'to', 1 matching e-mail subscriber, 2 webhook subscribers"
is "$(q "SELECT group_concat(r, ' ') FROM (SELECT coalesce(channel, '-') || '/' || type || '/' ||
	coalesce(recipient, '-') || '/' || coalesce(subscriber_id, '-') || '/' || state AS r
	FROM outbox WHERE update_id = 1 ORDER BY id)")" \
	"hook/webhook/-/-/pending slack/slack/-/-/pending teams/teams/-/-/pending discord/discord/-/-/pending mail/email/exec@example.com/-/pending mail/email/cust1@example.com/$C1_ID/pending -/webhook/$H/ok/w1-sub1/$S1_ID/pending -/webhook/$H/ok/w1-sub2/$S2_ID/pending" \
	"one pending row per recipient per channel; none for the internal channel or the payments-only subscriber"
is "$(counts)" '{"pending":8,"retrying":0,"sent":0,"dead":0,"cancelled":0}' "outbox --json counts 8 pending"
is "$(q "SELECT count(DISTINCT msg_id) FROM outbox WHERE msg_id GLOB 'msg_[0-9a-f]*' AND length(msg_id) = 36")" 8 \
	"every row has its own msg_id, msg_ followed by 32 hex digits"

run sitrep deliver --once
is_rc 0 "deliver --once exits 0"
is "$OUT" "8 sent, 0 to retry, 0 dead" "deliver --once reports 8 sent"
is "$(counts)" '{"pending":0,"retrying":0,"sent":8,"dead":0,"cancelled":0}' "every row is sent"
is "$(q "SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts = 1 AND sent_at IS NOT NULL
	AND last_error IS NULL")" 8 "each after one attempt, with sent_at and no error"
is "$(q "SELECT group_concat(last_status, ' ') FROM (SELECT last_status FROM outbox ORDER BY id)")" \
	"204 204 204 204 250 250 204 204" "last_status: the receiver's 204, the SMTP server's 250"
run sitrep outbox --state sent --limit 3 --json
is "$(jq -c '[(.messages | length), (.messages | map(.state) | unique), .counts.sent]' <<<"$OUT")" '[3,["sent"],8]' \
	"outbox --state sent --limit 3 lists 3 sent rows and still counts all 8"
run sitrep outbox
is "$(head -n 1 <<<"$OUT")" "0 pending, 0 retrying, 8 sent, 0 dead" "outbox's first line counts the states"

# ------------------------------------------------------------ what the receiver got

is "$(jq -r 'select(.path | startswith("/ok/w1-")) | "\(.method) \(.path)"' "$LOG" | sort | tr '\n' ' ')" \
	"POST /ok/w1-discord POST /ok/w1-hook POST /ok/w1-slack POST /ok/w1-sub1 POST /ok/w1-sub2 POST /ok/w1-teams " \
	"the receiver got exactly one POST per HTTP recipient and nothing on the internal channel"
is "$(jq -r 'select(.path | startswith("/ok/w1-")) | .headers["content-type"]' "$LOG" | sort -u)" \
	"application/json" "every POST is application/json"
is "$(jq -r 'select(.path | startswith("/ok/w1-")) | "\(.headers["user-agent"]) \(.headers | has("expect"))"' "$LOG" | sort -u)" \
	"sitrep/$("$SITREP_BIN/sitrep" --version | cut -d' ' -f2) false" \
	"every POST says it is from sitrep and its version, and expects no 100 Continue"
is "$(whids /ok/w1-hook)" "$(row "channel = 'hook'" msg_id)" "the channel webhook's webhook-id is its row's msg_id"
is "$(whids /ok/w1-sub1)" "$(row "subscriber_id = $S1_ID" msg_id)" "subscriber 1's webhook-id is its row's msg_id"
is "$(whids /ok/w1-sub2)" "$(row "subscriber_id = $S2_ID" msg_id)" "subscriber 2's webhook-id is its row's msg_id"
ts=$(reqs /ok/w1-hook | jq -r '.headers["webhook-timestamp"]')
ok "webhook-timestamp is the current time in seconds" \
	test "$ts" -ge $(($(date +%s) - 60)) -a "$ts" -le $(($(date +%s) + 1))
like "$(reqs /ok/w1-hook | jq -r '.headers["webhook-signature"]')" '^v1,[A-Za-z0-9+/]{43}=$' \
	"webhook-signature is v1, and a base64 HMAC-SHA256"

run whv "$HOOK_SECRET" <(reqs /ok/w1-hook)
is "$RC:$OUT" "0:ok $(row "channel = 'hook'" msg_id)" "the channel's request verifies with its secret (standardwebhooks)"
run whv "$WRONG_SECRET" <(reqs /ok/w1-hook)
like "$RC:$OUT" "^1:bad msg_[0-9a-f]+ " "and fails with another secret"
run whv "$S1_SECRET" <(reqs /ok/w1-sub1)
is "$RC:$OUT" "0:ok $(row "subscriber_id = $S1_ID" msg_id)" "subscriber 1's request verifies with its own secret"
run whv "$S2_SECRET" <(reqs /ok/w1-sub2)
is "$RC:$OUT" "0:ok $(row "subscriber_id = $S2_ID" msg_id)" "subscriber 2's request verifies with its own secret"
run whv "$S1_SECRET" <(reqs /ok/w1-sub2)
like "$RC:$OUT" "^1:bad " "subscriber 2's request does not verify with subscriber 1's secret"
run whv "$HOOK_SECRET" <(reqs /ok/w1-sub1)
like "$RC:$OUT" "^1:bad " "a subscriber's request is not signed with the channel's secret"
is "$(reqs /ok/w1-slack | jq -c '.headers | has("webhook-signature")')" false \
	"Slack gets no webhook-signature (it has no secret)"

# ------------------------------------------------------------ payload shapes

b=$(body /ok/w1-hook)
is "$(jq -c '[.type, .data.incident.id, .data.incident.status, .data.incident.severity,
	.data.incident.impact, .data.incident.components, .data.incident.shortlink,
	.data.update.id, .data.update.kind, .data.update.audience]' <<<"$b")" \
	"[\"incident.update\",\"INC-1\",\"investigating\",\"SEV3\",\"minor\",[\"Public API\",\"Web application\",\"Login and SSO\"],\"${PAGE_URL}incidents/inc-1\",\"UPD-1\",\"update\",\"customers\"]" \
	"webhook: type incident.update, the incident's id, status, severity, impact, components, shortlink (the incident's page); the update's id"
is "$(jq -r '.data.incident.name' <<<"$b")" "$TITLE" "webhook: the UTF-8 title intact"
is "$(jq -r '.data.update.body' <<<"$b")" "$TEXT" "webhook: the update's text intact"
like "$(jq -r '[.timestamp, .data.update.published_at] | join(" ")' <<<"$b")" \
	'^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z) \1$' "webhook: timestamp is the ISO publication time"
is "$(body /ok/w1-sub1)" "$b" "a webhook subscriber gets the same event, byte for byte"

b=$(body /ok/w1-slack)
is "$(jq -c '[(.text | contains("INC-1") and contains($t)), (.blocks | length),
	.blocks[0].type, .blocks[0].text.type, .blocks[0].text.text == .text, .blocks[1].type,
	.blocks[1].elements[0].text]' --arg t "$TITLE" <<<"$b")" \
	"[true,2,\"section\",\"mrkdwn\",true,\"context\",\"${PAGE_URL}incidents/inc-1\"]" \
	"Slack: text with the incident and title, a mrkdwn section block and a context link"
is "$(jq -r '.text | split("\n")[1:] | join("\n")' <<<"$b")" "$TEXT_SLACK" \
	"Slack: the update's text follows, with &, < and > escaped as &amp; &lt; &gt; (Slack's control characters)"

b=$(body /ok/w1-teams)
is "$(jq -c '[.type, (.attachments | length), .attachments[0].contentType,
	.attachments[0].content.type, .attachments[0].content.version,
	([.attachments[0].content.body[].type] | unique),
	(.attachments[0].content.body[0].text | contains("INC-1") and contains($t)),
	.attachments[0].content.body[1].text == $m,
	.attachments[0].content.actions[0].url]' --arg t "$TITLE" --arg m "$TEXT" <<<"$b")" \
	"[\"message\",1,\"application/vnd.microsoft.card.adaptive\",\"AdaptiveCard\",\"1.4\",[\"TextBlock\"],true,true,\"${PAGE_URL}incidents/inc-1\"]" \
	"Teams: a message with one Adaptive Card 1.4 attachment: TextBlocks with headline and text, a link"

b=$(body /ok/w1-discord)
is "$(jq -c '[(.content | contains("INC-1") and (length <= 2000)), (.embeds | length),
	.embeds[0].title == $t, .embeds[0].description == $m, .embeds[0].url, .allowed_mentions]' \
	--arg t "$TITLE" --arg m "$TEXT" <<<"$b")" \
	"[true,1,true,true,\"${PAGE_URL}incidents/inc-1\",{\"parse\":[]}]" \
	"Discord: content, one embed with title, text and URL, and no mentions parsed"

# ------------------------------------------------------------ e-mail

is "$(jq -c '.rcpt_tos' "$AUTHMAILDIR/index.jsonl" | sort | tr '\n' ' ')" \
	'["cust1@example.com"] ["exec@example.com"] ' \
	"the SMTP server got one message each for the channel's 'to' and the matching subscriber"
is "$(jq -r '.mail_from' "$AUTHMAILDIR/index.jsonl" | sort -u)" "status@example.com" "the envelope sender is the channel's from"
is "$(jq -r '.auth_user' "$AUTHMAILDIR/index.jsonl" | sort -u)" "status" "both were sent after AUTH as the channel's user, with the password from password_env"
is "$(jq -r '.rcpt' "$AUTHMAILDIR/rcpt.jsonl" | grep -c cust2)" 0 "the payments-only subscriber was never a recipient"

f=$(mail_file exec@example.com)
m=$(eml "$f")
mid=$(row "recipient = 'exec@example.com'" msg_id)
is "$(jq -c '[.from, .from_name, .to, .content_type, .charset, .cte, .bare_lf, .long_lines, .defects]' <<<"$m")" \
	'[["status@example.com"],"Example Status",["exec@example.com"],"text/plain","utf-8","base64",false,false,[]]' \
	"mail to 'to': From with the page's name, To, UTF-8 text/plain in base64, CRLF lines, no defects"
is "$(jq -r '.subject' <<<"$m")" "[Example Status] INC-1 $TITLE: investigating" "its Subject decodes to the UTF-8 title"
is "$(jq -r '.message_id' <<<"$m")" "<$mid@example.com>" "its Message-ID is the row's msg_id at the from domain"
ok "its Date is now" test "$(jq -r '.date | floor' <<<"$m")" -ge $(($(date +%s) - 60))
ok "its body holds the update's text" eval '[[ $(jq -r .body <<<"$m") == *"$TEXT"* ]]'
is "$(jq -c '[.list_unsubscribe, .list_unsubscribe_post]' <<<"$m")" '[null,null]' \
	"no List-Unsubscribe headers for the channel's own address"

f=$(mail_file cust1@example.com)
m=$(eml "$f")
mid=$(row "recipient = 'cust1@example.com'" msg_id)
is "$(jq -c '[.from, .to, .content_type, .charset, .cte, .bare_lf, .long_lines, .defects]' <<<"$m")" \
	'[["status@example.com"],["cust1@example.com"],"text/plain","utf-8","base64",false,false,[]]' \
	"mail to the subscriber: From, To, UTF-8 base64 text, no defects"
is "$(jq -r '.subject' <<<"$m")" "[Example Status] INC-1 $TITLE: investigating" "its Subject decodes to the UTF-8 title"
is "$(jq -r '.message_id' <<<"$m")" "<$mid@example.com>" "its Message-ID is its own row's msg_id"
is "$(jq -r '.list_unsubscribe' <<<"$m")" "<${PAGE_URL}unsubscribe?token=$C1_TOKEN>" \
	"List-Unsubscribe is the page's one-click URL with the subscriber's token"
is "$(jq -r '.list_unsubscribe_post' <<<"$m")" "List-Unsubscribe=One-Click" "List-Unsubscribe-Post is One-Click (RFC 8058)"
ok "its body holds the update's text and the unsubscribe link" \
	eval '[[ $(jq -r .body <<<"$m") == *"$TEXT"*"unsubscribe?token=$C1_TOKEN"* ]]'

# ============================================================ 2. failures

WF="$TEST_TMP/wf"
sitrep init "$WF" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$WF" || bail "no workspace"
FAIL_SECRET=$(new_secret)
export TF_ONCE_URL="$H/fail-once/wf-once" TF_SECRET="$FAIL_SECRET"
export TF_RA_URL="$H/retry-after/2/wf-ra" TF_ALWAYS_URL="$H/always500/wf-always"
set_conf "
  { id = \"once\"; type = \"webhook\"; audiences = [ \"customers\" ];
    url_env = \"TF_ONCE_URL\"; secret_env = \"TF_SECRET\"; },
  { id = \"ra\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"TF_RA_URL\"; },
  { id = \"always\"; type = \"slack\"; audiences = [ \"customers\" ]; url_env = \"TF_ALWAYS_URL\"; },
  { id = \"mail\"; type = \"email\"; audiences = [ \"customers\" ];
    smtp_url = \"smtp://127.0.0.1:$MAIL_PORT\"; from = \"status@example.com\";
    to = [ \"tempfail-once+wf1@example.com\", \"permfail@example.com\" ]; }" \
	'timeout = "2s"; retries = 2; backoff = [ "1s" ]; concurrency = 64;'
run sitrep subscribe webhook "$H/gone/wf-gone" --json
G_ID=$(jq -r '.id' <<<"$OUT")
sitrep --as alice open outage --title "Failures" --sev SEV3 >/dev/null 2>&1 || bail "cannot open an incident"
run sitrep --as alice update 1 --audience customers -m "First"
like "$OUT" "6 messages queued" "6 rows: three HTTP channels, two 'to' addresses, the 410 subscriber"
ONCE=$(row "channel = 'once'" id)
RA=$(row "channel = 'ra'" id)
ALWAYS=$(row "channel = 'always'" id)
TEMP=$(row "recipient LIKE 'tempfail-once%'" id)
PERM=$(row "recipient = 'permfail@example.com'" id)
GONE=$(row "subscriber_id = $G_ID" id)

# rs ID: state/attempts/last_status of outbox row ID.
rs() {
	row "id = $1" "state || '/' || attempts || '/' || coalesce(last_status, '-')"
}

# Three runs of deliver --once, 1.5 s apart: the 500-once and 451-once
# rows (due 0.8 to 1.2 s after run 1) go out in run 2; the 429 row (due
# 2 s after run 1) waits for run 3. The store and the receiver's log are
# copied after runs 1 and 2 and checked after run 3, so that the checks
# take nothing from the timing.
T_RUN1=$(now_ms)
run sitrep deliver --once
RUN1="$RC:$OUT"
q ".backup '$TEST_TMP/wf-run1.db'"
cp "$LOG" "$TEST_TMP/wf-run1.jsonl"
# Run 2 when the rows retried after 1 s (+-20%) are due, before the 429
# row is (Retry-After: 2 s); run 3 when that one and always-500 are due.
sleep_until $(( $(q "SELECT max(next_at) FROM outbox WHERE id IN ($ONCE, $TEMP, $ALWAYS)") + 50 ))
T_RUN2=$(now_ms)
[ "$T_RUN2" -lt "$(row "id = $RA" next_at)" ] ||
	diag "run 2 starts after the 429 row is due: the machine is too slow for this check"
run sitrep deliver --once
RUN2="$RC:$OUT"
q ".backup '$TEST_TMP/wf-run2.db'"
cp "$LOG" "$TEST_TMP/wf-run2.jsonl"
sleep_until $(( $(q "SELECT max(next_at) FROM outbox WHERE id IN ($RA, $ALWAYS)") + 50 ))
run sitrep deliver --once
RUN3="$RC:$OUT"

# ------------------------------------------------------------ after run 1

DB="$TEST_TMP/wf-run1.db" RLOG="$TEST_TMP/wf-run1.jsonl"
is "$RUN1" "0:0 sent, 4 to retry, 2 dead" "run 1: nothing sent, 4 to retry, 2 dead"
is "$(rs "$ONCE")" "retrying/1/500" "500: retrying after one attempt"
is "$(row "id = $ONCE" last_error)" "HTTP 500" "its last_error says HTTP 500"
t=$(reqs /fail-once/wf-once | jq -r '.time * 1000 | floor')
d=$(($(row "id = $ONCE" next_at) - t))
ok "its next attempt is the 1 s backoff with jitter later ($d ms)" test "$d" -ge 700 -a "$d" -le 1500
is "$(rs "$RA")" "retrying/1/429" "429: retrying after one attempt"
t=$(reqs /retry-after/2/wf-ra | jq -r '.time * 1000 | floor')
d=$(($(row "id = $RA" next_at) - t))
ok "its next attempt is Retry-After's 2 s later, not the 1 s backoff ($d ms)" test "$d" -ge 1900 -a "$d" -le 2700
is "$(rs "$ALWAYS")" "retrying/1/500" "always 500: retrying after one attempt"
is "$(rs "$TEMP")" "retrying/1/451" "SMTP 451: retrying after one attempt"
like "$(row "id = $TEMP" last_error)" "451" "its last_error has the SMTP reply code"
is "$(rs "$PERM")" "dead/1/550" "SMTP 550: dead at once"
like "$(row "id = $PERM" last_error)" "550" "its last_error has the SMTP reply code"
is "$(rs "$GONE")" "dead/1/410" "410: dead at once"
like "$(row "id = $GONE" last_error)" "410" "its last_error says 410 Gone"
is "$(q "SELECT disabled_reason FROM subscribers WHERE id = $G_ID AND disabled_at IS NOT NULL")" \
	"disabled: its webhook answered 410 Gone" "the 410 disabled the subscriber in the same run"

# ------------------------------------------------------------ after run 2

DB="$TEST_TMP/wf-run2.db" RLOG="$TEST_TMP/wf-run2.jsonl"
is "$RUN2" "0:2 sent, 1 to retry, 0 dead" "run 2: the 500-once and the 451-once sent, always-500 retried"
is "$(rs "$ONCE")" "sent/2/200" "500 then 200: sent on the second attempt"
is "$(hits /fail-once/wf-once)" 2 "the receiver got it twice"
is "$(whids /fail-once/wf-once)" "$(row "id = $ONCE" msg_id)" "with the same webhook-id both times, the row's msg_id"
run whv "$FAIL_SECRET" <(reqs /fail-once/wf-once)
is "$RC:$(awk '{ print $1 }' <<<"$OUT" | tr '\n' ' ')" "0:ok ok " "both attempts carry a valid signature"
is "$(rs "$RA")" "retrying/1/429" "the 429 row was not due yet: untouched"
is "$(hits /retry-after/2/wf-ra)" 1 "and not sent again before Retry-After"
is "$(rs "$TEMP")" "sent/2/250" "451 once, then sent on the second attempt"
is "$(rs "$ALWAYS")" "retrying/2/500" "always 500: retrying after two attempts"
unset DB RLOG
is "$(jq -r 'select(.rcpt == "tempfail-once+wf1@example.com") | .code' "$MAILDIR/rcpt.jsonl" | tr '\n' ' ')" \
	"451 250 " "the SMTP server answered RCPT with 451, then 250"
m=$(eml "$(mail_file tempfail-once+wf1@example.com)")
is "$(jq -r '.message_id' <<<"$m")" "<$(row "id = $TEMP" msg_id)@example.com>" "the mail sent on retry has the row's Message-ID"
is "$(jq -r '.rcpt' "$MAILDIR/rcpt.jsonl" | grep -c '^permfail@')" 1 "the 550 recipient was tried exactly once"

# ------------------------------------------------------------ after run 3

is "$RUN3" "0:1 sent, 0 to retry, 1 dead" "run 3: the 429 row sent, always-500 dead"
is "$(rs "$RA")" "sent/2/200" "429 then 200 after Retry-After: sent on the second attempt"
is "$(whids /retry-after/2/wf-ra)" "$(row "id = $RA" msg_id)" "the same webhook-id on both attempts"
is "$(rs "$ALWAYS")" "dead/3/500" "retries = 2: dead after 3 attempts"
is "$(row "id = $ALWAYS" last_error)" "HTTP 500 (after 3 attempts)" "its last_error says so"
is "$(hits /always500/wf-always)" 3 "the receiver got exactly 3 attempts"
is "$(counts)" '{"pending":0,"retrying":0,"sent":3,"dead":3,"cancelled":0}' "outbox: 3 sent, 3 dead"
run sitrep subscribers --all --json
is "$(jq -c --argjson g "$G_ID" '.[] | select(.id == $g) | [has("disabled_at"), .disabled_reason]' <<<"$OUT")" \
	'[true,"disabled: its webhook answered 410 Gone"]' "subscribers --all --json shows the 410 subscriber disabled, with the reason"
run sitrep subscribers --json
is "$(jq -c --argjson g "$G_ID" '[.[] | select(.id == $g)] | length' <<<"$OUT")" 0 "subscribers (active) no longer lists it"
run sitrep subscribers --all
ok "subscribers --all marks it (inactive)" has_line "$OUT" "^$G_ID +webhook .*\(inactive\)$"
run sitrep outbox --state dead --json
is "$(jq -c '[.messages[].id] | sort' <<<"$OUT")" "$(jq -nc --argjson a "$ALWAYS" --argjson p "$PERM" --argjson g "$GONE" '[$a, $p, $g] | sort')" \
	"outbox --state dead lists exactly the three dead rows"
run sitrep outbox --state dead
ok "the human list shows the dead row's error" has_line "$OUT" "^$ALWAYS +dead +slack +always .*HTTP 500 \(after 3 attempts\)$"

# ------------------------------------------------------------ outbox retry

run sitrep outbox retry "$ALWAYS"
is "$RC:$OUT" "0:outbox message $ALWAYS requeued: 'sitrep deliver' or sitrepd sends it" "outbox retry requeues the dead row"
is "$(row "id = $ALWAYS" "state || '/' || attempts")" "pending/0" "it is pending again with its attempts reset"
ok "and due now" test "$(row "id = $ALWAYS" next_at)" -le "$(now_ms)"
run sitrep deliver --once
is "$RC:$OUT" "0:0 sent, 1 to retry, 0 dead" "deliver --once tries it again"
is "$(rs "$ALWAYS"):$(hits /always500/wf-always)" "retrying/1/500:4" "a fourth request, retrying again after one new attempt"

# ------------------------------------------------------------ the next update skips the disabled subscriber

run sitrep --as alice update 1 --audience customers -m "Second"
like "$OUT" "5 messages queued" "the next update queues 5 messages"
is "$(q "SELECT count(*) FROM outbox WHERE update_id = 2 AND subscriber_id IS NOT NULL")" 0 \
	"and none for the disabled subscriber"

# ------------------------------------------------------------ a timeout and a refused connection

WS="$TEST_TMP/ws"
sitrep init "$WS" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$WS" || bail "no workspace"
export TS_SLOW_URL="$H/slow/5/ws-slow" TS_REFUSED_URL="http://127.0.0.1:$(closed_port)/ws-refused"
set_conf "
  { id = \"slow\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"TS_SLOW_URL\"; },
  { id = \"refused\"; type = \"discord\"; audiences = [ \"customers\" ]; url_env = \"TS_REFUSED_URL\"; }" \
	'timeout = "2s"; retries = 3; backoff = [ "30s" ]; concurrency = 64;'
sitrep --as alice open outage --title "Timeouts" --sev SEV3 >/dev/null 2>&1 || bail "cannot open an incident"
sitrep --as alice update 1 --audience customers -m "Slow" >/dev/null 2>&1 || bail "cannot post an update"
SLOW=$(row "channel = 'slow'" id)
REFUSED=$(row "channel = 'refused'" id)
t0=$(now_ms)
run sitrep deliver --once
t1=$(now_ms)
is "$RC:$OUT" "0:0 sent, 2 to retry, 0 dead" "deliver --once: both to retry"
ok "it gave up on the 5 s receiver after the 2 s timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 1800 -a $((t1 - t0)) -lt 4500
is "$(rs "$SLOW")" "retrying/1/-" "the slow receiver's row: retrying after one attempt, no status"
like "$(row "id = $SLOW" last_error)" "[Tt]ime(out|d out)" "its last_error says it timed out"
is "$(hits /slow/5/ws-slow)" 1 "the slow receiver got one request"
is "$(rs "$REFUSED")" "retrying/1/-" "the refused connection's row: retrying after one attempt"
like "$(row "id = $REFUSED" last_error)" "[Cc]onnect|refused" "its last_error says the connection failed"
# The refusal is recorded as soon as it happens, before the slow receiver
# times out: count from the start of the run, within the +-20% jitter.
d=$(($(row "id = $REFUSED" next_at) - t0))
ok "its next attempt follows the configured 30 s backoff ($d ms)" test "$d" -ge 23900 -a "$d" -le $((36100 + t1 - t0))

# ------------------------------------------------------------ --once: what is due when it starts

# A run of deliver --once sends what is due when it starts; a row that
# fails is retried on a later run. Here a slow receiver keeps the run going
# 2.5 s, well past the failing row's 1 s backoff.
WO="$TEST_TMP/wo"
sitrep init "$WO" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$WO" || bail "no workspace"
export TO_SLOW_URL="$H/slow/2.5/wo-slow" TO_FAIL_URL="$H/always500/wo-fail"
set_conf "
  { id = \"slow\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"TO_SLOW_URL\"; },
  { id = \"fail\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"TO_FAIL_URL\"; }" \
	'timeout = "5s"; retries = 5; backoff = [ "1s" ]; concurrency = 64; threads = 1;'
sitrep --as alice open outage --title "Once" --sev SEV3 >/dev/null 2>&1 || bail "cannot open an incident"
sitrep --as alice update 1 --audience customers -m "Once" >/dev/null 2>&1 || bail "cannot post an update"
run sitrep deliver --once
is "$RC:$OUT" "0:1 sent, 1 to retry, 0 dead" "deliver --once: the slow row sent, the failing row to retry"
is "$(rs "$(row "channel = 'fail'" id)"):$(hits /always500/wo-fail)" "retrying/1/500:1" \
	"one run of deliver --once makes one attempt at a failing row, though the run outlasts its backoff"

# ------------------------------------------------------------ a proxy named in the environment

# libcurl's proxy variables are honoured: with http_proxy naming the second
# receiver (which answers a proxied request as the first would), the POST
# goes to it; set but empty, it goes straight to the first.
WP="$TEST_TMP/wp"
sitrep init "$WP" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$WP" || bail "no workspace"
export TO_PROXIED_URL="$H/ok/wp-hook"
set_conf "
  { id = \"hook\"; type = \"webhook\"; audiences = [ \"customers\" ]; url_env = \"TO_PROXIED_URL\"; }" \
	'timeout = "5s"; retries = 5; backoff = [ "1s" ]; concurrency = 4;'
sitrep --as alice open outage --title "Proxy" --sev SEV3 >/dev/null 2>&1 || bail "cannot open an incident"
sitrep --as alice update 1 --audience customers -m "Through a proxy" >/dev/null 2>&1 || bail "cannot post an update"
http_proxy="http://127.0.0.1:$PROXY_PORT" run sitrep deliver --once
is "$RC:$OUT" "0:1 sent, 0 to retry, 0 dead" "deliver --once with http_proxy set sends the update"
is "$(RLOG="$TEST_TMP/proxy/requests.jsonl" hits /ok/wp-hook):$(hits /ok/wp-hook)" "1:0" \
	"through the proxy the environment names, not straight to the receiver"
sitrep --as alice update 1 --audience customers -m "Not through a proxy" >/dev/null 2>&1 || bail "cannot post an update"
http_proxy= run sitrep deliver --once
is "$RC:$OUT" "0:1 sent, 0 to retry, 0 dead" "deliver --once with http_proxy empty sends the next"
is "$(RLOG="$TEST_TMP/proxy/requests.jsonl" hits /ok/wp-hook):$(hits /ok/wp-hook)" "1:1" \
	"straight to the receiver: an empty variable names no proxy"

# ============================================================ 3. bad input

cd "$W1" || bail "no workspace"
drefused 2 "'not-an-address' is not an e-mail address" "subscribing a malformed e-mail address" \
	sitrep subscribe email not-an-address
drefused 2 "is not an e-mail address" "subscribing an address with two @" \
	sitrep subscribe email "a@b@example.com"
drefused 2 "webhook URL 'ftp://127\.0\.0\.1/x' must start with http:// or https://" "subscribing an ftp:// webhook" \
	sitrep subscribe webhook ftp://127.0.0.1/x
drefused 2 "must start with http:// or https://" "subscribing a javascript: webhook" \
	sitrep subscribe webhook "javascript:alert(1)"
drefused 2 "names no host" "subscribing a webhook URL with no host" \
	sitrep subscribe webhook "http:///x"
drefused 1 "no component 'nosuch' in " "subscribing with an unknown component" \
	sitrep subscribe webhook "$H/ok/w1-new" --component nosuch
drefused 2 "subscribe to 'email' or 'webhook', not 'sms'" "subscribing an unknown kind" \
	sitrep subscribe sms +15551234
drefused 1 "webhook '$(quotemeta "$H/ok/w1-sub1")' is already subscribed \(subscriber $S1_ID\)" \
	"subscribing the same webhook twice" \
	sitrep subscribe webhook "$H/ok/w1-sub1"
drefused 1 "email 'cust1@example\.com' is already subscribed" "subscribing the same address twice" \
	sitrep subscribe email cust1@example.com
drefused 1 "no subscriber .*nobody@example\.com" "unsubscribing an unknown address" \
	sitrep unsubscribe nobody@example.com
drefused 1 "no subscriber 999" "unsubscribing an unknown id" \
	sitrep unsubscribe 999
drefused 2 "name one subscriber" "unsubscribe with no argument" \
	sitrep unsubscribe
SENT_ROW=$(row "channel = 'hook'" id)
drefused 1 "outbox message $SENT_ROW is sent, not dead: only a dead one is requeued" \
	"outbox retry of a sent row" \
	sitrep outbox retry "$SENT_ROW"
drefused 1 "no outbox message 99999" "outbox retry of an unknown row" \
	sitrep outbox retry 99999
drefused 2 "'x1' is not an outbox id" "outbox retry of a non-number" \
	sitrep outbox retry x1
drefused 2 "retry takes one outbox id" "outbox retry without an id" \
	sitrep outbox retry
drefused 2 "state 'bogus' is not one of pending, retrying, sent, dead" "outbox --state bogus" \
	sitrep outbox --state bogus
drefused 2 "--limit '-3' is not a number" "outbox --limit -3" \
	sitrep outbox --limit -3
drefused 2 "unexpected argument 'now'" "deliver with an extra argument" \
	sitrep deliver now
cd "$WS" || bail "no workspace"
drefused 1 "no e-mail channel serves customers in .*: add one" \
	"subscribing an e-mail address where no e-mail channel serves customers" \
	sitrep subscribe email someone@example.com

# unsubscribe by token works and is then refused
cd "$W1" || bail "no workspace"
run sitrep unsubscribe "$C1_TOKEN"
is "$RC:$OUT" "0:subscriber $C1_ID unsubscribed" "unsubscribe by the token"
drefused 1 "subscriber $C1_ID is not active" "unsubscribing the same token again" \
	sitrep unsubscribe "$C1_TOKEN"
run sitrep subscribe email cust1@example.com --json
is "$RC" 0 "an unsubscribed address may subscribe again"
C1_ID=$(jq -r '.id' <<<"$OUT")
C1_TOKEN=$(jq -r '.unsubscribe_token' <<<"$OUT")

# ------------------------------------------------------------ unsubscribed before delivery

run sitrep subscribe webhook "$H/ok/w1-late" --json
LATE_ID=$(jq -r '.id' <<<"$OUT")
run sitrep --as alice update 1 --audience customers -m "Still investigating"
like "$OUT" "9 messages queued" "an update queues 9 messages, one for a new webhook subscriber"
run sitrep unsubscribe "$H/ok/w1-late"
is "$RC:$OUT" "0:subscriber $LATE_ID unsubscribed" "who unsubscribes (by URL) before it is sent"
run sitrep deliver --once
is "$RC:$OUT" "0:8 sent, 0 to retry, 1 dead" "deliver --once sends the other 8"
is "$(row "subscriber_id = $LATE_ID" "state || ': ' || last_error")" \
	"dead: subscriber $LATE_ID is no longer subscribed (unsubscribed)" \
	"and does not send to the unsubscribed one: its row is dead, saying why"
is "$(hits /ok/w1-late)" 0 "the unsubscribed webhook got nothing"

# ============================================================ 4. one engine per store

cd "$W1" || bail "no workspace"
"$SITREP_BIN/sitrep" deliver >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" </dev/null &
BG=$!
# held_or_gone PID: PID holds the delivery lock, or has exited.
held_or_gone() {
	held_lock "$1" || ! kill -0 "$1" 2>/dev/null
}
wait_until 60 held_or_gone "$BG"
ok "sitrep deliver runs in the background, holding the delivery lock" held_lock "$BG"
drefused 1 "another delivery engine \(sitrepd or 'sitrep deliver'\) is already sending from '.*sitrep\.db'" \
	"deliver --once while sitrep deliver runs" \
	sitrep deliver --once
drefused 1 "another delivery engine" "a second sitrep deliver while one runs" \
	sitrep deliver

# the running engine sends an apology published while it waits
run sitrep --as alice apologize 1 --audience customers -m "We are sorry for the API errors."
like "$RC:$OUT" "^0:.*8 messages queued" "an apology is published and queues 8 messages"
APO=$(q "SELECT max(update_id) FROM outbox")
wait_until 60 sql_true "SELECT count(*) = 8 FROM outbox WHERE update_id = $APO AND state = 'sent'"
is "$(q "SELECT group_concat(state || '/' || attempts, ' ') FROM outbox WHERE update_id = $APO")" \
	"sent/1 sent/1 sent/1 sent/1 sent/1 sent/1 sent/1 sent/1" "the running engine sends all 8"
is "$(body /ok/w1-hook 3 | jq -r '.type')" "incident.apology" "the webhook event's type is incident.apology"
run whv "$HOOK_SECRET" <(reqs /ok/w1-hook | sed -n 3p)
is "$RC" 0 "and it verifies"
m=$(eml "$(mail_file exec@example.com 3)")
is "$(jq -r '.subject' <<<"$m")" "[Example Status] Our apology, INC-1 $TITLE: investigating" \
	"the apology's mail subject says so"
t0=$(now_ms)
kill -TERM "$BG"
wait_gone "$BG" 30
gone=$?
t1=$(now_ms)
ok "SIGTERM stops it ($((t1 - t0)) ms)" test "$gone" = 0
is "$WAIT_RC" 0 "and it exits 0"
is "$(cat "$TEST_TMP/bg.out")" "8 sent, 0 to retry, 0 dead" "saying what it sent"
BG=
run sitrep deliver --once
is "$RC:$OUT" "0:0 sent, 0 to retry, 0 dead" "once it has stopped, deliver --once may run again"

# ============================================================ 5. a crash at 2,000 recipients

W5="$TEST_TMP/w5"
sitrep init "$W5" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W5" || bail "no workspace"
SECRET5=$(new_secret)
# Eight threads asked for, four connections: four lanes of one each.
set_conf "" 'timeout = "5s"; retries = 3; backoff = [ "1s" ]; concurrency = 4; threads = 8;'
q "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 2000)
	INSERT INTO subscribers (kind, address, secret, token, created_at, confirmed_at)
	SELECT 'webhook', '$H/slow/0.02/w5-s' || n, '$SECRET5', lower(hex(randomblob(16))),
	CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000
	FROM k" || bail "cannot insert 2,000 subscribers"
is "$(sitrep subscribers --json | jq length)" 2000 "2,000 webhook subscribers"
sitrep --as alice open outage --title "Many" --sev SEV3 >/dev/null 2>&1 || bail "cannot open an incident"
run sitrep --as alice update 1 --audience customers -m "To everyone"
like "$OUT" "2000 messages queued" "one update queues 2,000 messages"
ROWS=$(q "SELECT count(*) FROM outbox")

"$SITREP_BIN/sitrep" deliver >"$TEST_TMP/w5.out" 2>"$TEST_TMP/w5.err" </dev/null &
BG=$!
wait_until 60 sql_true "SELECT count(*) >= 100 FROM outbox WHERE state = 'sent'"
THREADS=$(ls "/proc/$BG/task" 2>/dev/null | wc -l)
ok "four lanes send at once: the engine runs four threads ($THREADS)" test "$THREADS" -ge 4
kill -KILL "$BG"
wait "$BG" 2>/dev/null
BG=
SENT1=$(q "SELECT count(*) FROM outbox WHERE state = 'sent'")
ok "SIGKILL after some but not all were sent ($SENT1 of 2000)" test "$SENT1" -ge 1 -a "$SENT1" -le 1999
RECEIVED1=$(jq -r 'select(.path | startswith("/slow/0.02/w5-")) | .path' "$LOG" | sort -u | wc -l)
diag "killed with $SENT1 rows recorded sent, $RECEIVED1 paths received"
# Taking a row writes nothing: the rows the engine had in flight when it
# was killed are pending still, as if never taken.
is "$(q "SELECT count(*) FROM outbox WHERE update_id = (SELECT max(update_id) FROM outbox)
	AND state = 'pending' AND attempts = 0 AND last_error IS NULL")" "$((2000 - SENT1))" \
	"every row not recorded sent is pending, untried as far as the store knows"
ok "the receiver got at least every row recorded sent" \
	test "$RECEIVED1" -ge "$SENT1"

# Resume with more transfers in flight (httprecv.py's listen backlog is
# small: far more would time out connecting), and run again while rows
# are left to retry.
set_conf "" 'timeout = "5s"; retries = 3; backoff = [ "1s" ]; concurrency = 16;'
run sitrep deliver --once
is_rc 0 "deliver --once after the crash exits 0"
like "$OUT" "^[0-9]+ sent, [0-9]+ to retry, 0 dead$" "it sends, and nothing is dead"
is "$(q "SELECT count(*) FROM outbox WHERE state = 'sent'")" "$((SENT1 + ${OUT%% *}))" \
	"every row it reports sent is recorded sent"
# drained_once: the outbox has nothing left to send, else deliver --once
# again when the next retry is due.
runs=1
drained_once() {
	[ "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending', 'retrying')")" = 0 ] && return 0
	sleep_until "$(q "SELECT min(next_at) FROM outbox WHERE state IN ('pending', 'retrying')")"
	sitrep deliver --once >/dev/null 2>&1
	runs=$((runs + 1))
	return 1
}
wait_until 120 drained_once
diag "the outbox was empty after $runs deliver --once runs"
is "$(counts)" '{"pending":0,"retrying":0,"sent":2000,"dead":0,"cancelled":0}' "all 2,000 rows are sent"
is "$(q "SELECT count(*) FROM outbox")" "$ROWS" "the outbox has as many rows as before"
is "$(jq -r 'select(.path | startswith("/slow/0.02/w5-")) | .path' "$LOG" | sort -u | wc -l | tr -d ' ')" 2000 \
	"every subscriber's path was received at least once"
dups=$(jq -r 'select(.path | startswith("/slow/0.02/w5-")) | .path' "$LOG" | sort | uniq -d | wc -l | tr -d ' ')
diag "$dups paths received twice or more"
is "$(jq -s -c '[.[] | select(.path | startswith("/slow/0.02/w5-"))] | group_by(.path)
	| map(select(length > 1) | map(.headers["webhook-id"]) | unique | length) | map(select(. != 1)) | length' "$LOG")" 0 \
	"any path received more than once got the same webhook-id each time"
is "$(jq -r 'select(.path | startswith("/slow/0.02/w5-")) | "\(.path) \(.headers["webhook-id"])"' "$LOG" | sort -u | sha256sum)" \
	"$(q "SELECT substr(recipient, length('$H') + 1) || ' ' || msg_id FROM outbox" | sort | sha256sum)" \
	"each path's webhook-id is its row's msg_id"
run whv "$SECRET5" <(jq -c 'select(.path | startswith("/slow/0.02/w5-"))' "$LOG")
is "$RC:$(grep -vc '^ok ' <<<"$OUT")" "0:0" "every request, first or repeated, verifies with the subscribers' secret"

# ============================================================ 6. valgrind

if ! valgrind_usable; then
	skip 6 "$VALGRIND_WHY"
else
	vg=(valgrind --leak-check=full --error-exitcode=99 -q "$SITREP_BIN/sitrep")
	cd "$W1" || bail "no workspace"
	run sitrep --as alice update 1 --audience customers -m "Under valgrind"
	like "$OUT" "8 messages queued" "valgrind: an update for every HTTP and SMTP recipient"
	run "${vg[@]}" deliver --once
	is_rc 0 "valgrind: deliver --once over HTTP and SMTP is clean"
	is "$OUT" "8 sent, 0 to retry, 0 dead" "valgrind: and sends all 8"
	cd "$WF" || bail "no workspace"
	run "${vg[@]}" deliver --once
	is_rc 0 "valgrind: deliver --once with failures (HTTP 500, SMTP 550) is clean"
	like "$OUT" "^[0-9]+ sent, [1-9][0-9]* to retry, [1-9][0-9]* dead$" "valgrind: some sent, retried and dead"
	cd "$WS" || bail "no workspace"
	run "${vg[@]}" outbox --json
	is_rc 0 "valgrind: outbox --json is clean"
fi
