#!/bin/bash
# t0007-sitrepd.sh: the daemon in real time, on a workspace whose playbook
# counts in seconds and whose internal channel posts to a loopback HTTP
# receiver: it starts and serves /healthz, refuses a second daemon on the
# same store, fires reminders on time (it aims for a second; the checks
# allow 3 s, for a busy machine) and delivers them, escalates an
# unacknowledged page after ack_timeout, publishes a scheduled update (keeping the promise it makes) and moves a
# maintenance on time, notices what sitrep commands write as promptly
# (an approval, new incidents, 60 of them opened at once while it is busy),
# reloads its config on SIGHUP (and keeps running on a broken one, and on
# a valid one whose listen port is taken),
# survives SIGKILL with reminders pending and deliveries in flight (nothing
# lost, nothing fired twice), stops on SIGTERM and SIGINT, does
# not poll while idle, and leaks nothing under valgrind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

plan 99
tmp_workspace
# Every request goes straight to loopback, whatever proxy the caller uses.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
LOG="$TEST_TMP/web/requests.jsonl"
H="http://127.0.0.1:$HTTP_PORT"

# Every daemon the script started is killed however the script ends; then
# the servers are stopped as servers.sh does.
DPID=
_t7_exit() {
	local rc=$?
	if [ -n "$DPID" ]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	(exit "$rc")
	_srv_exit
}
trap _t7_exit EXIT

# ------------------------------------------------------------ helpers

# q SQL...: a query on the workspace's store, waiting out a writer.
q() {
	sqlite3 -cmd '.timeout 5000' "${DB:-$W/sitrep.db}" "$@"
}

now_ms() {
	date +%s%3N
}

# sleep_until MS: sleep until the time MS (ms since the epoch).
sleep_until() {
	local d=$(($1 - $(now_ms)))
	if [ "$d" -gt 0 ]; then
		sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	fi
}

# wait_for SECS CMD...: wait_until SECS CMD, CMD's stderr silenced. The
# bounds are generous: how late the daemon was is checked apart (within).
wait_for() {
	local secs=$1
	shift
	wait_until "$secs" _quietly "$@"
}
_quietly() {
	"$@" 2>/dev/null
}

# sql_true SQL: the query prints 1.
sql_true() {
	[ "$(q "$1")" = 1 ]
}

# log_has FILE ERE [FROM]: a line of FILE (from line FROM on) matches.
log_has() {
	tail -n +"${3:-1}" "$1" 2>/dev/null | grep -Eq -- "$2"
}

log_lines() {
	wc -l <"$1" | tr -d ' '
}

# start_daemon LOG [WRAPPER...]: sitrepd in the background (its pid in
# DPID), waiting up to 60 s for its status page URL; its port in DPORT.
start_daemon() {
	local log=$1 from secs=60
	shift
	touch "$log"
	DLOG_CUR=$log
	from=$(($(log_lines "$log") + 1))
	"$@" "$SITREP_BIN/sitrepd" -c "${DCONF:-$W/sitrep.conf}" >>"$log" 2>&1 </dev/null &
	DPID=$!
	if ! wait_for "$secs" log_has "$log" 'status page: http://127\.0\.0\.1:[0-9]+/' "$from"; then
		diag "sitrepd did not start: $(tail -n +"$from" "$log")"
		return 1
	fi
	daemon_port "$log"
}

# daemon_port LOG: DPORT from the last status page line of LOG.
daemon_port() {
	DPORT=$(grep -Eo 'status page: http://127\.0\.0\.1:[0-9]+/' "$1" | tail -n 1 |
		sed -E 's/.*:([0-9]+)\/$/\1/')
}

# stop_daemon SIG SECS: send SIG and wait up to SECS for the daemon to exit;
# its exit code in STOP_RC ("killed" when it had to be), the time it took
# in STOP_MS.
stop_daemon() {
	local i n=$(($2 * 20)) t0
	t0=$(now_ms)
	kill -"$1" "$DPID" 2>/dev/null
	for ((i = 0; i < n; i++)); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.05
	done
	STOP_MS=$(($(now_ms) - t0))
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		STOP_RC=killed
	else
		STOP_RC=0
		wait "$DPID" || STOP_RC=$?
	fi
	[ "$STOP_RC" = 0 ] || diag "sitrepd exited $STOP_RC; its log ends: $(tail -n 5 "$DLOG_CUR")"
	DPID=
}

