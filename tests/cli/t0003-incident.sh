#!/bin/bash
# t0003-incident.sh: an incident's life through the real binary: open from
# a playbook pinned to the commit it was read from (and every way an open is
# refused without touching the store), list, show, status, sev, component,
# resolve, reopen and close with the commander rule, the hash-chained
# timeline and its --verify, concurrent changes, and no leaks under valgrind.
. "$(dirname "$0")/lib.sh"

plan 207
tmp_workspace

# ============================================================ open (W1)

W1="$TEST_TMP/w1"
PB="$W1/playbooks"
sitrep init "$W1" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W1" || bail "no workspace"
seed=$(git -C "$PB" rev-parse main)
seed7=$(git -C "$PB" rev-parse --short=7 main)

run sitrep --as alice open outage --title "API down"
is_rc 0 "open outage --title exits 0"
is "$OUT" "INC-1 opened from outage@$seed7" "open names the incident and the branch head's short SHA"
is "$ERR" "" "open prints nothing on stderr"
is "$(sqlite3 sitrep.db 'SELECT playbook_commit, opened_by, status, severity FROM incidents WHERE id = 1')" \
	"$seed|alice|investigating|SEV2" "the store pins the full SHA, with the opener, status and severity"

refused 2 "needs a title" "open without --title" \
	sitrep --as alice open outage
refused 1 "needs a title with words in it" "open with an empty --title" \
	sitrep --as alice open outage --title ""
refused 1 "'nosuch'" "open of an unknown playbook" \
	sitrep --as alice open nosuch --title "x"
refused 2 "severity 'SEV9' is not one of SEV1, SEV2, SEV3, SEV4" "open --sev SEV9" \
	sitrep --as alice open outage --title "x" --sev SEV9
refused 1 "unknown component 'nope'" "open --component nope" \
	sitrep --as alice open outage --title "x" --component api --component nope
refused 1 "'nosuchrev'" "open --at an unknown revision" \
	sitrep --as alice open outage --title "x" --at nosuchrev
refused 2 "name the playbook" "open with no playbook" \
	sitrep --as alice open --title "x"

run sitrep --as alice open outage --title "Checkout down" --sev SEV1 --component api --component web --json
is_rc 0 "open --sev SEV1 --component api --component web exits 0"
is "$(jq -c '[.id, .severity, .status, .commit]' <<<"$OUT")" "[2,\"SEV1\",\"investigating\",\"$seed\"]" \
	"--json: INC-2, SEV1, investigating, pinned to the head"
is "$(jq -c '.components' <<<"$OUT")" \
	'[{"id":"api","status":"major_outage"},{"id":"web","status":"major_outage"}]' \
	"only the components asked for, at major_outage for SEV1"

# Commit 1: the commander role is retitled.
sed -i 's/title = "Incident Commander";/title = "Incident Lead";/' "$PB/outage.playbook"
git_commit "$PB" "Retitle the commander" || bail "git commit failed"
c1=$(git -C "$PB" rev-parse main)
c1_7=$(git -C "$PB" rev-parse --short=7 main)

run sitrep --as alice open outage --title "Old roles" --at HEAD~1 --json
is_rc 0 "open --at HEAD~1 exits 0"
is "$(jq -r '"\(.id) \(.commit)"' <<<"$OUT")" "3 $seed" "--at HEAD~1 pins the older commit"
is "$(jq -r '.roles[0].title' <<<"$OUT")" "Incident Commander" "and reads the playbook as it was there"
run sitrep show 3
ok "show names the pinned short SHA" has_line "$OUT" "^  playbook   outage@$seed7$"

# Commit 2: outage is broken at the head.
sev_line=$(grep -n '^severity *=' "$PB/outage.playbook" | head -n 1 | cut -d: -f1)
sed -i "${sev_line}s/\"SEV2\"/\"SEV9\"/" "$PB/outage.playbook"
git_commit "$PB" "Break outage" || bail "git commit failed"
c2_7=$(git -C "$PB" rev-parse --short=7 main)

refused 1 "playbook 'outage' at $c2_7 is not valid \(1 problem\).*--at" \
	"open of a playbook that is invalid at the head" \
	sitrep --as alice open outage --title "x"
