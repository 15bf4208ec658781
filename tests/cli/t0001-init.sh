#!/bin/bash
# t0001-init.sh: `sitrep init` makes a workspace (commented config, migrated
# WAL database, playbook repository seeded from playbooks/), refuses to
# clobber one without --force, and keeps history and data with it; global
# options, command lookup, config discovery and config problems; and no
# leaks under valgrind.
. "$(dirname "$0")/lib.sh"

plan 76
tmp_workspace

W="$TEST_TMP/ws"
EMPTY="$TEST_TMP/empty"
mkdir "$EMPTY"

# in_dir DIR CMD...: run CMD with DIR as the current directory.
in_dir() {
	(cd "$1" && shift && "$@")
}

# ------------------------------------------------------------ a new workspace

run sitrep init "$W"
is_rc 0 "init DIR exits 0"
like "$OUT" "^initialized sitrep workspace in $W" "init says where the workspace is"
is "$ERR" "" "init prints nothing on stderr"

ok "init writes DIR/sitrep.conf" test -s "$W/sitrep.conf"
ok "sitrep.conf explains itself in comments" grep -q '^[[:space:]]*#' "$W/sitrep.conf"
is "$(sqlite3 "$W/sitrep.db" 'PRAGMA user_version')" 16 "sitrep.db is migrated to schema 16"
is "$(sqlite3 "$W/sitrep.db" 'PRAGMA journal_mode')" wal "sitrep.db is in WAL mode"

is "$(git -C "$W/playbooks" rev-parse --is-inside-work-tree 2>&1)" true \
	"DIR/playbooks is a git repository with a work tree"
is "$(git -C "$W/playbooks" symbolic-ref --short HEAD 2>&1)" main \
	"the playbook repository is on branch main"
is "$(git -C "$W/playbooks" rev-list --count main 2>&1)" 1 \
	"branch main has exactly one commit"
is "$(git -C "$W/playbooks" ls-tree --name-only main 2>&1)" \
	"$(cd "$SITREP_SRC/playbooks" && ls -1)" \
	"the commit holds exactly the shipped playbooks"
same=yes
for f in "$SITREP_SRC"/playbooks/*; do
	git -C "$W/playbooks" show "main:$(basename "$f")" 2>/dev/null | cmp -s - "$f" ||
		same="no: $(basename "$f") differs"
done
is "$same" yes "each committed playbook is byte for byte the shipped file"
is "$(git -C "$W/playbooks" status --porcelain 2>&1)" "" \
	"the work tree is checked out and clean, ready to edit"

# the key that signs acknowledgement links: 32 random bytes in hex, owner only
key=$(cat "$W/paging.key" 2>/dev/null)
like "$key" '^[0-9a-f]{64}$' "init writes DIR/paging.key: 64 hex digits"
is "$(stat -c %a "$W/paging.key")" 600 "the paging key is readable by its owner only"
like "$OUT" "paging key +$W/paging.key" "init says where the paging key is"

next=$(printf '%s\n' "$OUT" | sed -n 's/^next: //p')
run env PATH="$SITREP_BIN:$PATH" bash -c "$next"
is_rc 0 "the 'next:' command init suggests works ($next)"

# ------------------------------------------------------------ init again

conf_sum=$(checksum "$W/sitrep.conf")
db_sum=$(checksum "$W/sitrep.db")
head=$(git -C "$W/playbooks" rev-parse main)

run sitrep init "$W"
is_rc 1 "init over a workspace without --force is refused (exit 1)"
like "$ERR" "^sitrep: .*--force" "the refusal names --force"
is "$OUT" "" "a refused init prints nothing on stdout"
is "$(checksum "$W/sitrep.conf")" "$conf_sum" "a refused init leaves the config alone"
is "$(checksum "$W/sitrep.db"):$(git -C "$W/playbooks" rev-parse main)" \
	"$db_sum:$head" "a refused init leaves the database and playbooks alone"

# Local changes that --force must keep (history, data) or undo (config).
echo "# a local edit" >>"$W/sitrep.conf"
sed -i 's/^title *=.*/title = "Outage, edited";/' "$W/playbooks/outage.playbook"
git_commit "$W/playbooks" "Retitle outage"
head=$(git -C "$W/playbooks" rev-parse main)
sqlite3 "$W/sitrep.db" 'CREATE TABLE t0001_marker(x); INSERT INTO t0001_marker VALUES (42);'

