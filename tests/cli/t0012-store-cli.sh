#!/bin/bash
# t0012-store-cli.sh: the store and the CLI as an attacker and a clumsy
# operator find them (issue 11): a missing or empty database refused, never
# recreated; a timeline cut at its end, then rewritten, found by the
# incident's record and by the anchors in the playbook repository; control
# characters shown visibly; playbook validate on /dev/zero, a FIFO and a
# huge file; a damaged repository named as such while running incidents go
# on; every --json time ISO 8601 or null; pages and apologies of incidents
# that are over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

plan 81
tmp_workspace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
export SITREP_SLACK_URL="http://127.0.0.1:$HTTP_PORT/ok/slack"

q() {
	sqlite3 sitrep.db "$@"
}

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
export SITREP_USER=alice

# ============================================================ a missing or empty store

mv sitrep.db sitrep.db.kept
for cmd in "list" "open outage --title x" "show INC-1" "timeline --verify" "outbox" \
	   "maintenance list" "subscribers"; do
	# shellcheck disable=SC2086
	run sitrep $cmd
	is "$RC" 3 "no database: '$cmd' exits 3"
done
like "$ERR" "^sitrep: no database at '$W/sitrep.db': create a workspace with 'sitrep init'" \
	"and says where it looked and how to make one"
ok "nothing made a database in its place" test ! -e sitrep.db
: >sitrep.db
run sitrep open outage --title "x"
is_rc 3 "an empty database: open exits 3 (it said 'INC-1 opened' before)"
like "$ERR" "the database '$W/sitrep.db' is empty: .*'sitrep init'" "and says the database is empty"
is "$(stat -c %s sitrep.db)" 0 "the empty file is left as it was"
run timeout 20 "$SITREP_BIN/sitrep"d -c sitrep.conf
is "$RC" 3 "sitrepd refuses an empty database too, exit 3"
like "$ERR" "is empty" "and says why"
mv sitrep.db.kept sitrep.db
rm -f sitrep.db-wal sitrep.db-shm

# ============================================================ the timeline's end and its anchors

run sitrep open outage --title "API down"
is_rc 0 "INC-1 opened"
sitrep status 1 identified >/dev/null && sitrep resolve 1 >/dev/null || bail "cannot work INC-1"
run sitrep open outage --title "Web slow"
is_rc 0 "INC-2 opened"
is "$(q 'SELECT event_count, head_hash = (SELECT hash FROM events WHERE incident_id = 1 ORDER BY id DESC LIMIT 1) FROM incidents WHERE id = 1')" \
	"3|1" "the incident keeps its event count and head hash"
run sitrep timeline --verify
is_rc 0 "timeline --verify (every incident) exits 0"
like "$OUT" "2 incidents verify; no anchors recorded yet" "and says no anchors exist yet"
run sitrep timeline --anchor
is_rc 0 "timeline --anchor exits 0"
like "$OUT" "^anchored 2 incidents in refs/sitrep/anchors at [0-9a-f]{7}" "and says where"
is "$(git -C playbooks cat-file -p refs/sitrep/anchors:anchors | sed -n '2,3p' | cut -d' ' -f1,2 | tr '\n' ' ')" \
	"INC-1 3 INC-2 1 " "the anchors hold each incident's id and count"
is "$(git -C playbooks rev-parse main)" "$(git -C playbooks rev-parse HEAD)" "the branch is untouched"
run sitrep timeline 1 --verify
is "$RC:$OUT" "0:INC-1: 3 events, the hash chain verifies and agrees with its anchor" \
	"INC-1 verifies against its anchor"

# the attack: drop the trigger, delete the event that resolved INC-1
q "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = (SELECT max(id) FROM events WHERE incident_id = 1)"
run sitrep timeline 1 --verify
is_rc 1 "the last event deleted: timeline --verify exits 1 (it passed before)"
like "$ERR" "INC-1: the timeline has 2 events but 3 were recorded with the incident.*removed from its end" \
	"and says events were removed from the end"
