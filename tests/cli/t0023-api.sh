#!/bin/bash
# t0023-api.sh: the token API on sitrepd's internal listener (issue 14),
# driven with curl: no token, a forged one, a revoked one and an expired
# one get 401 problems with a Bearer challenge; a token acts as its person
# (whoami, the timeline's via api:<name>); its scopes decide what it may
# do (403); the list of incidents is the CLI's own (the same operation);
# routes that do not exist, malformed bodies and domain refusals are
# problem+json with the CLI's exit code; nothing of it is on the public
# listener.
. "$(dirname "$0")/lib.sh"

plan 67
tmp_workspace
command -v curl >/dev/null || bail "curl is needed"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
sed -i 's/listen = "127\.0\.0\.1:8080"/listen = "127.0.0.1:0"/' sitrep.conf
export SITREP_USER=alice
sitrep open outage --title "Checkout down" >/dev/null 2>&1 || bail "cannot open INC-1"

start_sitrepd || bail "sitrepd did not start"
trap stop_sitrepd EXIT
IPORT=$(grep -Eo 'internal: http://127\.0\.0\.1:[0-9]+/$' "$SLOG" | sed -E 's|.*:([0-9]+)/$|\1|')
[ -n "$IPORT" ] || bail "no internal port in $(cat "$SLOG")"
API="http://127.0.0.1:$IPORT/api/v1"

# api METHOD PATH [TOKEN] [BODY]: STATUS in CODE, body in OUT, headers in HDR
api() {
	local method=$1 path=$2 tok=${3:-} body=${4:-} args=()
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	CODE=$(curl -sS --max-time 10 -X "$method" -D "$TEST_TMP/hdr" -o "$TEST_TMP/body" \
		-w '%{http_code}' "${args[@]}" "$API$path")
	OUT=$(cat "$TEST_TMP/body")
	HDR=$(cat "$TEST_TMP/hdr")
}

# ============================================================ tokens

run sitrep token create --name laptop
is_rc 0 "alice creates a token"
TOK=$OUT
like "$TOK" '^sitrep_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$' "it has the recognisable shape"
run sitrep token create --name reader --scope read
is_rc 0 "and a read-only one"
RTOK=$OUT
run sitrep token create --name bobs --for bob --scope read --scope respond
is_rc 0 "and one for bob (the demonstration workspace allows acting for him)"
BTOK=$OUT

# ============================================================ who

api GET /whoami
is "$CODE" 401 "no token: 401"
like "$HDR" 'WWW-Authenticate: Bearer realm="sitrep"' "with a Bearer challenge"
like "$HDR" 'Content-Type: application/problem\+json' "as a problem document"
is "$(jq -r '[.status, .exit_code] | join(" ")' <<<"$OUT")" "401 1" "its status and exit code"
like "$(jq -r .detail <<<"$OUT")" "sitrep token create" "saying how to get a token"
api GET /whoami "${TOK%?}x"
is "$CODE" 401 "a token with a wrong checksum: 401"
api GET /whoami "sitrep_AAAAAAAA_$(printf '%038d' 0)"
is "$CODE" 401 "a made-up token: 401"
api GET /whoami "$TOK"
is "$CODE" 200 "alice's token: 200"
is "$(jq -r '[.person, .via, .known] | join(" ")' <<<"$OUT")" "alice api:laptop true" \
	"whoami: alice, via api:laptop"
api GET /whoami "$BTOK"
is "$(jq -r .person <<<"$OUT")" "bob" "bob's token is bob"

# ============================================================ the same operation as the CLI

api GET /incidents "$RTOK"
is "$CODE" 200 "GET /incidents with a read token: 200"
like "$HDR" 'Content-Type: application/json' "JSON"
is "$(jq -c '[.[] | {id, severity, status, title, commander, playbook, opened_by, opened_at}]' <<<"$OUT")" \
	"$(sitrep list --json | jq -c '[.[] | {id, severity, status, title, commander, playbook, opened_by, opened_at}]')" \
	"the same incidents, fields and values as sitrep list --json"
