#!/bin/bash
# t0013-words.sh: the words that reach customers (issue 11), through the real
# binaries: every shipped template read aloud with real values (no
# "{{", no double spaces, no lowercase sentence start, no severity label
# posing as a sentence); template variables a playbook declares, filled
# with --var on open and update or with `sitrep set`, refused while a
# required one is empty and named by --dry-run while an optional one is;
# a public title apart from the internal one, the only one in subscriber
# webhooks and e-mails; a promised time days away carrying its date in the
# mail (parsed with Python's email package), the webhook and `show`; and a
# breach that marks no public component down unless `sitrep component` says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers/servers.sh"

if ! smtp_usable; then
	echo "1..0 # SKIP $SMTP_WHY"
	exit 0
fi

plan 83
tmp_workspace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

start_httprecv web || bail "cannot start the HTTP receiver"
start_smtprecv mail || bail "cannot start the SMTP server"
MAIL_PORT=$SMTP_PORT
LOG="$TEST_TMP/web/requests.jsonl"
MAILDIR="$TEST_TMP/mail/mail"
H="http://127.0.0.1:$HTTP_PORT"
export T13_OPS_URL="$H/ok/ops"
INTERNAL_TITLE="Billing double charge (@bigcreator, 180k followers)"

q() {
	sqlite3 sitrep.db "$@"
}
last_upd() {
	q 'SELECT max(id) FROM updates'
}
# words_state: everything a refused command must leave as it was.
words_state() {
	printf '%s|%s' "$(store_state)" "$(q 'SELECT * FROM incident_vars ORDER BY incident_id, name;
		SELECT id, state, body FROM updates ORDER BY id; SELECT count(*) FROM outbox' |
		sha256sum | cut -c1-12)"
}
wrefused() {
	local rc=$1 re=$2 desc=$3 before
	shift 3
	before=$(words_state)
	run "$@"
	is_rc "$rc" "$desc (exit $rc)"
	like "$ERR" "$re" "$desc: the message says why"
	is "$(words_state)" "$before" "$desc: the store is unchanged"
}
# when MS: as sitrep writes a time for a reader now.
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
# eml FILE: subject and text body of a message, parsed by Python's email
# package (policy.default), as JSON.
eml() {
	/usr/bin/python3 - "$1" <<'EOF'
import email, json, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
part = m.get_body(preferencelist=("plain",))
print(json.dumps({"subject": str(m["Subject"]), "to": str(m["To"]),
                  "defects": [type(d).__name__ for d in m.defects],
                  "body": part.get_content() if part is not None else None}))
EOF
}

W="$TEST_TMP/w"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"
CONF_MAIL_PORT=$MAIL_PORT /usr/bin/python3 - <<'EOF' || bail "cannot rewrite sitrep.conf"
import os, re
p = "sitrep.conf"
t = open(p, encoding="utf-8").read()
t, n = re.subn(r"^channels = \(.*?^\);\n", lambda m: """channels = (
  { id = "ops"; type = "webhook"; audiences = [ "internal", "executives" ]; url_env = "T13_OPS_URL"; },
  { id = "mail"; type = "email"; audiences = [ "customers" ];
    smtp_url = "smtp://127.0.0.1:%s"; from = "status@t13.invalid"; }
);
""" % os.environ["CONF_MAIL_PORT"], t, flags=re.S | re.M)
assert n == 1
# the receivers are on loopback: allow them (delivery.allow, sitrep.conf(5))
t += 'delivery = { allow = [ "127.0.0.1/32" ]; };\n'
open(p, "w", encoding="utf-8").write(t)
EOF
sitrep subscribe webhook "$H/ok/sub" >/dev/null 2>&1 || bail "cannot subscribe a webhook: $(sitrep subscribe webhook "$H/ok/sub" 2>&1)"
sitrep subscribe email reader@example.net >/dev/null 2>&1 || bail "cannot subscribe an address"

# ============================================================ validation

run sitrep playbook validate
like "$RC:$OUT" "^0:6 playbooks valid" "the six shipped playbooks validate, their variables declared"
mkdir -p "$TEST_TMP/bad"
sed 's/{{cause}} We are putting a fix/{{reason}} We are putting a fix/' \
	"$SITREP_SRC/playbooks/outage.playbook" >"$TEST_TMP/bad/outage.playbook"