run sitrep timeline 1
like "$ERR" "warning: INC-1: the timeline has 2 events" "timeline itself warns"
# the attacker rewrites the incident's record too
q "UPDATE incidents SET event_count = 2, head_hash = (SELECT hash FROM events WHERE incident_id = 1 ORDER BY id DESC LIMIT 1) WHERE id = 1"
run sitrep timeline --verify
is_rc 1 "record rewritten to match: the anchors still disagree (exit 1)"
like "$ERR" "INC-1: the timeline has 2 events but 3 were anchored in the playbook repository" \
	"naming the incident and the anchors"
run sitrep timeline --verify --json
is "$(jq -c '[.[] | [.incident, .verified, .anchored_events]]' <<<"$OUT")" '[[1,false,3],[2,true,1]]' \
	"--verify --json: one object per incident"
before=$(git -C playbooks rev-parse refs/sitrep/anchors)
run sitrep timeline --anchor
is_rc 1 "anchoring a store that does not verify is refused"
is "$(git -C playbooks rev-parse refs/sitrep/anchors)" "$before" "and the anchors are unchanged"
# an anchored incident gone from the store altogether
q "PRAGMA foreign_keys=OFF; DELETE FROM events WHERE incident_id = 2; DELETE FROM incident_components WHERE incident_id = 2; DELETE FROM incidents WHERE id = 2"
run sitrep timeline --verify
like "$ERR" "INC-2: anchored with 1 events .* but the store has no such incident" \
	"an anchored incident missing from the store is named"

# a fresh workspace for the rest
cd "$TEST_TMP" && rm -rf "$W" && sitrep init "$W" >/dev/null 2>&1 && cd "$W" || bail "no second workspace"

# ============================================================ control characters

T=$'evil\e[2J\rBS\b BEL\a\nINC-9 forged \xc2\x9b DEL\x7f caf\xc3\xa9'
run sitrep open outage --title "$T" --component api
is_rc 0 "an incident titled with ESC, CR, BS, BEL, LF, a C1 control and DEL opens"
V='evil^[[2J^MBS^H BEL^G^JINC-9 forged <U+009B> DEL^? café'
run sitrep show 1
is "$(head -n 1 <<<"$OUT")" "INC-1  $V" "show: every control character shown in caret notation, on one line"
run sitrep list
unlike "$OUT" $'[\x01-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "list: no raw control character"
has_line "$OUT" "^INC-1 .*evil\^\[\[2J\^MBS\^H" && pass "list: the title in caret notation" || fail "list: the title in caret notation"
run sitrep timeline 1
like "$OUT" "opened '$(quotemeta "$V")'" "timeline: the title in caret notation"
run sitrep update 1 --audience internal -m $'line one\n\tindented\e]0;pwned\a'
is_rc 0 "an update whose body holds an OSC sequence is published"
run sitrep updates 1
like "$OUT" $'line one\n\tindented\\^\\[\\]0;pwned\\^G' "updates: newline and tab kept in a body, ESC and BEL shown"
unlike "$OUT$ERR" $'[\x01-\x08\x0b-\x1f\x7f]' "updates: no raw control character"
run sitrep show 1 --json
is "$(jq -r .title <<<"$OUT")" "$T" "--json keeps the title exactly (escaped by JSON)"
run sitrep status 1 $'bogus\e[31m'
like "$ERR" 'bogus\^\[\[31m' "an error message quoting the input shows ESC too"

# ============================================================ playbook validate FILE

run timeout 10 "$SITREP_BIN/sitrep" playbook validate /dev/zero
is_rc 1 "validate /dev/zero exits 1 at once"
like "$ERR" "'/dev/zero' is not a regular file" "and says it is not a regular file"
mkfifo "$TEST_TMP/fifo"
run timeout 10 "$SITREP_BIN/sitrep" playbook validate "$TEST_TMP/fifo"
is_rc 1 "validate of a FIFO exits 1 without waiting for a writer"
truncate -s 300M "$TEST_TMP/big.playbook"
run /usr/bin/time -f %M -o "$TEST_TMP/rss" "$SITREP_BIN/sitrep" playbook validate "$TEST_TMP/big.playbook"
is_rc 1 "validate of a 300 MB file exits 1"
like "$ERR" "is 314572800 bytes, more than a playbook may be \(1024 KiB\)" "and gives the limit"
rss=$(tail -n 1 "$TEST_TMP/rss")
ok "without reading it (max RSS $rss KiB < 50 MiB)" test "$rss" -lt 51200
rm -f "$TEST_TMP/big.playbook"
run sitrep playbook validate playbooks/outage.playbook
is_rc 0 "a real playbook still validates"