# kill_daemon: SIGKILL, no questions asked.
kill_daemon() {
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}

# cpu_ticks PID: user + system CPU time of PID, in clock ticks.
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	# after "pid (comm) ", utime and stime are the 12th and 13th fields
	awk '{ print $12 + $13 }' <<<"$stat"
}

# reminder N KIND COLUMNS: the first reminder event of KIND on INC-N.
reminder() {
	q "SELECT $3 FROM events WHERE incident_id = $1 AND kind = 'reminder' AND
		json_extract(details, '$.reminder') = '$2' ORDER BY id LIMIT 1"
}

# nreminders N KIND: how many reminder events of KIND INC-N has.
nreminders() {
	q "SELECT count(*) FROM events WHERE incident_id = $1 AND kind = 'reminder' AND
		json_extract(details, '$.reminder') = '$2'"
}

# received ERE: how many POSTs the receiver logged whose Slack text matches.
received() {
	jq -r 'select(.method == "POST" and (.path | startswith("/ok/"))) | .path + " " + (.body | fromjson | .text | gsub("\n"; " "))' \
		"$LOG" 2>/dev/null | grep -Ec -- "$1"
}

# page_states N: INC-N's pages as "Ltier:person=state ...", oldest first.
page_states() {
	q "SELECT group_concat(t, ' ') FROM (SELECT 'L' || tier || ':' || person || '=' || state
		AS t FROM pages WHERE incident_id = $1 ORDER BY id)"
}

# settle N: wait (up to 60 s) until INC-N's last reminder, the overdue first
# update 3 s after opening, has fired, so that nothing the daemon does
# runs at the same time as the next sitrep command. (A change a sitrep
# command commits while the scheduler is looking can go unnoticed: see the
# section under load.)
settle() {
	wait_for 60 sql_true "SELECT count(*) >= 1 FROM events WHERE incident_id = $1 AND kind = 'reminder'
		AND json_extract(details, '$.reminder') = 'update_overdue'" || diag "INC-$1 did not settle"
	sleep 0.2
}

# within LATE DESC: 0 <= LATE <= LATE_MAX ms. sitrepd aims for a second;
# the bound allows for a machine whose cores are busy with other work (a
# change the daemon missed would show far later: at its next unrelated
# wake-up, or never), and each lateness is shown.
LATE_MAX=3000
within() {
	if [ "$1" -ge 0 ] 2>/dev/null && [ "$1" -le "$LATE_MAX" ]; then
		pass "$2 ($1 ms)"
	else
		fail "$2"
		diag "    late by '$1' ms, expected 0..$LATE_MAX"
	fi
}

# ------------------------------------------------------------ the workspace

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

export T7_OPS_URL="$H/ok/ops"
echo "$H/ok/ops2" >"$W/ops2.url"

# set_conf CHANNELS: ./sitrep.conf with the status page on any free port,
# CHANNELS as its channels, and quick retries.
set_conf() {
	CH=$1 /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
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
t, n = re.subn(r'^http = \{[^}]*\};', 'http = { listen = "127.0.0.1:0"; };', t, flags=re.M)
assert n == 1, "no http group"
t = re.sub(r"^delivery = \{.*?\};\n", "", t, flags=re.S | re.M)
t += 'delivery = { timeout = "10s"; retries = 5; backoff = [ "1s" ]; concurrency = 16;\n'
t += '             allow = [ "127.0.0.1/32" ]; };\n'  # the receivers are on loopback
open(p, "w", encoding="utf-8").write(t)
EOF
	sitrep outbox >/dev/null 2>&1 || bail "the rewritten sitrep.conf is not valid: $(sitrep outbox 2>&1)"
}

OPS='  { id = "ops"; type = "slack"; audiences = [ "internal" ]; url_env = "T7_OPS_URL"; }'
OPS2='  { id = "ops2"; type = "slack"; audiences = [ "internal" ]; url_file = "ops2.url"; }'
set_conf "$OPS"

