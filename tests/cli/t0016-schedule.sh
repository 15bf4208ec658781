#!/bin/bash
# t0016-schedule.sh: on-call schedules committed beside the playbooks:
# `sitrep schedule validate|list|show|log|diff|override|cancel` and
# `sitrep oncall --at T` across a handoff, a daylight-saving change in
# Europe/Berlin, business hours over 24x7, and an override that wins; a
# new commit seen at once although the schedules are cached by commit.
. "$(dirname "$0")/lib.sh"

plan 93
tmp_workspace

W="$TEST_TMP/ws"
PB="$W/playbooks"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

cat >"$PB/ops.schedule" <<'EOF'
# the front line, a week each, Mondays 09:00 UTC
time_zone = "UTC";
rotation = { people = [ "alice", "bob", "carol" ]; length = "1w"; start = "2026-11-30 09:00"; };
EOF
cat >"$PB/berlin.schedule" <<'EOF'
time_zone = "Europe/Berlin";
rotation = { people = [ "alice", "bob" ]; length = "1d"; start = "2026-03-27 09:00"; };
EOF
cat >"$PB/desk.schedule" <<'EOF'
time_zone = "Europe/Berlin";
layers = (
  { name = "around-the-clock"; people = [ "alice", "bob" ]; length = "1w";
    start = "2026-11-30 09:00"; },
  { name = "business-hours"; people = [ "dave" ]; length = "1d"; start = "2026-11-30 09:00";
    days = [ "mon", "tue", "wed", "thu", "fri" ]; from = "09:00"; until = "17:00"; }
);
EOF
git_commit "$PB" "Add the on-call schedules" || bail "cannot commit the schedules"

# ------------------------------------------------------------ validate

run sitrep schedule validate
is_rc 0 "validate with no files checks the schedules at the branch"
like "$OUT" "^3 schedules valid at [0-9a-f]{7}$" "validate says how many and where"

cat >"$TEST_TMP/bad.schedule" <<'EOF'
time_zone = "Mars/Olympus";
layers = (
  { name = "x"; people = [ ]; length = "1w"; start = "2026-11-30 09:00"; },
  { name = "y"; people = [ "alice", "zed", "alice" ]; length = "0m"; start = "soon";
    days = [ "mon", "someday" ];
    from = "17:00"; until = "09:00"; colour = "red"; }
);
EOF
run sitrep schedule validate "$TEST_TMP/bad.schedule"
is_rc 1 "an invalid schedule file is refused (exit 1)"
bad="$TEST_TMP/bad.schedule"
like "$ERR" "$(quotemeta "$bad"):1: unknown time zone 'Mars/Olympus'" "an unknown zone, at its line"
like "$ERR" "$(quotemeta "$bad"):3: layer 'x' has no people" "an empty rotation, at its line"
like "$ERR" "$(quotemeta "$bad"):4: person 'zed' is not in the site config" "an unknown person"
like "$ERR" "$(quotemeta "$bad"):4: 'alice' is named twice" "a person named twice"
like "$ERR" "$(quotemeta "$bad"):4: 'length' must be at least 1m" "a bad length"
like "$ERR" "$(quotemeta "$bad"):4: 'start' must be a local time" "a bad start"
like "$ERR" "$(quotemeta "$bad"):5: unknown day 'someday'" "an unknown day"
like "$ERR" "$(quotemeta "$bad"):6: 'until' 09:00 is not after 'from' 17:00" "an inverted window"
like "$ERR" "$(quotemeta "$bad"):6: unknown setting 'colour'" "an unknown key"
like "$ERR" "1 of 1 schedule invalid" "the summary counts"

run sitrep schedule validate --json "$TEST_TMP/bad.schedule"
is_rc 1 "validate --json of a bad file exits 1"
is "$(jq -r '.valid, .checked, (.problems | length >= 9)' <<<"$OUT" | tr '\n' ' ')" \
	"false 1 true " "validate --json lists the problems"