# ============================================================ a damaged repository

run sitrep open outage --title "pinned"
is_rc 0 "INC-2 opened"
is "$(q "SELECT count(*) FROM playbook_texts")" 1 "the pinned playbook's text is kept in the store"
pinned=$(q "SELECT playbook_commit FROM incidents WHERE id = 2")
# rewrite the branch and collect the pinned commit away
git_t -C playbooks commit -q --amend -m "rewritten" &&
	git -C playbooks reflog expire --expire=now --all &&
	git -C playbooks gc -q --prune=now || bail "cannot rewrite the repository"
ok "the pinned commit is gone from the repository" bash -c "! git -C playbooks cat-file -e $pinned"
run sitrep status 2 identified
is "$RC:$OUT" "0:INC-2 is identified" "the incident still takes changes"
run sitrep update 2 --audience internal -m "still working"
is_rc 0 "and updates"
run sitrep show 2
unlike "$ERR" "cannot be read|no playbook" "show reads the pinned playbook from the store"
like "$OUT" "Roles" "and shows its roles"
# now lose the objects of the branch itself
rm -rf playbooks/.git/objects/pack playbooks/.git/objects/[0-9a-f][0-9a-f]
run sitrep open outage --title "after the damage"
is_rc 3 "open on a repository with missing objects exits 3"
like "$ERR" "the repository '$W/playbooks' is damaged: 'main' names a commit it does not have, [0-9a-f]{7} .*git fsck" \
	"and says the repository is damaged, not that there is no playbook"
unlike "$ERR" "no playbook" "not 'no playbook'"
run sitrep status 2 monitoring
is "$RC:$OUT" "0:INC-2 is monitoring" "running incidents go on working without the repository"
mv playbooks playbooks.gone
"$SITREP_BIN/sitrepd" -c sitrep.conf -l 127.0.0.1:0 >"$TEST_TMP/d.log" 2>&1 </dev/null &
DP=$!
ok "sitrepd starts without a repository it can open" wait_until 60 grep -q "status page:" "$TEST_TMP/d.log"
like "$(cat "$TEST_TMP/d.log")" "warning: '$W/playbooks' is not a git repository: incidents opened before" \
	"and warns which incidents it cannot serve"
kill -TERM "$DP"
drc=0
wait "$DP" || drc=$?
is "$drc" 0 "and stops cleanly"

# a fresh workspace for the rest
cd "$TEST_TMP" && rm -rf "$W" && sitrep init "$W" >/dev/null 2>&1 && cd "$W" || bail "no third workspace"

# ============================================================ pages and apologies when it is over

sitrep open outage --title "tiered" --sev SEV2 >/dev/null || bail "cannot open INC-1"
sitrep page 1 ops >/dev/null || bail "cannot page ops"
run sitrep show 1 --json
like "$(jq -r '.open_pages[0].escalates_at' <<<"$OUT")" '^[0-9]{4}-' "a tiered L1 page escalates: escalates_at is a time"
run sitrep escalate 1 --tier L4
is_rc 0 "escalated by hand to L4, the last tier"
run sitrep show 1
has_line "$OUT" "^  ops +L4 .* paged .*, no escalation: last tier$" &&
	pass "show: a page at the last tier says it will not escalate" ||
	fail "show: a page at the last tier says it will not escalate"
unlike "$OUT" "L4 .*escalates" "and not 'escalates HH:MM'"
is "$(sitrep show 1 --json | jq -c '[.open_pages[] | .escalates_at]')" '[null]' "--json: escalates_at null"
sitrep open data-loss --title "swarm" >/dev/null || bail "cannot open INC-2"
sitrep page 2 commander >/dev/null || bail "cannot page the swarm"
run sitrep show 2
unlike "$OUT" "escalates [0-9]" "show: swarm pages never say 'escalates'"
like "$OUT" "no escalation: swarm" "they say there is none"
sitrep resolve 1 >/dev/null || bail "cannot resolve INC-1"
is "$(q "SELECT group_concat(state) FROM pages WHERE incident_id = 1 AND state = 'open'")" "" \
	"resolving ended INC-1's open pages"
