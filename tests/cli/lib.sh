# lib.sh: what the CLI tests share: a small TAP producer (plan, ok, is,
# like, skip), running a command with its output and exit code captured, a
# temporary workspace removed on exit, and git repositories with
# deterministic commits. Source it first from every tests/cli/t*.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	plan 3
#	tmp_workspace
#	run sitrep --version
#	is_rc 0 "--version exits 0"
#
# The scripts run under `prove -e bash tests/cli/t*.sh` with SITREP_BIN (the
# directory holding sitrep and sitrepd) and SITREP_SRC (the project root).
# SITREP_TEST_KEEP=1 keeps the temporary directory for a post-mortem.

if [ -z "${SITREP_BIN:-}" ] || [ ! -x "$SITREP_BIN/sitrep" ]; then
	echo "1..0 # SKIP SITREP_BIN must name the directory holding the sitrep binary"
	exit 0
fi
if [ -z "${SITREP_SRC:-}" ] || [ ! -d "$SITREP_SRC/playbooks" ]; then
	echo "1..0 # SKIP SITREP_SRC must name the sitrep source tree"
	exit 0
fi
SITREP_BIN=$(cd "$SITREP_BIN" && pwd)
SITREP_SRC=$(cd "$SITREP_SRC" && pwd)
export SITREP_BIN SITREP_SRC

# Nothing from the caller's environment may pick a config or a person.
unset SITREP_CONFIG SITREP_USER XDG_CONFIG_HOME
export LC_ALL=C TZ=UTC
export GIT_CONFIG_NOSYSTEM=1

# ---------------------------------------------------------------- TAP

_tap_planned=
_tap_run=0
_tap_failed=0

# plan N: print the plan line; call it once, before the first test.
plan() {
	_tap_planned=$1
	echo "1..$1"
}

# diag MSG...: a comment on stderr, one "# " line per line of MSG.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /' >&2
}

_tap_desc() {
	# A "#" in a description would start a TAP directive.
	printf '%s' "$1" | tr '\n' ' ' | sed 's/#/\\#/g'
}

# pass DESC / fail DESC: record one test.
pass() {
	_tap_run=$((_tap_run + 1))
	echo "ok $_tap_run - $(_tap_desc "$1")"
}

fail() {
	_tap_run=$((_tap_run + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_run - $(_tap_desc "$1")"
	diag "  Failed test '$1'" "at $(_tap_where)"
}

# The test script's file and line that called into this library.
_tap_where() {
	local i
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[i]}" != "${BASH_SOURCE[0]}" ]; then
			echo "${BASH_SOURCE[i]} line ${BASH_LINENO[i - 1]}"
			return
		fi
	done
	echo "$0"
}

# ok DESC CMD [ARGS...]: passes when CMD exits 0.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
		diag "  command failed: $*"
		return 1
	fi
}

# is GOT EXPECTED DESC: string equality.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "         got: '$1'"
		diag "    expected: '$2'"
		return 1
	fi
}

# isnt GOT UNEXPECTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "         got: '$1'"
		diag "    expected: anything else"
		return 1
	fi
}

# like GOT ERE DESC: GOT matches the extended regular expression ERE (bash
# =~, so "^" and "$" anchor the whole text, not a line; use (^|$'\n')).
like() {
	if [[ $1 =~ $2 ]]; then
		pass "$3"
	else
		fail "$3"
		diag "                  '$1'"
		diag "    doesn't match '$2'"
		return 1
	fi
}

# unlike GOT ERE DESC
unlike() {
	if [[ $1 =~ $2 ]]; then
		fail "$3"
		diag "                  '$1'"
		diag "          matches '$2'"
		return 1
	else
		pass "$3"
	fi
}

# skip N REASON: record N skipped tests.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_run=$((_tap_run + 1))
		echo "ok $_tap_run # SKIP $2"
	done
}

# bail REASON: stop the whole run (a test's precondition failed).
bail() {
	echo "Bail out! $*"
	exit 255
}

# now_ms: the time in milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# wait_until SECS CMD...: run CMD every 50 ms until it succeeds (return 0).
# When SECS pass first, say loudly what was waited for and where (a diag
# line naming the condition and the script's line) and return 1. Every wait
# in the tests is for a condition: give it a generous bound (the suite must
# pass with both cores busy) and act on its failure (`|| bail ...` or as the
# command of an `ok`).
wait_until() {
	local secs=$1 end=$(($(date +%s%3N) + $1 * 1000))
	shift
	while ! "$@"; do
		if [ "$(date +%s%3N)" -ge "$end" ]; then
			diag "  gave up after ${secs} s waiting for: $* (at $(_tap_where))"
			return 1
		fi
		sleep 0.05
	done
}