run sitrep schedule validate "$TEST_TMP/missing.schedule"
is_rc 1 "a missing file is a problem"

# ------------------------------------------------------------ list, show

run sitrep schedule list
is_rc 0 "schedule list exits 0"
is "$(lines "$OUT")" 4 "list prints a header and 3 rows"
like "$OUT" "^NAME +TIME ZONE +ON CALL +UNTIL +LAST CHANGE" "list has its header"
has_line "$OUT" "^berlin +Europe/Berlin " && pass "berlin is listed with its zone" ||
	fail "berlin is listed with its zone"

run sitrep schedule list --json
is_rc 0 "list --json exits 0"
is "$(jq -r '.[].name' <<<"$OUT" | tr '\n' ' ')" "berlin desk ops " "list --json names them in order"
is "$(jq -r '[.[] | .valid and (.last_change.sha | test("^[0-9a-f]{40}$"))] | all' <<<"$OUT")" \
	true "each is valid with its last change"

run sitrep schedule show ops
is_rc 0 "schedule show exits 0"
like "$OUT" "^ops: on call in UTC" "show names the schedule and zone"
like "$OUT" "alice -> bob -> carol" "show lists the rotation in turn order"
like "$OUT" "Handoffs in the next 14 days" "show lists the next handoffs"

run sitrep schedule show desk --json
is_rc 0 "show --json exits 0"
is "$(jq -r '.time_zone, (.layers | length), .layers[1].name, .layers[1].from, .layers[1].until,
	(.layers[1].days | join(","))' <<<"$OUT" | tr '\n' ' ')" \
	"Europe/Berlin 2 business-hours 09:00 17:00 mon,tue,wed,thu,fri " \
	"show --json gives the zone and the layers"
ok "show --json lists handoffs in time order" \
	eval "jq -e '(.handoffs | length) > 10 and ([.handoffs[].at] == ([.handoffs[].at] | sort))' <<<\"\$OUT\" >/dev/null"

run sitrep schedule show nosuch
is_rc 1 "show of an unknown schedule is refused (exit 1)"
like "$ERR" "no schedule 'nosuch'" "and says so"
run sitrep schedule show
is_rc 2 "show without a name is a usage error"

# ------------------------------------------------------------ oncall --at

oncall_at() { # T SCHEDULE: "who until next" of SCHEDULE at T
	sitrep oncall --json --at "$1" |
		jq -r --arg s "$2" '.schedules[] | select(.name == $s) | "\(.on_call) \(.until) \(.next)"'
}
is "$(oncall_at 2026-12-07T08:59Z ops)" "alice 2026-12-07T09:00:00.000Z bob" \
	"a minute before the weekly handoff: alice, until 09:00, then bob"
is "$(oncall_at 2026-12-07T09:00Z ops)" "bob 2026-12-14T09:00:00.000Z carol" \
	"at the handoff: bob, until the next Monday, then carol"
is "$(oncall_at "2026-12-07 09:00" ops)" "bob 2026-12-14T09:00:00.000Z carol" \
	"a local time in the site's zone (UTC) works as --at"
is "$(oncall_at 2026-11-30T08:00Z ops)" "null 2026-11-30T09:00:00.000Z alice" \
	"before the rotation starts nobody is on call"

# Berlin springs forward on Sunday 29 March 2026: 09:00 is 08:00Z in CET,
# 07:00Z in CEST; a daily handoff stays at 09:00 on the clock.
is "$(oncall_at 2026-03-28T12:00Z berlin)" "bob 2026-03-29T07:00:00.000Z alice" \
	"across the change to summer time the handoff stays at 09:00 local (07:00Z)"
is "$(oncall_at 2026-03-27T08:00Z berlin)" "alice 2026-03-28T08:00:00.000Z bob" \
	"before it, 09:00 local is 08:00Z"
