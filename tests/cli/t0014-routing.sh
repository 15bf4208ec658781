#!/bin/bash
# t0014-routing.sh: where messages go and where their links lead. A
# playbook routes its restricted audiences to the channels it names (and
# nowhere else), signs and titles its regulator's e-mail itself, and
# refuses a channel the site config lacks with file:line; steps complete on
# the updates, roles and statuses that do them, in the same transaction
# with an event; a reminder's command runs as printed. Maintenance notices
# carry the page's name in their subject, reach only the subscribers of
# their components, and give webhooks the maintenance's id and window; and
# every link in feeds, mails and webhooks is fetched from the running
# sitrepd and answers 200 (a finished maintenance has a page of its own).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

if ! smtp_usable; then
	echo "1..0 # SKIP $SMTP_WHY"
	exit 0
fi

plan 53
tmp_workspace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
LOG="$TEST_TMP/web/requests.jsonl"
H="http://127.0.0.1:$HTTP_PORT"
start_smtprecv mail || bail "cannot start the SMTP server"
MAILDIR="$TEST_TMP/mail/mail"

DPID=
_t14_exit() {
	local rc=$?
	if [ -n "$DPID" ]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t14_exit EXIT

q() {
	sqlite3 -cmd '.timeout 5000' "$W/sitrep.db" "$@"
}

sql_true() {
	[ "$(q "$1")" = 1 ]
}

# eml FILE: From's display name, Subject and the text body, as JSON.
eml() {
	/usr/bin/python3 - "$1" <<'EOF'
import email, json, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
part = m.get_body(preferencelist=("plain",))
print(json.dumps({
    "from_name": m["From"].addresses[0].display_name,
    "from": m["From"].addresses[0].addr_spec,
    "subject": str(m["Subject"]),
    "body": part.get_content(),
}, ensure_ascii=False))
EOF
}

# mail_to RCPT [N]: the Nth message stored for envelope recipient RCPT.
mail_to() {
	[ -s "$MAILDIR/index.jsonl" ] || return 0
	jq -r --arg r "$1" --arg d "$MAILDIR" 'select(.rcpt_tos == [$r]) | "\($d)/\(.file)"' \
		"$MAILDIR/index.jsonl" | sed -n "${2:-1}p"
}

# bodies PATH: the JSON bodies the receiver got at PATH, one a line.
bodies() {
	[ -s "$LOG" ] || return 0
	jq -c --arg p "$1" 'select(.path == $p) | .body | fromjson' "$LOG"
}

outbox_idle() {
	[ "$(sitrep outbox --json | jq -c '[.counts.pending, .counts.retrying]')" = "[0,0]" ]
}

# ------------------------------------------------------------ the workspace

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
export SITREP_USER=alice

# The status page's own URL must be the daemon's, for its links to be
# fetched: a port picked now, free a moment ago.
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PAGE="http://127.0.0.1:$PORT/"
export T14_OPS="$H/ok/ops" T14_DISCORD="$H/ok/discord" T14_SEC="$H/ok/sec"
MAIL="smtp://127.0.0.1:$SMTP_PORT"
PAGE=$PAGE MAIL=$MAIL /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
ch = """channels = (
  { id = "ops-chat"; type = "slack"; audiences = [ "internal", "executives" ]; url_env = "T14_OPS"; },
  { id = "ops-discord"; type = "discord"; audiences = [ "internal" ]; url_env = "T14_DISCORD"; },
  { id = "sec-chat"; type = "slack"; audiences = [ "security" ]; url_env = "T14_SEC"; },
  { id = "dpo-mail"; type = "email"; audiences = [ "dpo" ]; smtp_url = "%(mail)s";
    from = "dpo@example.com"; to = [ "authority@example.org" ]; },
  { id = "status-mail"; type = "email"; audiences = [ "customers" ]; smtp_url = "%(mail)s";
    from = "status@example.com"; }
);
""" % {"mail": os.environ["MAIL"]}
t, n = re.subn(r"^channels = \(.*?^\);\n", lambda m: ch, t, flags=re.S | re.M)
assert n == 1, "no channels list"
t, n = re.subn(r'^http = \{[^}]*\};', 'http = { listen = "%s"; };' %
               os.environ["PAGE"][len("http://"):-1], t, flags=re.M)
assert n == 1, "no http group"
t, n = re.subn(r'url       = "[^"]*";', 'url = "%s";' % os.environ["PAGE"], t)
assert n == 1, "no status page url"
t += 'delivery = { timeout = "10s"; retries = 5; backoff = [ "1s" ]; concurrency = 8;\n'
t += '             allow = [ "127.0.0.1/32" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"

cat >playbooks/breach.playbook <<'EOF'
# breach.playbook: a restricted incident whose audiences have their own rooms.
name    = "breach";
title   = "Security breach";
summary = "Unauthorised access.";
severity   = "SEV2";
components = [ "auth" ];
audiences  = [ "regulators" ];
roles = (
  { id = "commander"; title = "Incident Commander"; },
  { id = "comms"; title = "Communications Lead"; },
  { id = "legal"; title = "Counsel"; }
);
escalation = { mode = "tiered"; ack_timeout = "1h"; tiers = [ "L1" ]; };
cadence = (
  { audience = "executives"; every = { SEV2 = "1h"; }; first_within = "2s"; }
);
steps = (
  { id = "first-internal"; title = "Post the first internal update"; role = "comms"; due = "1h";
    completes_on = { update = "internal"; }; },
  { id = "counsel"; title = "Bring in counsel"; role = "commander"; due = "1h";
    completes_on = { role = "legal"; }; },
  { id = "cause"; title = "Find the way in"; role = "commander"; due = "1h";
    completes_on = { status = "identified"; }; },
  { id = "notify-authority"; title = "Notify the authority"; role = "legal"; due = "1h";
    completes_on = { update = "regulators"; }; }
);
routes = (
  { audience = "internal"; channels = [ "sec-chat" ]; },
  { audience = "regulators"; channels = [ "dpo-mail" ];
    from_name = "Example Ltd Data Protection Officer";
    subject = "Personal data breach notification {{id}}"; }
);
EOF
git_commit playbooks "Add the breach playbook" || bail "cannot commit the breach playbook"

# ============================================================ validation

sed -e 's/"breach"/"breach-bad"/; s/\[ "sec-chat" \]/[ "sec-chat", "nope" ]/' \
	playbooks/breach.playbook >"$TEST_TMP/breach-bad.playbook"
line=$(grep -n 'audience = "internal"; channels' "$TEST_TMP/breach-bad.playbook" | cut -d: -f1)
run sitrep playbook validate "$TEST_TMP/breach-bad.playbook"
is_rc 1 "a route naming a channel the site config lacks is refused (exit 1)"
like "$ERR" "breach-bad\.playbook:$line: channel 'nope' is not in the site config" \
	"the refusal names the file, the line and the channel"
sed -e 's/"breach"/"breach-bad2"/; s/completes_on = { role = "legal"; }/completes_on = { role = "judge"; }/' \
	playbooks/breach.playbook >"$TEST_TMP/breach-bad2.playbook"
run sitrep playbook validate "$TEST_TMP/breach-bad2.playbook"
is_rc 1 "completes_on naming an unknown role is refused"
like "$ERR" "breach-bad2\.playbook:[0-9]+: step 'counsel' is completed by unknown role 'judge'" \
	"with file:line"

run sitrep playbook show breach --json
is "$(jq -c '[[.routes[] | [.audience, .channels, .from_name]], [.steps[].completes_on]]' <<<"$OUT")" \
	'[[["internal",["sec-chat"],null],["regulators",["dpo-mail"],"Example Ltd Data Protection Officer"]],[{"update":"internal"},{"role":"legal"},{"status":"identified"},{"update":"regulators"}]]' \
	"playbook show --json gives the routes and what completes each step"
run sitrep playbook show breach
like "$OUT" "Routes"$'\n'"  internal         only to sec-chat" "playbook show lists the routes"

# ============================================================ routes

run sitrep open breach --title "Credential stuffing on login"
is_rc 0 "alice opens INC-1 from the breach playbook"
run sitrep update INC-1 --audience internal -m "Restricted: the way in is not known yet." --json
is_rc 0 "an internal update to the breach is published"
is "$(q "SELECT group_concat(channel) FROM outbox WHERE incident_id = 1 AND update_id IS NOT NULL")" \
	"sec-chat" "the restricted internal update goes only to the channel the playbook names"

run sitrep open outage --title "API down" --sev SEV3
is_rc 0 "alice opens INC-2 from the shipped outage playbook"
run sitrep update INC-2 --audience internal -m "Looking into it."
is_rc 0 "an internal update to the outage is published"
is "$(q "SELECT group_concat(channel) FROM (SELECT channel FROM outbox WHERE incident_id = 2 AND update_id IS NOT NULL ORDER BY channel)")" \
	"ops-chat,ops-discord" "an unrouted playbook's update goes to the site's channels for the audience"

run sitrep update INC-1 --audience regulators -m "Initial notification under Article 33."
is_rc 0 "the regulator update is published"
is "$(q "SELECT channel || ' ' || recipient || ' | ' || from_name || ' | ' || subject FROM outbox WHERE incident_id = 1 AND type = 'email'")" \
	"dpo-mail authority@example.org | Example Ltd Data Protection Officer | Personal data breach notification INC-1" \
	"the regulator's e-mail is queued through the routed channel with its own sender name and subject"

run sitrep deliver --once
is_rc 0 "sitrep deliver --once sends what is waiting"
f=$(mail_to authority@example.org)
ok "the authority received one e-mail" test -n "$f"
if [ -n "$f" ]; then
	is "$(eml "$f" | jq -r '"\(.from_name) <\(.from)> | \(.subject)"')" \
		"Example Ltd Data Protection Officer <dpo@example.com> | Personal data breach notification INC-1" \
		"its From carries the playbook's sender name and its Subject the playbook's subject"
else
	fail "its From carries the playbook's sender name and its Subject the playbook's subject"
fi
is "$(bodies /ok/sec | wc -l | tr -d ' '):$(bodies /ok/ops | jq -r '.text' | grep -c 'Restricted' )" "1:0" \
	"the restricted room got the breach update; the general ops chat did not"

# ============================================================ steps completed by actions

steps_done() {
	q "SELECT group_concat(step, ',') FROM (SELECT step FROM incident_steps WHERE incident_id = 1 AND state = 'done' ORDER BY step)"
}
is "$(steps_done)" "first-internal,notify-authority" \
	"publishing the internal and the regulator updates completed their steps"
is "$(q "SELECT json_extract(details, '$.completed_by.event') || ' ' || json_extract(details, '$.completed_by.update') FROM events WHERE incident_id = 1 AND kind = 'step_done' AND json_extract(details, '$.step') = 'first-internal'")" \
	"update_published internal" "a step_done event says which action completed the step"
is "$(q "SELECT count(DISTINCT e.id) FROM events e JOIN events p ON p.incident_id = e.incident_id AND p.id = e.id - 1 WHERE e.incident_id = 1 AND e.kind = 'step_done' AND p.kind = 'update_published'")" \
	2 "each step_done event follows the update that completed it"

run sitrep role assign INC-1 legal bob
is_rc 0 "the commander (opener) assigns legal to bob"
is "$(steps_done)" "counsel,first-internal,notify-authority" "filling the legal role completed 'counsel'"
run sitrep status INC-1 identified
is_rc 0 "the breach moves to identified"
is "$(steps_done)" "cause,counsel,first-internal,notify-authority" "reaching identified completed 'cause'"
run sitrep timeline INC-1
like "$OUT" "step counsel done: bob took the role legal" "the timeline says what completed each step"
run sitrep step INC-1 done cause
is_rc 1 "marking a step done again is refused: it was done by the status change"

# ============================================================ the daemon: reminder, maintenance, links

sitrep subscribe webhook "$H/ok/sub-all" >/dev/null || bail "cannot subscribe sub-all"
sitrep subscribe webhook "$H/ok/sub-payments" --component payments >/dev/null || bail "cannot subscribe sub-payments"
sitrep subscribe webhook "$H/ok/sub-api" --component api >/dev/null || bail "cannot subscribe sub-api"
sitrep subscribe email all@example.com >/dev/null || bail "cannot subscribe all@"
sitrep subscribe email api@example.com --component api >/dev/null || bail "cannot subscribe api@"

run sitrep maintenance schedule --title "Payments database upgrade" --component payments \
	--from +2s --until +5s -m "Card payments pause briefly."
is_rc 0 "a maintenance of payments, from +2s until +5s, is scheduled"
is "$(q "SELECT group_concat(recipient, ' ') FROM (SELECT recipient FROM outbox WHERE payload LIKE '%maintenance.scheduled%' OR subject LIKE '%Scheduled maintenance%' ORDER BY recipient)")" \
	"all@example.com $H/ok/sub-all $H/ok/sub-payments" \
	"the notice reaches the unfiltered subscribers and those of payments, not those of api"
is "$(q "SELECT DISTINCT subject FROM outbox WHERE type = 'email' AND subject LIKE '%Scheduled maintenance%'")" \
	"[Example Status] Scheduled maintenance: Payments database upgrade" \
	"its e-mail subject starts with the page's name in brackets"
text=$(q "SELECT payload FROM outbox WHERE recipient = '$H/ok/sub-all' AND payload LIKE '%maintenance.scheduled%'" | jq -r '.data.text')
like "$text" "^From [0-9]{2}:[0-9]{2}:[0-9]{2} UTC until [0-9]{2}:[0-9]{2}:[0-9]{2} UTC\. Card payments" \
	"a short window is shown to the second, not as 'HH:MM UTC until HH:MM UTC'"

start_daemon() {
	"$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" >>"$TEST_TMP/sitrepd.log" 2>&1 </dev/null &
	DPID=$!
	wait_until 30 curl -sf -o /dev/null "${PAGE}healthz"
}
ok "sitrepd starts on the status page's own port" start_daemon || bail "sitrepd did not start: $(cat "$TEST_TMP/sitrepd.log")"

maint_done() {
	[ "$(bodies /ok/sub-all | jq -r 'select(.type == "maintenance.completed") | .type')" = maintenance.completed ]
}
ok "sitrepd starts and completes the maintenance and tells the subscribers" wait_until 60 maint_done
is "$(bodies /ok/sub-all | jq -r 'select(.type | startswith("maintenance.")) | "\(.type) \(.data.maintenance.id) \(.data.maintenance.status)"' | tr '\n' ',')" \
	"maintenance.scheduled mnt-1 scheduled,maintenance.started mnt-1 in_progress,maintenance.completed mnt-1 completed," \
	"each webhook notice carries the maintenance's id and its status, so a receiver can match them"
sched=$(q "SELECT starts_at FROM maintenances WHERE id = 1")
is "$(bodies /ok/sub-all | jq -r 'select(.type == "maintenance.started") | .data.maintenance.scheduled_for')" \
	"$(date -u -d "@$((sched / 1000)).$(printf '%03d' $((sched % 1000)))" +%Y-%m-%dT%H:%M:%S.%3NZ)" \
	"and its scheduled start as an ISO 8601 time"
is "$(bodies /ok/sub-api | jq -r 'select(.type | startswith("maintenance."))' | wc -l | tr -d ' ')" 0 \
	"a subscriber of api alone hears nothing of a payments maintenance"
is "$(bodies /ok/sub-all | jq -r 'select(.type == "maintenance.completed") | .data.url')" \
	"${PAGE}maintenances/mnt-1" "the notice links to the maintenance's own page"

# The reminder of the executives' first update names a command that runs.
reminder_text() {
	q "SELECT json_extract(details, '$.text') FROM events WHERE incident_id = 1 AND kind = 'reminder' AND json_extract(details, '$.reminder') = 'update_due' LIMIT 1"
}
reminded() {
	[ -n "$(reminder_text)" ]
}
ok "sitrepd reminds of the executives' first update" wait_until 60 reminded
cmd=$(reminder_text | grep -o "'sitrep update [^']*'" | head -n 1 | tr -d "'")
like "$cmd" '^sitrep update INC-1 --audience executives -m "\.\.\."$' \
	"the reminder prints the whole command, with -m and the text to write"
cmd=${cmd//.../Executives: contained, no customer data confirmed taken.}
run eval "$cmd"
is_rc 0 "the printed command, run as printed with a message, succeeds"
is "$(q "SELECT body FROM updates WHERE incident_id = 1 AND audience = 'executives'")" \
	"Executives: contained, no customer data confirmed taken." "and posts that message"

# A public incident to link to: a customer update on the outage (SEV3, no approval).
run sitrep update INC-2 --audience customers -m "We are investigating errors on the API."
is_rc 0 "a customer update on INC-2 is published"
ok "the outbox drains" wait_until 60 outbox_idle

links=$(mktemp "$TEST_TMP/links.XXXXXX")
{
	curl -sf "${PAGE}history.atom" | grep -o '<link [^>]*href="[^"]*"' | sed -E 's/.*href="([^"]*)"/\1/'
	curl -sf "${PAGE}history.rss" | grep -o '<link>[^<]*</link>' | sed -E 's/<\/?link>//g'
	bodies /ok/sub-all | jq -r '.data.incident.shortlink // .data.url // empty'
	curl -sf "${PAGE}api/v2/scheduled-maintenances.json" | jq -r '.scheduled_maintenances[].shortlink'
	curl -sf "${PAGE}api/v2/incidents.json" | jq -r '.incidents[].shortlink'
	for f in $(jq -r --arg d "$MAILDIR" '"\($d)/\(.file)"' "$MAILDIR/index.jsonl"); do
		eml "$f" | jq -r '.body' | tr -d '\r' | grep -Eo 'https?://[^ ]+' | grep -v unsubscribe
	done
} | sort -u >"$links"
like "$(cat "$links")" "maintenances/mnt-1" "the links include the maintenance's page"
like "$(cat "$links")" "incidents/inc-2" "and the incident's page"
is "$(grep -c '#' "$links")" 0 "no link points into the page by a fragment"
is "$(bodies /ok/sub-all | jq -r 'select(.type == "incident.update") | .data.incident.shortlink')" \
	"${PAGE}incidents/inc-2" "the webhook's shortlink is the incident's own page"
follow=
for f in $(jq -r --arg d "$MAILDIR" 'select(.rcpt_tos == ["all@example.com"]) | "\($d)/\(.file)"' "$MAILDIR/index.jsonl"); do
	follow="$follow$(eml "$f" | jq -r '.body' | tr -d '\r' | grep -o 'Follow this incident at [^ ]*')"
done
is "$follow" "Follow this incident at ${PAGE}incidents/inc-2" \
	"the mail's 'Follow this incident at' link is the incident's own page"
bad=
while read -r url; do
	case $url in "$PAGE"*) ;; *) bad="$bad $url(foreign)"; continue ;; esac
	code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
	[ "$code" = 200 ] || bad="$bad $url($code)"
done <"$links"
is "${bad:-none}" none "every link in the feeds, mails, webhooks and API answers 200 from sitrepd"
run curl -sf "${PAGE}maintenances/mnt-1"
like "$OUT" "<h1>Payments database upgrade</h1>" "the finished maintenance's page names it"
unlike "$OUT" "<script" "without JavaScript"
like "$(curl -sf "$PAGE")" '<a href="maintenances/mnt-1">Payments database upgrade</a>' \
	"the status page's history links to it"
is "$(curl -s -o /dev/null -w '%{http_code}' "${PAGE}maintenances/mnt-99")" 404 "an unknown maintenance is 404"