line=$(grep -n '{{reason}}' "$TEST_TMP/bad/outage.playbook" | cut -d: -f1)
run sitrep playbook validate "$TEST_TMP/bad/outage.playbook"
is "$RC" 1 "a template using a variable nobody declares is refused"
like "$ERR" "outage\.playbook:$line: template 'identified' uses unknown variable '\{\{reason\}\}': neither built in nor declared under 'variables'" \
	"with file:line and what to do"

# ============================================================ every shipped template, read aloud

# Each playbook's templates rendered with a full sentence in every declared
# variable: the words a customer (or regulator, or executive) reads.
bad=""
nrendered=0
for pb in outage degraded billing-failure data-loss security-breach social-escalation; do
	vars=()
	for v in $(sitrep playbook show "$pb" --json | jq -r '.variables[]?.name'); do
		vars+=(--var "$v=Value of $v here.")
	done
	out=$(sitrep --as alice open "$pb" --title "Read aloud $pb" --sev SEV3 "${vars[@]}" --json) ||
		bail "cannot open $pb: $out"
	id=$(jq -r .id <<<"$out")
	sitrep --as alice role take "$id" commander >/dev/null 2>&1
	while IFS=$'\t' read -r tid aud; do
		if sitrep playbook show "$pb" --json |
			jq -e --arg t "$tid" '.templates[] | select(.id == $t) | .text | test("{{ *account *}}")' >/dev/null; then
			body=$(sitrep --as alice apologize "$id" --audience "$aud" --template "$tid" --account globex \
				--dry-run --json | jq -r .body)
		else
			body=$(sitrep --as alice update "$id" --audience "$aud" --template "$tid" --next 1h \
				--dry-run --json |
				jq -r .body)
		fi
		nrendered=$((nrendered + 1))
		case "$body" in
		"" | null) bad+="$pb/$tid: nothing rendered; " ;;
		*"{{"* | *"  "* | *"critical outage"* | *"major disruption"* | *"partial disruption"* | *" ."* | *".."*)
			bad+="$pb/$tid: $body; " ;;
		esac
		if grep -Eq '[.!?] [a-z]' <<<"$body" || ! grep -Eq '^[A-Z[]' <<<"$body"; then
			bad+="$pb/$tid (sentence case): $body; "
		fi
	done < <(sitrep playbook show "$pb" --json | jq -r '.templates[] | [.id, .audience] | @tsv')
done
is "$bad" "" "every shipped template reads as whole sentences: no {{, no double space, no lowercase start, no severity label"
ok "and there were many of them ($nrendered)" test "$nrendered" -ge 50
for i in 1 2 3 4 5 6; do sitrep --as alice resolve "$i" >/dev/null 2>&1; sitrep --as alice close "$i" --force -m "read aloud only" >/dev/null 2>&1; done
base=$(q 'SELECT max(id) FROM incidents')
I=$((base + 1))

# ============================================================ variables and the public title

run sitrep --as alice open billing-failure --title "$INTERNAL_TITLE" --sev SEV4 \
	--var "impact=Some customers were charged twice for their November invoice." --json
is_rc 0 "alice opens the billing incident with --var impact=..."
is "$(jq -c '[.id, .title, .public_title]' <<<"$OUT")" "[$I,\"$INTERNAL_TITLE\",\"Billing problem\"]" \
	"its public title is the playbook's, apart from the internal one"
is "$(jq -c '[.variables[] | [.name, .required, .value]]' <<<"$OUT")" \
	'[["impact",true,"Some customers were charged twice for their November invoice."],["cause",true,null]]' \
	"show --json lists the declared variables, impact set and cause empty"
is "$(q "SELECT value || '|' || set_by FROM incident_vars WHERE incident_id = $I AND name = 'impact'")" \
	"Some customers were charged twice for their November invoice.|alice" "the value is stored with who set it"
is "$(q "SELECT json_extract(details, '$.variables.impact') FROM events WHERE incident_id = $I AND kind = 'opened'")" \
	"Some customers were charged twice for their November invoice." "and recorded in the opened event"

wrefused 1 "template 'identified' uses \{\{cause\}\}, which has no value: it is required and INC-$I has none yet: set it with 'sitrep set INC-$I cause VALUE' or --var cause=VALUE \(what to write: The fault in plain words" \
	"a customer update using the empty required cause" \
	sitrep --as alice update "$I" --audience customers --template identified
wrefused 1 "uses \{\{cause\}\}, which has no value" "its dry run is refused the same way" \
	sitrep --as alice update "$I" --audience customers --template identified --dry-run
