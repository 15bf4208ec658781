#!/bin/bash
# t0005-updates.sh: what an incident says and to whom, through the real
# binary: status updates rendered from the pinned playbook's templates with
# their "next update by" promise from its cadence, published at once or kept
# as drafts under its approval policy (the two-person rule), approved,
# published, withdrawn and listed; the incident status a customer update
# moves; the outbox rows publishing queues per recipient per channel; dry
# runs that change nothing; apologies and customer touchpoints; every
# refusal leaving the store as it was; the timeline still verifying; and no
# leaks under valgrind.
. "$(dirname "$0")/lib.sh"

plan 361
tmp_workspace

# The ops-chat channel of the default config reads its URL from here; no
# test delivers, so it only has to be set.
export SITREP_SLACK_URL="http://127.0.0.1:9/slack-hook"

# q SQL...: a query on the workspace's store.
q() {
	sqlite3 sitrep.db "$@"
}

# ms ISO: an ISO 8601 UTC time as milliseconds since the epoch.
ms() {
	date -u -d "$1" +%s%3N
}

# hhmm MS / ymdhm MS: a time in milliseconds as "14:05" and "2026-11-23 14:05" (UTC).
hhmm() {
	date -u -d "@$(($1 / 1000))" +%H:%M
}
ymdhm() {
	date -u -d "@$(($1 / 1000))" '+%Y-%m-%d %H:%M'
}
# when MS: a time for a reader, as sitrep writes it: "14:05 UTC" today,
# "Fri 4 Dec 00:10 UTC" another day, with the year in another year.
when() {
	local d=$(($1 / 1000)) now
	now=$(date -u +%s)
	if [ "$(date -u -d "@$d" +%F)" = "$(date -u -d "@$now" +%F)" ]; then
		LC_ALL=C date -u -d "@$d" '+%H:%M UTC'
	elif [ "$(date -u -d "@$d" +%Y)" = "$(date -u -d "@$now" +%Y)" ]; then
		LC_ALL=C date -u -d "@$d" '+%a %-d %b %H:%M UTC'
	else
		LC_ALL=C date -u -d "@$d" '+%a %-d %b %Y %H:%M UTC'
	fi
}
# dated MS: always with the date and year, as {{opened_at}} is.
dated() {
	LC_ALL=C date -u -d "@$(($1 / 1000))" '+%a %-d %b %Y %H:%M UTC'
}
# The outage playbook's declared variables, filled at open.
IMPACT="Sign-in fails for most customers."
CAUSE="A bad deploy overloaded the sign-in service."
VARS=(--var "impact=$IMPACT" --var "cause=$CAUSE")

# span MS: a duration as {{duration}} says it: "1 minute", "12 minutes".
span() {
	local m=$(($1 / 60000))
	[ "$m" -lt 1 ] && m=1
	if [ "$m" -lt 60 ]; then
		[ "$m" = 1 ] && echo "1 minute" || echo "$m minutes"
	else
		echo "more than an hour"
	fi
}

# last_upd: the newest update's id.
last_upd() {
	q 'SELECT max(id) FROM updates'
}

# upd ID COLUMNS: columns of update ID, "|"-separated.
upd() {
	q "SELECT $2 FROM updates WHERE id = $1"
}

# outbox_rows ID: update ID's outbox rows as "channel/type/recipient/state ...".
outbox_rows() {
	q "SELECT group_concat(r, ' ') FROM (SELECT coalesce(channel, '-') || '/' || type || '/' ||
		coalesce(recipient, '-') || '/' || state AS r FROM outbox WHERE update_id = $1 ORDER BY id)"
}

# last_event N: kind and actor of INC-N's newest event, "kind actor"; the
# step_done events an action completes on its own (after its own event)
# are not counted here: see auto_steps.
last_event() {
	q "SELECT kind || ' ' || actor FROM events WHERE incident_id = $1 AND
		json_extract(details, '$.completed_by') IS NULL ORDER BY id DESC LIMIT 1"
}

# last_details N JQ: jq -c JQ over the details of INC-N's newest event (of
# those last_event sees).
last_details() {
	sitrep timeline "$1" --json | jq -c "[.[] | select(.details.completed_by == null)] | .[-1].details | $2"
}

# own_events N: INC-N's events but the step_done ones actions cause.
own_events() {
	q "SELECT count(*) FROM events WHERE incident_id = $1 AND
		json_extract(details, '$.completed_by') IS NULL"
}

# auto_steps N: the steps of INC-N completed by actions, "step<-event ...".
auto_steps() {
	q "SELECT group_concat(s, ' ') FROM (SELECT json_extract(details, '$.step') || '<-' ||
		json_extract(details, '$.completed_by.event') AS s FROM events WHERE incident_id = $1
		AND kind = 'step_done' AND json_extract(details, '$.completed_by') IS NOT NULL ORDER BY id)"
}

