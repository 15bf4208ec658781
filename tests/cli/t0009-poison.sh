#!/bin/bash
# t0009-poison.sh: one bad message never stops anything. Text that is not
# UTF-8 is refused where it enters (every word of the command line,
# $SITREP_USER, playbooks and their templates, the site config) with exit
# 1 and a message naming it; rows written to the store by other means
# (the sqlite3 tool here) with a body or title that is not UTF-8 go dead
# with their reason in `sitrep deliver` and sitrepd, which keep delivering
# everything else, serving the status page and starting again;
# `updates --json` shows such a body instead of dropping it. Also: one
# rule for exit codes (2 malformed command line, 1 unknown or refused), a
# blank title refused, a bad relative time said in readable words, and
# sitrepd's "another sitrepd" labelled as an error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

plan 157
tmp_workspace
# Every request goes straight to loopback, whatever proxy the caller uses.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
LOG="$TEST_TMP/web/requests.jsonl"
H="http://127.0.0.1:$HTTP_PORT"

DPID=
_t9_exit() {
	local rc=$?
	if [ -n "$DPID" ]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t9_exit EXIT

# ------------------------------------------------------------ helpers

# q SQL...: a query on the workspace's store, waiting out a writer.
q() {
	sqlite3 -cmd '.timeout 5000' "$W/sitrep.db" "$@"
}

sql_true() {
	[ "$(q "$1")" = 1 ]
}

# log_has FILE ERE: a line of FILE matches.
log_has() {
	grep -Eq -- "$2" "$1" 2>/dev/null
}

# received TEXT: how many POSTs to /ok/ the receiver logged whose Slack
# text contains TEXT.
received() {
	jq -r 'select(.method == "POST" and (.path | startswith("/ok/"))) | .body | fromjson | .text' \
		"$LOG" 2>/dev/null | grep -Fc -- "$1"
}

# posted TEXT: the receiver got a POST whose Slack text contains TEXT.
posted() {
	[ "$(jq -r 'select(.method == "POST") | (.body | fromjson? | .text) // empty' "$LOG" 2>/dev/null |
		grep -Fc -- "$1")" -ge 1 ]
}

# outbox_idle: nothing pending or retrying.
outbox_idle() {
	sql_true "SELECT count(*) = 0 FROM outbox WHERE state IN ('pending', 'retrying')"
}

# row_of UPD: the state and last error of the outbox row of update UPD.
row_of() {
	q "SELECT state || ': ' || coalesce(last_error, '') FROM outbox WHERE update_id = $1"
}

# poison TABLE COLUMN ID TEXT: put TEXT followed by the byte 0xff into a
# row, as only something other than sitrep can.
poison() {
	q "UPDATE $1 SET $2 = '$4' || CAST(X'FF' AS TEXT) WHERE id = $3" ||
		bail "cannot poison $1 $3"
}

# start_daemon LOG: sitrepd in the background (pid in DPID), waiting up to
# 30 s for its status page URL; its port in DPORT.
start_daemon() {
	local log=$1
	: >"$log"
	"$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" >>"$log" 2>&1 </dev/null &
	DPID=$!
	if ! wait_until 30 log_has "$log" 'status page: http://127\.0\.0\.1:[0-9]+/'; then
		diag "sitrepd did not start: $(cat "$log")"
		return 1
	fi
	DPORT=$(grep -Eo 'status page: http://127\.0\.0\.1:[0-9]+/' "$log" | tail -n 1 |
		sed -E 's/.*:([0-9]+)\/$/\1/')
}

# stop_daemon: SIGTERM, wait up to 20 s; STOP_RC its exit code.
stop_daemon() {
	local i
	kill -TERM "$DPID" 2>/dev/null
	for ((i = 0; i < 400; i++)); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.05
	done
	STOP_RC=0
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		STOP_RC=killed
	fi
	wait "$DPID" 2>/dev/null || STOP_RC=$?
	DPID=
}

# ------------------------------------------------------------ the workspace

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
export T9_OPS_URL="$H/ok/ops"
/usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n = re.subn(r"^channels = \(.*?^\);\n",
               'channels = (\n  { id = "ops"; type = "slack"; audiences = [ "internal" ]; url_env = "T9_OPS_URL"; },\n'
               '  { id = "paging-mail"; type = "email"; audiences = [ ]; smtp_url = "smtp://127.0.0.1:9"; from = "s@example.com"; }\n);\n',
               t, flags=re.S | re.M)
assert n == 1, "no channels list"
t, n = re.subn(r'^http = \{[^}]*\};', 'http = { listen = "127.0.0.1:0"; };', t, flags=re.M)
assert n == 1, "no http group"
t = re.sub(r"^delivery = \{.*?\};\n", "", t, flags=re.S | re.M)
t += 'delivery = { timeout = "10s"; retries = 3; backoff = [ "1s" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"
cat >playbooks/quick.playbook <<'EOF2'
# quick.playbook: a drill whose reminders are due within seconds.
name    = "quick";
title   = "Quick drill";
summary = "Everything is due within seconds.";
severity   = "SEV3";
components = [ "api" ];
roles = ( { id = "commander"; title = "Incident Commander"; } );
escalation = { mode = "tiered"; ack_timeout = "1h"; tiers = [ "L1" ]; };
cadence = (
  { audience = "internal"; every = { SEV3 = "1h"; }; first_within = "1s"; }
);
EOF2
git_commit playbooks "Add the quick drill" || bail "cannot commit the quick playbook"
export SITREP_USER=alice

# ============================================================ the command line

run sitrep open outage --title $'Checkout \xff down'
is_rc 1 "a --title that is not UTF-8 is refused with exit 1 (not 70)"
is "$ERR" "sitrep: the value of option '--title' ('Checkout \\xff down') is not valid UTF-8 (byte 10): write it in UTF-8" \
	"it names the option, shows the bad byte and says where it is"
is "$(q 'SELECT count(*) FROM incidents')" 0 "nothing was opened"

run sitrep open outage --title=$'caf\xc3'
is_rc 1 "--title=VALUE that is not UTF-8: exit 1"
like "$ERR" "the value of option '--title' \('caf\\\\xc3'\) is not valid UTF-8 \(byte 4\)" \
	"it counts the byte within the value"

run sitrep open $'out\xe9ge' --title "x"
is_rc 1 "a positional argument that is not UTF-8: exit 1"
like "$ERR" "^sitrep: argument 2 \('out\\\\xe9ge'\) is not valid UTF-8 \(byte 4\)" "it is named by its place"

run sitrep timeline INC-9 --anchor $'\xff'
is_rc 1 "a word after a flag (--anchor) that is not UTF-8: exit 1"
like "$ERR" "^sitrep: argument 4 \('\\\\xff'\) is not valid UTF-8" \
	"it is an argument of its own, not the flag's value (flags come from the command table)"

run sitrep --as $'\xfe' list
is_rc 1 "a global --as that is not UTF-8: exit 1"
like "$ERR" "the value of option '--as'" "it names --as"

SITREP_USER=$'ali\xffce' run sitrep list
is_rc 1 "a \$SITREP_USER that is not UTF-8: exit 1"
like "$ERR" "^sitrep: \\\$SITREP_USER is not valid UTF-8 \(byte 4\)" "it names the variable"

run sitrep open outage --title "Checkout down"
is_rc 0 "a valid open works (INC-1)"

refused 1 "the value of option '-m' \('x \\\\xff'\) is not valid UTF-8 \(byte 3\)" \
	"an update body that is not UTF-8" \
	sitrep update INC-1 --audience internal -m $'x \xff'
is "$(q 'SELECT count(*) FROM outbox')" 0 "and nothing was queued"
refused 1 "the value of option '--message'" "the same through --message" \
	sitrep update INC-1 --audience internal --message $'\xed\xa0\x80'
refused 1 "not valid UTF-8" "a maintenance title that is not UTF-8" \
	sitrep maintenance schedule --title $'DB \xc0\xaf' --component api --from +1h --until +2h
refused 1 "the value of option '--title'" "a title with a cut-short sequence" \
	sitrep open outage --title $'ok \xe2\x9c'
run sitrep open outage --sev SEV3 --title $'Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5'
is_rc 0 "valid UTF-8 beyond ASCII is taken as it is (INC-2, SEV3: no approval)"
is "$(q 'SELECT title FROM incidents WHERE id = 2')" $'Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\xa5' "and stored as it was written"

# ============================================================ exit codes: one rule

refused 1 "playbook 'outage' has no template 'nosuch'" "an unknown template: exit 1, like an unknown playbook" \
	sitrep update INC-1 --audience internal --template nosuch
refused 1 "no account 'nosuch' in sitrep\.conf" "an unknown account: exit 1" \
	sitrep apologize INC-1 --audience customers -m "Sorry" --account nosuch
refused 1 "no account 'nosuch'" "an unknown account in contact: exit 1" \
	sitrep contact INC-1 --account nosuch --via phone -m "called"
refused 1 "audience 'partners' is not one playbook 'outage' knows" "an unknown audience: exit 1" \
	sitrep update INC-1 --audience partners -m "hi"
refused 1 "no playbook 'nosuch'" "an unknown playbook: exit 1" \
	sitrep open nosuch --title "x"
refused 1 "unknown component 'nosuch'" "an unknown component: exit 1" \
	sitrep open outage --title "x" --component nosuch
refused 1 "no component 'nosuch'" "an unknown component in maintenance: exit 1" \
	sitrep maintenance schedule --title "Work" --component nosuch --from +1h --until +2h
refused 1 "no incident INC-99" "an unknown incident: exit 1" \
	sitrep status INC-99 identified
refused 2 "unrecognized option|unknown option" "an unknown option: exit 2" \
	sitrep open outage --title "x" --bogus
refused 2 "needs a title" "open without --title: exit 2" \
	sitrep open outage
refused 2 "severity 'SEV9' is not one of" "a severity that is not a word of the vocabulary: exit 2" \
	sitrep open outage --title "x" --sev SEV9

# ============================================================ blank titles and texts

refused 1 "needs a title with words in it, not only spaces" "a title of spaces" \
	sitrep open outage --title "   "
refused 1 "needs a title with words in it" "a title of a tab and a newline" \
	sitrep open outage --title $'\t\n'
refused 1 "needs a title with words in it, not an empty one" "an empty title" \
	sitrep open outage --title ""
refused 1 "a maintenance needs a title with words in it" "a maintenance title of spaces" \
	sitrep maintenance schedule --title "  " --component api --from +1h --until +2h
is "$(q 'SELECT count(*) FROM maintenances')" 0 "no maintenance was scheduled"
refused 1 "the update's text is empty" "an update of spaces" \
	sitrep update INC-1 --audience internal -m "   "

# ============================================================ a bad relative time

run sitrep maintenance schedule --title "Work" --component api --from +1h --until +3d2h
is_rc 2 "--until +3d2h is a usage error"
is "$(printf '%s\n' "$ERR" | head -n 1)" \
	"sitrep: bad time '+3d2h': bad duration '3d2h': one number and one unit, like 90m" \
	"it says what is wrong in words that can be read (it was garbled)"
run sitrep maintenance schedule --title "Work" --component api --from +5x --until +2h
like "$(printf '%s\n' "$ERR" | head -n 1)" "^sitrep: bad time '\+5x': bad unit in duration '5x': use s, m, h or d$" \
	"and so for a bad unit"

# ============================================================ playbooks and the site config

sed 's/We are investigating/We are investig\xe9ting/' "$SITREP_SRC/playbooks/outage.playbook" >"$TEST_TMP/outage.playbook"
BADLINE=$(grep -an $'investig\xe9ting' "$TEST_TMP/outage.playbook" | head -n 1 | cut -d: -f1)
[ -n "$BADLINE" ] || bail "could not make the playbook with a bad byte"
run sitrep playbook validate "$TEST_TMP/outage.playbook"
is_rc 1 "playbook validate refuses a template that is not UTF-8 (it called it valid)"
like "$ERR" "outage\.playbook:$BADLINE: byte [0-9]+ of this line is not valid UTF-8" \
	"it names the file and line"
cp "$TEST_TMP/outage.playbook" playbooks/poisoned.playbook
sed -i 's/^name *= *"outage";/name = "poisoned";/' playbooks/poisoned.playbook
git_commit playbooks "Add a playbook with a bad byte" || bail "cannot commit"
refused 1 "playbook 'poisoned' at [0-9a-f]{7} is not valid" "opening from a committed playbook that is not UTF-8" \
	sitrep open poisoned --title "x"
like "$ERR" "poisoned\.playbook:$BADLINE: byte [0-9]+ of this line is not valid UTF-8" "with file and line"
git_t -C playbooks rm -q poisoned.playbook && git_commit playbooks "Remove it" || bail "cannot remove it"

sed 's/name      = "Example Status"/name = "Example \xff Status"/' sitrep.conf >"$TEST_TMP/bad.conf"
BADLINE=$(grep -an $'Example \xff Status' "$TEST_TMP/bad.conf" | cut -d: -f1)
[ -n "$BADLINE" ] || bail "could not make the config with a bad byte"
run sitrep -c "$TEST_TMP/bad.conf" list
is_rc 1 "a site config that is not UTF-8 is refused with exit 1"
like "$ERR" "bad\.conf:$BADLINE: byte 19 of this line is not valid UTF-8: write the file in UTF-8" \
	"at its file and line"
run timeout 20 "$SITREP_BIN/sitrepd" -c "$TEST_TMP/bad.conf"
is_rc 1 "sitrepd refuses it too, exit 1"
like "$ERR" "bad\.conf:$BADLINE: byte 19 of this line is not valid UTF-8" "naming file and line"
like "$ERR" "sitrepd: error: " "labelled as an error"

# ============================================================ poison rows: sitrep deliver

# INC-1: three updates to the internal channel; the middle one is poisoned
# in the store, as only another program could.
run sitrep update INC-1 --audience internal -m "first good update"
is_rc 0 "UPD-1 queued"
run sitrep update INC-1 --audience internal -m "to be poisoned"
is_rc 0 "UPD-2 queued"
run sitrep update INC-1 --audience internal -m "last good update"
is_rc 0 "UPD-3 queued"
poison updates body 2 "poisoned body "
is "$(q 'SELECT hex(body) FROM updates WHERE id = 2')" "$(printf 'poisoned body \xff' | xxd -p | tr a-f A-F)" \
	"UPD-2's body now holds the byte 0xff"

run sitrep updates INC-1 --json
is_rc 0 "updates --json works on it"
is "$(jq length <<<"$OUT")" 3 "and lists every update (it dropped the poisoned one)"
is "$(jq -r '.[] | select(.id == 2) | .body' <<<"$OUT")" $'poisoned body \xef\xbf\xbd' \
	"the bad byte reads as U+FFFD"

run sitrep deliver --once
is_rc 0 "sitrep deliver does not die on it (it exited 70)"
like "$ERR" "outbox row [0-9]+ \(slack channel ops\) is dead: UPD-2 cannot be sent: its body is not valid UTF-8 \(byte 15\)" \
	"it logs the dead row and why"
like "$OUT" "2 sent, 0 to retry, 1 dead" "the others were sent"
is "$(row_of 2)" "dead: UPD-2 cannot be sent: its body is not valid UTF-8 (byte 15)" \
	"the poisoned row is dead with its reason"
is "$(row_of 1)|$(row_of 3)" "sent: |sent: " "UPD-1 and UPD-3 were sent"
is "$(received 'first good update')|$(received 'last good update')|$(received 'poisoned')" "1|1|0" \
	"the receiver got both good updates and nothing of the poisoned one"
run sitrep outbox --state dead
like "$OUT" "dead +slack +ops +UPD-2 .*UPD-2 cannot be sent: its body is not valid UTF-8" \
	"sitrep outbox shows the row dead with its reason"
run sitrep outbox --state dead --json
is "$(jq -r '.messages[0].last_error' <<<"$OUT")" "UPD-2 cannot be sent: its body is not valid UTF-8 (byte 15)" \
	"and so does its JSON"

# A stored notice (a reminder's rendered message) that is not UTF-8.
q "INSERT INTO outbox (msg_id, incident_id, channel, type, payload, state, next_at, created_at)
	VALUES ('msg_poisonednotice0000000000000000', 1, 'ops', 'slack',
		'{\"text\":\"notice ' || CAST(X'FF' AS TEXT) || '\"}', 'pending', 0, 0)" ||
	bail "cannot insert a poisoned notice"
run sitrep deliver --once
is_rc 0 "deliver goes on past a stored notice that is not UTF-8"
is "$(q "SELECT state || ': ' || last_error FROM outbox WHERE msg_id = 'msg_poisonednotice0000000000000000'")" \
	"dead: the stored message is not valid UTF-8" "that row is dead with its reason"

# ============================================================ poison rows: sitrepd

# INC-2 goes public with a customer update; then its title and that
# update's body are poisoned, and a fresh internal update too.
run sitrep update INC-2 --audience customers --status identified -m "We found the cause of the checkout failures."
is_rc 0 "a customer update on INC-2 (UPD-4)"
UPD_PUBLIC=$(q "SELECT max(id) FROM updates")
is "$(q "SELECT state FROM updates WHERE id = $UPD_PUBLIC")" published "it is published"
run sitrep update INC-1 --audience internal -m "poisoned while waiting"
is_rc 0 "another internal update (to be poisoned)"
UPD_P2=$(q "SELECT max(id) FROM updates")
run sitrep update INC-1 --audience internal -m "good while waiting"
is_rc 0 "and a good one after it"
UPD_G2=$(q "SELECT max(id) FROM updates")
poison updates body "$UPD_P2" "stored poison "
poison incidents title 2 "Checkout "
# the public page shows the public title: poison that one too
poison incidents public_title 2 "Checkout "
poison updates body "$UPD_PUBLIC" "We found "

# Two drills whose reminders are due by the time sitrepd starts; the
# first one's title is poisoned.
run sitrep open quick --title "Drill with a poisoned title"
is_rc 0 "INC-3 opened from the quick drill"
run sitrep open quick --title "Drill next to it"
is_rc 0 "INC-4 opened from the quick drill"
poison incidents title 3 "Drill "

DLOG="$TEST_TMP/sitrepd.log"
start_daemon "$DLOG" || bail "sitrepd does not start with poisoned rows in its store"
pass "sitrepd starts with poisoned rows waiting (it exited 70 on every start)"
ok "the outbox drains" wait_until 60 outbox_idle
is "$(row_of "$UPD_P2")" "dead: UPD-$UPD_P2 cannot be sent: its body is not valid UTF-8 (byte 15)" \
	"sitrepd marked the poisoned row dead with its reason"
is "$(row_of "$UPD_G2")" "sent: " "and sent the good one behind it"
is "$(received 'good while waiting')" 1 "which the receiver got"
ok "sitrepd logged the dead row" log_has "$DLOG" \
	"sitrepd: warning: delivery: outbox row [0-9]+ \(slack channel ops\) is dead: UPD-$UPD_P2 cannot be sent"
ok "sitrepd is still running" kill -0 "$DPID"
ok "the reminder of the drill with the poisoned title went out, its title with U+FFFD" \
	wait_until 60 posted $'Reminder: INC-3 Drill \xef\xbf\xbd'
ok "and the other drill's reminder too" wait_until 60 posted "Reminder: INC-4 Drill next to it"

run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$DPORT/"
is "$RC:$OUT" "0:200" "the status page is served"
run curl -sS "http://127.0.0.1:$DPORT/"
like "$OUT" $'Checkout \xef\xbf\xbd' "with the poisoned title shown as U+FFFD"
for doc in summary.json incidents.json incidents/unresolved.json status.json; do
	run curl -sS "http://127.0.0.1:$DPORT/api/v2/$doc"
	is "$(jq -e . <<<"$OUT" >/dev/null 2>&1 && echo valid)" valid "/api/v2/$doc is served as valid JSON"
done
run curl -sS "http://127.0.0.1:$DPORT/api/v2/incidents.json"
is "$(jq -r '.incidents[] | select(.id == "inc-2") | .name' <<<"$OUT")" $'Checkout \xef\xbf\xbd' \
	"incidents.json names INC-2 with U+FFFD"
is "$(jq -r '.incidents[] | select(.id == "inc-2") | .incident_updates[0].body' <<<"$OUT")" $'We found \xef\xbf\xbd' \
	"and shows its poisoned update the same way"
for feed in history.atom history.rss; do
	run curl -sS "http://127.0.0.1:$DPORT/$feed"
	ok "/$feed is well-formed XML" /usr/bin/python3 -c 'import sys, xml.dom.minidom as m; m.parseString(sys.stdin.buffer.read())' <<<"$OUT"
done

# What comes after still goes out.
run sitrep update INC-1 --audience internal -m "after the poison"
is_rc 0 "a new update while sitrepd runs"
ok "sitrepd delivers it" wait_until 60 posted "after the poison"
ok "and is still running" kill -0 "$DPID"

# ============================================================ one per store: an error, not a warning

run timeout 20 "$SITREP_BIN/sitrepd" -c "$W/sitrep.conf"
is_rc 1 "a second sitrepd on the same store exits 1"
like "$ERR" "^sitrepd: error: another sitrepd already runs on '.*/sitrep\.db'" \
	"labelled as an error (it said warning)"
unlike "$ERR" "warning" "not as a warning"

stop_daemon
is "$STOP_RC" 0 "sitrepd stops cleanly"
start_daemon "$DLOG" || bail "sitrepd does not start again"
pass "and starts again over the same poisoned store"
run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$DPORT/api/v2/summary.json"
is "$RC:$OUT" "0:200" "serving the status page"
stop_daemon
is "$STOP_RC" 0 "and stops cleanly again"

# ============================================================ no exit 70 anywhere

run sitrep updates INC-1
is_rc 0 "updates (text) on the poisoned store"
run sitrep show INC-2
is_rc 0 "show of the poisoned incident"
like "$OUT" "opened +20[0-9-]+T[0-9:.]+Z by alice" "with every line filled (it printed '(null)')"
run sitrep show INC-2 --json
is "$RC:$(jq -r .title <<<"$OUT")" $'0:Checkout \xef\xbf\xbd' "show --json gives the title with U+FFFD (it printed nothing)"
run sitrep list
is_rc 0 "list with a poisoned title"
run sitrep list --json
is "$(jq -r '.[] | select(.id == 2) | .title' <<<"$OUT")" $'Checkout \xef\xbf\xbd' "list --json keeps the incident (it dropped it)"
run sitrep maintenance schedule --title "Database upgrade" --component database --from +1h --until +2h
is_rc 0 "a maintenance is scheduled"
poison maintenances title 1 "Database "
run sitrep maintenance list --json
is "$RC:$(jq -r '.[0].title' <<<"$OUT")" $'0:Database \xef\xbf\xbd' "maintenance list --json shows its poisoned title with U+FFFD"
run sitrep status INC-2 monitoring
isnt "$RC" 70 "a change to the poisoned incident does not end with 70"

# ============================================================ lengths

# A title is one line of at most 200 bytes; an update's text at most 16 KiB.
LONGT=$(printf 'x%.0s' $(seq 1 201))
N0=$(q "SELECT count(*) FROM incidents")
run sitrep open outage --title "$LONGT"
is "$RC:$(q "SELECT count(*) FROM incidents")" "1:$N0" "a title of 201 bytes is refused (exit 1), nothing opened"
like "$ERR" "the title is 201 bytes long: a title is one line of at most 200 bytes" "the message says how long and the limit"
U0=$(q "SELECT count(*) FROM updates")
run sitrep update INC-1 --audience internal -m "$(head -c 16385 /dev/zero | tr '\0' 'y')"
is "$RC:$(q "SELECT count(*) FROM updates")" "1:$U0" "an update of 16,385 bytes is refused (exit 1), nothing saved"
like "$ERR" "the update's text is 16385 bytes long, more than the 16384" "the message says how long and the limit"
