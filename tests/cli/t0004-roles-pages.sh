#!/bin/bash
# t0004-roles-pages.sh: several people (--as) working one incident through
# the real binary: taking, assigning, releasing and handing over the pinned
# playbook's roles under the commander rule, working its steps with their
# due times and severities, paging the support tiers, acknowledging and
# escalating (tiered, by name, swarm, and into an empty roster), every
# refusal leaving the store as it was, and concurrent role and step changes.
. "$(dirname "$0")/lib.sh"

plan 315
tmp_workspace

# ms ISO: an ISO 8601 UTC time with milliseconds as milliseconds since the epoch.
ms() {
	date -u -d "$1" +%s%3N
}

# open_pages N: INC-N's open pages as "TIER:person ..." from show --json.
open_pages() {
	sitrep show "$1" --json | jq -r '[.open_pages[] | "\(.tier):\(.person)"] | join(" ")'
}

# page_states N: every page of INC-N, oldest first, as "Ltier:person=state ...".
page_states() {
	sqlite3 sitrep.db "SELECT group_concat(t, ' ') FROM (SELECT 'L' || tier || ':' ||
		person || '=' || state AS t FROM pages WHERE incident_id = $1 ORDER BY id)"
}

# last_line N: the last line of INC-N's human timeline, without its time.
last_line() {
	sitrep timeline "$1" | tail -n 1 | sed -E 's/^[^ ]+  //; s/ +/ /'
}

ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

# ============================================================ INC-1: steps at SEV2

run sitrep --as alice open outage --title "API down" --json
is_rc 0 "alice opens INC-1 from outage"
opened=$(jq -r '.opened_at' <<<"$OUT")
[ "$(jq -r '.id' <<<"$OUT")" = 1 ] || bail "the first incident is not INC-1"

run sitrep step 1 --json
is_rc 0 "step 1 --json exits 0"
is "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" \
	"declare first-internal assemble status-page recent-changes scope providers mitigate exec-brief support-macro verify-recovery apology postmortem" \
	"step --json: the 13 steps that apply at SEV2, in the playbook's order"
is "$(jq -c '.[0] | [.id, .title, .role, .state, .required, .overdue, .by, .note]' <<<"$OUT")" \
	'["declare","Declare the incident, open the channel, state severity","commander","open",true,false,null,null]' \
	"step --json: declare has its title, role, state open, required, not overdue, no by or note"
is "$(jq 'all(.[]; .state == "open" and .overdue == false and (.required | type) == "boolean")' <<<"$OUT")" true \
	"right after opening every step is open and none is overdue"
is "$(jq -c '[.[] | select(.required) | .id]' <<<"$OUT")" '["declare","verify-recovery","postmortem"]' \
	"the required steps are declare, verify-recovery and postmortem"
d_declare=$(jq -r '.[] | select(.id == "declare") | .due' <<<"$OUT")
d_scope=$(jq -r '.[] | select(.id == "scope") | .due' <<<"$OUT")
d_pm=$(jq -r '.[] | select(.id == "postmortem") | .due' <<<"$OUT")
is "$(( $(ms "$d_declare") - $(ms "$opened") )):$(( $(ms "$d_scope") - $(ms "$opened") )):$(( $(ms "$d_pm") - $(ms "$opened") ))" \
	"300000:1200000:172800000" "due times are opening + 5m (declare), 20m (scope), 2d (postmortem)"

run sitrep step INC-1
is_rc 0 "step INC-1 exits 0"
is "$(lines "$OUT")" 13 "the human list has one line per applicable step"
ok "a line gives id, state, due time, role, title and [required]" \
	has_line "$OUT" "^declare +open +due $(quotemeta "$d_declare") +commander +Declare the incident, open the channel, state severity \[required\]$"
ok "an optional step has no [required]" \
	has_line "$OUT" "^scope +open +due $(quotemeta "$d_scope") +ops +Scope impact: components, regions, share of failing requests$"
ok "nothing is OVERDUE right after opening" eval '! has_line "$OUT" OVERDUE'
ok "the SEV1-only step key-accounts is not listed at SEV2" eval '! has_line "$OUT" key-accounts'
refused 1 "step 'key-accounts' applies only at SEV1 or worse, and INC-1 is SEV2" \
	"step done key-accounts at SEV2" \
	sitrep --as alice step 1 done key-accounts

# ============================================================ INC-1: take