ok "the problem is listed with its file and line ($sev_line)" \
	has_line "$ERR" "^outage\.playbook:$sev_line: .*SEV9"

run sitrep --as alice open outage --title "Lead roles" --at HEAD~1
is_rc 0 "open --at the previous, good commit works"
is "$OUT" "INC-4 opened from outage@$c1_7" "and names that commit"

# Commit 3: outage is deleted.
git_t -C "$PB" rm -q outage.playbook
git_commit "$PB" "Delete outage" || bail "git commit failed"
c3_7=$(git -C "$PB" rev-parse --short=7 main)

refused 1 "no playbook 'outage' at $c3_7" "open of a playbook deleted at the head" \
	sitrep --as alice open outage --title "x"

# ------------------------------------------------------------ pinning

run sitrep show 1 --json
is_rc 0 "show of INC-1 works after its playbook was retitled, broken and deleted"
is "$(jq -r '.commit' <<<"$OUT")" "$seed" "INC-1 still names the commit it was opened from"
is "$(jq -r '.roles[0] | "\(.id) \(.title)"' <<<"$OUT")" "commander Incident Commander" \
	"and the roles of the playbook at that commit"
is "$(jq -c '[.roles[].id]' <<<"$OUT")" '["commander","comms","ops","sme","scribe","liaison"]' \
	"all six of them"
is "$(jq '.steps | length' <<<"$OUT")" 13 "and its 13 steps that apply at SEV2"
run sitrep show 4 --json
is "$(jq -r '"\(.commit) \(.roles[0].title)"' <<<"$OUT")" "$c1 Incident Lead" \
	"INC-4 shows the retitled playbook it was pinned to"
run sitrep show 1
ok "the human show reads the pinned playbook without a warning" \
	eval '[ "$RC" = 0 ] && [ -z "$ERR" ] && has_line "$OUT" "^  commander +UNFILLED \(required\)$" &&
	      ! has_line "$OUT" "cannot be read"'

# ------------------------------------------------------------ list

for t in "Search slow" "Queue stuck" "Login loop"; do
	sitrep --as alice open outage --title "$t" --at "$c1_7" >/dev/null 2>&1 ||
		bail "open '$t' failed"
done
sitrep --as alice resolve 3 >/dev/null 2>&1 &&
	sitrep --as alice close 3 --force -m "duplicate of INC-1" >/dev/null 2>&1 ||
	bail "cannot close INC-3"

run sitrep list
is_rc 0 "list exits 0"
like "$OUT" "^ID +SEV +STATUS +AGE +COMMANDER +TITLE +FLAGS" "list starts with its header"
is "$(awk 'NR > 1 { print $1 }' <<<"$OUT" | tr '\n' ' ')" "INC-7 INC-6 INC-5 INC-4 INC-2 INC-1 " \
	"list shows the open incidents only, newest first"
ok "a row has severity, status, age, no commander, title and flags" \
	has_line "$OUT" "^INC-1 +SEV2 +investigating +[0-9]+m +- +API down +2-roles-unfilled"
ok "INC-2's row is SEV1" has_line "$OUT" "^INC-2 +SEV1 +investigating "

run sitrep list --all
is "$RC:$(awk 'NR > 1 { print $1 }' <<<"$OUT" | tr '\n' ' ')" "0:INC-7 INC-6 INC-5 INC-4 INC-3 INC-2 INC-1 " \
	"list --all includes the closed INC-3"
ok "INC-3 is listed closed" has_line "$OUT" "^INC-3 +SEV2 +closed "

run sitrep list --json
is_rc 0 "list --json exits 0"
is "$(jq -c '[.[].id]' <<<"$OUT")" "[7,6,5,4,2,1]" "list --json: the open ones, newest first"
is "$(jq -c '.[] | select(.id == 1) | [.severity, .status, .title, .commander, .unfilled_roles, .playbook, .opened_by]' <<<"$OUT")" \
	'["SEV2","investigating","API down",null,2,"outage","alice"]' \
	"list --json: severity, status, title, commander null, 2 unfilled roles, playbook, opener"
is "$(jq 'all(.[]; .unfilled_roles == 2 and .commander == null and .overdue_steps == 0)' <<<"$OUT")" true \
	"every outage incident has commander and comms unfilled, nothing overdue"