cat >playbooks/quick.playbook <<'EOF'
# quick.playbook: a drill that counts in seconds.
name    = "quick";
title   = "Quick drill";
summary = "Everything is due within seconds.";
severity   = "SEV2";
components = [ "api" ];
roles = (
  { id = "commander"; title = "Incident Commander"; },
  { id = "comms"; title = "Communications Lead"; },
  { id = "ops"; title = "Operations"; max = 3; }
);
escalation = { mode = "tiered"; ack_timeout = "2s"; tiers = [ "L1", "L2", "L3" ]; };
cadence = (
  { audience = "internal"; every = { SEV1 = "4s"; SEV2 = "4s"; }; first_within = "3s"; }
);
approval = { audiences = [ "executives" ]; min_severity = "SEV2";
             approvers = [ "commander", "comms" ]; };
steps = (
  { id = "declare"; title = "Declare the incident"; role = "commander"; due = "2s"; }
);
EOF
# The same, with more time: for the restart, whose reminders must still be
# pending when the daemon is killed, however busy the machine.
sed -e 's/"quick"/"later"/; s/first_within = "3s"/first_within = "20s"/; s/due = "2s"/due = "15s"/' \
	playbooks/quick.playbook >playbooks/later.playbook
git_commit playbooks "Add the quick and later drills" || bail "cannot commit the playbooks"
sitrep playbook show quick >/dev/null 2>&1 || bail "the quick playbook is not valid: $(sitrep playbook show quick 2>&1)"
sitrep playbook show later >/dev/null 2>&1 || bail "the later playbook is not valid: $(sitrep playbook show later 2>&1)"

DLOG="$TEST_TMP/sitrepd.log"

# ============================================================ start, healthz, one per store

start_daemon "$DLOG" || bail "sitrepd did not start"
pass "sitrepd starts and logs its status page URL"
run curl -sS "http://127.0.0.1:$DPORT/healthz"
is "$RC:$OUT" "0:ok" "GET /healthz says ok"

run timeout 10 "$SITREP_BIN/sitrepd" -c "$W/sitrep.conf"
isnt "$RC" 0 "a second sitrepd on the same store exits non-zero"
is "$RC" 1 "it exits 1"
like "$ERR" "another sitrepd already runs on '.*/sitrep\.db' \(it holds '.*/sitrep\.db-sitrepd\.lock'\)" \
	"it says another sitrepd holds the lock, naming the lock file"
ok "the first sitrepd is still running" kill -0 "$DPID"
run curl -sS "http://127.0.0.1:$DPORT/healthz"
is "$RC:$OUT" "0:ok" "and still serving"

# ============================================================ reminders on time, delivered

run sitrep --as alice open quick --title "Drill one"
is_rc 0 "alice opens INC-1 from the quick playbook"
OPENED1=$(q "SELECT opened_at FROM incidents WHERE id = 1")
sitrep --as alice role take 1 commander >/dev/null 2>&1
sitrep --as bob role take 1 comms >/dev/null 2>&1

# The first update is due 3 s after opening: its reminder comes halfway
# there, 1.5 s after opening, on time only if the daemon noticed the new
# incident in time.
ok "the first-update reminder fires" wait_for 60 sql_true \
	"SELECT count(*) = 1 FROM events WHERE incident_id = 1 AND kind = 'reminder'
	 AND json_extract(details, '$.reminder') = 'update_due'"
IFS='|' read -r at due to <<<"$(reminder 1 update_due "at, json_extract(details, '$.due_at'), json_extract(details, '$.to')")"
is "$due|$to" "$((OPENED1 + 1500))|[\"bob\"]" "it was due 1.5 s after opening, halfway to the first update, to comms"
within "$((at - due))" "update_due fired at most 3 s after its due time"

ok "the overdue reminder fires" wait_for 60 sql_true \
	"SELECT count(*) = 1 FROM events WHERE incident_id = 1 AND kind = 'reminder'
	 AND json_extract(details, '$.reminder') = 'update_overdue'"
IFS='|' read -r at due actor to <<<"$(reminder 1 update_overdue "at, json_extract(details, '$.due_at'), actor, json_extract(details, '$.to')")"
is "$due" "$((OPENED1 + 3000))" "it was due 3 s after opening (first_within)"
within "$((at - due))" "update_overdue fired at most 3 s after its due time"
is "$actor|$to" 'sitrepd|["bob","alice"]' "as sitrepd, to comms and the commander"
ok "the step reminder fires" wait_for 60 sql_true \
	"SELECT count(*) = 1 FROM events WHERE incident_id = 1 AND kind = 'reminder'
	 AND json_extract(details, '$.reminder') = 'step_overdue'"
