#!/bin/bash
# t0002-playbook.sh: `sitrep playbook list|show|log|diff|validate` against a
# workspace whose playbook repository grows deterministic commits: a retitle,
# a new playbook, a broken playbook at the head, and an @include.
. "$(dirname "$0")/lib.sh"

plan 123
tmp_workspace

W="$TEST_TMP/ws"
PB="$W/playbooks"
sitrep init "$W" >/dev/null 2>&1 || bail "sitrep init failed"
cd "$W" || bail "no workspace"

# The shipped playbooks, and what their files say.
names=$(cd "$SITREP_SRC/playbooks" && ls -1 -- *.playbook | sed 's/\.playbook$//')
field() { # FILE KEY: the string value of a top-level KEY = "..."; in FILE
	sed -n "s/^$2 *= *\"\\(.*\\)\";.*/\\1/p" "$1" | head -n 1
}
seed=$(git -C "$PB" rev-parse main)
seed7=$(git -C "$PB" rev-parse --short=7 main)
old_title=$(field "$PB/outage.playbook" title)
new_title="$old_title (revised)"

# ------------------------------------------------------------ list

run sitrep playbook list
is_rc 0 "playbook list exits 0"
is "$(lines "$OUT")" 7 "list prints a header and 6 rows"
like "$OUT" "^NAME +SEV +TITLE +LAST CHANGE" "list starts with its header"
missing=
for n in $names; do
	f="$SITREP_SRC/playbooks/$n.playbook"
	row=$(printf '%-20s %s  %-40.40s %s' "$n" "$(field "$f" severity)" "$(field "$f" title)" "$seed7")
	printf '%s\n' "$OUT" | awk -v p="$row " 'index($0, p) == 1 { f = 1 } END { exit !f }' ||
		missing="$missing $n"
done
is "$missing" "" "each playbook is listed with its severity, title and seed commit"
ok "the rows name the seed commit's subject" \
	eval '[ "$(printf "%s\n" "$OUT" | grep -c "Add the playbooks shipped with sitrep$")" = 6 ]'

run sitrep playbook list --json
is_rc 0 "playbook list --json exits 0"
is "$(jq 'length' <<<"$OUT")" 6 "list --json has 6 entries"
is "$(jq -r '.[].name' <<<"$OUT")" "$names" "list --json names the shipped playbooks, in order"
is "$(jq 'all(.[]; (.name | type) == "string" and (.title | type) == "string"
	and (.severity | test("^SEV[1-4]$")) and .valid == true
	and (.last_change.sha | test("^[0-9a-f]{40}$")))' <<<"$OUT")" true \
	"each entry has name, title, severity, valid and a 40-hex last_change.sha"
is "$(jq -r '[.[].last_change.sha] | unique | .[]' <<<"$OUT")" "$seed" \
	"every last_change is the seed commit"
is "$(jq -r '.[] | select(.name == "outage") | "\(.severity) \(.title)"' <<<"$OUT")" \
	"$(field "$PB/outage.playbook" severity) $old_title" \
	"list --json gives outage's severity and title from its file"

run sitrep playbook list extra
is_rc 2 "list with an argument is a usage error (exit 2)"

# ------------------------------------------------------------ show

run sitrep playbook show outage
is_rc 0 "playbook show outage exits 0"
is "$(head -n 1 <<<"$OUT")" "outage: $old_title" "show starts with the name and title"
ok "show names the commit as the branch head's short SHA ($seed7)" \
	has_line "$OUT" "^  commit +$seed7 \(main\)$"
ok "show has a Roles section" has_line "$OUT" "^Roles$"
ok "show lists the commander role" has_line "$OUT" "^  commander +Incident Commander +required"
ok "show has the Escalation line" has_line "$OUT" "^Escalation +tiered, acknowledge within [0-9]+[smhd], tiers L1"
ok "show has a Steps section" has_line "$OUT" "^Steps$"
ok "show has a Templates section" has_line "$OUT" "^Templates$"
text_steps=$(printf '%s\n' "$OUT" | sed -n '/^Steps$/,/^$/p' | grep -c '^  [a-z]')