run sitrep list --all --json
is "$(jq -r '.[] | select(.id == 3) | .status' <<<"$OUT")" closed "list --all --json has INC-3, closed"
run sitrep list extra
is_rc 2 "list with an argument is a usage error (exit 2)"

# ------------------------------------------------------------ incident ids

for id in INC-7 inc-7 7; do
	run sitrep show "$id"
	is "$RC:$(head -n 1 <<<"$OUT")" "0:INC-7  Login loop" "show $id shows INC-7"
done
run sitrep show 7 --json
is "$(jq '.id' <<<"$OUT")" 7 "show 7 --json has .id 7"
run sitrep show x7
is_rc 2 "show x7 is a usage error (exit 2)"
like "$ERR" "'x7' is not an incident id" "and says so"
run sitrep show INC-99
is_rc 1 "show INC-99 is refused (exit 1)"
like "$ERR" "no incident INC-99" "and says there is none"
run sitrep show
is_rc 2 "show with no incident is a usage error (exit 2)"
refused 1 "no incident INC-99" "status of an unknown incident" \
	sitrep --as alice status INC-99 identified

# ------------------------------------------------------------ a taken commander

run sitrep role --help
if [ "$RC" = 0 ]; then
	run sitrep --as bob role take 6 commander
	is_rc 0 "bob takes the commander role of INC-6"
	refused 1 "commander \('bob'\)" "once bob commands, alice (the opener) may not change the severity" \
		sitrep --as alice sev 6 SEV1
	run sitrep --as bob sev 6 SEV1
	is_rc 0 "the commander bob may"
else
	skip 5 "there is no 'sitrep role' command yet"
fi

# ============================================================ one incident's life (W2)

W2="$TEST_TMP/w2"
sitrep init "$W2" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W2" || bail "no workspace"
head2=$(git -C "$W2/playbooks" rev-parse main)
head2_7=$(git -C "$W2/playbooks" rev-parse --short=7 main)

run sitrep --as alice --json open outage --title "API down"
is_rc 0 "--json open exits 0"
is "$(jq '.id' <<<"$OUT")" 1 "--json open: .id is 1"
is "$(jq -r '.commit' <<<"$OUT")" "$head2" "--json open: .commit is the head's full SHA"
ok "--json open: .commit is 40 hex" eval '[[ $(jq -r .commit <<<"$OUT") =~ ^[0-9a-f]{40}$ ]]'
is "$(jq -r '"\(.status) \(.severity) \(.title) \(.opened_by)"' <<<"$OUT")" \
	"investigating SEV2 API down alice" "--json open: investigating, SEV2 from the playbook, title, opener"
is "$(jq -c '.components' <<<"$OUT")" \
	'[{"id":"api","status":"partial_outage"},{"id":"web","status":"partial_outage"},{"id":"auth","status":"partial_outage"}]' \
	"--json open: the playbook's components, partial_outage at SEV2"
is "$(jq -c '[.resolved_at, .closed_at]' <<<"$OUT")" "[null,null]" "--json open: not resolved, not closed"

# ------------------------------------------------------------ show

run sitrep show INC-1
is_rc 0 "show INC-1 exits 0"
is "$(head -n 1 <<<"$OUT")" "INC-1  API down" "show starts with the id and title"
ok "show names the pinned playbook" has_line "$OUT" "^  playbook   outage@$head2_7$"
ok "show gives the severity" has_line "$OUT" "^  severity   SEV2 "
ok "show gives the status" has_line "$OUT" "^  status     investigating$"
ok "show gives the opener" has_line "$OUT" "^  opened     .* by alice$"
ok "show has Components, Roles and Steps sections" \
	eval 'has_line "$OUT" "^Components$" && has_line "$OUT" "^Roles$" && has_line "$OUT" "^Steps$"'
is "$(sed -n '/^Components$/,/^$/p' <<<"$OUT" | grep -c ' partial_outage$')" 3 \
	"Components lists api, web and auth, partial_outage"
ok "the commander role is UNFILLED (required)" has_line "$OUT" "^  commander +UNFILLED \(required\)$"
ok "the comms role is UNFILLED (required)" has_line "$OUT" "^  comms +UNFILLED \(required\)$"
ok "an optional role with no holder shows -" has_line "$OUT" "^  scribe +-$"
ok "a required step is marked" has_line "$OUT" "^  declare +open +due [0-9T:.Z-]+ +commander +Declare .*\[required\]$"
ok "a SEV1-only step does not apply at SEV2" eval '! has_line "$OUT" "key-accounts"'