IFS='|' read -r at due <<<"$(reminder 1 step_overdue "at, json_extract(details, '$.due_at')")"
is "$due" "$((OPENED1 + 2000))" "the step was due 2 s after opening"
within "$((at - due))" "step_overdue fired at most 3 s after its due time"

ok "the reminders' notices are sent" wait_for 60 sql_true \
	"SELECT count(*) = 3 FROM outbox WHERE incident_id = 1 AND update_id IS NULL AND state = 'sent'"
is "$(received '^/ok/ops \*Reminder: INC-1 Drill one\*')" 3 "the receiver got the three reminders on the ops channel"
is "$(received 'The update to internal promised by .* is overdue')" 1 "one says the internal update is overdue"
within "$(q "SELECT max(sent_at - created_at) FROM outbox WHERE incident_id = 1 AND update_id IS NULL")" \
	"each was sent at most 3 s after being queued by its reminder"

# ============================================================ escalation on time

run sitrep --as carol page 1 ops
is_rc 0 "carol pages ops on INC-1 (L1: alice)"
TIMEOUT1=$(q "SELECT (timeout_at - paged_at) || ' ' || timeout_at FROM pages WHERE incident_id = 1 AND tier = 1")
is "${TIMEOUT1%% *}" 2000 "the page times out after the playbook's 2 s ack_timeout"
TIMEOUT1=${TIMEOUT1#* }
ok "nobody acknowledges: it is escalated" wait_for 60 sql_true \
	"SELECT count(*) >= 1 FROM events WHERE incident_id = 1 AND kind = 'escalated'"
run sitrep --as bob ack 1
is_rc 0 "bob, paged at L2, acknowledges at once"
is "$(page_states 1)" "L1:alice=escalated L2:bob=acked" "L1 alice's page escalated, L2 bob's acknowledged"
IFS='|' read -r at actor reason <<<"$(q "SELECT at, actor, json_extract(details, '$.reason') FROM events
	WHERE incident_id = 1 AND kind = 'escalated'")"
within "$((at - TIMEOUT1))" "escalated at most 3 s after the ack timeout"
is "$actor|$reason" "sitrepd|alice (L1) did not acknowledge the page for ops within the playbook's ack timeout" \
	"by sitrepd, with the reason"

# ============================================================ approval noticed

# An executive update that needs approval, scheduled for 1 s from now: its
# time comes and it waits; the daemon publishes it within a second of the
# approval that sitrep writes.
run sitrep --as bob update 1 --audience executives -m "Executive brief" --at +1s --json
is_rc 0 "bob schedules an executive update (it needs approval) for 1 s from now"
EXEC=$(jq -r '.update' <<<"$OUT")
sleep_until $(( $(q "SELECT publish_at FROM updates WHERE id = $EXEC") + 1200 ))
is "$(q "SELECT state FROM updates WHERE id = $EXEC")" draft "past its time it still waits for approval"
run sitrep --as alice approve "$EXEC"
APPROVED=$(now_ms)
is_rc 0 "alice, the commander, approves it"
ok "the daemon publishes it once approved" wait_for 60 sql_true \
	"SELECT state = 'published' FROM updates WHERE id = $EXEC"
late=$(( $(q "SELECT published_at FROM updates WHERE id = $EXEC") - APPROVED ))
within "$((late < 0 ? 0 : late))" "at most 3 s after the approval (sitrep's change noticed)"

# ============================================================ a scheduled update, a maintenance

run sitrep --as bob update 1 --audience internal -m "Scheduled status note" --at +5s --json
is_rc 0 "bob schedules an internal update for 5 s from now"
UPD=$(jq -r '.update' <<<"$OUT")
PUBLISH_AT=$(q "SELECT publish_at FROM updates WHERE id = $UPD")
run sitrep --as alice maintenance schedule --title "Drill maintenance" --component api --from +5s --until +7s
is_rc 0 "alice schedules a maintenance from 5 s to 7 s from now"
MSTART=$(q "SELECT starts_at FROM maintenances WHERE id = 1")
MEND=$(q "SELECT ends_at FROM maintenances WHERE id = 1")
state=$(q "SELECT state FROM updates WHERE id = $UPD")
if [ "$state" != draft ] && [ "$(now_ms)" -ge "$PUBLISH_AT" ]; then
	skip 1 "the machine took until the update's time to get here"
else
	is "$state" draft "the update waits as a draft"
fi
ok "the daemon publishes it" wait_for 60 sql_true \
	"SELECT state = 'published' FROM updates WHERE id = $UPD"
within "$(( $(q "SELECT published_at FROM updates WHERE id = $UPD") - PUBLISH_AT ))" \
	"published at most 3 s after its time"
ok "and delivers it" wait_for 60 sql_true \
	"SELECT count(*) = 1 FROM outbox WHERE update_id = $UPD AND state = 'sent'"
is "$(received '^/ok/ops .*Scheduled status note')" 1 "the receiver got the scheduled update"
ok "the maintenance completes" wait_for 60 sql_true \
	"SELECT state = 'completed' FROM maintenances WHERE id = 1"
IFS='|' read -r started completed <<<"$(q "SELECT started_at, completed_at FROM maintenances WHERE id = 1")"
within "$((started - MSTART))" "the maintenance started at most 3 s after its start"
within "$((completed - MEND))" "and completed at most 3 s after its end"

# The update the daemon published promised the next one 4 s after its time
# (the playbook's cadence): that promise is kept like any other. Nothing
# but the daemon itself wrote to INC-1 since.
PROMISE=$(q "SELECT next_update_at FROM updates WHERE id = $UPD")
is "$PROMISE" "$((PUBLISH_AT + 4000))" "the scheduled update promised the next one 4 s after its time"
wait_for 60 sql_true "SELECT count(*) >= 1 FROM events WHERE incident_id = 1 AND kind = 'reminder'
	AND json_extract(details, '$.reminder') = 'update_overdue' AND json_extract(details, '$.due_at') = $PROMISE"
IFS='|' read -r n at <<<"$(q "SELECT count(*), max(at) FROM events WHERE incident_id = 1 AND kind = 'reminder'
	AND json_extract(details, '$.reminder') = 'update_overdue' AND json_extract(details, '$.due_at') = $PROMISE")"
is "$n" 1 "the overdue reminder for the scheduled update's promise fires"
within "$([ -n "$at" ] && echo $((at - PROMISE)) || echo never)" "at most 3 s after the promised time"

# ============================================================ SIGHUP

run sitrep --as alice open quick --title "Drill two"
is_rc 0 "alice opens INC-2 before the reload"
wait_for 60 sql_true "SELECT count(*) >= 1 FROM events WHERE incident_id = 2 AND kind = 'reminder'"
is "$(reminder 2 update_due "json_extract(details, '$.queued')")" 1 "its first reminder goes to the one internal channel"

settle 2
set_conf "$OPS,
$OPS2"
from=$(($(log_lines "$DLOG") + 1))
kill -HUP "$DPID"
ok "SIGHUP: the daemon reloads its config" wait_for 60 log_has "$DLOG" 'reloaded .*sitrep\.conf' "$from"
ok "and still runs" kill -0 "$DPID"
daemon_port "$DLOG"
run curl -sS "http://127.0.0.1:$DPORT/healthz"
is "$RC:$OUT" "0:ok" "the status page is served again after the reload"
run sitrep --as alice open quick --title "Drill three"
is_rc 0 "alice opens INC-3 after the reload"
ok "INC-3's first reminder appears" wait_for 60 sql_true \
	"SELECT count(*) >= 1 FROM events WHERE incident_id = 3 AND kind = 'reminder'"
is "$(reminder 3 update_due "json_extract(details, '$.queued')")" 2 \
	"it is queued on both internal channels: the daemon uses the new config"
ok "both are sent" wait_for 60 sql_true \
	"SELECT count(*) = 2 FROM outbox WHERE incident_id = 3 AND update_id IS NULL
	 AND json_extract(payload, '$.text') LIKE '%first update%' AND state = 'sent'"
is "$(received '^/ok/ops2 \*Reminder: INC-3 Drill three\* .*first update')" 1 "the new channel's URL (from its file) got it"

settle 3
cp sitrep.conf sitrep.conf.good
echo 'this is = = not a config' >>sitrep.conf
from=$(($(log_lines "$DLOG") + 1))
kill -HUP "$DPID"
ok "SIGHUP with a broken config: the reload is refused" wait_for 60 log_has "$DLOG" 'reload refused' "$from"
ok "the daemon keeps running" kill -0 "$DPID"
run curl -sS "http://127.0.0.1:$DPORT/healthz"
is "$RC:$OUT" "0:ok" "on the same port"
run sitrep -c sitrep.conf.good --as alice open quick --title "Drill four"
is_rc 0 "alice opens INC-4 (the broken config still in place)"
ok "the daemon still fires reminders on the old config" wait_for 60 sql_true \
	"SELECT count(*) >= 1 FROM events WHERE incident_id = 4 AND kind = 'reminder'"
is "$(reminder 4 update_due "json_extract(details, '$.queued')")" 2 "on both channels"
cp sitrep.conf.good sitrep.conf
settle 4

# A valid config whose listen address another process holds: the reload
# cannot apply, and the daemon keeps the old config and listener.
BUSY_FIFO="$TEST_TMP/busy.fifo"
mkfifo "$BUSY_FIFO"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
sys.stdin.read()' <"$BUSY_FIFO" >"$TEST_TMP/busy.port" &
BUSY_PID=$!
exec 7>"$BUSY_FIFO"
wait_for 5 test -s "$TEST_TMP/busy.port"
BUSY_PORT=$(cat "$TEST_TMP/busy.port")
sed -E "s/^http = \{[^}]*\};/http = { listen = \"127.0.0.1:$BUSY_PORT\"; };/" sitrep.conf.good >sitrep.conf
run sitrep outbox
is_rc 0 "a valid config whose http.listen (127.0.0.1:$BUSY_PORT) another process holds"
from=$(($(log_lines "$DLOG") + 1))
kill -HUP "$DPID"
ok "SIGHUP: the reload is refused, saying why" wait_for 10 log_has "$DLOG" \
	"reload refused.*127\.0\.0\.1 port $BUSY_PORT: Address already in use" "$from"
ok "the daemon keeps running (no 'cannot start again')" eval 'kill -0 "$DPID" && ! log_has "$DLOG" fatal "$from"'
run curl -sS "http://127.0.0.1:$DPORT/healthz"
is "$RC:$OUT" "0:ok" "its status page is still served on the old port"
exec 7>&-
wait "$BUSY_PID" 2>/dev/null
cp sitrep.conf.good sitrep.conf
from=$(($(log_lines "$DLOG") + 1))
kill -HUP "$DPID"
ok "with the config good again, the next SIGHUP reloads it" wait_for 10 log_has "$DLOG" 'reloaded .*sitrep\.conf' "$from"

# ============================================================ SIGKILL and restart

for i in 1 2 3 4; do
	sitrep subscribe webhook "$H/slow/2/sub$i" >/dev/null 2>&1 || bail "cannot subscribe $i"
done
run sitrep --as alice open later --title "Drill five"
is_rc 0 "alice opens INC-5 from the later playbook (reminders due 10, 15 and 20 s after opening)"
OPENED5=$(q "SELECT opened_at FROM incidents WHERE id = 5")
run sitrep --as alice update 5 --audience customers -m "We are looking into it."
is_rc 0 "a customer update goes to four slow webhook subscribers (2 s each)"
ok "their deliveries are in flight" wait_for 60 eval '[ "$(jq -r "select(.path | startswith(\"/slow/2/\")) | .path" "$LOG" | wc -l)" -ge 4 ]'
kill_daemon
pass "the daemon is killed (SIGKILL) with four deliveries in flight"
is "$(q "SELECT count(*) FROM outbox WHERE update_id IS NOT NULL AND incident_id = 5 AND state = 'pending' AND attempts = 0")" 4 \
	"the four rows are left pending, as if never taken"
PENDING=$(q "SELECT count(*) FROM events WHERE incident_id = 5 AND kind = 'reminder'")
is "$PENDING" 0 "none of INC-5's reminders (due 10, 15 and 20 s after opening) had fired yet"

start_daemon "$DLOG" || bail "sitrepd did not start again"
pass "sitrepd starts again"
ok "the overdue reminder fires after the restart" wait_for 60 sql_true \
	"SELECT count(*) >= 1 FROM events WHERE incident_id = 5 AND kind = 'reminder'
	 AND json_extract(details, '$.reminder') = 'update_overdue'"
within "$(( $(reminder 5 update_overdue "at - json_extract(details, '$.due_at')") ))" \
	"on time (at most 3 s after its due time)"
wait_for 60 sql_true "SELECT count(*) >= 3 FROM events WHERE incident_id = 5 AND kind = 'reminder'"
kill_daemon
start_daemon "$DLOG" || bail "sitrepd did not start a third time"
pass "killed again and restarted once the reminders fired"
# issue 13: what pages send people (contact set) goes to the paging e-mail
# channel, which nothing answers here; those end cancelled or dead
ok "every outbox row ends sent" wait_for 60 sql_true "SELECT count(*) = 0 FROM outbox WHERE state != 'sent' AND contact IS NULL"
is "$(nreminders 5 update_due):$(nreminders 5 step_overdue):$(nreminders 5 update_overdue)" "1:1:1" \
	"INC-5's three reminders fired once each across two restarts"
is "$(q "SELECT count(*) FROM (SELECT count(*) AS n FROM events WHERE kind = 'reminder'
	GROUP BY incident_id, json_extract(details, '$.reminder'), json_extract(details, '$.due_at'),
	json_extract(details, '$.text') HAVING n > 1)")" 0 "no reminder event is duplicated"
is "$(q "SELECT count(*) FROM events WHERE kind = 'reminder'")" \
	"$(q "SELECT count(*) FROM reminders WHERE kind NOT IN ('escalation', 'unfilled_role')")" \
	"one reminder event per reminder recorded as fired"
is "$(q "SELECT coalesce(sum(json_extract(details, '$.queued')), 0) FROM events WHERE kind = 'reminder'")" \
	"$(q "SELECT count(*) FROM outbox WHERE update_id IS NULL AND incident_id IS NOT NULL AND contact IS NULL")" \
	"every notice a reminder queued is in the outbox (none lost, none extra)"
for i in 1 2 3 4; do
	ids=$(jq -r --arg p "/slow/2/sub$i" 'select(.path == $p) | .headers["webhook-id"]' "$LOG" | sort -u)
	[ "$(lines "$ids")" = 1 ] || break
done
is "$(lines "$ids")" 1 "a delivery repeated after the kill keeps its webhook-id"

# ============================================================ idle

sleep 2
c0=$(cpu_ticks "$DPID")
sleep 5
c1=$(cpu_ticks "$DPID")
HZ=$(getconf CLK_TCK)
ok "idle for 5 s, the daemon used under 0.05 s of CPU (used $((c1 - c0)) ticks of 1/$HZ s)" \
	test "$(( (c1 - c0) * 100 ))" -lt "$((5 * HZ))"

# ============================================================ SIGTERM and SIGINT

slow_hits() {
	jq -r 'select(.path | startswith("/slow/2/")) | .path' "$LOG" | wc -l
}
before=$(slow_hits)
run sitrep --as alice update 5 --audience customers -m "Still looking."
ok "a second customer update is in flight to the slow subscribers" wait_for 60 eval \
	'[ "$(slow_hits)" -ge $((before + 4)) ]'
from=$(($(log_lines "$DLOG") + 1))
stop_daemon TERM 30
is "$STOP_RC" 0 "SIGTERM: sitrepd exits 0 (took $STOP_MS ms)"
ok "it logs that it is stopping" log_has "$DLOG" 'stopping' "$from"
is "$(q "SELECT count(*) FROM outbox WHERE state != 'sent' AND contact IS NULL")" 0 \
	"the deliveries in flight finished before it exited (all sent)"
ok "the lock is released: a new sitrepd starts" start_daemon "$DLOG"
stop_daemon INT 30
is "$STOP_RC" 0 "SIGINT: sitrepd exits 0 (took $STOP_MS ms)"

# ============================================================ under load

# A second workspace (no channels) whose playbook has a step due every
# second: the daemon is busy firing reminders while four people open 60
# incidents at once. Each must be noticed in time for its first reminder
# (1 s after opening), whenever its transaction commits relative to the
# daemon's looks.
W2="$TEST_TMP/w2"
sitrep init "$W2" >/dev/null 2>&1 || bail "sitrep init w2 failed"
cd "$W2" || bail "no workspace w2"
set_conf ""
{
	echo 'name = "busy"; title = "Busy drill"; summary = "A step due every second.";'
	echo 'severity = "SEV2"; components = [ "api" ];'
	echo 'roles = ( { id = "commander"; title = "Incident Commander"; } );'
	echo 'escalation = { mode = "tiered"; ack_timeout = "5m"; tiers = [ "L1" ]; };'
	echo 'cadence = ( { audience = "internal"; every = { SEV2 = "1h"; }; first_within = "2s"; } );'
	echo 'steps = ('
	for i in 1 2 3 4 5; do
		echo "  { id = \"s$i\"; title = \"Step $i\"; role = \"commander\"; due = \"${i}s\"; },"
	done
	echo '  { id = "s6"; title = "Step 6"; role = "commander"; due = "6s"; } );'
} >playbooks/busy.playbook
git_commit playbooks "Add the busy drill" || bail "cannot commit the busy playbook"
sitrep playbook show busy >/dev/null 2>&1 || bail "the busy playbook is not valid: $(sitrep playbook show busy 2>&1)"
DCONF="$W2/sitrep.conf" DB="$W2/sitrep.db"
start_daemon "$TEST_TMP/busy.log" || bail "sitrepd did not start on w2"
openers=()
for s in 1 2 3 4; do
	(
		for i in $(seq 1 15); do
			sitrep --as alice open busy --title "Busy $s.$i" >/dev/null 2>&1
			sleep 0.05
		done
	) &
	openers+=($!)
done
wait "${openers[@]}"
wait_for 60 sql_true "SELECT count(*) = 60 FROM incidents i WHERE EXISTS (SELECT 1
	FROM events e WHERE e.incident_id = i.id AND e.kind = 'reminder'
	AND json_extract(e.details, '$.reminder') = 'update_due')"
