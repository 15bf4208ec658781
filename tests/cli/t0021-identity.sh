#!/bin/bash
# t0021-identity.sh: who acts (issue 14): a local command acts as its
# operating-system user's person (os_users, else the handle); --as and
# $SITREP_USER are refused unless the site config allows impersonation
# (the demonstration workspace does, and says so); every event records
# how its actor was authenticated (via local:<os user>), covered by the
# event's hash; the site config's os_users are checked where they enter.
. "$(dirname "$0")/lib.sh"

plan 43
tmp_workspace

ME=$(id -un)
W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
unset SITREP_USER

# ============================================================ the demonstration workspace

like "$(grep -n 'impersonation' sitrep.conf)" "identity = \{ impersonation = true; \}" \
	"init's demonstration config allows impersonation"
like "$(grep -B4 'identity = ' sitrep.conf)" "DEMONSTRATION WORKSPACE ALLOWS IT" \
	"and says so in a comment"
run sitrep open outage --title "Checkout down" --as alice
is_rc 0 "--as alice opens an incident where impersonation is allowed"
run sitrep timeline INC-1 --json
is "$(printf '%s' "$OUT" | jq -r '.[0] | [.actor, .via] | join(" ")')" "alice local:$ME" \
	"the event records alice as the actor and the real operating-system user as via"
run env SITREP_USER=bob "$SITREP_BIN/sitrep" role take INC-1 scribe
is_rc 0 "\$SITREP_USER=bob acts as bob too"
is "$(sitrep timeline INC-1 --json | jq -r '.[-1] | [.actor, .via, .kind] | join(" ")')" \
	"bob local:$ME role_taken" "recorded as bob, via local:$ME"

# ============================================================ impersonation off

sed -i 's/^identity = { impersonation = true; };/identity = { impersonation = false; };/' sitrep.conf
like "$(grep '^identity' sitrep.conf)" "impersonation = false" "impersonation turned off"
refused 1 "acting as 'bob' is refused: the operating-system user '$ME' is no one in .*identity\.impersonation.*os_users = \[ \"$ME\" \]" \
	"--as bob when the user is no one" sitrep role take INC-1 commander --as bob
before=$(store_state)
run env SITREP_USER=bob "$SITREP_BIN/sitrep" role take INC-1 commander
is_rc 1 "\$SITREP_USER=bob is refused the same way"
like "$ERR" "acting as 'bob' is refused" "and says so"
is "$(store_state)" "$before" "the store is unchanged"
refused 1 "not one of the people|unknown person '$ME'" \
	"a user who is no one cannot change anything" sitrep role take INC-1 commander
run sitrep list
is_rc 0 "but reads: sitrep list"
like "$OUT" "Checkout down" "and sees the incident"

# the user becomes alice
sed -i "s/{ handle = \"alice\"; name/{ handle = \"alice\"; os_users = [ \"$ME\" ]; name/" sitrep.conf
like "$(grep 'handle = "alice"' sitrep.conf)" "os_users = \[ \"$ME\" \]" "alice lists the user in os_users"
run sitrep role take INC-1 commander
is_rc 0 "without --as the user acts as alice"
is "$OUT" "alice holds commander on INC-1" "as alice"
run sitrep role take INC-1 comms --as alice
is_rc 0 "--as alice is the user's own person: allowed"
refused 1 "acting as 'bob' is refused: you are 'alice' \(the operating-system user '$ME'\).*drop --as" \
	"--as bob when the user is alice" sitrep role release INC-1 scribe --as bob
is "$(sitrep timeline INC-1 --json | jq -r '[.[] | select(.actor == "alice") | .via] | unique | join(",")')" \
	"local:$ME" "every event of alice's says via local:$ME"
run sitrep timeline INC-1 --verify
is_rc 0 "the timeline verifies"

# ============================================================ the two-person rule compares credentials

# alice (the user) drafts a customer update, which needs a second person
run sitrep update INC-1 --audience customers -m "We are looking into checkout errors."
is_rc 0 "alice drafts a customer update"
UPD=$(sqlite3 sitrep.db "SELECT max(id) FROM updates")
is "$(sqlite3 sitrep.db "SELECT state || ' ' || author || ' ' || author_via FROM updates WHERE id = $UPD")" \
	"draft alice local:$ME" "a draft by alice, written with local:$ME"
# the site now says the user is bob: the same credential would approve
cp sitrep.conf "$TEST_TMP/alice.conf"
sed -i "s/ os_users = \[ \"$ME\" \];//; s/{ handle = \"bob\"; /{ handle = \"bob\"; os_users = [ \"$ME\" ]; /" sitrep.conf
refused 1 "UPD-$UPD was written by alice with the credential 'local:$ME', the one approving it now as bob: the two-person rule needs a second person with a credential of their own" \
	"bob approving with the credential alice wrote with" sitrep approve "UPD-$UPD"
cp "$TEST_TMP/alice.conf" sitrep.conf

# ============================================================ via is covered by the hash

cp sitrep.db "$TEST_TMP/kept.db"
sqlite3 sitrep.db "DROP TRIGGER events_no_update;
	UPDATE events SET via = 'local:mallory' WHERE id = 2" || bail "cannot alter the event"
run sitrep timeline INC-1 --verify
isnt "$RC" 0 "an event whose via was changed behind sitrep's back does not verify"
like "$OUT$ERR" "event 2 .*does not match its hash" "and the event is named"
cp "$TEST_TMP/kept.db" sitrep.db
rm -f sitrep.db-wal sitrep.db-shm

# ============================================================ os_users where they enter

cp sitrep.conf "$TEST_TMP/good.conf"
sed -i "s/{ handle = \"bob\"; /{ handle = \"bob\"; os_users = [ \"$ME\" ]; /" sitrep.conf
run sitrep list
is_rc 1 "one operating-system user on two people is refused"
like "$ERR" "sitrep.conf:[0-9]+: person 'bob': operating-system user '$ME' is already 'alice' \(line [0-9]+\)" \
	"with the file, the line and both people"
cp "$TEST_TMP/good.conf" sitrep.conf
sed -i 's/{ handle = "bob"; /{ handle = "bob"; os_users = [ "-rf", "a b" ]; /' sitrep.conf
run sitrep list
is_rc 1 "an os_users entry that is no login name is refused"
like "$ERR" "person 'bob': os_users entry '-rf' is not a login name" "the first named"
like "$ERR" "person 'bob': os_users entry 'a b' is not a login name" "and the second"
cp "$TEST_TMP/good.conf" sitrep.conf
sed -i 's/^identity = { impersonation = false; };/identity = { impersonation = "yes"; speak = 1; };/' sitrep.conf
run sitrep list
is_rc 1 "a malformed identity group is refused"
like "$ERR" "sitrep.conf:[0-9]+: .*impersonation" "naming impersonation"
like "$ERR" "speak" "and the unknown key"
cp "$TEST_TMP/good.conf" sitrep.conf

# ============================================================ help

run sitrep list --help
like "$OUT" "impersonation" "--help says when --as is allowed"