run sitrep playbook show outage --json
is_rc 0 "show --json exits 0"
is "$(jq -r '.name' <<<"$OUT")" outage ".name is outage"
is "$(jq -r '.commit' <<<"$OUT")" "$seed" ".commit is the full SHA of the branch head"
is "$(jq -r '.title' <<<"$OUT")" "$old_title" ".title is the file's title"
is "$(jq '[.roles[].id] | index("commander") != null' <<<"$OUT")" true ".roles has commander"
is "$(jq -r '.escalation.mode' <<<"$OUT")" tiered ".escalation.mode is tiered"
is "$(jq '.steps | length' <<<"$OUT")" "$text_steps" \
	".steps has the $text_steps steps the text shows"
ok ".steps is not empty" eval '[ "$text_steps" -gt 0 ]'

run sitrep playbook show nosuch
is_rc 1 "show of a missing playbook is refused (exit 1)"
like "$ERR" "^sitrep: .*'nosuch'" "and the message names it"

run sitrep playbook show
is_rc 2 "show with no name is a usage error (exit 2)"
like "$ERR" "usage: sitrep playbook show NAME" "and shows the usage"

run sitrep playbook show outage degraded
is_rc 2 "show with two names is a usage error (exit 2)"

# ------------------------------------------------------------ history

# Commit 1: retitle outage.
sed -i "s/^title *= *\".*\";/title   = \"$new_title\";/" "$PB/outage.playbook"
git_commit "$PB" "Retitle outage" || bail "git commit failed"
c1=$(git -C "$PB" rev-parse main)
c1_7=$(git -C "$PB" rev-parse --short=7 main)

run sitrep playbook show outage
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $new_title" "show reads the new commit"
run sitrep playbook show outage --at HEAD~1
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $old_title" "show --at HEAD~1 shows the old title"
ok "show --at names the revision it was asked for" has_line "$OUT" "^  commit +$seed7 \(HEAD~1\)$"

# Commit 2: a new playbook, "slow", a copy of degraded.
sed 's/^name *= *"degraded";/name    = "slow";/' "$PB/degraded.playbook" >"$PB/slow.playbook"
git_commit "$PB" "Add the slow playbook" || bail "git commit failed"
c2=$(git -C "$PB" rev-parse main)
c2_7=$(git -C "$PB" rev-parse --short=7 main)
date1=$(date -u -d "@$((GIT_EPOCH + 3600))" '+%Y-%m-%d %H:%M')
iso2=$(date -u -d "@$((GIT_EPOCH + 7200))" '+%Y-%m-%dT%H:%M:%S.000Z')

run sitrep playbook list
is "$RC:$(lines "$OUT")" "0:8" "list now has 7 playbooks"
ok "the new playbook's row names its commit" has_line "$OUT" "^slow +SEV3 .* $c2_7 .*Add the slow playbook$"
ok "outage's row names the commit that last changed it" has_line "$OUT" "^outage +SEV2 .* $c1_7 .*Retitle outage$"

run sitrep playbook log outage
is_rc 0 "playbook log outage exits 0"
is "$(lines "$OUT")" 2 "log outage lists the 2 commits that changed it"
l1=$(sed -n 1p <<<"$OUT")
ok "newest first: the retitle, with its short SHA, date, author and subject" \
	eval '[[ $l1 == "$c1_7 "* && $l1 == *"$date1"* && $l1 == *"$GIT_NAME"* && $l1 == *"Retitle outage"* ]]' ||
	diag "    line 1: $l1"
like "$(sed -n 2p <<<"$OUT")" "^$seed7 .*Add the playbooks shipped with sitrep" \
	"then the seed commit"

run sitrep playbook log
is_rc 0 "playbook log exits 0"
is "$(cut -d' ' -f1 <<<"$OUT" | tr '\n' ' ')" "$c2_7 $c1_7 $seed7 " \
	"log lists all 3 commits, newest first"

run sitrep playbook log --json
is_rc 0 "log --json exits 0"
is "$(jq 'length' <<<"$OUT")" 3 "log --json has 3 entries"
is "$(jq 'all(.[]; (.sha | test("^[0-9a-f]{40}$")) and (.date | type) == "string"
	and (.author | type) == "string" and (.subject | type) == "string")' <<<"$OUT")" true \
	"each entry has sha, date, author and subject"
is "$(jq -r '.[0] | "\(.sha)|\(.date)|\(.author)|\(.subject)"' <<<"$OUT")" \
	"$c2|$iso2|$GIT_NAME <$GIT_EMAIL>|Add the slow playbook" \
	"the newest entry is the commit as git made it"