is "$(q "SELECT count(*) FROM incidents")" 60 "60 incidents were opened under load"
missed=$(q "SELECT group_concat('INC-' || id, ' ') FROM incidents i WHERE NOT EXISTS (SELECT 1
	FROM events e WHERE e.incident_id = i.id AND e.kind = 'reminder')")
is "$missed" "" "every incident opened while the daemon was busy was noticed (it got reminders)"
late=$(q "SELECT group_concat('INC-' || i.id || ' ' || coalesce(e.at - json_extract(e.details, '$.due_at'), 'never'), ', ')
	FROM incidents i LEFT JOIN events e ON e.incident_id = i.id AND e.kind = 'reminder'
	AND json_extract(e.details, '$.reminder') = 'update_due'
	WHERE e.id IS NULL OR e.at - json_extract(e.details, '$.due_at') > $LATE_MAX")
is "$late" "" "each one's first-update reminder fired at most 3 s after its due time"
stop_daemon TERM 30
is "$STOP_RC" 0 "the busy daemon stops on SIGTERM"
unset DCONF DB
cd "$W" || bail "no workspace"

# ============================================================ valgrind

if valgrind_usable; then
	VLOG="$TEST_TMP/valgrind.log"
	run sitrep --as alice open quick --title "Under valgrind"
	if start_daemon "$DLOG" valgrind --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --log-file="$VLOG"; then
		pass "sitrepd starts under valgrind"
		ok "under valgrind it fires INC-6's reminder and delivers it" wait_for 60 sql_true \
			"SELECT count(*) >= 2 FROM outbox WHERE incident_id = 6 AND update_id IS NULL AND state = 'sent'"
		curl -sS "http://127.0.0.1:$DPORT/" >/dev/null
		curl -sS "http://127.0.0.1:$DPORT/api/v2/summary.json" >/dev/null
		curl -sS "http://127.0.0.1:$DPORT/metrics" >/dev/null
		stop_daemon TERM 30
		is "$STOP_RC" 0 "under valgrind: SIGTERM exits 0 with no errors and no definite leaks"
		ok "valgrind reports no definite leaks" eval \
			'grep -Eq "definitely lost: 0 bytes|no leaks are possible" "$VLOG" &&
			 ! grep -Eq "definitely lost: [1-9]" "$VLOG"'
		[ "$STOP_RC" = 0 ] || diag "$(grep -A12 -E 'definitely lost in|Invalid|uninitialised' "$VLOG" | head -60)"
	else
		fail "sitrepd starts under valgrind"
		skip 3 "sitrepd did not start under valgrind"
	fi
else
	skip 4 "$VALGRIND_WHY"
fi