run sitrep init --force "$W"
is_rc 0 "init --force over a workspace exits 0"
like "$OUT" "playbooks +$W/playbooks \(kept" "init --force says it kept the playbook repository"
is "$(checksum "$W/sitrep.conf")" "$conf_sum" "init --force rewrites the config"
is "$(git -C "$W/playbooks" rev-list --count main 2>&1)" 2 \
	"init --force keeps the playbook history (same commit count)"
is "$(git -C "$W/playbooks" rev-parse main 2>&1)" "$head" \
	"init --force keeps the playbook branch head"
is "$(sqlite3 "$W/sitrep.db" 'SELECT x FROM t0001_marker' 2>&1)" 42 \
	"init --force keeps the database's data"
is "$(sqlite3 "$W/sitrep.db" 'PRAGMA user_version')" 16 \
	"the kept database is at the current schema"
is "$(cat "$W/paging.key")" "$key" "init --force keeps the paging key (links already sent still work)"
like "$OUT" "paging key +$W/paging.key \(kept" "init --force says it kept the paging key"

mkdir "$TEST_TMP/here"
run in_dir "$TEST_TMP/here" sitrep init
is_rc 0 "init with no DIR exits 0"
ok "init with no DIR makes the workspace in the current directory" \
	test -f "$TEST_TMP/here/sitrep.conf" -a -f "$TEST_TMP/here/sitrep.db" \
	     -a -d "$TEST_TMP/here/playbooks"

run sitrep init "$TEST_TMP/slash/"
is_rc 0 "init DIR/ (with a trailing slash) exits 0"
ok "init DIR/ makes the whole workspace, playbook repository included" \
	test -f "$TEST_TMP/slash/sitrep.conf" -a -d "$TEST_TMP/slash/playbooks/.git"

run sitrep init "$TEST_TMP/a" "$TEST_TMP/b"
is_rc 2 "init with two directories is a usage error (exit 2)"
like "$ERR" "^sitrep: .*"$'\n'"usage: sitrep init" "a usage error shows the usage"

run sitrep init "$TEST_TMP/no/such/parent"
is_rc 3 "init under a missing parent directory is a system failure (exit 3)"
like "$ERR" "^sitrep: cannot create '$TEST_TMP/no/such/parent'" \
	"and says which directory it could not create"

# ------------------------------------------------------------ global options

run sitrep --version
is_rc 0 "--version exits 0"
like "$OUT" "^sitrep [0-9]+\.[0-9]+\.[0-9]+" "--version prints the version"

run sitrep --help
is_rc 0 "--help exits 0"
ok "--help lists init and playbook" eval \
	'has_line "$OUT" "^ +init " && has_line "$OUT" "^ +playbook "'

is "$(printf '%s\n' "$OUT" | sed -n '/^Commands:$/,/^$/p' | sed '1d;$d' | grep -v '^  [a-z]')" "" \
	"--help gives each command one line in its Commands list"

run sitrep init --help
is_rc 0 "init --help exits 0"
like "$OUT" "^usage: sitrep init \[DIR\]" "init --help shows init's usage"

run sitrep nosuchcmd
is_rc 2 "an unknown command is a usage error (exit 2)"
like "$ERR" "^sitrep: unknown command 'nosuchcmd'" "and is named as unknown"

run sitrep
is_rc 2 "no command at all is a usage error (exit 2)"
like "$ERR" "^usage: sitrep " "and prints the usage on stderr"

run in_dir "$W" sitrep playbook list
full=$OUT
run in_dir "$W" sitrep play list
is_rc 0 "an unambiguous prefix runs the command (play list)"
is "$OUT" "$full" "'sitrep play list' prints what 'sitrep playbook list' does"

# ------------------------------------------------------------ config discovery

# The 'playbook list' from the workspace directory is the reference.
run in_dir "$W" sitrep playbook list
is_rc 0 "./sitrep.conf is found in the current directory"
is "$(lines "$OUT")" 7 "playbook list prints a header and the 6 playbooks"
ref=$OUT

run in_dir "$EMPTY" env SITREP_CONFIG="$W/sitrep.conf" "$SITREP_BIN/sitrep" playbook list
is_rc 0 "\$SITREP_CONFIG is used from another directory"
is "$OUT" "$ref" "\$SITREP_CONFIG reads the same workspace"

