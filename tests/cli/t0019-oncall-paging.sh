#!/bin/bash
# t0019-oncall-paging.sh: where on-call schedules meet pages. A roster
# that names a schedule pages whoever is on call for it; an override wins
# over the rotation; a role's `who` schedule pages its on-call person and
# not the tier; `playbook validate` checks what a playbook reaches through
# schedules; sitrepd announces a handoff to both people through their
# contacts, once (read from the outbox), and a reminder to post an update
# names a command that works as printed and reaches the holder too.
. "$(dirname "$0")/lib.sh"

for tool in jq sqlite3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
if [ ! -x "$SITREP_BIN/sitrepd" ]; then
	echo "1..0 # SKIP no sitrepd in SITREP_BIN"
	exit 0
fi

plan 30
tmp_workspace

PY=/usr/bin/python3
SPID=
_t19_exit() {
	local rc=$?
	stop_sitrepd
	(exit "$rc")
	_lib_exit
}
trap _t19_exit EXIT

closed_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# utc OFFSET: a moment as sitrep reads it, OFFSET from now ("-1 minute").
utc() {
	date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ
}

# pages_of N ROLE: "person|schedule|state" of INC-N's pages for ROLE, by id.
pages_of() {
	sqlite3 sitrep.db "SELECT group_concat(p, ' ') FROM (SELECT person || '|' ||
		coalesce(schedule, '-') || '|' || state AS p FROM pages WHERE incident_id = $1
		AND role = '$2' ORDER BY id)"
}

# notices PERSON: handoff notices queued to PERSON (no incident, no page).
notices() {
	sqlite3 sitrep.db "SELECT count(*) FROM outbox WHERE incident_id IS NULL AND
		page_id IS NULL AND contact LIKE '$1/%'"
}

# notices_are PERSON N: whether N handoff notices went to PERSON (for wait_until).
notices_are() {
	[ "$(notices "$1")" = "$2" ]
}

# reminded N: whether INC-N has a reminder event.
# sql_is SQL VALUE: the query's answer is VALUE.
sql_is() {
	[ "$(sqlite3 sitrep.db "$1")" = "$2" ]
}

reminded() {
	[ "$(sqlite3 sitrep.db "SELECT count(*) FROM events WHERE incident_id = $1 AND kind = 'reminder'")" -ge 1 ]
}

# ============================================================ setup

W="$TEST_TMP/w"
PB="$W/playbooks"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
CONF_MAIL_PORT=$(closed_port) $PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n1 = re.subn(r'listen = "127\.0\.0\.1:8080"', 'listen = "127.0.0.1:0"', t)
t, n2 = re.subn(r'smtp://127\.0\.0\.1:25"', 'smtp://127.0.0.1:%s"' % os.environ["CONF_MAIL_PORT"], t)
# L1 is the ops-primary schedule only; lena does legal work
t, n3 = re.subn(r'email = "alice@example.com"; tier = "L1";', 'email = "alice@example.com";', t)
t, n4 = re.subn(r"^tiers = \{.*?^\};\n", """tiers = {
  L1 = { people = [ ]; schedules = [ "ops-primary" ]; };
  L2 = [ "bob" ];
};
""", t, flags=re.S | re.M)
t, n5 = re.subn(r'(\{ handle = "erin";[^\n]*\n)', r'\1  ,{ handle = "lena"; name = "Lena Roth"; email = "lena@example.com"; }\n', t)
assert n1 == n3 == n4 == n5 == 1 and n2 >= 1, (n1, n2, n3, n4, n5)
t += 'delivery = { timeout = "2s"; retries = 3; backoff = [ "10m" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
cat >"$PB/ops-primary.schedule" <<'EOF'
time_zone = "UTC";
rotation = { people = [ "carol" ]; length = "1w"; start = "2020-01-06 09:00"; };
EOF
cat >"$PB/legal-oncall.schedule" <<'EOF'
time_zone = "UTC";
rotation = { people = [ "lena" ]; length = "1w"; start = "2020-01-06 09:00"; };
EOF
$PY - <<'EOF' || bail "cannot add the legal role"
p = "playbooks/outage.playbook"
t = open(p, encoding="utf-8").read()
i = t.index("roles = (") + len("roles = (")
t = t[:i] + '\n  { id = "legal"; title = "Legal"; who = [ "legal-oncall" ]; },' + t[i:]
open(p, "w", encoding="utf-8").write(t)
EOF
cat >"$PB/drill.playbook" <<'EOF'
name = "drill";
title = "Drill";
summary = "The first internal update is due a minute after opening.";
severity = "SEV2";
components = [ "api" ];
roles = ( { id = "commander"; title = "Incident Commander"; },
          { id = "comms"; title = "Communications Lead"; } );