api GET '/incidents?all=maybe' "$RTOK"
is "$CODE" 400 "?all=maybe: 400"
is "$(jq -r .exit_code <<<"$OUT")" 2 "a usage problem: exit code 2"

# ============================================================ acting

before=$(store_state)
api POST /incidents/INC-1/roles/commander/take "$RTOK"
is "$CODE" 403 "a read-only token may not take a role: 403"
like "$(jq -r .detail <<<"$OUT")" "needs the scope 'respond'" "saying which scope it needs"
is "$(store_state)" "$before" "and the store is unchanged"
api POST /incidents/INC-1/roles/commander/take "$BTOK"
is "$CODE" 200 "bob's token takes commander"
is "$(jq -r '[.person, .role, .incident] | join(" ")' <<<"$OUT")" "bob commander 1" "the result says so"
is "$(sitrep timeline INC-1 --json | jq -r '.[-1] | [.actor, .via, .kind] | join(" ")')" \
	"bob api:bobs role_taken" "the timeline records bob via api:bobs"
run sitrep timeline INC-1 --verify
is_rc 0 "and verifies"
api POST /incidents/INC-1/roles/nosuch/take "$TOK"
is "$CODE" 409 "a role the playbook does not have: refused, 409"
is "$(jq -r '[.title, .exit_code] | join(" ")' <<<"$OUT")" "refused 1" "kind refused, exit code 1"
api POST /incidents/INC-99/ack "$TOK"
isnt "$CODE" 200 "ack on an incident that does not exist is refused"
api POST /ops/role.release "$BTOK" '{"incident": 1, "role": "commander"}'
is "$CODE" 200 "POST /ops/role.release with JSON arguments: 200"
is "$(sitrep list --json | jq -r '.[0].commander')" "null" "bob no longer holds commander"
api POST /ops/role.take "$TOK" '{"incident": 1, "role": '
is "$CODE" 400 "a body that is not JSON: 400"
like "$(jq -r .detail <<<"$OUT")" "must be a JSON object" "saying what it must be"
api POST /ops/role.take "$TOK" '[1, 2]'
is "$CODE" 400 "a JSON array body: 400"
api POST /ops/incident.drop "$TOK" '{}'
is "$CODE" 404 "an operation that does not exist: 404"
api GET /incidents/INC-1/nothing "$TOK"
is "$CODE" 404 "a route that does not exist: 404"
like "$HDR" 'Content-Type: application/problem\+json' "a problem document too"

# paging from a phone
api POST /incidents/INC-1/pages "$BTOK" '{"role": "ops"}'
is "$CODE" 200 "bob pages ops through the API"
is "$(jq -r '[.incident, .role, .paged_by] | join(" ")' <<<"$OUT")" "1 ops bob" "the result says so"
is "$(sitrep timeline INC-1 --json | jq -r '[.[] | select(.kind == "paged")][-1] | [.actor, .via] | join(" ")')" \
	"bob api:bobs" "the page is bob's, via api:bobs"
api POST /incidents/INC-1/pages "$BTOK" '{"role": "ops", "tier": "L9"}'
is "$CODE" 400 "a tier that is none: 400"
api POST /incidents/INC-1/escalate "$BTOK" '{"note": "   "}'
is "$CODE" 422 "an escalation with a blank note: 422"
like "$(jq -r .detail <<<"$OUT")" "blank" "saying it is blank"
api POST /incidents/INC-1/escalate "$BTOK" '{"note": "DB errors climbing"}'
is "$CODE" 200 "bob escalates with a note"
is "$(sitrep timeline INC-1 --json | jq -r '[.[] | select(.kind == "escalated")][-1] | [.actor, .via] | join(" ")')" \
	"bob api:bobs" "the escalation is bob's, via api:bobs"