run sitrep --as bob role take 1 commander
is "$RC:$OUT" "0:bob holds commander on INC-1" "bob takes commander"
is "$ERR" "" "and nothing goes to stderr"
is "$(events 1):$(last_line 1)" "2:bob took the role commander" "one role_taken event by bob"
refused 1 "the role 'commander' on INC-1 is full \(1 of 1: bob\): .*'sitrep role handoff'" \
	"carol taking the full commander role" \
	sitrep --as carol role take 1 commander
refused 1 "'bob' already holds the role 'commander' on INC-1" "bob taking commander again" \
	sitrep --as bob role take 1 commander
refused 1 "playbook 'outage' has no role 'boss': its roles are commander, comms, ops, sme, scribe, liaison$" \
	"taking an unknown role" \
	sitrep --as carol role take 1 boss
refused 1 "unknown person 'zed'.*'people' in sitrep\.conf" "--as zed, who is not in the config, taking a role" \
	sitrep --as zed role take 1 sme
refused 1 "no incident INC-9" "taking a role on an unknown incident" \
	sitrep --as carol role take 9 sme
refused 2 "wrong number of arguments for 'role take'" "role take without a role" \
	sitrep --as carol role take 1
refused 2 "unknown role subcommand 'grab'" "an unknown role subcommand" \
	sitrep --as carol role grab 1 sme

run sitrep role list 1
is_rc 0 "role list exits 0"
is "$(awk '{ print $1 }' <<<"$OUT" | tr '\n' ' ')" "commander comms ops sme scribe liaison " \
	"role list: every role of the playbook, in its order"
ok "role list: commander held by bob, with the time he took it" \
	has_line "$OUT" "^commander +Incident Commander +bob since $ISO$"
ok "role list: comms is UNFILLED (required)" has_line "$OUT" "^comms +Communications Lead +UNFILLED \(required\)$"
ok "role list: an optional role no one holds shows -" has_line "$OUT" "^ops +Operations Lead +-$"
run sitrep role list 1 --json
is_rc 0 "role list --json exits 0"
is "$(jq -c '[.[] | [.role, .person]]' <<<"$OUT")" '[["commander","bob"]]' "role list --json: an array of the holders"
is "$(jq -c '.[0] | keys' <<<"$OUT")" '["person","role","since"]' "each with role, person and since"
like "$(jq -r '.[0].since' <<<"$OUT")" "^$ISO$" "since is an ISO time"

# ============================================================ INC-1: commander rule

refused 1 "only the commander \('bob'\) may change the severity of INC-1; 'alice' is not" \
	"alice, the opener, changing the severity once bob commands" \
	sitrep --as alice sev 1 SEV1
refused 1 "only the commander \('bob'\) may resolve INC-1; 'alice' is not" "alice resolving" \
	sitrep --as alice resolve 1
refused 1 "only the commander \('bob'\) may assign roles on INC-1; 'alice' is not" "alice assigning a role" \
	sitrep --as alice role assign 1 comms carol
run sitrep --as bob sev 1 SEV1
is "$RC:$OUT" "0:INC-1 is SEV1" "the commander bob may change the severity"
run sitrep --as bob resolve 1 -m "errors gone"
is "$RC:$OUT" "0:INC-1 is resolved" "and resolve"
run sitrep --as bob reopen 1 -m "errors back"
is "$RC:$OUT" "0:INC-1 is investigating again" "and reopen"

run sitrep step 1
ok "at SEV1 key-accounts is listed" \
	has_line "$OUT" "^key-accounts +open +due $ISO +liaison +Call priority accounts before they call us$"
is "$(lines "$OUT")" 14 "14 steps apply at SEV1"

# ------------------------------------------------------------ assign

run sitrep --as bob role assign 1 comms carol
is "$RC:$OUT" "0:carol holds comms on INC-1" "the commander assigns comms to carol"
is "$(last_line 1)" "bob assigned the role comms to carol" "the timeline says bob assigned it"
refused 1 "unknown person 'zed': add them under 'people' in sitrep\.conf" "assigning a role to zed" \
	sitrep --as bob role assign 1 scribe zed
refused 1 "the role 'commander' on INC-1 is full \(1 of 1: bob\)" "assigning the full commander role to dave" \
	sitrep --as bob role assign 1 commander dave
refused 1 "'carol' already holds the role 'comms' on INC-1" "assigning comms to carol again" \
	sitrep --as bob role assign 1 comms carol

# ------------------------------------------------------------ release

run sitrep --as carol role release 1 comms
is "$RC:$OUT" "0:carol no longer holds comms on INC-1" "carol releases comms herself"
is "$(last_line 1)" "carol released carol from the role comms" "the timeline records it"
refused 1 "only the commander \('bob'\) may release others' roles on INC-1; 'dave' is not" \
	"dave releasing bob's commander role" \
	sitrep --as dave role release 1 commander bob