run in_dir "$EMPTY" sitrep -c "$W/sitrep.conf" playbook list
is_rc 0 "-c FILE before the command is used"
is "$OUT" "$ref" "-c FILE reads the same workspace"

run in_dir "$EMPTY" sitrep playbook list --config "$W/sitrep.conf"
is "$RC:$OUT" "0:$ref" "--config FILE after the subcommand is used"

run in_dir "$EMPTY" env SITREP_CONFIG="$TEST_TMP/nothere.conf" \
	"$SITREP_BIN/sitrep" -c "$W/sitrep.conf" playbook list
is "$RC:$OUT" "0:$ref" "-c FILE wins over \$SITREP_CONFIG"

run in_dir "$EMPTY" env SITREP_CONFIG="$TEST_TMP/nothere.conf" "$SITREP_BIN/sitrep" playbook list
is_rc 1 "a missing \$SITREP_CONFIG file is refused (exit 1)"
like "$ERR" "^sitrep: .*'$TEST_TMP/nothere.conf'.*SITREP_CONFIG" \
	"the message names the file and \$SITREP_CONFIG"

run in_dir "$EMPTY" sitrep -c "$TEST_TMP/nothere.conf" playbook list
is_rc 1 "a missing -c FILE is refused (exit 1)"
like "$ERR" "^sitrep: .*'$TEST_TMP/nothere.conf'" "the message names the file"

mkdir "$TEST_TMP/xdg"
sitrep init "$TEST_TMP/xdg/sitrep" >/dev/null 2>&1
mkdir "$TEST_TMP/xdghome"
run in_dir "$EMPTY" env HOME="$TEST_TMP/xdghome" XDG_CONFIG_HOME="$TEST_TMP/xdg" \
	"$SITREP_BIN/sitrep" playbook list
is_rc 0 "\$XDG_CONFIG_HOME/sitrep/sitrep.conf is found"
is "$(lines "$OUT")" 7 "and lists that workspace's playbooks"

mkdir -p "$TEST_TMP/home2/.config"
sitrep init "$TEST_TMP/home2/.config/sitrep" >/dev/null 2>&1
run in_dir "$EMPTY" env HOME="$TEST_TMP/home2" "$SITREP_BIN/sitrep" playbook list
is "$RC:$(lines "$OUT")" "0:7" "without \$XDG_CONFIG_HOME, \$HOME/.config/sitrep/sitrep.conf is found"

if [ -e /etc/sitrep/sitrep.conf ]; then
	skip 2 "/etc/sitrep/sitrep.conf exists on this machine"
else
	run in_dir "$EMPTY" env HOME="$TEST_TMP/xdghome" "$SITREP_BIN/sitrep" playbook list
	is_rc 1 "with no config anywhere, playbook list is refused (exit 1)"
	like "$ERR" "^sitrep: .*'sitrep init" "and the message says to run 'sitrep init'"
fi

# ------------------------------------------------------------ a config problem

W3="$TEST_TMP/ws3"
sitrep init "$W3" >/dev/null 2>&1
echo 'bogus = 1;' >>"$W3/sitrep.conf"
line=$(grep -n '^bogus = 1;' "$W3/sitrep.conf" | cut -d: -f1)
run in_dir "$W3" sitrep playbook list
is_rc 1 "a config with an unknown setting is refused (exit 1)"
ok "the problem is reported as sitrep.conf:$line: unknown setting 'bogus'" \
	has_line "$ERR" "^(.*/)?sitrep\.conf:$line: unknown setting 'bogus'"
like "$ERR" "sitrep: the site config .* has 1 problem" "and summed up on the last line"
is "$OUT" "" "nothing is listed from a broken config"

# ------------------------------------------------------------ valgrind

if ! valgrind_usable; then
	skip 3 "$VALGRIND_WHY"
else
	vg=(valgrind --leak-check=full --error-exitcode=99 -q)
	run "${vg[@]}" "$SITREP_BIN/sitrep" init "$TEST_TMP/vg"
	is_rc 0 "valgrind: init is clean"
	run in_dir "$TEST_TMP/vg" "${vg[@]}" "$SITREP_BIN/sitrep" playbook list
	is_rc 0 "valgrind: playbook list is clean"
	run in_dir "$TEST_TMP/vg" "${vg[@]}" "$SITREP_BIN/sitrep" playbook show outage
	is_rc 0 "valgrind: playbook show outage is clean"
fi