# everything about one incident
api GET /incidents/INC-1 "$BTOK"
is "$CODE" 200 "GET /incidents/INC-1: 200"
is "$(jq -c '{id, title, status, severity, playbook, roles, components}' <<<"$OUT")" \
	"$(sitrep show INC-1 --json | jq -c '{id, title, status, severity, playbook, roles, components}')" \
	"the same as sitrep show --json"
api GET /incidents/INC-404 "$BTOK"
is "$CODE" 404 "an incident that does not exist: 404"

# following an incident
api GET /incidents/INC-1/timeline "$BTOK"
is "$CODE" 200 "GET the timeline: 200"
is "$(jq -c '[.[] | {id, actor, via, kind}]' <<<"$OUT")" \
	"$(sitrep timeline INC-1 --json | jq -c '[.[] | {id, actor, via, kind}]')" \
	"the same events as sitrep timeline --json"
LAST=$(jq -r '.[-2].id' <<<"$OUT")
api GET "/incidents/INC-1/timeline?after=$LAST" "$BTOK"
is "$(jq -r 'length' <<<"$OUT")" 1 "?after=ID: only the events after it"
api GET "/incidents/INC-1/timeline?after=-3" "$BTOK"
is "$CODE" 400 "?after=-3: 400"
api GET "/incidents/INC-1/timeline?account=nosuch" "$BTOK"
is "$CODE" 404 "?account= an account that does not exist: 404"
api GET /incidents/INC-77/timeline "$BTOK"
is "$CODE" 404 "the timeline of an incident that does not exist: 404"

# ============================================================ revoked and expired

run sitrep token revoke laptop
is_rc 0 "alice revokes laptop"
api GET /whoami "$TOK"
is "$CODE" 401 "the revoked token: 401"
like "$(jq -r .detail <<<"$OUT")" "revoked" "saying it was revoked"
sqlite3 sitrep.db "UPDATE tokens SET expires_at = 1 WHERE name = 'reader'" || bail "cannot age the token"
api GET /whoami "$RTOK"
is "$CODE" 401 "an expired token: 401"
like "$(jq -r .detail <<<"$OUT")" "expired" "saying it has expired"

# ============================================================ not public

PPORT=$(sed -E 's|.*:([0-9]+)$|\1|' <<<"$BASE")
CODE=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BTOK" \
	"http://127.0.0.1:$PPORT/api/v1/whoami")
is "$CODE" 404 "the public listener has no /api/v1"
stop_sitrepd

# ============================================================ the rate limit

# 10 a minute: a bucket of 5, one more every 6 s
sed -i 's/listen = "127\.0\.0\.1:0";/listen = "127.0.0.1:0"; api_rate = 10;/' sitrep.conf
like "$(grep 'api_rate' sitrep.conf)" "api_rate = 10" "api_rate set to 10 a minute"
start_sitrepd || bail "sitrepd did not start again"
IPORT=$(grep -Eo 'internal: http://127\.0\.0\.1:[0-9]+/$' "$SLOG" | sed -E 's|.*:([0-9]+)/$|\1|')
API="http://127.0.0.1:$IPORT/api/v1"
# (a slow machine may refill one between requests: the 429 comes within
# ten, never before the sixth)
codes=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	api GET /whoami "$BTOK"
	codes="$codes $CODE"
	[ "$i" = 1 ] && first_hdr=$HDR
	[ "$CODE" = 429 ] && break
done
like "$codes" "^ 200 200 200 200 200( 200)* 429$" "five at once and more are 200, then one is told to wait: 429"
like "$first_hdr" "RateLimit: limit=10, remaining=4" "RateLimit says what is left"
like "$HDR" "Retry-After: [1-6]" "Retry-After says how long"
is "$(jq -r .title <<<"$OUT")" "rate-limited" "as a rate-limited problem"
api POST /incidents/INC-1/ack "$BTOK"
isnt "$CODE" 429 "but ack is never rate-limited"
api POST /incidents/INC-1/pages "$BTOK" '{"role": "ops"}'
is "$CODE" 200 "nor page"
stop_sitrepd