# and falls back on Sunday 25 October
is "$(oncall_at 2026-10-25T12:00Z berlin)" "$(
	# day k after 27 March: alice on even days; 25 October is day 212
	echo "alice 2026-10-26T08:00:00.000Z bob")" \
	"across the change to winter time the handoff is 09:00 CET (08:00Z)"

# business hours (09:00-17:00 Berlin) over 24x7
is "$(oncall_at 2026-11-30T10:00Z desk)" "dave 2026-11-30T16:00:00.000Z alice" \
	"in business hours the business-hours layer wins"
is "$(oncall_at 2026-12-05T10:00Z desk)" "alice 2026-12-07T08:00:00.000Z dave" \
	"on Saturday the 24x7 layer is on call until Monday 09:00"

run sitrep oncall --at 2026-12-07T09:00Z
is_rc 0 "oncall exits 0"
like "$OUT" "^SCHEDULE +ON CALL +UNTIL +NEXT" "oncall has its header"
has_line "$OUT" "^ops +bob +Mon 2026-12-14 09:00 UTC +carol$" &&
	pass "oncall shows ops: bob until Monday 09:00 UTC, then carol" ||
	fail "oncall shows ops: bob until Monday 09:00 UTC, then carol"
has_line "$OUT" "^L1 +alice " && pass "oncall lists the tiers with their rosters" ||
	fail "oncall lists the tiers with their rosters"

# a tier roster naming a schedule: the tier shows who is on call for it
sed 's/^         # schedules = \[ "ops-primary" \];.*/         schedules = [ "ops", "gone" ];/' sitrep.conf >tiers.conf
grep -q 'schedules = \[ "ops", "gone" \]' tiers.conf || bail "the default config's L2 roster has no commented schedules line to fill in"
run sitrep -c tiers.conf oncall --at 2026-12-07T09:00Z
if [ "$RC" = 0 ]; then
	has_line "$OUT" "^L2 +bob +ops: bob, gone: \(no such schedule\)$" &&
		pass "a tier lists the person on call for each schedule it names" ||
		fail "a tier lists the person on call for each schedule it names"
	run sitrep -c tiers.conf oncall --at 2026-12-14T09:00Z --json
	is "$(jq -r '.tiers[2].schedules[0] | "\(.name) \(.on_call)"' <<<"$OUT")" "ops carol" \
		"oncall --json gives the tier's schedules with who is on call"
else
	skip 2 "this build's site config has no tier schedules yet: ${ERR%%$'\n'*}"
fi

run sitrep oncall --at tomorrowish
is_rc 2 "a bad --at is a usage error"

# ------------------------------------------------------------ overrides

refused 1 "unknown person 'zed'" "an override by an unknown person" \
	sitrep schedule override ops --person zed --from +1h --until +3h -m "cover"
refused 1 "no schedule 'nosuch'" "an override of an unknown schedule" \
	sitrep schedule override nosuch --person dave --from +1h --until +3h -m "cover"
refused 1 "the reason is 2001 bytes long" "an override with an overlong reason" \
	sitrep schedule override ops --person dave --from +1h --until +3h -m "$(printf '%2001s' | tr ' ' y)"
refused 2 "end after it starts" "an override that ends before it starts" \
	sitrep schedule override ops --person dave --from +3h --until +1h -m "cover"
# a day the month has not was read as one of the next (Feb 30 -> Mar 2)
refused 2 "'2027-02-30 09:00' is not a time" "an override from a day February has not" \
	sitrep schedule override ops --person dave --from "2027-02-30 09:00" --until "2027-03-05 09:00" -m "cover"
run sitrep oncall --at 2027-02-30T09:00Z
is_rc 2 "oncall --at a day February has not is a usage error"
like "$ERR" "'2027-02-30T09:00Z' is not a time" "and says which"
run sitrep schedule override ops --person dave --from +1h --until +3h
is_rc 2 "an override without a reason is a usage error"
is "$(sqlite3 sitrep.db 'SELECT count(*) FROM oncall_overrides')" 0 "nothing was recorded"