run sitrep show 1 --json
is_rc 0 "show --json exits 0"
is "$(jq -c '[.roles[] | select(.required) | .id]' <<<"$OUT")" '["commander","comms"]' \
	"show --json: commander and comms are required"
is "$(jq '[.roles[].holders | length] | add' <<<"$OUT")" 0 "show --json: no one holds a role"
is "$(jq -c '[.steps[] | select(.required) | .id]' <<<"$OUT")" '["declare","verify-recovery","postmortem"]' \
	"show --json: the required steps"
is "$(jq -r '[.steps[].state] | unique | join(",")' <<<"$OUT")" open "show --json: every step is open"

# ------------------------------------------------------------ status

run sitrep --as bob status 1 identified -m "cause found"
is "$RC:$OUT" "0:INC-1 is identified" "anyone (bob) may move the status: identified"
run sitrep --as carol status INC-1 monitoring --message "fix deployed"
is "$RC:$OUT" "0:INC-1 is monitoring" "carol moves it to monitoring"
is "$(events 1)" 3 "each status change is one event"
refused 1 "INC-1 is already monitoring" "the same status again" \
	sitrep --as alice status 1 monitoring
refused 2 "unknown status 'fixed'" "an unknown status" \
	sitrep --as alice status 1 fixed
refused 1 "only its opener 'alice' may.*role take" "status resolved by bob, who does not command" \
	sitrep --as bob status 1 resolved
run sitrep --as alice status 1
is_rc 2 "status without a STATUS is a usage error (exit 2)"

# ------------------------------------------------------------ sev

refused 1 "only the commander may change the severity of INC-1.*only its opener 'alice' may.*'sitrep role take INC-1 commander'" \
	"sev by bob while no one commands" \
	sitrep --as bob sev 1 SEV1
run sitrep --as alice sev 1 SEV1
is "$RC:$OUT" "0:INC-1 is SEV1" "the opener may change the severity"
run sitrep show 1 --json
is "$(jq -r '.severity' <<<"$OUT")" SEV1 "show has the new severity"
refused 1 "INC-1 is already SEV1" "the same severity again" \
	sitrep --as alice sev 1 SEV1
refused 2 "severity 'SEV5' is not one of" "a bad severity" \
	sitrep --as alice sev 1 SEV5
refused 2 "severity 'high' is not one of" "a severity that is not SEVn" \
	sitrep --as alice sev 1 high

# ------------------------------------------------------------ component

run sitrep --as dave component 1 api major_outage
is "$RC:$OUT" "0:INC-1: api is major_outage" "component 1 api major_outage works"
run sitrep show 1 --json
is "$(jq -r '.components[] | select(.id == "api") | .status' <<<"$OUT")" major_outage \
	"show has api at major_outage"
refused 2 "unknown component status 'broken'" "a bad component status" \
	sitrep --as alice component 1 api broken
refused 1 "unknown component 'nope'" "an unknown component" \
	sitrep --as alice component 1 nope major_outage

# ------------------------------------------------------------ resolve, reopen, close

refused 1 "only its opener 'alice' may.*role take" "resolve by bob" \
	sitrep --as bob resolve 1
run sitrep --as alice resolve 1 -m "error rates normal"
is "$RC:$OUT" "0:INC-1 is resolved" "the opener resolves it"
run sitrep show 1 --json
is "$(jq -r '"\(.status) \(.resolved_at != null)"' <<<"$OUT")" "resolved true" "show: resolved, with resolved_at"
refused 1 "reopen it first" "a working status while resolved" \
	sitrep --as alice status 1 identified
refused 1 "only its opener 'alice' may.*role take" "reopen by bob" \
	sitrep --as bob reopen 1
run sitrep --as alice reopen 1 -m "errors again"
is "$RC:$OUT" "0:INC-1 is investigating again" "the opener reopens it"
run sitrep show 1 --json
is "$(jq -r '"\(.status) \(.resolved_at)"' <<<"$OUT")" "investigating null" \
	"show: back to investigating, resolved_at cleared"