# comms_state: what store_state covers (incidents, their components, roles,
# steps and pages, the events) and the communication tables too, in one
# query so that the many refusals stay quick: the row counts, then a digest
# of every row.
comms_state() {
	local rows
	rows=$(q "SELECT (SELECT count(*) FROM incidents) || ' incidents, ' ||
			(SELECT count(*) FROM events) || ' events, ' ||
			(SELECT count(*) FROM updates) || ' updates, ' ||
			(SELECT count(*) FROM outbox) || ' outbox, ' ||
			(SELECT count(*) FROM touchpoints) || ' touchpoints';
		SELECT * FROM incidents ORDER BY id;
		SELECT * FROM incident_components ORDER BY incident_id, component;
		SELECT * FROM incident_roles ORDER BY incident_id, role, person;
		SELECT * FROM incident_steps ORDER BY incident_id, step;
		SELECT * FROM pages ORDER BY id;
		SELECT id, hash FROM events ORDER BY id;
		SELECT * FROM updates ORDER BY id;
		SELECT * FROM outbox ORDER BY id;
		SELECT * FROM touchpoints ORDER BY id")
	printf '%s, rows %s' "${rows%%$'\n'*}" "$(sha256sum <<<"$rows" | cut -c1-12)"
}

# crefused RC ERE DESC CMD...: refused, with comms_state. Three tests.
crefused() {
	local rc=$1 re=$2 desc=$3 before
	shift 3
	before=$(comms_state)
	run "$@"
	is_rc "$rc" "$desc (exit $rc)"
	like "$ERR" "$re" "$desc: the message says why"
	is "$(comms_state)" "$before" "$desc: the store is unchanged"
}

# table_counts: "table=rows" for every table of the store.
table_counts() {
	q "$(q "SELECT group_concat('SELECT ''' || name || '='' || count(*) FROM \"' || name || '\"',
		' UNION ALL ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")" |
		tr '\n' ' '
}

WHEN='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC'
# a time for a reader: today's bare, another day's with its date
RWHEN='([A-Z][a-z]{2} [0-9]{1,2} [A-Z][a-z]{2} ([0-9]{4} )?)?[0-9]{2}:[0-9]{2} UTC'
COMPONENTS="Public API, Web application, Login and SSO"
APPROVERS="a holder of commander or comms other than its author alice \(now: bob \(commander\), carol \(comms\)\)"

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

# ============================================================ INC-1: internal updates at SEV2

run sitrep --as alice open outage --title "API down" "${VARS[@]}"
is_rc 0 "alice opens INC-1 from outage (SEV2)"
[ "$(q 'SELECT id FROM incidents')" = 1 ] || bail "the first incident is not INC-1"
opened=$(q 'SELECT opened_at FROM incidents WHERE id = 1')

run sitrep updates 1
is "$RC:$OUT" "0:INC-1 has no updates yet" "updates before any: says there are none"
run sitrep updates INC-1 --json
is "$RC:$OUT" "0:[]" "updates --json before any: an empty array"

crefused 1 "template 'internal-update' uses \{\{commander\}\}, which has no value: no one holds the commander role: take it with 'sitrep role take INC-1 commander'" \
	"internal-update while no one holds commander" \
	sitrep --as alice update 1 --audience internal --template internal-update

run sitrep --as bob role take 1 commander
is_rc 0 "bob takes commander"
run sitrep --as carol role take 1 comms
is_rc 0 "carol takes comms"

n=$(own_events 1)
all='{{id}}|{{title}}|{{severity}}|{{impact}}|{{status}}|{{components}}|{{next_update}}|{{page_url}}|{{commander}}|{{opened_at}}|{{duration}}'
run sitrep --as alice update INC-1 --audience internal -m "$all"
is_rc 0 "alice posts an internal update with every variable"
u=$(last_upd)
is "$u" 1 "it is UPD-1"
IFS='|' read -r pub created next st <<<"$(upd 1 'published_at, created_at, next_update_at, state')"
is "$OUT" "UPD-1 published to internal: 1 message queued; next update by $(when "$next")" \
	"no approval for internal: published at once, one message queued, with the promise"
is "$ERR" "" "and nothing on stderr"
is "$st:$((pub - created))" "published:0" "the stored update is published when it is created"
is "$((next - pub))" 1800000 "next_update_at = published_at + 30m, the internal cadence at SEV2"
is "$(upd 1 body)" \
	"INC-1|API down|SEV2|$IMPACT|investigating|$COMPONENTS|$(when "$next")|http://127.0.0.1:8080/|Bob Okafor|$(dated "$opened")|$(span $((pub - opened)))" \
	"the variables: id, title, severity, the declared impact, status, components, next_update (with its date unless today), page_url, commander, opened_at (dated), duration (in words)"
is "$(upd 1 "kind, audience, coalesce(status, '-'), coalesce(template, '-'), author, coalesce(approver, '-')")" \
	"update|internal|investigating|-|alice|-" \
	"kind update, audience internal, the status it speaks of, no template, by alice, no approver"
is "$(outbox_rows 1)" "ops-chat/slack/-/pending" "one outbox row: the slack channel ops-chat, pending"
like "$(q 'SELECT msg_id FROM outbox WHERE update_id = 1')" '^msg_[0-9a-f]{32}$' "its msg_id is msg_ and 32 hex digits"
is "$(q 'SELECT incident_id, attempts, next_at = created_at, created_at = '"$pub"' FROM outbox WHERE update_id = 1')" \
	"1|0|1|1" "for INC-1, no attempts yet, due now, created at publishing"
is "$(own_events 1)" $((n + 1)) "one event of its own"
is "$(auto_steps 1)" "first-internal<-update_published" \
	"the first internal update completed the step 'first-internal', in its transaction"
is "$(last_event 1)" "update_published alice" "an update_published event by alice"
is "$(last_details 1 '[.update, .audience, .author, .queued, .next_update_at]')" \
	"[1,\"internal\",\"alice\",1,$next]" "its details: update, audience, author, queued, next_update_at"

run sitrep --as alice update 1 --audience internal --template internal-update
is_rc 0 "internal-update works once bob holds commander"
u=$(last_upd)
IFS='|' read -r pub next <<<"$(upd "$u" 'published_at, next_update_at')"
is "$(upd "$u" 'template')" "internal-update" "the template is recorded"
like "$(upd "$u" body)" "^\[SEV2\] INC-1 API down: investigating\. Impact: $IMPACT Components: $COMPONENTS\. IC: Bob Okafor\. Open [0-9]+ minutes?, since $(dated "$opened")\. Next update by $(when "$next")\. Work in the incident channel\." \
	"the playbook's internal-update text, filled in"
is "$((next - pub))" 1800000 "the template's promise is the cadence too"

run sitrep --as alice update 1 --audience internal --next 10m -m "next by {{next_update}}"
is_rc 0 "--next 10m"
u=$(last_upd)
IFS='|' read -r pub next <<<"$(upd "$u" 'published_at, next_update_at')"
is "$((next - pub))" 600000 "--next overrides the cadence: published_at + 10m"
is "$(upd "$u" body)" "next by $(when "$next")" "and {{next_update}} says that time"
like "$OUT" "; next update by $(when "$next")$" "so does the output"

run sitrep --as dave update 1 --audience internal -m "plain words" --next 2h --json
is_rc 0 "update --json"
u=$(last_upd)
IFS='|' read -r pub next <<<"$(upd "$u" 'published_at, next_update_at')"
is "$(jq -c 'keys' <<<"$OUT")" '["approval","body","dry_run","next_update_at","publish_at","queued","routes","state","update"]' \
	"--json: update, state, body, dry_run, next_update_at, publish_at, queued, approval, routes"
is "$(jq -c '[.update, .state, .body, .dry_run, .queued, .approval]' <<<"$OUT")" \
	"[$u,\"published\",\"plain words\",false,1,null]" "--json: the new id, published, the body, not dry, 1 queued, no approval"
is "$(jq -c '.routes' <<<"$OUT")" '[{"channel":"ops-chat","type":"slack","recipient":null,"subscribers":null,"count":1}]' \
	"--json: one route, the slack channel ops-chat"
got=$(jq -r '.next_update_at' <<<"$OUT")
[[ $got =~ ^[0-9]+$ ]] || got=$(ms "$got")
is "$got" "$next" "--json: next_update_at is the stored promise, published_at + 2h"
is "$((next - pub))" 7200000 "--next 2h"

# ============================================================ INC-1: customers need approval at SEV2

ncust=$(q "SELECT count(*) FROM outbox")
run sitrep --as alice update 1 --audience customers --template identified
is_rc 0 "alice posts the identified template to customers"
c1=$(last_upd)
like "$OUT" "^UPD-$c1 saved as a draft: updates to customers at this severity need approval by $APPROVERS
  approve it with: sitrep approve UPD-$c1$" "at SEV2 it is a draft, and the output names who may approve"
IFS='|' read -r created next st status pub <<<"$(upd "$c1" "created_at, next_update_at, state, status, coalesce(published_at, '-')")"
is "$st:$status:$pub" "draft:identified:-" "stored as a draft with the template's status identified, not published"
is "$((next - created))" 1800000 "its promise is the customer cadence at SEV2, 30m"
like "$(upd "$c1" body)" "^We have found the cause of the problem with $COMPONENTS\. $CAUSE We are putting a fix in place; .* Next update by $(when "$next")\.$" \
	"the identified template, filled in"
is "$(q 'SELECT count(*) FROM outbox')" "$ncust" "a draft queues nothing"
is "$(last_event 1)" "update_drafted alice" "an update_drafted event"
is "$(sitrep show 1 --json | jq -r .status)" investigating "the incident is still investigating"

crefused 1 "^sitrep: alice wrote UPD-$c1 and may not approve it too: it needs a second person$" \
	"the author approving her own update" \
	sitrep --as alice approve "UPD-$c1"
crefused 1 "^sitrep: dave may not approve UPD-$c1: it needs $APPROVERS$" \
	"dave, with no approver role, approving" \
	sitrep --as dave approve "$c1"
crefused 1 "^sitrep: UPD-$c1 is a draft that needs approval before it is published: $APPROVERS \('sitrep approve UPD-$c1'\)$" \
	"publishing before approval" \
	sitrep --as alice publish "UPD-$c1"
crefused 1 "UPD-$c1 is a draft that needs approval" "the commander publishing before approval" \
	sitrep --as bob publish "$c1"

run sitrep --as carol approve "upd-$c1"
is "$RC:$OUT" "0:UPD-$c1 approved: publish it with 'sitrep publish UPD-$c1'" "carol (comms) approves"
is "$(upd "$c1" "state, approver, approved_at IS NOT NULL, coalesce(published_at, '-')")" "approved|carol|1|-" \
	"approved by carol, not yet published"
is "$(last_event 1)" "update_approved carol" "an update_approved event by carol"
crefused 1 "UPD-$c1 is already approved by carol: publish it with 'sitrep publish UPD-$c1'" "approving twice" \
	sitrep --as bob approve "$c1"
crefused 1 "only its author alice, its approver or the commander may publish UPD-$c1" "dave publishing" \
	sitrep --as dave publish "$c1"
is "$(sitrep show 1 --json | jq -r .status)" investigating "approval does not move the status"

run sitrep --as alice publish "$c1"
is "$RC:$OUT" "0:UPD-$c1 published: 0 messages queued" "the author publishes the approved update"
is "$(upd "$c1" "state, published_at IS NOT NULL")" "published|1" "it is published"
is "$(sitrep show 1 --json | jq -r .status)" identified "publishing the customer update moved INC-1 to identified"
is "$(q "SELECT count(*) FROM outbox WHERE update_id = $c1")" 0 "no customer channel or subscriber: 0 outbox rows"
is "$(last_event 1)" "update_published alice" "an update_published event"
is "$(last_details 1 '[.update, .queued, .status]')" "[$c1,0,{\"from\":\"investigating\",\"to\":\"identified\"}]" \
	"its details say the status went from investigating to identified"
crefused 1 "UPD-$c1 was already published: there is nothing to publish; post a correction with 'sitrep update'" \
	"publishing twice" sitrep --as alice publish "$c1"
crefused 1 "UPD-$c1 was already published: there is nothing to withdraw" "withdrawing a published update" \
	sitrep --as bob withdraw "$c1"
crefused 1 "UPD-$c1 was already published: there is nothing to approve" "approving a published update" \
	sitrep --as carol approve "$c1"

# executives also need approval in the shipped outage playbook
run sitrep --as alice update 1 --audience executives --template exec-brief
e1=$(last_upd)
like "$RC:$OUT" "^0:UPD-$e1 saved as a draft: updates to executives at this severity need approval" \
	"an executive brief at SEV2 is a draft too"
like "$(upd "$e1" body)" "^SEV2 INC-1: API down\. Customer impact on $COMPONENTS: $IMPACT Status: identified, running [0-9]+ minutes?\. IC: Bob Okafor\. " \
	"exec-brief, filled in with the new status"
IFS='|' read -r created next <<<"$(upd "$e1" 'created_at, next_update_at')"
is "$((next - created))" 3600000 "its promise is the executive cadence at SEV2, 1h"
run sitrep --as bob approve "$e1"
is_rc 0 "bob (commander) approves"
run sitrep --as bob publish "$e1" --json
is "$RC:$(jq -c . <<<"$OUT")" "0:{\"update\":$e1,\"state\":\"published\",\"queued\":1}" "bob (its approver) publishes: --json"
is "$(outbox_rows "$e1")" "ops-chat/slack/-/pending" "ops-chat serves executives: one outbox row"
is "$(upd "$e1" approver)" bob "the approver is bob"

# ------------------------------------------------------------ withdraw

run sitrep --as alice update 1 --audience customers -m "We are rolling back the release."
w1=$(last_upd)
is "$RC:$(upd "$w1" state)" "0:draft" "alice drafts another customer update"
crefused 1 "only its author alice or the commander may withdraw UPD-$w1" "dave withdrawing it" \
	sitrep --as dave withdraw "$w1"
run sitrep --as bob withdraw "$w1" -m "wrong numbers"
is "$RC:$OUT" "0:UPD-$w1 withdrawn" "the commander bob withdraws the draft"
is "$(upd "$w1" "state, withdrawn_by, withdrawn_at IS NOT NULL, coalesce(published_at, '-')")" "withdrawn|bob|1|-" \
	"withdrawn by bob, never published"
is "$(last_event 1):$(last_details 1 '[.update, .reason]')" "update_withdrawn bob:[$w1,\"wrong numbers\"]" \
	"an update_withdrawn event with the reason"
crefused 1 "UPD-$w1 was withdrawn by bob: it cannot be approved; post a new update instead" \
	"approving a withdrawn update" sitrep --as carol approve "$w1"
crefused 1 "UPD-$w1 was withdrawn by bob: it cannot be published" \
	"publishing a withdrawn update" sitrep --as alice publish "$w1"
crefused 1 "UPD-$w1 is already withdrawn" "withdrawing twice" \
	sitrep --as alice withdraw "$w1"

run sitrep --as alice update 1 --audience customers -m "Draft two."
w2=$(last_upd)
run sitrep --as carol approve "$w2"
is_rc 0 "carol approves a second draft"
run sitrep --as alice withdraw "UPD-$w2" --json
is "$RC:$(jq -c . <<<"$OUT")" "0:{\"update\":$w2,\"state\":\"withdrawn\",\"queued\":0}" \
	"its author withdraws the approved update (--json)"
is "$(upd "$w2" "state, withdrawn_by")" "withdrawn|alice" "withdrawn by alice"

# ------------------------------------------------------------ updates

run sitrep updates 1
is_rc 0 "updates 1 exits 0"
ok "a header names the columns" has_line "$OUT" "^ID +KIND +AUDIENCE +STATE +AUTHOR +APPROVER +PUBLISHED +DELIVERY$"
ok "UPD-1: internal, published, alice, no approver, when, and its delivery" \
	has_line "$OUT" "^UPD-1 +update +internal +published +alice +- +$(ymdhm "$(upd 1 published_at)") +0 sent, 1 waiting, 0 dead$"
ok "the customer update: approved by carol, published, nothing to deliver" \
	has_line "$OUT" "^UPD-$c1 +update +customers +published +alice +carol +$(ymdhm "$(upd "$c1" published_at)") +-$"
ok "the withdrawn draft: no approver, never published" \
	has_line "$OUT" "^UPD-$w1 +update +customers +withdrawn +alice +- +- +-$"
ok "each update's body is on the line below, indented" has_line "$OUT" "^        We are rolling back the release\.$"
is "$(grep -c '^UPD-' <<<"$OUT")" "$(q 'SELECT count(*) FROM updates WHERE incident_id = 1')" "one line per update"
run sitrep updates 1 --json
is_rc 0 "updates 1 --json exits 0"
is "$(jq -c '[.[] | [.id, .kind, .audience, .state, .author, .approver]]' <<<"$OUT")" \
	"$(q "SELECT json_group_array(json_array(id, kind, audience, state, author, approver)) FROM
		(SELECT * FROM updates WHERE incident_id = 1 ORDER BY id)")" \
	"--json: id, kind, audience, state, author and approver of each, oldest first"
is "$(jq -c ".[] | select(.id == $c1) | [.status, .approver, .state]" <<<"$OUT")" '["identified","carol","published"]' \
	"--json: the customer update's status and approver"
is "$(jq -c '.[0].delivery' <<<"$OUT")" '{"pending":1,"retrying":0,"sent":0,"dead":0}' "--json: UPD-1's delivery counts"
is "$(ms "$(jq -r '.[0].published_at' <<<"$OUT")"):$(ms "$(jq -r '.[0].next_update_at' <<<"$OUT")")" \
	"$(upd 1 "published_at || ':' || next_update_at")" "--json: published_at and next_update_at as ISO 8601 of the stored times"
is "$(jq -r ".[] | select(.id == $w1) | .published_at" <<<"$OUT")" null "--json: a withdrawn update has no published_at"
crefused 1 "no incident INC-9" "updates of an unknown incident" sitrep updates 9
crefused 2 "'x1' is not an incident id" "updates with a bad incident id" sitrep updates x1

# ============================================================ INC-1: apologies and touchpoints

run sitrep --as alice apologize 1 --audience customers
a1=$(last_upd)
like "$RC:$OUT" "^0:UPD-$a1 saved as a draft: updates to customers at this severity need approval" \
	"apologize at SEV2 uses the playbook's apology template and is a draft"
is "$(upd "$a1" "kind, audience, template, state")" "apology|customers|apology|draft" \
	"kind apology, to customers, template apology"
like "$(upd "$a1" body)" "^We are sorry\. From $(dated "$opened"), for [0-9]+ minutes?, $COMPONENTS let you down\. $IMPACT " \
	"the apology template, filled in"
is "$(last_event 1)" "apology_drafted alice" "an apology_drafted event"

run sitrep --as alice apologize 1 --audience customers -m "Sorry, {{account}}. {{title}} was our fault." --account globex
a2=$(last_upd)
is_rc 0 "apologize -m --account globex"
is "$(upd "$a2" "kind, account, coalesce(template, '-'), body")" \
	"apology|globex|-|Sorry, Globex Corporation. Service disruption was our fault." \
	"the account is recorded, {{account}} is its name, and {{title}} to customers is the public title"
run sitrep --as bob approve "$a2"
is_rc 0 "bob approves the apology"
run sitrep --as alice publish "$a2"
is "$RC:$OUT" "0:UPD-$a2 published: 0 messages queued" "alice publishes it"
is "$(last_event 1):$(last_details 1 '[.update, .account]')" "apology_published alice:[$a2,\"globex\"]" \
	"an apology_published event naming the account"

crefused 1 "template 'apology' is written for customers, not internal" "apologizing to internal with the customer template" \
	sitrep --as alice apologize 1 --audience internal
crefused 1 "no account 'nosuch' in sitrep\.conf" "apologize --account nosuch" \
	sitrep --as alice apologize 1 --audience customers -m "Sorry" --account nosuch
crefused 2 "option '--next' does not apply to 'apologize'" "apologize --next" \
	sitrep --as alice apologize 1 --audience customers -m "Sorry" --next 5m
crefused 2 "give -m TEXT or --template ID, not both" "apologize with -m and --template" \
	sitrep --as alice apologize 1 --audience customers -m "Sorry" --template apology
crefused 2 "say who it is for with --audience" "apologize without --audience" \
	sitrep --as alice apologize 1

n=$(events 1)
run sitrep --as carol contact INC-1 --account globex --via phone -m "Called their CTO; they see 502s"
is "$RC:$OUT" "0:INC-1: touchpoint with globex by phone logged" "carol logs a phone call to globex"
is "$(q "SELECT incident_id, account, via, summary, actor FROM touchpoints")" \
	"1|globex|phone|Called their CTO; they see 502s|carol" "one touchpoint row: account, via, summary, by carol"
is "$(events 1):$(last_event 1)" "$((n + 1)):touchpoint carol" "one touchpoint event"
is "$(last_details 1 .)" '{"account":"globex","summary":"Called their CTO; they see 502s","via":"phone"}' \
	"its details: account, via, summary"
run sitrep --as liaison contact 1 --account globex --via chat -m "x"
is_rc 1 "contact --as someone not in the config is refused"
run sitrep --as dave contact 1 --account initech --via chat -m "Sent the status link" --json
is "$RC:$(jq -c . <<<"$OUT")" '0:{"incident":1,"account":"initech","via":"chat"}' "contact --json"
crefused 2 "--via 'fax' is not one of phone, email, chat, social" "contact --via fax" \
	sitrep --as carol contact 1 --account globex --via fax -m "x"
crefused 1 "no account 'umbrella' in sitrep\.conf" "contact with an unknown account" \
	sitrep --as carol contact 1 --account umbrella --via phone -m "x"
crefused 2 "say what was said with -m SUMMARY" "contact with a blank summary" \
	sitrep --as carol contact 1 --account globex --via phone -m "  "
crefused 2 "give --account ACCOUNT, --via phone\|email\|chat\|social and -m SUMMARY" "contact without -m" \
	sitrep --as carol contact 1 --account globex --via phone
crefused 1 "no incident INC-9" "contact on an unknown incident" \
	sitrep --as carol contact 9 --account globex --via phone -m "x"

# ============================================================ dry runs change nothing

before=$(table_counts)
cbefore=$(comms_state)
run sitrep --as alice update 1 --audience internal -m "Dry {{id}} by {{next_update}}" --dry-run
is_rc 0 "an internal --dry-run exits 0"
dnext=$(sed -n 's/^promise: next update by //p' <<<"$OUT")
like "$OUT" "^dry run: nothing was saved or sent; as an update this would be published now

Dry INC-1 by $RWHEN

promise: next update by $RWHEN
" "it prints the outcome, the body and the promise"
like "$dnext" "^$RWHEN$" "the promise is a time, dated unless today"
ok "it names the route: the slack channel ops-chat" has_line "$OUT" "^== slack channel ops-chat$"
payload=$(sed -n '/^== slack channel ops-chat$/{n;p;}' <<<"$OUT")
like "$(jq -r '.text' <<<"$payload")" "Dry INC-1 by " "and prints the slack payload, whose text has the body"
run sitrep --as alice update 1 --audience customers --template monitoring --dry-run
is_rc 0 "a customer --dry-run at SEV2 exits 0"
like "$OUT" "^dry run: nothing was saved or sent; as an update this would be saved as a draft for approval

A fix is in place and $COMPONENTS are recovering\." "it would be a draft for approval"
ok "its route is the (zero) webhook subscribers" has_line "$OUT" "^== 0 webhook subscribers$"
payload=$(sed -n '/^== 0 webhook subscribers$/{n;p;}' <<<"$OUT")
is "$(jq -c '[.type, .data.incident.id, .data.update.audience]' <<<"$payload")" '["incident.update","INC-1","customers"]' \
	"with the webhook payload it would send"
run sitrep --as alice apologize 1 --audience customers --dry-run --json
is_rc 0 "apologize --dry-run --json exits 0"
is "$(jq -c '[.update, .state, .dry_run, .queued, (.approval | type)]' <<<"$OUT")" '[null,"draft",true,0,"string"]' \
	"--dry-run --json: no update id, draft, dry_run true, 0 queued, who may approve"
is "$(jq -r '.routes[0].payload | fromjson | .type' <<<"$OUT")" "incident.apology" "--dry-run --json: each route carries its payload"
run sitrep --as alice update 1 --audience internal -m "x" --next 45m --dry-run --json
ok "--dry-run --json: next_update_at is 45m away" eval '
	got=$(jq -r .next_update_at <<<"$OUT"); [[ $got =~ ^[0-9]+$ ]] || got=$(ms "$got")
	(( got - $(date +%s%3N) > 2640000 && got - $(date +%s%3N) <= 2700000 ))'
is "$(jq -r '.routes[0].payload | fromjson | .text' <<<"$OUT")" "*INC-1 API down (SEV2, identified)*
x" "--dry-run --json: the slack payload"
run sitrep --as alice update 1 --audience customers -m "x" --status resolved --dry-run
like "$RC:$OUT" "^0:dry run: .* saved as a draft" \
	"alice may draft a resolving update: the commander decides when approving or publishing it"
run sitrep --as bob update 1 --audience customers --template resolved --dry-run
like "$RC:$OUT" "^0:dry run: .* saved as a draft" "the commander's resolved update would be a draft"
unlike "$OUT" "promise: next update by" "a resolved update makes no promise"
is "$(table_counts)" "$before" "after the dry runs every table has the same number of rows"
is "$(comms_state)" "$cbefore" "and every row is as it was"
crefused 1 "playbook 'outage' has no template 'nope'" "--dry-run with an unknown template is refused like the real thing" \
	sitrep --as alice update 1 --audience internal --template nope --dry-run

# ============================================================ bad input

crefused 1 "audience 'partners' is not one playbook 'outage' knows: internal, executives, customers" \
	"an unknown audience" sitrep --as alice update 1 --audience partners -m "x"
crefused 1 "playbook 'outage' has no template 'nosuch'" "an unknown template" \
	sitrep --as alice update 1 --audience internal --template nosuch
crefused 1 "template 'investigating' is written for customers, not internal" "a template for another audience" \
	sitrep --as alice update 1 --audience internal --template investigating
crefused 2 "give -m TEXT or --template ID, not both" "-m and --template" \
	sitrep --as alice update 1 --audience internal -m "x" --template internal-update
crefused 2 "give the text with -m TEXT or a template with --template ID" "neither -m nor --template" \
	sitrep --as alice update 1 --audience internal
crefused 2 "say who it is for with --audience, like --audience customers" "no --audience" \
	sitrep --as alice update 1 -m "x"
crefused 1 "the update's text is empty" "an empty -m" \
	sitrep --as alice update 1 --audience internal -m ""
crefused 2 "--status goes with a customer update: for others, change it with 'sitrep status'" \
	"--status on an internal update" sitrep --as alice update 1 --audience internal --status monitoring -m "x"
crefused 2 "status 'closed' is not one an update sets: use investigating, identified, monitoring or resolved" \
	"--status closed" sitrep --as alice update 1 --audience customers --status closed -m "x"
crefused 2 "status 'fixed' is not one an update sets" "--status fixed" \
	sitrep --as alice update 1 --audience customers --status fixed -m "x"
crefused 2 "--next: bad unit in duration '10x': use s, m, h or d" "--next 10x" \
	sitrep --as alice update 1 --audience internal -m "x" --next 10x
crefused 2 "--next: negative duration '-5m'" "--next -5m" \
	sitrep --as alice update 1 --audience internal -m "x" --next -5m
crefused 2 "--next: duration '0' has no unit" "--next 0" \
	sitrep --as alice update 1 --audience internal -m "x" --next 0
crefused 1 "the text uses unknown variable '\{\{nosuch\}\}'" "an unknown variable in -m" \
	sitrep --as alice update 1 --audience internal -m "hi {{nosuch}}"
crefused 1 "the text: '\{\{' is never closed with '\}\}'" "an unclosed {{ in -m" \
	sitrep --as alice update 1 --audience internal -m "hi {{id"
crefused 1 "the text uses \{\{account\}\}, which has no value: it is not addressed to one account: only 'sitrep apologize --account' gives it a value" \
	"{{account}} in an update to no account" sitrep --as alice update 1 --audience internal -m "hi {{account}}"
crefused 2 "option '--account' does not apply to 'update'" "update --account" \
	sitrep --as alice update 1 --audience customers -m "x" --account globex
run sitrep --as alice update 1 --audience customers --template resolved --dry-run
like "$RC:$OUT" "^0:dry run: .* saved as a draft" "a resolved customer update by alice, not the commander, would wait for approval"
run sitrep --as carol update 1 --audience customers --status resolved -m "All good." --dry-run
like "$RC:$OUT" "^0:dry run: .* saved as a draft" "so would --status resolved by carol"
crefused 1 "no incident INC-9" "an update to an unknown incident" \
	sitrep --as alice update 9 --audience internal -m "x"
crefused 2 "'abc' is not an incident id: write INC-7 or 7" "a bad incident id" \
	sitrep --as alice update abc --audience internal -m "x"
crefused 2 "wrong|usage: sitrep update" "update without an incident" \
	sitrep --as alice update --audience internal -m "x"
crefused 1 "'zed' is not one of the people in sitrep\.conf" "--as zed, not in the config" \
	sitrep --as zed update 1 --audience internal -m "x"
crefused 2 "'UPD-x' is not an update id" "approve UPD-x" \
	sitrep --as carol approve UPD-x
crefused 2 "'0' is not an update id" "approve 0" sitrep --as carol approve 0
crefused 2 "'3abc' is not an update id" "publish 3abc" sitrep --as alice publish 3abc
crefused 1 "no update UPD-99: run 'sitrep updates INC'" "approve UPD-99" sitrep --as carol approve UPD-99
crefused 1 "no update UPD-99" "publish 99" sitrep --as alice publish 99
crefused 1 "no update UPD-99" "withdraw 99" sitrep --as alice withdraw 99
crefused 2 "option '-m' does not apply to 'approve'" "approve -m" sitrep --as carol approve "$w1" -m "x"

# ============================================================ INC-2: SEV3, no approval

run sitrep --as alice open outage --title "Login slow" --sev SEV3 "${VARS[@]}"
is_rc 0 "alice opens INC-2 at SEV3"
run sitrep --as alice update 2 --audience customers --template investigating --status identified
u=$(last_upd)
IFS='|' read -r pub next <<<"$(upd "$u" 'published_at, next_update_at')"
is "$RC:$OUT" "0:UPD-$u published to customers: 0 messages queued; next update by $(when "$next")" \
	"at SEV3 a customer update publishes at once (approval starts at SEV2)"
is "$ERR" "sitrep: warning: no channel or subscriber reaches 'customers': nothing will be sent; log what you tell them with 'sitrep contact'" \
	"and warns that no channel reaches the customers"
is "$((next - pub))" 7200000 "the promise is the customer cadence at SEV3, 2h"
is "$(upd "$u" "state, status, template")" "published|identified|investigating" "--status overrides the template's status"
is "$(sitrep show 2 --json | jq -r .status)" identified "INC-2 moved to identified"
is "$(q "SELECT count(*) FROM outbox WHERE update_id = $u")" 0 "no outbox rows"
is "$(last_details 2 '.status')" '{"from":"investigating","to":"identified"}' "the event records the status change"

run sitrep --as alice update 2 --audience executives -m "FYI {{severity}}"
u=$(last_upd)
IFS='|' read -r pub next st <<<"$(upd "$u" 'published_at, next_update_at, state')"
is "$RC:$st:$((next - pub))" "0:published:14400000" "an executive update at SEV3 publishes at once, promising 4h"

crefused 1 "only the commander may resolve INC-2, and no one holds that role yet, so only its opener 'alice' may" \
	"a resolved customer update by bob, with no commander" \
	sitrep --as bob update 2 --audience customers --status resolved -m "Fixed."
run sitrep --as dave role take 2 commander
is_rc 0 "dave takes commander of INC-2"
crefused 1 "only the commander \('dave'\) may resolve INC-2; 'alice' is not" \
	"the opener's resolved update once dave commands" \
	sitrep --as alice update 2 --audience customers --template resolved
run sitrep --as dave update 2 --audience customers --template resolved --json
u=$(last_upd)
is "$RC:$(jq -c '[.state, .next_update_at, .queued]' <<<"$OUT")" '0:["published",null,0]' \
	"dave's resolved update publishes, with no promise"
like "$(jq -r .body <<<"$OUT")" "^This incident is resolved and everything is working normally\. From $(dated "$(q 'SELECT opened_at FROM incidents WHERE id = 2')"), for [0-9]+ minutes?, $COMPONENTS did not work as they should\. $IMPACT $CAUSE We will publish" \
	"the resolved template with opened_at, duration and the declared impact and cause"
is "$(sitrep show 2 --json | jq -c '[.status, (.resolved_at | type)]')" '["resolved","string"]' \
	"INC-2 is resolved, with a resolved_at"
is "$(upd "$u" "coalesce(next_update_at, 'none')")" none "no next_update_at is stored"
crefused 1 "INC-2 is resolved: reopen it first \('sitrep reopen INC-2'\)" "a customer update moving the resolved INC-2 to monitoring" \
	sitrep --as dave update 2 --audience customers --status monitoring -m "x"

run sitrep --as dave update 2 --audience internal --template internal-resolved
u=$(last_upd)
like "$RC:$(upd "$u" body)" "^0:\[SEV3\] INC-2 Login slow is resolved after [0-9]+ minutes?\. Stand down" "the internal-resolved template"
is "$(upd "$u" "coalesce(next_update_at, 'none')")" none \
	"internal-resolved (status resolved) on the resolved INC-2 makes no next-update promise"

run sitrep --as alice apologize 2 --audience customers
u=$(last_upd)
is "$RC:$(upd "$u" "kind, state, template")" "0:apology|published|apology" "at SEV3 the apology publishes at once"
is "$(last_event 2)" "apology_published alice" "an apology_published event"
is "$(upd "$u" "coalesce(next_update_at, 'none')")" none \
	"an apology on the resolved INC-2 makes no next-update promise"

run sitrep --as dave close 2 --force -m "review done elsewhere"
is_rc 0 "dave closes INC-2"
crefused 1 "INC-2 is closed: nothing about it changes any more" "an update on the closed INC-2" \
	sitrep --as dave update 2 --audience internal -m "x"
crefused 1 "INC-2 is closed" "an apology on the closed INC-2" \
	sitrep --as dave apologize 2 --audience customers -m "x"
crefused 1 "INC-2 is closed" "a touchpoint on the closed INC-2" \
	sitrep --as dave contact 2 --account globex --via email -m "x"
crefused 1 "INC-2 is closed" "withdrawing an update of the closed INC-2" \
	sitrep --as dave withdraw "$u"
before=$(comms_state)
run sitrep --as dave update 2 --audience internal -m "x" --dry-run
is "$RC" 1 "--dry-run on the closed INC-2 is refused like the real update"
like "$ERR" "INC-2 is closed" "and says INC-2 is closed"
run sitrep --as zed update 1 --audience internal -m "x" --dry-run
is "$RC" 1 "--dry-run by zed, not in the config, is refused like the real update"
is "$(comms_state)" "$before" "those dry runs changed nothing"

# ============================================================ INC-3: the status moves at publish, checked then

run sitrep --as alice open outage --title "Cache cold" "${VARS[@]}"
run sitrep --as bob role take 3 commander
run sitrep --as alice update 3 --audience customers --template monitoring
d3=$(last_upd)
is "$RC:$(upd "$d3" "state, status")" "0:draft|monitoring" "a monitoring draft on INC-3"
run sitrep --as bob approve "$d3"
is_rc 0 "bob approves it"
run sitrep --as bob resolve 3
is_rc 0 "bob resolves INC-3 before it is published"
crefused 1 "INC-3 is resolved: reopen it first \('sitrep reopen INC-3'\) to post a monitoring update" \
	"publishing the approved monitoring update on the resolved INC-3" \
	sitrep --as alice publish "$d3"
run sitrep --as bob reopen 3
is_rc 0 "bob reopens INC-3"
run sitrep --as alice publish "$d3"
is "$RC:$(sitrep show 3 --json | jq -r .status)" "0:monitoring" "now the publish moves INC-3 to monitoring"

# a draft that no longer needs approval once the severity drops
run sitrep --as alice update 3 --audience customers -m "Recovering."
d4=$(last_upd)
run sitrep --as bob sev 3 SEV3
is_rc 0 "bob lowers INC-3 to SEV3"
run sitrep --as alice publish "$d4"
is "$RC:$OUT:$(upd "$d4" "state, coalesce(approver, '-')")" "0:UPD-$d4 published: 0 messages queued:published|-" \
	"at SEV3 the earlier draft publishes without approval"

# ============================================================ INC-4: one outbox row per recipient per channel

sed '/^channels = (/,$d' sitrep.conf >multi.conf
cat >>multi.conf <<'EOF'
channels = (
  { id = "ops-chat"; type = "slack"; audiences = [ "internal", "executives" ];
    url_env = "SITREP_SLACK_URL"; },
  { id = "ops-mail"; type = "email"; audiences = [ "internal", "customers" ];
    smtp_url = "smtp://127.0.0.1:2525"; from = "status@example.com";
    to = [ "oncall@example.com", "lead@example.com" ]; },
  { id = "cust-teams"; type = "teams"; audiences = [ "customers" ];
    url_env = "SITREP_TEAMS_URL"; }
);
delivery = { allow = [ "127.0.0.1/32" ]; };  # the webhook subscriber is on loopback
EOF
sitrep -c multi.conf list >/dev/null 2>&1 || bail "cannot make a config with more channels"
# Subscribers: an e-mail one for everything, an e-mail one for payments
# only (not a component of the incident), a webhook one, and a webhook one
# that unsubscribed.
for s in "email sub1@example.org" "email pay@example.org --component payments" \
	 "webhook http://127.0.0.1:9/hook" "webhook http://127.0.0.1:9/gone"; do
	sitrep -c multi.conf subscribe $s >/dev/null 2>&1 || bail "cannot subscribe $s"
done
sitrep -c multi.conf unsubscribe http://127.0.0.1:9/gone >/dev/null 2>&1 || bail "cannot unsubscribe"
sub1=$(q "SELECT id FROM subscribers WHERE address = 'sub1@example.org'")
hook=$(q "SELECT id FROM subscribers WHERE address = 'http://127.0.0.1:9/hook'")

run sitrep -c multi.conf --as alice open outage --title "Everything" --sev SEV3 "${VARS[@]}"
is_rc 0 "INC-4 at SEV3 under the config with three channels"
run sitrep -c multi.conf --as alice update 4 --audience internal -m "Internal."
u=$(last_upd)
like "$RC:$OUT" "^0:UPD-$u published to internal: 3 messages queued" "an internal update queues 3 messages"
is "$(outbox_rows "$u")" "ops-chat/slack/-/pending ops-mail/email/oncall@example.com/pending ops-mail/email/lead@example.com/pending" \
	"one for ops-chat and one per address of ops-mail"
n=$(own_events 4)
run sitrep -c multi.conf --as alice update 4 --audience customers -m "Customers."
u=$(last_upd)
like "$RC:$OUT" "^0:UPD-$u published to customers: 5 messages queued" "a customer update queues 5 messages"
is "$(own_events 4):$(last_details 4 .queued)" "$((n + 1)):5" "in one event, whose details say 5 were queued"
is "$(auto_steps 4)" "first-internal<-update_published status-page<-update_published" \
	"the first internal and customer updates completed 'first-internal' and 'status-page'"
is "$ERR" "" "with no warning"
is "$(outbox_rows "$u")" "ops-mail/email/oncall@example.com/pending ops-mail/email/lead@example.com/pending ops-mail/email/sub1@example.org/pending cust-teams/teams/-/pending -/webhook/http://127.0.0.1:9/hook/pending" \
	"ops-mail's addresses, the matching e-mail subscriber, cust-teams and the active webhook subscriber"
is "$(q "SELECT group_concat(coalesce(subscriber_id, '-'), ' ') FROM (SELECT subscriber_id FROM outbox WHERE update_id = $u ORDER BY id)")" \
	"- - $sub1 - $hook" "subscriber rows name their subscriber"
is "$(q "SELECT count(DISTINCT msg_id) || ':' || sum(msg_id GLOB 'msg_[0-9a-f]*' AND length(msg_id) = 36) FROM outbox")" \
	"$(q 'SELECT count(*) || ":" || count(*) FROM outbox')" "every outbox row has its own msg_ id"
run sitrep -c multi.conf updates 4
ok "updates shows the waiting deliveries" has_line "$OUT" "^UPD-$u +update +customers +published .* 0 sent, 5 waiting, 0 dead$"
run sitrep -c multi.conf --as alice update 4 --audience customers -m "Dry." --dry-run --json
is "$(jq -c '[.routes[] | [.channel, .type, .recipient, .subscribers, .count]]' <<<"$OUT")" \
	'[["ops-mail","email","oncall@example.com",null,1],["ops-mail","email","lead@example.com",null,1],["ops-mail","email",null,"email",1],["cust-teams","teams",null,null,1],[null,"webhook",null,"webhook",1]]' \
	"--dry-run --json lists the same routes"
like "$(jq -r '.routes[0].payload' <<<"$OUT")" "^Subject: .*INC-4" "an e-mail route's payload starts with its subject"

# ============================================================ INC-5: who decides to resolve

# A resolving customer update may be drafted by anyone; publishing it moves
# the incident to resolved, which is the commander's decision: the
# commander publishes it, or approved it.
run sitrep --as alice open outage --title "Search down" "${VARS[@]}"
is "$RC:$OUT" "0:INC-5 opened from outage@$(git -C playbooks rev-parse --short=7 main)" "alice opens INC-5"
sitrep --as bob role take 5 commander >/dev/null && sitrep --as carol role take 5 comms >/dev/null
run sitrep --as alice update 5 --audience customers --status resolved -m "Search works again."
u=$(last_upd)
like "$RC:$OUT" "^0:UPD-$u saved as a draft" "alice drafts a resolving customer update"
run sitrep --as carol approve "$u"
is_rc 0 "carol (comms) approves it"
crefused 1 "only the commander \('bob'\) may resolve INC-5; 'carol' is not" \
	"carol publishing it: neither she nor its approver commands" sitrep --as carol publish "$u"
run sitrep --as bob publish "$u"
is "$RC:$(sitrep show 5 --json | jq -r .status)" "0:resolved" "the commander publishes it and INC-5 is resolved"
sitrep --as bob reopen 5 >/dev/null
run sitrep --as alice update 5 --audience customers --status resolved -m "Fixed for good."
u=$(last_upd)
sitrep --as bob approve "$u" >/dev/null
run sitrep --as alice publish "$u"
is "$RC:$(sitrep show 5 --json | jq -r .status)" "0:resolved" "alice publishes what the commander approved: resolved"

# ============================================================ every timeline verifies

bad=
for i in 1 2 3 4 5; do
	run sitrep timeline "$i" --verify
	[ "$RC" = 0 ] && [[ $OUT =~ "the hash chain verifies" ]] || bad="$bad [INC-$i: exit $RC: $OUT $ERR]"
done
is "$bad" "" "timeline --verify exits 0 for INC-1 to INC-5"
run sitrep timeline 1 --json
is "$(jq -c '[.[].kind | select(test("^(update|apology)_|touchpoint"))] | unique' <<<"$OUT")" \
	'["apology_approved","apology_drafted","apology_published","touchpoint","update_approved","update_drafted","update_published","update_withdrawn"]' \
	"INC-1's timeline has every kind of communication event"

# ============================================================ valgrind

if ! valgrind_usable; then
	skip 3 "$VALGRIND_WHY"
else
	vg=(valgrind --leak-check=full --error-exitcode=99 -q "$SITREP_BIN/sitrep")
	run "${vg[@]}" -c multi.conf --as alice update 4 --audience customers --template investigating
	is_rc 0 "valgrind: update (published to five recipients) is clean"
	run "${vg[@]}" -c multi.conf --as alice update 4 --audience internal -m "{{id}} {{components}}" --dry-run --json
	is_rc 0 "valgrind: update --dry-run --json is clean"
	run "${vg[@]}" updates 1
	is_rc 0 "valgrind: updates is clean"
fi