run sitrep schedule override ops --person dave --from +1h --until +3h -m "alice at the dentist"
is_rc 0 "an override is recorded"
like "$OUT" "^override 1: dave on call for ops from " "and says so"
now=$(date -u +%s)
at2h=$(date -u -d "@$((now + 7200))" +%Y-%m-%dT%H:%MZ)
at4h=$(date -u -d "@$((now + 14400))" +%Y-%m-%dT%H:%MZ)
is "$(oncall_at "$at2h" ops | cut -d' ' -f1)" dave "during the override dave is on call"
isnt "$(oncall_at "$at4h" ops | cut -d' ' -f1)" dave "after it the rotation applies again"
run sitrep schedule show ops
like "$OUT" "alice at the dentist" "show lists the override with its reason"
is "$(sqlite3 sitrep.db "SELECT schedule, person, reason FROM oncall_overrides")" \
	"ops|dave|alice at the dentist" "the store holds the override"

run sitrep schedule cancel 1
is_rc 0 "cancel an override"
isnt "$(oncall_at "$at2h" ops | cut -d' ' -f1)" dave "a cancelled override no longer wins"
run sitrep schedule cancel 1
is_rc 1 "cancelling it again is refused"

# a local time is on the schedule's clock (Berlin); one its clocks skip is refused
run sitrep schedule override berlin --person alice --from "2027-03-28 01:30" \
	--until "2027-03-28 05:00" -m "night swap"
is_rc 0 "an override in the schedule's local time"
is "$(sqlite3 sitrep.db "SELECT from_at, until_at FROM oncall_overrides WHERE schedule = 'berlin'")" \
	"$(( $(date -ud 2027-03-28T00:30Z +%s) * 1000 ))|$(( $(date -ud 2027-03-28T03:00Z +%s) * 1000 ))" \
	"01:30 CET and 05:00 CEST, the clocks moving forward between them"
refused 2 "never happens in Europe/Berlin" "an override from a time the DST change skips" \
	sitrep schedule override berlin --person alice --from "2027-03-28 02:30" \
	--until "2027-03-28 05:00" -m "night swap"

# ------------------------------------------------------------ log, diff

# The schedules read at the branch head are cached in the store by commit
# and the head is read from the ref files: a new commit is seen at once.
is "$(oncall_at 2026-12-21T10:00Z ops | cut -d' ' -f1)" alice \
	"before dave joins, alice has the fourth week"
is "$(sqlite3 sitrep.db "SELECT count(*) FROM gitcache_listings WHERE commit_id = \
	'$(git -C "$PB" rev-parse HEAD)' AND suffix = '.schedule'")" 1 \
	"the schedules at the head are cached in the store"
sed -i 's/"alice", "bob", "carol"/"alice", "bob", "carol", "dave"/' "$PB/ops.schedule"
git_commit "$PB" "ops: dave joins the rotation" || bail "cannot commit"
is "$(oncall_at 2026-12-21T10:00Z ops | cut -d' ' -f1)" dave \
	"a new commit is seen at once: dave has the fourth week"
git -C "$PB" pack-refs --all || bail "git pack-refs failed"
is "$(oncall_at 2026-12-21T10:00Z ops | cut -d' ' -f1)" dave \
	"and with the branch in packed-refs"
run sitrep schedule log ops
is_rc 0 "schedule log exits 0"
is "$(lines "$OUT")" 2 "log lists the two commits that changed ops"
like "$OUT" "ops: dave joins the rotation" "newest first"
run sitrep schedule log nosuch
is_rc 1 "log of a schedule never committed is refused"
run sitrep schedule diff ops HEAD~1
is_rc 0 "schedule diff exits 0"
has_line "$OUT" '^\+rotation = \{ people = \[ "alice", "bob", "carol", "dave" \]' &&
	pass "diff shows the change" || fail "diff shows the change"
run sitrep schedule diff ops
is_rc 2 "diff without a revision is a usage error"