wrefused 1 "playbook 'billing-failure' declares no variable 'bogus' \(it declares impact, cause\)" \
	"sitrep set of an undeclared variable" sitrep --as alice set "$I" bogus x
wrefused 1 "cause needs a value: The fault in plain words" "sitrep set with a blank value" \
	sitrep --as alice set "$I" cause "   "
wrefused 2 "--var 'cause': write NAME=VALUE" "--var without =" \
	sitrep --as alice update "$I" --audience customers --template identified --var cause
wrefused 1 "playbook 'billing-failure' declares no variable 'nope'" "--var of an undeclared variable on open" \
	sitrep --as alice open billing-failure --title x --var nope=1
wrefused 1 "a public title is one line" "a public title over two lines" \
	sitrep --as alice open billing-failure --title x --public-title $'two\nlines'

run sitrep --as alice set "$I" cause "A retry in our payment job sent the same charge twice."
is "$RC:$OUT" "0:INC-$I: cause set" "sitrep set fills cause"
like "$(sitrep timeline "$I")" "alice +set cause = 'A retry in our payment job sent the same charge twice\.'" \
	"the timeline records it as an event"

# The outage playbook declares an optional workaround: a dry run names it.
run sitrep --as alice open outage --title "INTERNAL-ONLY api-7 meltdown" --sev SEV3 \
	--var "impact=Sign-in fails for most customers." --json
J=$(jq -r .id <<<"$OUT")
before=$(words_state)
run sitrep --as alice update "$J" --audience customers --template investigating --dry-run
is_rc 0 "a dry run with the optional workaround empty exits 0"
ok "it names the empty variable and how to fill it" has_line "$OUT" \
	"^still empty, so read as nothing: workaround \(set with 'sitrep set INC-$J NAME VALUE' or --var NAME=VALUE\)$"
like "$OUT" "Sign-in fails for most customers\. Our engineers are working" "and the text reads on without it"
run sitrep --as alice update "$J" --audience customers --template investigating --dry-run --json
is "$(jq -c .empty_variables <<<"$OUT")" '["workaround"]' "--json names it in empty_variables"
run sitrep --as alice update "$J" --audience customers --template investigating --dry-run --json \
	--var "workaround=Signing in on the mobile app still works."
is "$(jq -c .empty_variables <<<"$OUT")" '[]' "with --var it is filled"
is "$(words_state)" "$before" "dry runs, --var included, change nothing"
is "$(jq -r '.routes[] | select(.subscribers == "webhook") | .payload | fromjson | .data.incident.name' <<<"$OUT")" \
	"Service disruption" "a dry run's subscriber webhook names the public title"

# ============================================================ what leaves the team

sitrep --as bob role take "$I" commander >/dev/null 2>&1
run sitrep --as alice update "$I" --audience internal --template internal-update
is_rc 0 "an internal update"
run sitrep --as alice update "$I" --audience customers --template identified --next 2d \
	--var "impact=Some customers were charged twice for their November invoice, once on 1 December and again on 2 December."
is_rc 0 "a customer update promising the next one two days out, with --var on update"
u=$(last_upd)
next=$(q "SELECT next_update_at FROM updates WHERE id = $u")
NEXT=$(when "$next")
like "$NEXT" '^[A-Z][a-z]{2} [0-9]{1,2} [A-Z][a-z]{2} ([0-9]{4} )?[0-9]{2}:[0-9]{2} UTC$' \
	"two days out, the promise carries its date ($NEXT)"
like "$(q "SELECT body FROM updates WHERE id = $u")" "Next update by $NEXT\.$" "the update's text says it so"
is "$(q "SELECT json_extract(details, '$.set.impact') FROM events WHERE incident_id = $I AND kind = 'variables' ORDER BY id DESC LIMIT 1")" \
	"Some customers were charged twice for their November invoice, once on 1 December and again on 2 December." \
	"--var on update is recorded on the timeline"
run sitrep deliver --once
like "$RC:$OUT" "^0:[0-9]+ sent, 0 to retry, 0 dead" "deliver --once sends them"
run sitrep --as alice set "$I" public_title "Duplicate charges on some invoices"
is_rc 0 "sitrep set public_title"
is "$(sitrep show "$I" --json | jq -r .public_title)" "Duplicate charges on some invoices" "the public title changes"
run sitrep --as alice update "$I" --audience customers -m "We are refunding every duplicate charge." --next 30m
is_rc 0 "a second customer update"
u2=$(last_upd)
run sitrep deliver --once
like "$RC:$OUT" "^0:[0-9]+ sent, 0 to retry, 0 dead" "deliver --once sends the rest"