refused 1 "INC-1 is investigating, not resolved" "reopen of an incident that is not resolved" \
	sitrep --as alice reopen 1
refused 1 "INC-1 is investigating: resolve it first" "close before resolving" \
	sitrep --as alice close 1
run sitrep --as alice status 1 resolved -m "rolled back"
is "$RC:$OUT" "0:INC-1 is resolved" "status resolved by the opener resolves it"
refused 1 "only its opener 'alice' may.*role take" "close by bob" \
	sitrep --as bob close 1
refused 1 "required steps still open \(declare, verify-recovery, postmortem\).*--force -m REASON" \
	"close with required steps open" \
	sitrep --as alice close 1
refused 2 "--force needs a reason" "close --force without -m" \
	sitrep --as alice close 1 --force
run sitrep --as alice close 1 --force -m "postmortem done elsewhere"
is "$RC:$OUT" "0:INC-1 is closed" "close --force -m REASON closes it"
run sitrep show 1 --json
is "$(jq -r '"\(.status) \(.closed_at != null)"' <<<"$OUT")" "closed true" "show: closed, with closed_at"

before=$(store_state)
bad=
for c in "status 1 identified" "status 1 resolved" "sev 1 SEV3" "component 1 api operational" \
	 "resolve 1" "reopen 1" "close 1" "close 1 --force -m again"; do
	run sitrep --as alice $c
	if [ "$RC" != 1 ] || ! [[ $ERR =~ "INC-1 is closed" ]]; then
		bad="$bad [$c: exit $RC: $ERR]"
	fi
done
is "$bad" "" "every change command on the closed INC-1 exits 1 saying it is closed"
is "$(store_state)" "$before" "and none of them changed the store"

# ------------------------------------------------------------ timeline

run sitrep timeline 1
is_rc 0 "timeline exits 0"
is "$ERR" "" "timeline prints nothing on stderr"
ok "each line starts with the event's time" \
	eval '! grep -vqE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z  [a-z]" <<<"$OUT"'
is "$(sed -E 's/^[^ ]+  ([^ ]+) +/\1 /' <<<"$OUT")" \
"alice opened 'API down' from outage@$head2_7 at SEV2
bob status investigating -> identified: cause found
carol status identified -> monitoring: fix deployed
alice severity SEV2 -> SEV1
dave component api is major_outage
alice resolved (was monitoring): error rates normal
alice reopened: errors again
alice resolved (was investigating): rolled back
alice closed with required steps open: postmortem done elsewhere" \
	"one line per event, in order, with the actor and what happened"
is "$(cut -d' ' -f1 <<<"$OUT" | sort -c 2>&1 && echo sorted)" sorted "the times never go back"

run sitrep timeline 1 --json
is_rc 0 "timeline --json exits 0"
is "$(jq 'length' <<<"$OUT")" 9 "timeline --json has the 9 events"
is "$(jq 'all(.[]; (.id | type) == "number" and (.at | test("^[0-9-]+T[0-9:.]+Z$"))
	and (.actor | type) == "string" and (.kind | type) == "string"
	and (.details | type) == "object" and (.hash | test("^[0-9a-f]{64}$")))' <<<"$OUT")" true \
	"each event has id, at, actor, kind, details and a SHA-256 hash"
is "$(jq -r '[.[].kind] | join(" ")' <<<"$OUT")" \
	"opened status status severity component resolved reopened resolved closed" "the kinds, in order"
is "$(jq -c '[.[].id] == ([.[].id] | sort)' <<<"$OUT")" true "ids increase"
is "$(jq -c '.[1].details' <<<"$OUT")" '{"from":"investigating","note":"cause found","to":"identified"}' \
	"a status event's details"
is "$(jq -c '.[8].details | [.forced, .reason, .open_steps]' <<<"$OUT")" \
	'[true,"postmortem done elsewhere",["declare","verify-recovery","postmortem"]]' \
	"the forced close records its reason and the steps left open"
is "$(jq -r '[.[].hash] | unique | length' <<<"$OUT")" 9 "every hash differs"