run sitrep --as bob role assign 1 ops dave
is "$RC:$OUT" "0:dave holds ops on INC-1" "bob assigns ops to dave"
run sitrep --as bob role release 1 ops dave
is_rc 0 "the commander bob releases dave from ops"
like "$OUT" "dave.* ops on INC-1" "the output names dave and ops"
is "$(last_line 1)" "bob released dave from the role ops" "the timeline says bob released dave"
refused 1 "'carol' does not hold the role 'ops' on INC-1" "releasing a role you don't hold" \
	sitrep --as carol role release 1 ops
refused 1 "'erin' does not hold the role 'scribe' on INC-1" "the commander releasing a role from someone who doesn't hold it" \
	sitrep --as bob role release 1 scribe erin
run sitrep role list 1 --json
is "$(jq -c '[.[] | [.role, .person]]' <<<"$OUT")" '[["commander","bob"]]' "after all that only bob holds a role"

# ------------------------------------------------------------ handoff

refused 2 "a handoff needs a note for the incoming holder: -m" "handoff without -m" \
	sitrep --as bob role handoff 1 commander carol
refused 2 "a handoff needs a note" "handoff with an empty -m" \
	sitrep --as bob role handoff 1 commander carol -m ""
refused 1 "unknown person 'zed'" "handoff to someone not in the config" \
	sitrep --as bob role handoff 1 commander zed -m "over to you"
n=$(events 1)
run sitrep --as bob role handoff 1 commander carol -m "state of play"
is "$RC:$OUT" "0:carol holds commander on INC-1" "bob hands commander to carol with a note"
is "$(events 1)" $((n + 1)) "the handoff is one event"
run sitrep timeline 1
is "$(grep -c 'handed the role' <<<"$OUT")" 1 "the timeline has one handoff line"
ok "which says who handed what to whom, with the note" \
	has_line "$OUT" "^$ISO  bob +handed the role commander from bob to carol: state of play$"
run sitrep timeline 1 --json
is "$(jq -c '[.[] | select(.kind == "role_handoff") | .details]' <<<"$OUT")" \
	'[{"from":"bob","note":"state of play","role":"commander","to":"carol"}]' \
	"timeline --json: one role_handoff with role, from, to and note"
run sitrep role list 1 --json
is "$(jq -c '[.[] | [.role, .person]]' <<<"$OUT")" '[["commander","carol"]]' "carol now holds commander, bob nothing"

refused 1 "only the commander \('carol'\) may change the severity of INC-1; 'bob' is not" \
	"bob changing the severity after handing over" \
	sitrep --as bob sev 1 SEV2
refused 1 "only the commander \('carol'\) may assign roles on INC-1; 'bob' is not" \
	"bob assigning after handing over" \
	sitrep --as bob role assign 1 comms dave
run sitrep --as carol role assign 1 comms dave
is "$RC:$OUT" "0:dave holds comms on INC-1" "the new commander carol may assign"
run sitrep --as carol role handoff 1 comms erin -m "next update at :30"
is "$RC:$OUT" "0:erin holds comms on INC-1" "the commander hands comms from its one holder dave to erin"
is "$(last_line 1)" "carol handed the role comms from dave to erin: next update at :30" \
	"the timeline names carol, dave and erin"
refused 1 "only a holder of the role 'comms' \(or the commander\) may hand it over; 'alice' is neither" \
	"alice, neither holder nor commander, handing over comms" \
	sitrep --as alice role handoff 1 comms bob -m "x"
refused 1 "no one holds the role 'scribe' on INC-1: use 'sitrep role assign' or 'sitrep role take'" \
	"handing over a role no one holds" \
	sitrep --as carol role handoff 1 scribe dave -m "x"
refused 1 "'erin' already holds the role 'comms'" "handing comms to its holder" \
	sitrep --as erin role handoff 1 comms erin -m "x"

run sitrep --as carol role assign 1 ops dave
run sitrep --as carol role assign 1 ops alice
is "$RC:$OUT" "0:alice holds ops on INC-1" "ops (max 2) gets dave and alice"
refused 1 "the role 'ops' on INC-1 is full \(2 of 2: dave, alice\)" "assigning a third ops" \
	sitrep --as carol role assign 1 ops bob
refused 1 "'ops'" "the commander handing over ops, which has two holders" \
	sitrep --as carol role handoff 1 ops erin -m "x"
unlike "$ERR" "'carol' is neither" \
	"that refusal does not claim the commander carol is neither holder nor commander"