escalation = { mode = "tiered"; ack_timeout = "5m"; tiers = [ "L1", "L2" ]; };
cadence = ( { audience = "internal"; every = { SEV2 = "30m"; }; first_within = "1m"; } );
templates = ( { id = "internal-update"; audience = "internal";
                text = "We are looking into {{title}}."; } );
EOF
git_commit "$PB" "On-call schedules, a legal role, a drill" || bail "cannot commit"
run sitrep oncall
[ "$RC" = 0 ] || bail "the workspace is not valid: $ERR"

# ============================================================ roster schedules

sitrep --as alice open outage --title "API down" >/dev/null 2>&1 || bail "cannot open INC-1"
run sitrep --as alice page INC-1 ops
is_rc 0 "page INC-1 ops with a schedule on the L1 roster"
is "$(pages_of 1 ops)" "carol|ops-primary|open" "the person on call for ops-primary is paged, and the schedule recorded"
is "$(sqlite3 sitrep.db "SELECT count(*) FROM outbox WHERE contact LIKE 'carol/%' AND page_id IS NOT NULL")" 1 \
	"carol's contact is notified"
like "$(sqlite3 sitrep.db "SELECT details FROM events WHERE incident_id = 1 AND kind = 'paged'")" \
	'"schedule":"ops-primary"' "the paged event names the schedule"

# ------------------------------------------------------------ an override wins
run sitrep --as alice schedule override ops-primary --person dave --from "$(utc '-1 minute')" \
	--until "$(utc '+1 hour')" -m "carol is at the dentist"
is_rc 0 "an override puts dave on call now"
run sitrep --as alice page cancel INC-1 ops -m "page again"
is_rc 0 "the page is cancelled"
run sitrep --as alice page INC-1 ops
is_rc 0 "page INC-1 ops again"
is "$(pages_of 1 ops)" "carol|ops-primary|cancelled dave|ops-primary|open" "the override wins: dave is paged"

# ------------------------------------------------------------ a who schedule
run sitrep --as alice page INC-1 legal
is_rc 0 "page INC-1 legal"
is "$(pages_of 1 legal)" "lena|legal-oncall|open" "legal pages the legal on-call person, not the tier"

# ------------------------------------------------------------ nobody on call
cat >"$PB/future.schedule" <<'EOF'
time_zone = "UTC";
rotation = { people = [ "bob" ]; length = "1w"; start = "2099-01-05 09:00"; };
EOF
$PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t = t.replace('L2 = [ "bob" ];', 'L2 = [ "bob" ];\n  L0 = { people = [ ]; schedules = [ "future", "ghost" ]; };')
open(p, "w", encoding="utf-8").write(t)
EOF
git_commit "$PB" "A schedule that starts later" || bail "cannot commit"
before=$(store_state)
run sitrep --as alice page INC-1 sme --tier L0
is_rc 1 "a tier whose schedules have nobody on call is refused"
like "$ERR" "nobody can be paged at L0 for sme" "the refusal says so"
like "$ERR" "'future' has nobody on call now" "and why for each schedule"
like "$ERR" "'ghost' no schedule 'ghost'" "a schedule that does not exist is named"
is "$(store_state)" "$before" "the store is unchanged"

# ============================================================ playbook validate

run sitrep playbook validate
is_rc 0 "the playbooks at the branch are valid"
mkdir "$TEST_TMP/typo"
sed 's/who = \[ "legal-oncall" \]/who = [ "legal-oncal" ]/' "$PB/outage.playbook" >"$TEST_TMP/typo/outage.playbook"
line=$(grep -n 'legal-oncal"' "$TEST_TMP/typo/outage.playbook" | cut -d: -f1)
run sitrep playbook validate "$TEST_TMP/typo/outage.playbook"
is_rc 1 "a who naming neither a person nor a schedule is refused"
like "$ERR" "$(quotemeta "$TEST_TMP/typo/outage.playbook"):$line: role 'legal': who names 'legal-oncal', which is neither a person" \
	"at the file's line"