is "$(q "SELECT count(*) FROM pages WHERE incident_id = 1 AND state = 'ended'")" 1 "as ended with the incident"
is "$(sitrep timeline 1 --json | jq '.[-1].details.pages_ended')" 1 "the resolved event says how many"
sitrep close 1 --force -m "test" >/dev/null || bail "cannot close INC-1"
run sitrep show 1
unlike "$OUT" "Open pages|: owed|OWED" "a closed incident: no open pages and no apology owed"
like "$OUT" "apology to customers: none sent, and none owed: the incident is closed" "show says no apology is owed"
is "$(sitrep show 1 --json | jq -r '.communications.apologies[0].state')" "not_owed" "--json: state not_owed"

# ============================================================ every --json time

# a populated workspace: updates, a delivered and a waiting outbox row, a
# maintenance, a subscriber, touchpoints, roles, steps
sitrep update 2 --audience internal -m "first" >/dev/null || bail "no update"
sitrep deliver --once >/dev/null 2>&1 || bail "deliver --once failed"
sitrep update 2 --audience internal -m "second" >/dev/null || bail "no second update"
sitrep role take 2 commander >/dev/null || bail "no role"
sitrep step 2 done declare >/dev/null || bail "no step"
sitrep contact 2 --account globex --via phone -m "called" >/dev/null || bail "no contact"
# the receiver is on loopback: allow it (delivery.allow, sitrep.conf(5))
echo 'delivery = { allow = [ "127.0.0.1/32" ]; };' >>sitrep.conf
sitrep subscribe webhook "http://127.0.0.1:$HTTP_PORT/ok/sub" >/dev/null || bail "no subscriber"
sitrep maintenance schedule --title "db upgrade" --component database --from +1h --until +2h >/dev/null ||
	bail "no maintenance"
is "$(q "SELECT group_concat(state) FROM (SELECT DISTINCT state FROM outbox ORDER BY state)")" "cancelled,pending,sent" \
	"the outbox has a sent row, a waiting one and a page's cancelled one"
run sitrep outbox --json
is "$(jq -c '[.messages[] | select(.state == "sent") | .next_attempt_at] | unique' <<<"$OUT")" '[null]' \
	"outbox --json: a sent row has next_attempt_at null, not 1970"
run sitrep maintenance list --json
like "$(jq -r '.[0].from + " " + .[0].until' <<<"$OUT")" '^[0-9-]{10}T[0-9:.]{12}Z [0-9-]{10}T[0-9:.]{12}Z$' \
	"maintenance list --json: from and until are ISO 8601"
bad=
n=0
for cmd in "list --json" "list --all --json" "show 1 --json" "show 2 --json" "step 2 --json" \
	   "role list 2 --json" "timeline 1 --json" "timeline 2 --json" "timeline --verify --json" \
	   "updates 2 --json" "outbox --json" "subscribers --all --json" "maintenance list --all --json" \
	   "playbook list --json" "playbook log --json" "playbook show outage --json" \
	   "open outage --title audit --json" "update 2 --audience internal -m audit --json" \
	   "subscribe webhook http://127.0.0.1:$HTTP_PORT/ok/audit --json"; do
	# shellcheck disable=SC2086
	out=$(sitrep $cmd 2>/dev/null) || { bad+=" [$cmd: exit $?]"; continue; }
	n=$((n + 1))
	# every key that names a time: null, or ISO 8601 UTC with ms and never 1970
	b=$(jq -r '[paths(type != "object" and type != "array") as $p
		| select(($p | any(.[]; . == "details")) | not)
		| ($p | map(strings) | last) as $k
		| select($k != null and ($k | test("(_at|^from|^until|^since|^due|^date|^next_update_by|^first_update_by)$")))
		| getpath($p) as $v
		| select($k != "due" or ($v | type) != "string" or ($v | test("^[0-9]+[smhd]$") | not))
		| select($v != null and (($v | type) != "string"
			or ($v | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?Z$") | not)
			or ($v | startswith("1970-"))))
		| "\($k)=\($v)"] | join(",")' <<<"$out" 2>&1)
	[ -z "$b" ] || bad+=" [$cmd: $b]"
done
is "$bad" "" "every time in $n --json outputs is null or ISO 8601, never 1970"

stop_server web