run sitrep --as dave role handoff 1 ops erin -m "the cache is yours"
is "$RC:$OUT" "0:erin holds ops on INC-1" "a holder of a two-holder role hands his place over"
run sitrep role list 1 --json
is "$(jq -c '[.[] | select(.role == "ops") | .person] | sort' <<<"$OUT")" '["alice","erin"]' \
	"ops is alice and erin"

# ------------------------------------------------------------ steps

run sitrep --as carol step 1 done declare -m "declared in #inc-1"
is "$RC:$OUT" "0:step declare of INC-1 is done" "step 1 done declare -m works"
refused 1 "step 'declare' of INC-1 is already done \(by carol\)" "declare done again" \
	sitrep --as dave step 1 done declare
refused 1 "step 'declare' of INC-1 is already done \(by carol\)" "skipping a step already done" \
	sitrep --as dave step 1 skip declare -m "x"
refused 2 "skipping a step needs a reason: -m" "skip without -m" \
	sitrep --as erin step 1 skip first-internal
run sitrep --as erin step 1 skip first-internal -m "the channel topic says it all"
is "$RC:$OUT" "0:step first-internal of INC-1 is skipped" "skip with -m works"
refused 1 "step 'first-internal' of INC-1 is already skipped \(by erin\)" "doing a skipped step" \
	sitrep --as dave step 1 done first-internal
refused 1 "playbook 'outage' has no step 'nosuch': run 'sitrep step INC-1'" "an unknown step" \
	sitrep --as dave step 1 done nosuch
refused 2 "'finish' is not done or skip" "an unknown step subcommand" \
	sitrep --as dave step 1 finish declare
run sitrep --as erin step 1 done key-accounts
is "$RC:$OUT" "0:step key-accounts of INC-1 is done" "at SEV1 key-accounts can be done"
run sitrep step 1 --json
is "$(jq -c '[.[] | select(.state != "open") | [.id, .state, .by, .note]]' <<<"$OUT")" \
	'[["declare","done","carol","declared in #inc-1"],["first-internal","skipped","erin","the channel topic says it all"],["key-accounts","done","erin",null]]' \
	"step --json: who did or skipped what, with the notes"
run sitrep step 1
ok "the human list shows declare done" has_line "$OUT" "^declare +done +due "
ok "and first-internal skipped" has_line "$OUT" "^first-internal +skipped +due "
run sitrep timeline 1
ok "the timeline has the step done with its note" has_line "$OUT" "  carol +step declare done: declared in #inc-1$"
ok "and the skip with its reason" has_line "$OUT" "  erin +step first-internal skipped: the channel topic says it all$"

# ------------------------------------------------------------ close

refused 1 "INC-1 is investigating: resolve it first" "close before resolving" \
	sitrep --as carol close 1
run sitrep --as carol resolve 1
is "$RC:$OUT" "0:INC-1 is resolved" "the commander carol resolves INC-1"
refused 1 "INC-1 has required steps still open \(verify-recovery, postmortem\)" "close with two required steps open" \
	sitrep --as carol close 1
run sitrep --as dave step 1 done verify-recovery
is_rc 0 "dave does verify-recovery"
refused 1 "required steps still open \(postmortem\)" "close with postmortem open" \
	sitrep --as carol close 1
run sitrep --as carol step 1 done postmortem -m "Thursday 10:00"
is_rc 0 "carol does postmortem"
refused 1 "only the commander \('carol'\) may close INC-1; 'alice' is not" "alice closing" \
	sitrep --as alice close 1
run sitrep --as carol close 1
is "$RC:$OUT" "0:INC-1 is closed" "once every required step is done, close works"
run sitrep timeline 1 --json
is "$(jq -c '.[-1] | [.kind, .actor, .details.forced, .details.open_steps]' <<<"$OUT")" '["closed","carol",false,[]]' \
	"the close is not forced and leaves no step open"

before=$(store_state)
bad=
for c in "role take 1 sme" "role assign 1 sme bob" "role release 1 commander" \
	 "role handoff 1 commander bob -m x" "step 1 done apology" "page 1 ops" "escalate 1" "ack 1"; do
	run sitrep --as carol $c
	if [ "$RC" != 1 ] || ! [[ $ERR =~ "INC-1 is closed" ]]; then
		bad="$bad [$c: exit $RC: $ERR]"
	fi
done
is "$bad" "" "every role, step and page command on the closed INC-1 exits 1 saying it is closed"
is "$(store_state)" "$before" "and none of them changed the store"
run sitrep role list 1
ok "role list still reads the closed INC-1" eval '[ "$RC" = 0 ] && has_line "$OUT" "^commander +Incident Commander +carol since "'
run sitrep step 1 --json
is "$RC:$(jq 'any(.[]; .overdue)' <<<"$OUT")" "0:false" "step still lists it, nothing overdue once closed"