run sitrep playbook log outage --json
is "$(jq -r '.[].sha' <<<"$OUT" | tr '\n' ' ')" "$c1 $seed " "log outage --json has the 2 full SHAs"

run sitrep playbook log nosuch
is_rc 1 "log of a playbook no commit changed is refused (exit 1)"
like "$ERR" "^sitrep: .*'nosuch'" "and names it"
run sitrep playbook log outage degraded
is_rc 2 "log with two names is a usage error (exit 2)"

# --at
run sitrep playbook show outage --at HEAD~2
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $old_title" "show --at HEAD~2 shows the old title"
run sitrep playbook show outage --at "$seed7"
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $old_title" "show --at <first commit's short SHA> shows the old title"
run sitrep playbook show outage --at HEAD~1
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $new_title" "show --at HEAD~1 (the retitle) shows the new title"
run sitrep playbook show outage --json --at HEAD~2
is "$(jq -r '.commit' <<<"$OUT")" "$seed" "show --json --at gives the full SHA it read"
run sitrep playbook show outage --at nosuchrev
is_rc 1 "show --at an unknown revision is refused (exit 1)"
like "$ERR" "^sitrep: .*'nosuchrev'" "and names the revision"
run sitrep playbook list --at HEAD~1
is "$RC:$(lines "$OUT")" "0:7" "list --at HEAD~1 has the 6 playbooks of then"
run sitrep playbook show slow --at HEAD~1
is_rc 1 "show of a playbook that did not exist at --at is refused (exit 1)"
like "$ERR" "^sitrep: no playbook 'slow' at $c1_7" "and says where it looked"

# ------------------------------------------------------------ diff

run sitrep playbook diff outage HEAD~2
is_rc 0 "playbook diff outage HEAD~2 exits 0"
diff_text=$OUT
ok "the diff has unified headers" \
	eval 'has_line "$OUT" "^--- a/outage.playbook$" && has_line "$OUT" "^\+\+\+ b/outage.playbook$"'
ok "the diff has a hunk header" has_line "$OUT" "^@@ -[0-9]+,[0-9]+ \+[0-9]+,[0-9]+ @@"
is "$(grep -E '^[-+]' <<<"$OUT" | grep -vE '^(---|\+\+\+) ')" \
	"-title   = \"$old_title\";
+title   = \"$new_title\";" "the diff removes the old title and adds the new one, nothing else"

run sitrep playbook diff outage HEAD~2 HEAD
is "$RC:$OUT" "0:$diff_text" "diff NAME REV HEAD is diff NAME REV"
run sitrep playbook diff outage HEAD HEAD~2
ok "diff the other way round swaps - and +" \
	eval 'has_line "$OUT" "^-title   = \"$(quotemeta "$new_title")\";$" &&
	      has_line "$OUT" "^\+title   = \"$(quotemeta "$old_title")\";$"'
run sitrep playbook diff outage HEAD~1 HEAD~1
is "$RC:$OUT:$ERR" "0::" "diff of a revision with itself prints nothing, exit 0"
run sitrep playbook diff outage HEAD~1
is "$RC:$OUT" "0:" "diff across commits that did not touch the playbook prints nothing"
run sitrep playbook diff slow HEAD~1
ok "diff of a playbook added since REV shows it as a new file" \
	eval 'has_line "$OUT" "^new file mode" && has_line "$OUT" "^\+name +=  *\"slow\";$"'
run sitrep playbook diff outage HEAD~2 --json
is "$(jq -r '"\(.name) \(.from) \(.to)"' <<<"$OUT")" "outage $seed $c2" \
	"diff --json names the playbook and both full SHAs"
is "$(jq -r '.diff' <<<"$OUT")" "$diff_text" "diff --json carries the same diff"
run sitrep playbook diff outage
is_rc 2 "diff with one argument is a usage error (exit 2)"
like "$ERR" "usage: sitrep playbook diff NAME REV" "and shows the usage"
run sitrep playbook diff outage nosuchrev
is_rc 1 "diff against an unknown revision is refused (exit 1)"
like "$ERR" "^sitrep: .*'nosuchrev'" "and names the revision"

# ------------------------------------------------------------ validate

run sitrep playbook validate
is_rc 0 "validate with no FILE exits 0 when every playbook is valid"
is "$OUT" "7 playbooks valid at $c2_7" "and says how many it checked, at which commit"