run sitrep timeline 1 --verify
is_rc 0 "timeline --verify exits 0"
is "$OUT" "INC-1: 9 events, the hash chain verifies" "and says the chain verifies"
run sitrep timeline 1 --verify --json
is "$RC:$(jq -c '[.incident, .events, .verified, .first_bad_event]' <<<"$OUT" 2>/dev/null)" \
	"0:[1,9,true,null]" "timeline --verify --json prints only JSON: verified"
run sitrep timeline INC-99
is_rc 1 "timeline of an unknown incident is refused (exit 1)"
run sitrep timeline x1
is_rc 2 "timeline of a bad id is a usage error (exit 2)"

sqlite3 sitrep.db "DROP TRIGGER events_no_update; UPDATE events SET actor='mallory' WHERE id=3" ||
	bail "cannot tamper with the timeline"
run sitrep timeline 1 --verify
is_rc 1 "after tampering, timeline --verify exits 1"
like "$ERR" "event 3 .*does not match its hash" "and names event 3"
unlike "$OUT" "verifies" "and does not claim it verifies"
run sitrep timeline 1
is_rc 0 "a plain timeline still prints"
like "$ERR" "warning: the timeline was altered at event 3.*--verify" "but warns on stderr"
ok "and shows what is stored" has_line "$OUT" "  mallory +status identified -> monitoring"

# ============================================================ concurrency (W1)

cd "$W1" || bail "no workspace"
sitrep --as alice open outage --title "Storm" --at "$c1_7" >/dev/null 2>&1 || bail "open failed"
cid=$(sqlite3 sitrep.db 'SELECT max(id) FROM incidents')
cmds=("status $cid identified" "component $cid api major_outage" "status $cid monitoring"
      "component $cid web degraded_performance" "status $cid investigating"
      "status $cid identified -m again" "component $cid auth operational" "status $cid monitoring")
for i in "${!cmds[@]}"; do
	(
		rc=0
		sitrep --as alice ${cmds[i]} >"$TEST_TMP/c$i.out" 2>"$TEST_TMP/c$i.err" || rc=$?
		echo "$rc" >"$TEST_TMP/c$i.rc"
	) &
done
wait
nok=0
rcs=
for i in "${!cmds[@]}"; do
	r=$(cat "$TEST_TMP/c$i.rc")
	rcs="$rcs$r"
	[ "$r" = 0 ] && nok=$((nok + 1))
done
like "$rcs" "^[01]{8}$" "8 concurrent changes each exit 0 or 1 (got $rcs)"
is "$(cat "$TEST_TMP"/c*.err | grep -ciE 'locked|busy')" 0 "none says the database is locked or busy"
is "$(cat "$TEST_TMP"/c1.rc "$TEST_TMP"/c3.rc "$TEST_TMP"/c6.rc | tr -d '\n')" 000 \
	"the three component changes all succeed"
is "$(events "$cid")" $((1 + nok)) "the timeline has the open and one event per success ($nok)"
run sitrep timeline "$cid" --verify
is_rc 0 "the hash chain still verifies"

# ====================================================== unknown actors

cd "$W1" || bail "no workspace"
before=$(sqlite3 sitrep.db 'SELECT count(*) FROM events')
run sitrep --as mallory open outage --title "ghost"
ok "someone not in the config cannot open an incident" \
	eval '[ "$RC" = 1 ] && grep -q "not one of the people" <<<"$ERR"'
run sitrep --as mallory status 1 monitoring
ok "nor change one" eval '[ "$RC" = 1 ] && grep -q "mallory" <<<"$ERR"'
is "$(sqlite3 sitrep.db 'SELECT count(*) FROM events')" "$before" \
	"and the store did not change"

# ============================================================ valgrind

if ! valgrind_usable; then
	skip 4 "$VALGRIND_WHY"
else
	vg=(valgrind --leak-check=full --error-exitcode=99 -q "$SITREP_BIN/sitrep")
	run "${vg[@]}" --as alice open outage --title "Under valgrind" --at "$c1_7"
	is_rc 0 "valgrind: open is clean"
	vid=$(sqlite3 sitrep.db 'SELECT max(id) FROM incidents')
	run "${vg[@]}" show "$vid"
	is_rc 0 "valgrind: show is clean"
	run "${vg[@]}" list
	is_rc 0 "valgrind: list is clean"
	run "${vg[@]}" timeline "$vid" --verify
	is_rc 0 "valgrind: timeline --verify is clean"
fi