# ============================================================ INC-2: paging

run sitrep --as alice open outage --title "Queue stuck"
is "$RC:$OUT" "0:INC-2 opened from outage@$(git -C playbooks rev-parse --short=7 main)" "alice opens INC-2"
refused 1 "INC-2 has no page to escalate: page a role first with 'sitrep page INC-2 ROLE'" \
	"escalate before any page" \
	sitrep --as alice escalate 2
refused 1 "playbook 'outage' has no role 'dba'" "paging an unknown role" \
	sitrep --as alice page 2 dba
refused 2 "tier 'L9' is not one of L0, L1, L2, L3, L4" "page --tier L9" \
	sitrep --as alice page 2 ops --tier L9
refused 1 "no one is on the L0 roster" "paging the empty L0 roster" \
	sitrep --as alice page 2 ops --tier L0

run sitrep --as alice page 2 ops
is "$RC:$OUT" "0:paged ops on INC-2: see 'sitrep show INC-2'" "page 2 ops works"
is "$(open_pages 2)" "L1:alice" "the tiered outage pages its first tier, L1: alice"
is "$(last_line 2)" "alice paged ops (tiered): alice@L1 (PG-1) by mail" \
	"the timeline says who was paged at which tier, the page and how she was notified"
run sitrep list
ok "list flags INC-2 with 1-page-unacked" has_line "$OUT" "^INC-2 .* 1-page-unacked"
run sitrep list --json
is "$(jq '.[] | select(.id == 2) | .unacked_pages' <<<"$OUT")" 1 "list --json: unacked_pages 1"
run sitrep show 2
ok "show lists the open pages" has_line "$OUT" "^Open pages \(not acknowledged\)$"
ok "with role, tier, person, when paged and when it escalates" \
	has_line "$OUT" "^  ops +L1 +alice +paged $ISO, escalates $ISO$"
run sitrep show 2 --json
is "$(jq -c '[.open_pages[] | [.role, .tier, .person]]' <<<"$OUT")" '[["ops","L1","alice"]]' \
	"show --json: one open page, ops at L1 to alice"
paged_at=$(jq -r '.open_pages[0].paged_at' <<<"$OUT")
times_out=$(jq -r '.open_pages[0].times_out_at' <<<"$OUT")
is "$(( $(ms "$times_out") - $(ms "$paged_at") ))" 300000 "the page times out ack_timeout (5m) after it was sent"
ok "and it was sent just now" eval '(( $(date +%s%3N) - $(ms "$paged_at") < 60000 ))'

refused 1 "'bob' has no open page on INC-2 to acknowledge" "ack by bob, who was not paged" \
	sitrep --as bob ack 2
refused 2 "'--tier'" "ack --tier L1, an option ack does not take" \
	sitrep --as alice ack 2 --tier L1
refused 2 "'--swarm'" "page --swarm, an option page does not take" \
	sitrep --as alice page 2 ops --swarm
run sitrep --as alice ack 2
is "$RC:$OUT" "0:alice acknowledged INC-2" "alice acknowledges her page"
is "$(open_pages 2):$(page_states 2)" ":L1:alice=acked" "the page is closed as acked"
run sitrep list
ok "the unacked flag is gone" eval 'has_line "$OUT" "^INC-2 " && ! has_line "$OUT" "^INC-2 .*page"'
refused 1 "'alice' has no open page on INC-2" "acknowledging again" \
	sitrep --as alice ack 2

run sitrep --as bob escalate 2
is "$RC:$OUT" "0:escalated INC-2: see 'sitrep show INC-2'" "escalate 2 works"
is "$(open_pages 2)" "L2:bob" "it pages the next tier, L2: bob"
is "$(last_line 2)" "bob escalated ops from L1 (tiered): bob@L2 (PG-2) by email: escalated by hand" \
	"the timeline has the tier it came from, who is paged how, and the default reason"
run sitrep --as carol escalate 2
is "$(open_pages 2)" "L3:carol L3:dave" "escalating again pages L3: carol and dave"
is "$(page_states 2)" "L1:alice=acked L2:bob=escalated L3:carol=open L3:dave=open" \
	"bob's open page was closed as escalated"
run sitrep --as carol escalate 2
is "$(open_pages 2)" "L4:erin" "and again L4: erin"
run sitrep timeline 2 --json
is "$(jq -c '.[-1] | [.kind, .details.from, .details.mode, .details.people]' <<<"$OUT")" \
	'["escalated","L3","tiered",[{"person":"erin","tier":"L4"}]]' "timeline --json: escalated from L3 to erin at L4"