$PY - <<'EOF' || bail "cannot rewrite sitrep.conf"
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t = t.replace('email = "lena@example.com"; }', 'email = "lena@example.com";\n    contacts = ( { id = "mail"; type = "email"; address = "lena@example.com"; } );\n    notify = ( { contact = "mail"; after = "5m"; } ); }')
open(p, "w", encoding="utf-8").write(t)
EOF
rule=$(grep -n 'after = "5m"' sitrep.conf | cut -d: -f1)
run sitrep playbook validate
is_rc 1 "someone on a schedule told only after the ack timeout is refused"
like "$ERR" "sitrep.conf:$rule: person 'lena' \(on call on schedule 'legal-oncall'\): contact 'mail' is notified after 5m, but playbook 'outage' escalates past them after 5m" \
	"at the rule's line, naming the schedule and the playbook"
sed -i 's/after = "5m"/after = "0m"/' sitrep.conf

# ============================================================ sitrepd

# a reminder to post an update: comms is bob
sitrep --as alice open drill --title "Drill one" >/dev/null 2>&1 || bail "cannot open INC-2"
sitrep --as bob role take INC-2 comms >/dev/null 2>&1 || bail "bob cannot take comms"

start_sitrepd || bail "cannot start sitrepd"
# dave's override began a minute ago: a recent handoff, announced at start
wait_until 30 notices_are dave 1 && pass "a handoff of the last hour is announced when sitrepd starts" ||
	fail "a handoff of the last hour is announced when sitrepd starts"
is "$(notices carol)" 1 "to the person handing over too"

# alice takes over from dave in a few seconds
run sitrep --as alice schedule override ops-primary --person alice --from "$(utc '+3 seconds')" \
	--until "$(utc '+2 hours')" -m "alice covers"
is_rc 0 "an override a few seconds on"
wait_until 60 notices_are alice 1 && pass "sitrepd wakes for the handoff and tells alice" ||
	fail "sitrepd wakes for the handoff and tells alice"
is "$(notices dave)" 2 "and dave, handing over"
like "$(sqlite3 sitrep.db "SELECT subject FROM outbox WHERE incident_id IS NULL AND contact LIKE 'alice/%'")" \
	"^\[sitrep\] you are on call for ops-primary from" "the notice says what it is"

# once, after a restart too
stop_sitrepd
start_sitrepd || bail "cannot restart sitrepd"
# Proof that the restarted scheduler has run a whole pass (the one that
# would announce a handoff again). A pass moves maintenances, then looks at
# handoffs. probe 1, written after the start, is completed by some pass P;
# probe 2, written once probe 1 is seen completed, only by a later pass
# (P had moved the maintenances already): so P, and every pass before it,
# the first included, is over.
probe() {
	sitrep --as alice maintenance schedule --title "Scheduler probe $1" --component api \
		--from +1s --until +2s >/dev/null 2>&1 || bail "cannot schedule probe $1"
	wait_until 60 sql_is "SELECT state FROM maintenances WHERE title = 'Scheduler probe $1'" \
		completed || bail "the restarted sitrepd did not complete probe $1"
}
probe 1
probe 2
is "$(notices alice) $(notices dave) $(notices carol)" "1 2 1" "each handoff is announced once, across a restart"

# the reminder (30 s after opening) names a command that works as printed
wait_until 90 reminded 2 ||
	bail "no reminder on INC-2"
text=$(sqlite3 sitrep.db "SELECT json_extract(details, '$.text') FROM events WHERE incident_id = 2 AND kind = 'reminder' ORDER BY id LIMIT 1")
cmd=$(grep -o "'sitrep update [^']*'" <<<"$text" | head -n 1 | tr -d "'")
is "$cmd" "sitrep update INC-2 --audience internal --template internal-update" \
	"the reminder names the playbook's template for the audience"
ok "the reminder reaches bob, who holds comms, through his own contact" \
	test "$(sqlite3 sitrep.db "SELECT count(*) FROM outbox WHERE incident_id = 2 AND contact LIKE 'bob/%' AND page_id IS NULL")" -ge 1
export SITREP_USER=bob
run eval "$cmd"
is_rc 0 "the command runs as printed"
stop_sitrepd
