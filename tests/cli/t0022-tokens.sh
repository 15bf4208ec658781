#!/bin/bash
# t0022-tokens.sh: API tokens and the audit log (issue 14): `token create`
# prints a token once (a recognisable prefix and a checksum), the store
# keeps only its SHA-256; `token list` shows name, person, scopes, times
# and state, never the token; `token revoke`; creating for someone else
# only where identity.impersonation allows it; every refusal leaves the
# store as it was; `audit` shows creating and revoking, `audit --verify`
# checks its hash chain, and a tampered entry does not verify.
. "$(dirname "$0")/lib.sh"

plan 92
tmp_workspace

ME=$(id -un)
W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
unset SITREP_USER

# the incidents' state and every token and audit row
store_state() {
	printf '%s %s' "$(sqlite3 sitrep.db 'SELECT count(*) FROM events')" \
		"$(sqlite3 sitrep.db 'SELECT * FROM tokens ORDER BY id;
			SELECT * FROM audit ORDER BY id;
			SELECT * FROM incidents ORDER BY id' | sha256sum | cut -c1-12)"
}

# ============================================================ create

run sitrep token create --name laptop --as alice
is_rc 0 "token create makes a token"
like "$OUT" "^sitrep_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$" "one line on stdout: the token, in its scannable shape"
like "$ERR" "token 'laptop' for alice \(read respond\), expires .*shown once" \
	"stderr says whose it is, its default scopes, and that it is shown once"
TOKEN=$OUT
PREFIX=${TOKEN:7:8}
is "$(sqlite3 sitrep.db "SELECT digest FROM tokens WHERE prefix = '$PREFIX'")" \
	"$(printf '%s' "$TOKEN" | sha256sum | cut -c1-64)" "the store keeps the token's SHA-256"
is "$(sqlite3 sitrep.db .dump | grep -c "${TOKEN:16}")" 0 "and never its secret"
is "$(sqlite3 sitrep.db "SELECT (expires_at - created_at) / 86400000 FROM tokens WHERE prefix = '$PREFIX'")" \
	90 "it expires after 90 days unless told"
is "$(sqlite3 sitrep.db "SELECT created_by || ' ' || created_via FROM tokens WHERE prefix = '$PREFIX'")" \
	"alice local:$ME" "made by alice, via the real operating-system user"

run sitrep token create --name ci --scope read --scope comms,publish --expires 7d --json --as alice
is_rc 0 "token create --json"
is "$(printf '%s' "$OUT" | jq -r '[.name, .person, (.scopes | join(" "))] | join("|")')" \
	"ci|alice|read comms publish" "--json: name, person, scopes in their order"
like "$(printf '%s' "$OUT" | jq -r .token)" "^sitrep_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$" "--json: the token"
like "$(printf '%s' "$OUT" | jq -r '.id, .expires_at' | tr '\n' ' ')" "^2 [0-9]{4}-.*Z $" "--json: its id and expiry"
is "$ERR" "" "--json says nothing on stderr"

run sitrep token create --name bobs --for bob --as alice
is_rc 0 "--for bob where impersonation is allowed"

# ============================================================ refusals leave the store as it was

refused 1 "'alice' has an active token named 'laptop' already" \
	"a second active token of one name" sitrep token create --name laptop --as alice
refused 2 "at most 366 days" "--expires longer than 366 days" \
	sitrep token create --name long --expires 367d --as alice
refused 2 "--expires" "--expires that is no duration" \
	sitrep token create --name long --expires forever --as alice
refused 2 "unknown scope 'sudo'" "an unknown scope" \
	sitrep token create --name s --scope sudo --as alice
refused 2 "character other than letters" "a name with a space" \
	sitrep token create --name "my laptop" --as alice
refused 2 "needs a name" "no --name" sitrep token create --as alice
refused 1 "no person 'mallory'" "a token for no one" \
	sitrep token create --name m --for mallory --as alice
refused 2 "say create" "an unknown subcommand" sitrep token frob --as alice

# ============================================================ list

run sitrep token list --as alice
is_rc 0 "token list"
like "$OUT" "NAME +PERSON +SCOPES +CREATED +EXPIRES +LAST USED +STATE" "with its columns"
like "$OUT" "laptop +alice +read respond +[0-9-]+ [0-9:]+ +[0-9-]+ [0-9:]+ +- +active" \
	"laptop: alice's, read respond, never used, active"
unlike "$OUT" "bobs" "only alice's own tokens unless told"
unlike "$OUT" "sitrep_|$(sqlite3 sitrep.db 'SELECT digest FROM tokens LIMIT 1')" \
	"never a token or its digest"
run sitrep token list --all --json --as alice
is "$(printf '%s' "$OUT" | jq -r '[.[] | .name + ":" + .person + ":" + .state] | join(" ")')" \
	"laptop:alice:active ci:alice:active bobs:bob:active" "--all --json: everyone's, by person"
is "$(printf '%s' "$OUT" | jq -r '[.[] | keys[]] | unique | join(" ")')" \
	"created_at created_by created_via expires_at id last_used_at name person revoked_at revoked_by scopes state" \
	"--json never has the token or its digest"