mkdir "$TEST_TMP/draft" "$TEST_TMP/good"
bad="$TEST_TMP/draft/outage.playbook"
cp "$PB/outage.playbook" "$bad"
sev_line=$(grep -n '^severity *=' "$bad" | head -n 1 | cut -d: -f1)
sed -i "${sev_line}s/\"SEV[1-4]\"/\"SEV9\"/" "$bad"
role_line=$(grep -n '{ id = "[a-z-]*";.* role = "sme";' "$bad" | head -n 1 | cut -d: -f1)
sed -i "${role_line}s/role = \"sme\";/role = \"wizard\";/" "$bad"
good="$TEST_TMP/good/degraded.playbook"
cp "$PB/degraded.playbook" "$good"

run sitrep playbook validate "$bad"
is_rc 1 "validate FILE with problems exits 1"
ok "the bad severity is reported at $bad:$sev_line" \
	has_line "$ERR" "^$bad:$sev_line: .*SEV9"
ok "the unknown role is reported at $bad:$role_line" \
	has_line "$ERR" "^$bad:$role_line: .*'wizard'"
is "$(grep -c "^$bad:" <<<"$ERR")" 2 "exactly those 2 problems are listed"
like "$ERR" "sitrep: 1 of 1 playbook invalid, 2 problems" "and summed up"

run sitrep playbook validate --json "$bad"
is_rc 1 "validate --json FILE with problems exits 1"
is "$(jq '.valid' <<<"$OUT")" false "--json .valid is false"
is "$(jq '.problems | length' <<<"$OUT")" 2 "--json .problems has 2 entries"
is "$(jq -r '[.problems[].line] | sort | map(tostring) | join(" ")' <<<"$OUT")" \
	"$(printf '%s\n' "$sev_line" "$role_line" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"--json gives each problem's line"

run sitrep playbook validate "$good"
is_rc 0 "validate of a good FILE exits 0"
is "$OUT" "1 playbook valid" "and says so"

run sitrep playbook validate "$good" "$bad"
is_rc 1 "validate of a good and a bad FILE exits 1"
like "$ERR" "sitrep: 1 of 2 playbooks invalid" "and counts both files"

run sitrep playbook validate "$good" "$TEST_TMP/nothere.playbook"
is_rc 1 "validate of a missing FILE exits 1"
ok "and names the file it could not read" has_line "$ERR" "^$TEST_TMP/nothere.playbook: .*cannot read"
like "$ERR" "sitrep: 1 of 2 playbooks invalid" "and counts it among the files checked"

run bash -c 'cd "$1" && HOME="$1" "$SITREP_BIN/sitrep" playbook validate "$2"' - "$TEST_TMP/good" "$good"
is_rc 0 "validate FILE works outside any workspace"

# A person a tiered playbook pages must be told before it escalates past
# them: a notify rule waiting as long as degraded's ack_timeout (10m) is a
# problem at the rule's line in the site config.
cp "$W/sitrep.conf" "$TEST_TMP/sitrep.conf.before-notify"
rule_line=$(grep -n 'contact = "mail"; after = "0m"' "$W/sitrep.conf" | cut -d: -f1)
sed -i "${rule_line}s/after = \"0m\"/after = \"10m\"/" "$W/sitrep.conf"
run sitrep playbook validate "$good"
is_rc 1 "validate refuses a notify rule that waits as long as the ack timeout"
ok "the problem is at the rule's line in sitrep.conf and names person, contact, playbook and timeout" \
	has_line "$ERR" "sitrep.conf:$rule_line: person 'alice': contact 'mail' is notified after 10m, but playbook 'degraded' escalates past them after 10m \\(ack_timeout, degraded.playbook:[0-9]+\\)"
sed -i "${rule_line}s/after = \"10m\"/after = \"9m\"/" "$W/sitrep.conf"
run sitrep playbook validate "$good"
is_rc 0 "a rule that fires before the ack timeout is fine"
cp "$TEST_TMP/sitrep.conf.before-notify" "$W/sitrep.conf"

# ------------------------------------------------------------ broken at the head

# Commit 3: a syntax error on outage's summary line.
sum_line=$(grep -n '^summary *=' "$PB/outage.playbook" | cut -d: -f1)
sed -i "${sum_line}s/^summary *= */summary = = /" "$PB/outage.playbook"
git_commit "$PB" "Break outage" || bail "git commit failed"
c3_7=$(git -C "$PB" rev-parse --short=7 main)