# start_sitrepd: sitrepd on $W/sitrep.conf in the background (SPID), its
# log in $SLOG (a new file each start); waits up to 60 s for "status page:
# http://HOST:PORT/" and leaves BASE (http://HOST:PORT). A test that needs
# more (a proxy, a listener of its own) defines its own.
start_sitrepd() {
	local i line
	SLOG="$TEST_TMP/sitrepd.log"
	"$SITREP_BIN/sitrepd" -c "$W/sitrep.conf" 2>"$SLOG" </dev/null &
	SPID=$!
	for ((i = 0; i < 1200; i++)); do
		line=$(grep -Eo 'status page: http://.*:[0-9]+/$' "$SLOG" | tail -n 1)
		if [ -n "$line" ]; then
			BASE=$(sed -E 's|^status page: (http://.*:[0-9]+)/$|\1|' <<<"$line")
			return 0
		fi
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	diag "sitrepd did not start: $(cat "$SLOG")"
	return 1
}

# stop_sitrepd: SIGTERM to the sitrepd start_sitrepd started, and wait.
stop_sitrepd() {
	if [ -n "${SPID:-}" ]; then
		kill -TERM "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		SPID=
	fi
}

# pytap N SCRIPT ARGS...: run a Python check that prints one line per test,
# "ok<TAB>DESC" or "not ok<TAB>DESC<TAB>WHY", and record them: N tests, the
# ones it did not get to (it crashed) as failures; anything else it prints
# is a diagnostic.
pytap() {
	local n=$1 got=0 line desc why
	shift
	while IFS= read -r line; do
		case "$line" in
		"ok	"*)
			pass "${line#ok	}"
			got=$((got + 1))
			;;
		"not ok	"*)
			line=${line#not ok	}
			desc=${line%%	*}
			why=${line#*	}
			fail "$desc"
			diag "    $why"
			got=$((got + 1))
			;;
		*)
			diag "$line"
			;;
		esac
	done < <(/usr/bin/python3 "$@" 2>&1)
	while [ "$got" -lt "$n" ]; do
		fail "a Python check that did not run (see the diagnostics above)"
		got=$((got + 1))
	done
}

# ---------------------------------------------------------------- commands

# sitrep ARGS...: the binary under test.
sitrep() {
	"$SITREP_BIN/sitrep" "$@"
}

# run CMD [ARGS...]: run CMD with stdin from /dev/null, leaving its exit
# code in RC, its stdout in OUT and its stderr in ERR (trailing newlines
# removed). Never fails, whatever CMD does.
run() {
	local o="$TEST_TMP/.run.out" e="$TEST_TMP/.run.err"
	RC=0
	"$@" >"$o" 2>"$e" </dev/null || RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
}

# is_rc EXPECTED DESC: the last run's exit code; shows its output on failure.
is_rc() {
	if [ "$RC" = "$1" ]; then
		pass "$2"
	else
		fail "$2"
		diag "    exit code: $RC, expected $1"
		diag "    stdout: $OUT"
		diag "    stderr: $ERR"
		return 1
	fi
}

# lines TEXT: the number of lines in TEXT (0 for empty).
lines() {
	if [ -z "$1" ]; then
		echo 0
	else
		printf '%s\n' "$1" | wc -l | tr -d ' '
	fi
}

# quotemeta STR: STR with every ERE special character escaped, to match
# itself literally inside a pattern for like or has_line.
quotemeta() {
	printf '%s' "$1" | sed 's/[][\.|$(){}?+*^]/\\&/g'
}

# has_line TEXT ERE: TEXT has a line matching ERE (grep -E).
has_line() {
	printf '%s\n' "$1" | grep -Eq -- "$2"
}

# checksum FILE
checksum() {
	sha256sum "$1" | cut -d' ' -f1
}

# ---------------------------------------------------------------- workspace

_lib_exit() {
	local rc=$?
	if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP" ]; then
		if [ -n "${SITREP_TEST_KEEP:-}" ]; then
			diag "kept $TEST_TMP"
		else
			rm -rf "$TEST_TMP"
		fi
	fi
	if [ "$rc" = 255 ]; then
		exit 255
	fi
	if [ -n "$_tap_planned" ] && [ "$_tap_run" != "$_tap_planned" ]; then
		diag "Looks like you planned $_tap_planned tests but ran $_tap_run."
		exit 255
	fi
	if [ "$_tap_failed" -gt 0 ]; then
		diag "Looks like you failed $_tap_failed test(s) of $_tap_run."
		exit $((_tap_failed > 254 ? 254 : _tap_failed))
	fi
	exit "$rc"
}
trap _lib_exit EXIT
trap 'exit 130' INT TERM HUP