run sitrep token list --for bob --as alice
like "$OUT" "bobs +bob" "--for bob: bob's"
refused 2 "not both" "--for and --all" sitrep token list --for bob --all --as alice

# ============================================================ revoke

run sitrep token revoke laptop --as alice
is_rc 0 "token revoke"
is "$OUT" "revoked alice's token 'laptop'" "says so"
is "$(sitrep token list --json --as alice | jq -r '.[] | select(.name == "laptop") | .state + " " + .revoked_by')" \
	"revoked alice" "list shows it revoked, and by whom"
refused 1 "no active token named 'laptop'" "revoking it again" sitrep token revoke laptop --as alice
refused 1 "no token #99" "revoking an id that is no token" sitrep token revoke '#99' --as alice
run sitrep token create --name laptop --as alice
is_rc 0 "the name is free again once revoked"

# ============================================================ impersonation off

sed -i 's/^identity = { impersonation = true; };/identity = { impersonation = false; };/' sitrep.conf
sed -i "s/{ handle = \"alice\"; name/{ handle = \"alice\"; os_users = [ \"$ME\" ]; name/" sitrep.conf
run sitrep token create --name desk
is_rc 0 "without --as the user's own person (alice) makes a token"
like "$ERR" "for alice" "for alice"
refused 1 "creating a token of 'bob' is refused: you are 'alice'.*identity.impersonation" \
	"--for bob without impersonation" sitrep token create --name x --for bob
refused 1 "revoking a token of 'bob' is refused" "revoking bob's without impersonation" \
	sitrep token revoke bobs --for bob
refused 1 "acting as 'bob' is refused" "--as bob without impersonation" \
	sitrep token create --name x --as bob

# ============================================================ the audit log

run sitrep audit
is_rc 0 "audit"
is "$(printf '%s\n' "$OUT" | grep -c 'created token')" 5 "five tokens created"
like "$OUT" "alice +revoked token 'laptop' \(#1\) of alice" "and laptop revoked, by alice"
like "$OUT" "alice +created token 'bobs' \(#3\) for bob" "bob's token made by alice"
unlike "$OUT" "sitrep_" "never a token"
run sitrep audit --json
is "$(printf '%s' "$OUT" | jq -r '[.[].kind] | join(" ")')" \
	"token_created token_created token_created token_revoked token_created token_created" \
	"--json: every entry in order"
is "$(printf '%s' "$OUT" | jq -r '.[0] | [.actor, .via, .details.name] | join(" ")')" \
	"alice local:$ME laptop" "--json: actor, via and details"
run sitrep audit --verify
is_rc 0 "audit --verify"
is "$OUT" "the audit log: 6 entries, the hash chain verifies" "says it verifies"
before=$(store_state)
run sqlite3 sitrep.db "UPDATE audit SET actor = 'mallory' WHERE id = 1"
isnt "$RC" 0 "the audit log refuses an UPDATE"
like "$ERR" "the audit log is append-only" "saying it is append-only"
is "$(store_state)" "$before" "and is unchanged"

cp sitrep.db "$TEST_TMP/kept.db"
sqlite3 sitrep.db "DROP TRIGGER audit_no_update;
	UPDATE audit SET via = 'local:mallory' WHERE id = 3" || bail "cannot alter the audit log"
run sitrep audit --verify
is_rc 1 "a tampered entry does not verify"
like "$ERR" "entry 3 \(number 3 of 6\) does not match its hash" "and is named"
run sitrep audit --verify --json
is "$(printf '%s' "$OUT" | jq -r '[.verified, .first_bad_entry] | join(" ")')" "false 3" \
	"--verify --json says so"
run sitrep audit
is_rc 0 "audit still shows the log"
like "$ERR" "warning: the audit log was altered at entry 3" "with a warning"
cp "$TEST_TMP/kept.db" sitrep.db
rm -f sitrep.db-wal sitrep.db-shm

# the last entries cut off: the chain that is left holds, its recorded end does not
sqlite3 sitrep.db "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id >= 5" ||
	bail "cannot cut the audit log"
run sitrep audit --verify
is_rc 1 "an audit log cut at its end does not verify"
like "$ERR" "the audit log has 4 entries but 6 were recorded .*removed from its end" \
	"and says entries were removed from its end"
run sitrep audit --verify --json
is "$(printf '%s' "$OUT" | jq -r '[.verified, .first_bad_entry] | join(" ")')" "false " \
	"--verify --json: not verified, no one entry to blame"
run sitrep audit
like "$ERR" "warning: the audit log has 4 entries but 6 were recorded" "audit warns too"
cp "$TEST_TMP/kept.db" sitrep.db
rm -f sitrep.db-wal sitrep.db-shm

# ============================================================ expiry

run sitrep token create --name brief --expires 1s
is_rc 0 "a token of one second"
expired() {
	[ "$(sitrep token list --json | jq -r '.[] | select(.name == "brief") | .state')" = expired ]
}
wait_until 10 expired
ok "is listed expired once its second is over" expired