run sitrep playbook validate
is_rc 1 "validate exits 1 when a committed playbook is broken"
ok "it names outage.playbook and the line ($sum_line)" has_line "$ERR" "^outage\.playbook:$sum_line: "
like "$ERR" "sitrep: 1 of 7 playbooks invalid" "and sums up"
run sitrep playbook validate --json
is "$(jq -r '.valid, (.problems[] | "\(.file):\(.line)")' <<<"$OUT")" \
	"false
outage.playbook:$sum_line" "validate --json gives the file and line"

run sitrep playbook list
is_rc 0 "list still works with one broken playbook"
ok "list flags outage as invalid" has_line "$OUT" "^outage +- +\(invalid"
is "$(grep -cE '^[a-z-]+ +SEV[1-4] ' <<<"$OUT")" 6 "list still shows the other 6"
like "$ERR" "'outage'" "list warns about outage on stderr"
run sitrep playbook list --json
is "$(jq -c '[.[] | select(.valid | not) | .name], ([.[] | select(.valid)] | length)' <<<"$OUT" | tr '\n' ' ')" \
	'["outage"] 6 ' "list --json marks only outage invalid"

run sitrep playbook show outage
is_rc 1 "show of the broken playbook is refused (exit 1)"
ok "show lists the problem with its line" has_line "$ERR" "^outage\.playbook:$sum_line: "
like "$ERR" "sitrep: playbook 'outage' at $c3_7 has 1 problem" "and says what is wrong"
run sitrep playbook show outage --at HEAD~1
is "$RC:$(head -n 1 <<<"$OUT")" "0:outage: $new_title" "show --at HEAD~1 still reads the good version"

# ------------------------------------------------------------ @include

# Commit 4: outage mended, degraded includes a file that is both committed
# and in the current directory; it must never be read.
git -C "$PB" checkout -q HEAD~1 -- outage.playbook
echo 'bogus_from_include = 1;' >"$PB/x"
cp "$PB/x" "$W/x"
sed -i '3i @include "x"' "$PB/degraded.playbook"
git_commit "$PB" "Include x in degraded" || bail "git commit failed"

run sitrep playbook validate
is_rc 1 "a committed @include makes validate exit 1"
ok "the @include is reported at degraded.playbook:3" has_line "$ERR" "^degraded\.playbook:3: .*@include"
run sitrep playbook validate --json
is "$(jq -r '.problems[] | "\(.file):\(.line)"' <<<"$OUT")" "degraded.playbook:3" \
	"it is the only problem: the included file is not read"
run sitrep playbook show degraded
is_rc 1 "show of a playbook with @include is refused (exit 1)"
ok "and names the line" has_line "$ERR" "^degraded\.playbook:3: .*@include"

inc="$TEST_TMP/draft/degraded.playbook"
cp "$good" "$inc"
sed -i '5i \	@include "x"' "$inc"
run sitrep playbook validate "$inc"
ok "an indented @include in a FILE is rejected at its line" \
	eval '[ "$RC" = 1 ] && has_line "$ERR" "^$inc:5: .*@include"'

# ------------------------------------------------------- cached summaries

# `list` keeps each blob's validation in the store; what it shows must not
# depend on whether the summary came from there.
git -C "$PB" checkout -q HEAD~1 -- degraded.playbook
git_commit "$PB" "Mend degraded" || bail "git commit failed"
run sitrep playbook list
first=$OUT
run sitrep playbook list
is "$OUT" "$first" "a second list (from the cached summaries) prints the same"
ok "the summaries are in the store" \
	eval '[ "$(sqlite3 "$W/sitrep.db" "SELECT count(*) FROM playbook_summaries")" -ge 6 ]'

# The site config is part of a summary's context: outage names component
# 'auth'; without it in the config the same blob is invalid.
cp "$W/sitrep.conf" "$TEST_TMP/sitrep.conf.saved"
sed -i '/id = "auth"/d' "$W/sitrep.conf"
run sitrep playbook list
ok "without component 'auth' the same outage blob is listed invalid" \
	has_line "$OUT" "^outage +- +\(invalid"
like "$ERR" "playbook 'outage' at .* has 1 problem" "and the warning counts its problem"
cp "$TEST_TMP/sitrep.conf.saved" "$W/sitrep.conf"
run sitrep playbook list
is "$OUT" "$first" "with the component back it is valid again"