# tmp_workspace: make a fresh temporary directory, TEST_TMP, removed when the
# script exits (however it exits), and point HOME at an empty directory in
# it, so that no config or git identity of the caller's leaks in.
tmp_workspace() {
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-test.XXXXXX") ||
		bail "cannot make a temporary directory"
	trap _lib_exit EXIT
	mkdir "$TEST_TMP/home"
	HOME="$TEST_TMP/home"
	export TEST_TMP HOME
}

# ---------------------------------------------------------------- git

# Commits made by git_commit are dated GIT_EPOCH + one hour per commit, by
# the same author, so a script's repositories, and their SHAs, are the same
# on every run. The epoch is later than "now" so that the commit dates agree
# with the order of the commits after a seed commit sitrep made today.
GIT_EPOCH=2000000000
GIT_SEQ=0
GIT_NAME="Sitrep Test"
GIT_EMAIL="test@sitrep.invalid"

# git_t ARGS...: git with a fixed identity and no surprises from config.
git_t() {
	git -c user.name="$GIT_NAME" -c user.email="$GIT_EMAIL" \
	    -c init.defaultBranch=main -c commit.gpgsign=false \
	    -c core.autocrlf=false -c advice.detachedHead=false "$@"
}

# git_date N: the date of the Nth deterministic commit, in git's raw format.
git_date() {
	echo "$((GIT_EPOCH + $1 * 3600)) +0000"
}

# git_commit DIR SUBJECT: stage every change in the work tree DIR and commit
# it at the next deterministic date. Prints nothing; fails when git does.
git_commit() {
	local when
	GIT_SEQ=$((GIT_SEQ + 1))
	when=$(git_date "$GIT_SEQ")
	git_t -C "$1" add -A &&
		GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when \
		git_t -C "$1" commit -q -m "$2"
}

# ------------------------------------------------- the incident store

# store_state: a digest of every incident row in ./sitrep.db, so a test can
# show that a refused command changed nothing.
store_state() {
	printf '%s incidents, %s events, rows %s' \
		"$(sqlite3 sitrep.db 'SELECT count(*) FROM incidents')" \
		"$(sqlite3 sitrep.db 'SELECT count(*) FROM events')" \
		"$(sqlite3 sitrep.db 'SELECT * FROM incidents ORDER BY id;
			SELECT * FROM incident_components ORDER BY incident_id, component;
			SELECT * FROM incident_roles ORDER BY incident_id, role, person;
			SELECT * FROM incident_steps ORDER BY incident_id, step;
			SELECT * FROM pages ORDER BY id;
			SELECT id, hash FROM events ORDER BY id' | sha256sum | cut -c1-12)"
}

# refused RC ERE DESC CMD...: CMD exits RC, says why on stderr (ERE), and
# leaves the store as it was. Three tests.
refused() {
	local rc=$1 re=$2 desc=$3 before
	shift 3
	before=$(store_state)
	run "$@"
	is_rc "$rc" "$desc (exit $rc)"
	like "$ERR" "$re" "$desc: the message says why"
	is "$(store_state)" "$before" "$desc: the store is unchanged"
}

# events N: the number of events of INC-N.
events() {
	sqlite3 sitrep.db "SELECT count(*) FROM events WHERE incident_id = $1"
}

# valgrind_usable: whether leak checks can run: valgrind is installed and
# SITREP_BIN is not a sanitizer build (ASan and valgrind do not mix). When
# not, VALGRIND_WHY says why, for skip.
valgrind_usable() {
	if ! command -v valgrind >/dev/null 2>&1; then
		VALGRIND_WHY="valgrind is not installed"
		return 1
	fi
	case "$SITREP_BIN" in
	*-san) VALGRIND_WHY="SITREP_BIN is a sanitizer build"; return 1 ;;
	esac
	if command -v nm >/dev/null 2>&1 &&
	   { nm "$SITREP_BIN/sitrep" 2>/dev/null; nm -D "$SITREP_BIN/sitrep" 2>/dev/null; } |
	   grep -q __asan_init; then
		VALGRIND_WHY="SITREP_BIN is a sanitizer build"
		return 1
	fi
	return 0
}