subs=$(jq -r 'select(.path == "/ok/sub" and .method == "POST") | .body' "$LOG")
ops=$(jq -r 'select(.path == "/ok/ops" and .method == "POST") | .body' "$LOG")
is "$(jq -r '.data.incident.name' <<<"$subs" | sort -u | tr '\n' '|')" \
	"Billing problem|Duplicate charges on some invoices|" \
	"the subscriber webhook names the incident by its public title, as it was then"
is "$(grep -c bigcreator <<<"$subs")" 0 "the internal title never reaches the subscriber webhook"
like "$(jq -r '.data.incident.name' <<<"$ops")" "^Billing double charge \(@bigcreator, 180k followers\)$" \
	"the team's own channel may show the internal title"
like "$(jq -r 'select(.data.update.audience == "customers") | .data.update.body' <<<"$subs" | head -n 1)" \
	"Next update by $NEXT\.$" "the webhook's text carries the promise's date"

mails=$(ls "$MAILDIR"/*.eml 2>/dev/null | wc -l)
is "$mails" 2 "the e-mail subscriber got both customer updates"
m1=$(eml "$(ls "$MAILDIR"/*.eml | head -n 1)")
m2=$(eml "$(ls "$MAILDIR"/*.eml | tail -n 1)")
is "$(jq -c .defects <<<"$m1")" "[]" "the first mail parses without defects"
is "$(jq -r .subject <<<"$m1")" "[Example Status] INC-$I Billing problem: identified" \
	"its subject has the public title"
like "$(jq -r .body <<<"$m1")" "Next update by $NEXT\." "its body says the promised time with its date"
unlike "$(jq -r .body <<<"$m1")" "by [0-9]{2}:[0-9]{2} UTC" "and never a bare time for a day that is not today"
is "$(jq -r .subject <<<"$m2")" "[Example Status] INC-$I Duplicate charges on some invoices: identified" \
	"the second mail's subject has the public title set since"
is "$(cat "$MAILDIR"/*.eml | grep -c bigcreator)" 0 "no mail carries the internal title"

run sitrep show "$I"
ok "show prints both titles" has_line "$OUT" "^  public     Duplicate charges on some invoices$"
like "$OUT" "customers +last UPD-$u2 at [0-9]{2}:[0-9]{2} UTC, next promised by $(when "$(q "SELECT next_update_at FROM updates WHERE id = $u2")")" \
	"show's promise is written as a reader reads it"

# The promise of the first update, two days out, as show printed it before
# the second came.
run sitrep --as alice open outage --title "Promise far away" --sev SEV3 --var "impact=x is down." --json
K=$(jq -r .id <<<"$OUT")
sitrep --as alice update "$K" --audience regulators -m x >/dev/null 2>&1
run sitrep --as alice update "$K" --audience internal -m "Next update {{next_update}}." --next 3d
k=$(last_upd)
knext=$(when "$(q "SELECT next_update_at FROM updates WHERE id = $k")")
run sitrep show "$K"
like "$OUT" "internal +last UPD-$k at [0-9]{2}:[0-9]{2} UTC, next promised by $knext" \
	"show: a promise three days away names its day ($knext)"
like "$knext" "^[A-Z][a-z]{2} " "which is not a bare time"

# ============================================================ --public-title, and component impact

run sitrep --as alice open outage --title "db-3 fell over" --public-title "Sign-in problems" --sev SEV1 \
	--var "impact=Sign-in fails." --json
is "$RC:$(jq -c '[.public_title, ([.components[].status] | unique)]' <<<"$OUT")" \
	'0:["Sign-in problems",["major_outage"]]' \
	"--public-title; and a SEV1 outage still marks its components major_outage (the playbook's default)"
is "$(q "SELECT json_extract(details, '$.public_title') FROM events WHERE kind = 'opened' ORDER BY id DESC LIMIT 1")" \
	"Sign-in problems" "the opened event records the public title"
run sitrep --as alice open security-breach --title "Attacker in auth (ticket SEC-9)" --json
B=$(jq -r .id <<<"$OUT")
is "$RC:$(jq -c '[.severity, .public_title, [.components[] | "\(.id)=\(.status)"]]' <<<"$OUT")" \
	'0:["SEV1","Security incident",["auth=operational","api=operational","database=operational"]]' \
	"a SEV1 breach (component_impact none) leaves its components operational"
run sitrep --as alice component "$B" auth major_outage
is "$RC:$(sitrep show "$B" --json | jq -c '[.components[] | "\(.id)=\(.status)"]')" \
	'0:["auth=major_outage","api=operational","database=operational"]' \
	"sitrep component overrides it for what is really down"
run sitrep --as alice update "$B" --audience customers --template investigating --dry-run --json
is "$(jq -r '.routes[] | select(.subscribers == "webhook") | .payload | fromjson | .data.incident.name' <<<"$OUT")" \
	"Security incident" "the breach goes out as 'Security incident', not its internal title"

# ============================================================ a public title from a template

# A playbook whose public title is a template over a declared variable: the
# playbook's own title stands in until the variable is set, the title then
# follows it, and a title set by hand stays.
sed -e 's/^name    = "outage";/name    = "custom";/' \
	-e 's/^public_title = .*/public_title = "Problem with {{service}}";/' \
	-e 's/^variables = (/variables = (\n  { name = "service"; description = "The service, as customers name it."; },/' \
	"$SITREP_SRC/playbooks/outage.playbook" >playbooks/custom.playbook
git_commit playbooks "Add the custom playbook" || bail "cannot commit the custom playbook"
run sitrep --as alice open custom --title "c-1" --var "impact=x." --json
C=$(jq -r .id <<<"$OUT")
is "$RC:$(jq -r .public_title <<<"$OUT")" "0:Customer-facing outage" \
	"until {{service}} is set, the playbook's own title stands in for the public one"
sitrep --as alice set "$C" service "payments" >/dev/null 2>&1
is "$(sitrep show "$C" --json | jq -r .public_title)" "Problem with payments" "set service: the public title follows"
like "$(sitrep timeline "$C")" "set public_title = 'Problem with payments', service = 'payments'" \
	"the timeline says both"
sitrep --as alice set "$C" public_title "Payments are failing" >/dev/null 2>&1
sitrep --as alice set "$C" service "checkout" >/dev/null 2>&1
is "$(sitrep show "$C" --json | jq -r .public_title)" "Payments are failing" "a public title set by hand stays"

# ============================================================ closed

sitrep --as bob resolve "$I" >/dev/null 2>&1
sitrep --as bob close "$I" --force -m "test" >/dev/null 2>&1
wrefused 1 "INC-$I is closed" "sitrep set on a closed incident" sitrep --as alice set "$I" cause "x"
run sitrep timeline "$I" --verify
is_rc 0 "the timeline, variables events included, verifies"

# ------------------------------------------------------------ the page's time zone

# Times for readers are in status_page.time_zone, with its abbreviation;
# two days out, with the day of that zone.
sed -i 's|^  time_zone = "UTC";|  time_zone = "America/New_York";|' sitrep.conf
grep -q 'time_zone = "America/New_York"' sitrep.conf || bail "cannot set the time zone"
run sitrep --as alice update "$J" --audience internal -m "Still on it." --next 2d
like "$RC:$OUT" "^0:.*next update by (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2} [A-Z][a-z]{2}( [0-9]{4})? [0-9]{2}:[0-9]{2} E[SD]T" \
	"in America/New_York, a promise two days out reads with its day and EST/EDT"
sed -i 's|^  time_zone = "America/New_York";|  time_zone = "Mars/Olympus_Mons";|' sitrep.conf
run sitrep list
like "$RC:$ERR" "^1:.*sitrep.conf:[0-9]+: unknown time zone 'Mars/Olympus_Mons'" \
	"an unknown time zone is refused at its line (exit 1)"
sed -i 's|^  time_zone = "Mars/Olympus_Mons";|  time_zone = "UTC";|' sitrep.conf
run sitrep list
is_rc 0 "and UTC again is taken"

if valgrind_usable; then
	run valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		"$SITREP_BIN/sitrep" --as alice update "$J" --audience customers --template identified \
		--var "cause=A bad deploy." --dry-run
	is "$RC" 0 "no leak or error under valgrind: update --var --dry-run"
	run valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		"$SITREP_BIN/sitrep" --as alice set "$J" workaround "Use the app."
	is "$RC" 0 "no leak or error under valgrind: set"
else
	skip 2 "$VALGRIND_WHY"
fi