refused 1 "INC-2 is already paged at L4, the last tier of playbook 'outage': name one with --tier, or --swarm" \
	"escalating past the last tier" \
	sitrep --as carol escalate 2
refused 2 "tier 'L9' is not one of L0, L1, L2, L3, L4" "escalate --tier L9" \
	sitrep --as carol escalate 2 --tier L9
refused 2 "give --tier or --swarm, not both" "escalate --tier L1 --swarm" \
	sitrep --as carol escalate 2 --tier L1 --swarm
refused 1 "tier L0 is not in playbook 'outage'" "escalate --tier L0, not one of the playbook's tiers" \
	sitrep --as carol escalate 2 --tier L0
run sitrep --as erin escalate 2 --tier L2 -m "bob knows the queue"
is "$RC:$OUT" "0:escalated INC-2: see 'sitrep show INC-2'" "escalate --tier L2 -m REASON works"
is "$(open_pages 2)" "L2:bob" "it pages L2 again"
is "$(last_line 2)" "erin escalated ops from L4 (tiered): bob@L2 (PG-6) by email: bob knows the queue" \
	"with the reason on the timeline"
run sitrep --as bob escalate 2 --swarm
is "$RC:$OUT" "0:escalated INC-2 to every tier: see 'sitrep show INC-2'" "escalate --swarm on the tiered outage works"
is "$(open_pages 2)" "L1:alice L2:bob L3:carol L3:dave L4:erin" "it pages all four tiers at once"
is "$(last_line 2)" "bob escalated ops from L4 (swarm): alice@L1 (PG-7) by mail, bob@L2 (PG-8) by email, carol@L3 (PG-9) by email, dave@L3 (PG-10) by email, erin@L4 (PG-11) by email: escalated by hand" \
	"the timeline says (swarm)"
run sitrep --as dave ack 2
# issue 13: an acknowledgement covers the role: the others' pages end too
is "$RC:$(open_pages 2)" "0:" "dave's ack ends every open page of the role"
is "$(sqlite3 sitrep.db "SELECT group_concat(person || '=' || state || ':' || ended_by, ' ') FROM (SELECT * FROM pages WHERE incident_id = 2 AND closed_at = (SELECT max(closed_at) FROM pages WHERE incident_id = 2) ORDER BY id)")" \
	"alice=covered:dave bob=covered:dave carol=covered:dave dave=acked:dave erin=covered:dave" \
	"his acked, the others covered by him"
is "$(last_line 2)" "dave acknowledged the page for ops (PG-10); covers the pages of alice, bob, carol, erin" \
	"the timeline says whose pages his acknowledgement covers"

# ============================================================ INC-3: swarm

run sitrep --as alice open security-breach --title "Tokens leaked"
is "$RC:$OUT" "0:INC-3 opened from security-breach@$(git -C playbooks rev-parse --short=7 main)" \
	"alice opens INC-3 from security-breach"
run sitrep --as alice page 3 commander
is "$RC:$OUT" "0:paged commander on INC-3: see 'sitrep show INC-3'" "page 3 commander works"
is "$(open_pages 3)" "L2:bob L3:carol L3:dave L4:erin" "the swarm playbook pages every tier it lists, L2 to L4, at once"
is "$(last_line 3)" "alice paged commander (swarm): bob@L2 (PG-12) by email, carol@L3 (PG-13) by email, dave@L3 (PG-14) by email, erin@L4 (PG-15) by email" \
	"the timeline says (swarm)"
run sitrep timeline 3 --json
is "$(jq -c '.[-1].details | [.mode, .ack_timeout_s, (.people | length)]' <<<"$OUT")" '["swarm",300,4]' \
	"timeline --json: mode swarm, ack_timeout_s 300, four people"
refused 1 "INC-3 is already paged at L4, the last tier of playbook 'security-breach'" \
	"escalating a swarm that reached the last tier" \
	sitrep --as alice escalate 3
refused 1 "tier L1 is not in playbook 'security-breach'" "escalate --tier L1, not a security-breach tier" \
	sitrep --as alice escalate 3 --tier L1
run sitrep --as alice page 3 forensics --tier L1
is "$RC:$(open_pages 3)" "0:L2:bob L3:carol L3:dave L4:erin L1:alice" "page --tier L1 pages that one tier, even on a swarm playbook"
run sitrep --as alice escalate 3
ok "escalating forensics from L1 (before the playbook's first tier) goes on to L2, leaving the commander's pages open" \
	eval '[ "$RC" = 0 ] && [ "$(open_pages 3)" = "L2:bob L3:carol L3:dave L4:erin L2:bob" ]'
unlike "$ERR" "L1, the last tier" "and does not call L1 the playbook's last tier"

# the opener has her say back once the commander leaves the role
run sitrep --as bob role take 3 commander
refused 1 "only the commander \('bob'\) may change the severity of INC-3" "alice changing INC-3's severity under bob" \
	sitrep --as alice sev 3 SEV2
run sitrep --as bob role release 3 commander
is "$RC:$OUT" "0:bob no longer holds commander on INC-3" "bob leaves the commander role"
run sitrep --as alice sev 3 SEV2
is "$RC:$OUT" "0:INC-3 is SEV2" "with no commander the opener alice may again"

# ============================================================ INC-4: an empty roster

sed -e '/handle = "erin"/d' -e '/handle = "dave"/s/},$/}/' sitrep.conf >nol4.conf
if grep -q '"erin"' nol4.conf || ! sitrep -c nol4.conf list >/dev/null 2>&1; then
	bail "cannot make a config without erin"
fi
run sitrep -c nol4.conf --as alice open outage --title "Search slow"
is "$RC:$OUT" "0:INC-4 opened from outage@$(git -C playbooks rev-parse --short=7 main)" "INC-4 opened under the config without erin"
run sitrep -c nol4.conf --as alice page 4 ops
is_rc 0 "page 4 ops"
run sitrep -c nol4.conf --as alice escalate 4
is_rc 0 "escalate to L2"
run sitrep -c nol4.conf --as alice escalate 4
is "$RC:$(open_pages 4)" "0:L3:carol L3:dave" "escalate to L3"
refused 1 "no one is on the L4 roster: add people to tiers\.L4 \(or give them tier = \"L4\"\) in nol4\.conf" \
	"escalating into the empty L4 roster" \
	sitrep -c nol4.conf --as alice escalate 4
refused 1 "no one is on the L4 roster.* in $(quotemeta "$W/nol4.conf")" \
	"escalate --swarm with L4 empty (config given by its full path)" \
	sitrep -c "$W/nol4.conf" --as alice escalate 4 --swarm
is "$(open_pages 4)" "L3:carol L3:dave" "the L3 pages are still open"

# issue 13: sitrep show lists each open page with its notifications, and
# pages are cancelled by role or by id, with a reason
run sitrep -c nol4.conf show 4 --json
is "$(jq -r '[.open_pages[] | .page + ":" + .person + ":" + (.notifications | length | tostring)] | join(" ")' <<<"$OUT")" \
	"$(sqlite3 sitrep.db "SELECT group_concat('PG-' || id || ':' || person || ':1', ' ') FROM (SELECT * FROM pages WHERE incident_id = 4 AND state = 'open' ORDER BY id)")" \
	"show --json lists the open pages by PG id with their notifications (an e-mail each: their address)"
refused 2 "cancelling a page needs a reason" "page cancel without -m" \
	sitrep -c nol4.conf --as alice page cancel 4 ops
refused 1 "playbook 'outage' has no role 'nosuch'" "page cancel of an unknown role" \
	sitrep -c nol4.conf --as alice page cancel 4 nosuch -m "why"
# a page id past the largest number read as PG-9223372036854775807
refused 1 "no page PG-99999999999999999999:" "page cancel of a page id too large for any page" \
	sitrep -c nol4.conf --as alice page cancel 4 PG-99999999999999999999 -m "why"
refused 1 "no page PG-0:" "page cancel of PG-0" \
	sitrep -c nol4.conf --as alice page cancel 4 PG-0 -m "why"
refused 1 "the reason is 2001 bytes long: at most 2000" "page cancel with an overlong reason" \
	sitrep -c nol4.conf --as alice page cancel 4 ops -m "$(printf '%2001s' | tr ' ' x)"
refused 1 "the reason is blank" "page cancel with a blank reason" \
	sitrep -c nol4.conf --as alice page cancel 4 ops -m "   "
carol_page=$(sqlite3 sitrep.db "SELECT id FROM pages WHERE incident_id = 4 AND person = 'carol' AND state = 'open'")
run sitrep -c nol4.conf --as alice page cancel 4 "PG-$carol_page" -m "carol is on leave"
is "$RC:$(open_pages 4)" "0:L3:dave" "page cancel PG-n ends that page only"
refused 1 "PG-$carol_page has ended \\(cancelled by alice at .*: carol is on leave\\)" \
	"cancelling a page that has ended" \
	sitrep -c nol4.conf --as alice page cancel 4 "PG-$carol_page" -m "again"
run sitrep -c nol4.conf --as alice page cancel 4 ops -m "found the cause"
is "$RC:$(open_pages 4)" "0:" "page cancel ROLE ends the role's open pages"
is "$(sqlite3 sitrep.db "SELECT kind || ' ' || json_extract(details, '$.reason') FROM events WHERE incident_id = 4 ORDER BY id DESC LIMIT 1")" \
	"page_cancelled found the cause" "the timeline has page_cancelled with the reason"
is "$(sitrep -c nol4.conf timeline 4 | tail -n 1 | sed -E 's/^[^ ]+  //; s/ +/ /')" \
	"alice cancelled the page for ops to dave (PG-$((carol_page + 1))): found the cause" \
	"and says it in a sentence: the role, who, the page and why"
refused 1 "no open page for ops on INC-4 to cancel" "page cancel with nothing open" \
	sitrep -c nol4.conf --as alice page cancel 4 ops -m "again"

# ============================================================ every timeline verifies

bad=
for i in 1 2 3 4; do
	run sitrep timeline "$i" --verify
	[ "$RC" = 0 ] && [[ $OUT =~ "the hash chain verifies" ]] || bad="$bad [INC-$i: exit $RC: $OUT $ERR]"
done
is "$bad" "" "timeline --verify exits 0 for INC-1 to INC-4"

# ============================================================ concurrency (W2)

W2="$TEST_TMP/w2"
sitrep init "$W2" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W2" || bail "no workspace"
sitrep --as alice open outage --title "Storm" >/dev/null 2>&1 || bail "open failed"

who=(alice bob carol dave erin alice bob carol)
steps=(declare first-internal assemble status-page recent-changes scope providers mitigate)
start=$(date +%s)
for i in "${!who[@]}"; do
	(
		for r in 1 2 3 4; do
			for c in "role take 1 sme" "role release 1 sme" "step 1 done ${steps[i]}"; do
				rc=0
				"$SITREP_BIN/sitrep" --as "${who[i]}" $c >>"$TEST_TMP/p$i.out" \
					2>>"$TEST_TMP/p$i.err" </dev/null || rc=$?
				echo "${c% *} $rc" >>"$TEST_TMP/p$i.rc"
			done
		done
	) &
done
wait
diag "8 x 12 concurrent commands took $(($(date +%s) - start)) s"

all=$(cat "$TEST_TMP"/p[0-7].rc)
is "$(lines "$all")" 96 "96 commands ran"
is "$(awk '$NF != 0 && $NF != 1' <<<"$all")" "" "every one exited 0 or 1"
is "$(cat "$TEST_TMP"/p[0-7].err | grep -ciE 'locked|busy')" 0 "none says the database is locked or busy"
is "$(cat "$TEST_TMP"/p[0-7].err | grep -vE "^sitrep: ('[a-z]+' already holds the role 'sme'|'[a-z]+' does not hold the role 'sme'|step '[a-z-]+' of INC-1 is already done \(by [a-z]+\))")" "" \
	"every refusal is a holder or done-step refusal"
bad=
for i in "${!who[@]}"; do
	s=$(awk '$1 == "step" { printf "%s", $NF }' "$TEST_TMP/p$i.rc")
	[ "$s" = 0111 ] || bad="$bad [${who[i]} ${steps[i]}: $s]"
done
is "$bad" "" "each process did its step once and was refused the next three times"
nok=$(awk '$NF == 0' <<<"$all" | wc -l)
is "$(events 1)" $((1 + nok)) "the events are the open and one per command that exited 0 ($nok)"
takes=$(awk '$1 == "role" && $2 == "take" && $NF == 0' <<<"$all" | wc -l)
releases=$(awk '$1 == "role" && $2 == "release" && $NF == 0' <<<"$all" | wc -l)
run sitrep role list 1 --json
is "$(jq '[.[] | select(.role == "sme")] | length' <<<"$OUT")" $((takes - releases)) \
	"sme holders = takes - releases that succeeded ($takes - $releases)"
is "$(sqlite3 sitrep.db "SELECT count(*) FROM events WHERE kind = 'role_taken'"):$(sqlite3 sitrep.db "SELECT count(*) FROM events WHERE kind = 'role_released'")" \
	"$takes:$releases" "one role_taken event per successful take, one role_released per release"
run sitrep timeline 1 --verify
is "$RC:$OUT" "0:INC-1: $((1 + nok)) events, the hash chain verifies" "the hash chain still verifies"
