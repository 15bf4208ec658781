#!/usr/bin/env bash
# bench/incident.sh: how fast the incident commands are. `sitrep open`,
# `sitrep role take` and `sitrep show` against `git show HEAD:outage.playbook`
# on the shipped playbooks, and `sitrep list` with 100,000 closed incidents in
# the store against the same with 100.
#
# A benchmark, not a test: it prints the median wall times and the ratios
# against the targets (open, role take, show and list <= 1.5x git show;
# list with 100,000 closed incidents <= 2x list with 100, because open
# incidents are found through an index, not a scan) and exits 0 either way;
# non-zero only when something failed to run.
#
#   SITREP_BIN  the directory holding sitrep (default ./build; built if missing)
#   RUNS        timed runs of each command (default 25, at least 20 advised)
#   BENCH_KEEP  set to keep the generated workspaces (their path is printed)
#
# Usage: bench/incident.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SITREP_BIN:-$here/build}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
runs=${RUNS:-25}
nsmall=100       # closed incidents in workspace A
nlarge=100000    # closed incidents in workspace B
nopen=5          # open incidents in both, opened through the CLI

die() { echo "bench/incident.sh: $*" >&2; exit 1; }

case $runs in ''|*[!0-9]*) die "RUNS must be a number (got '$runs')" ;; esac
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$runs" -ge 20 ] || echo "note: RUNS=$runs; at least 20 give a steadier median" >&2
command -v git >/dev/null || die "git is not installed"
command -v python3 >/dev/null || die "python3 is not installed"
command -v sqlite3 >/dev/null || die "sqlite3 (the shell) is not installed; it fills the stores"

if [ ! -x "$bin/sitrep" ]; then
	[ "$(cd "$bin" 2>/dev/null && pwd || echo "$bin")" = "$here/build" ] ||
		die "no sitrep in SITREP_BIN=$bin (make builds only $here/build)"
	echo "building sitrep (make)..." >&2
	make -C "$here" >&2 || die "make failed"
fi
sitrep=$bin/sitrep
[ -x "$sitrep" ] || die "no executable $sitrep"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	echo "keeping the workspaces in $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# Three workspaces from `sitrep init`, each with the shipped playbooks:
#   ws  open, role take and show (and git show, on its playbook repository)
#   a   list, with $nsmall closed incidents and $nopen open ones
#   b   list, with $nlarge closed incidents and the same $nopen open ones
for w in ws a b; do
	"$sitrep" init "$tmp/$w" >/dev/null || die "sitrep init $tmp/$w failed"
	[ -f "$tmp/$w/playbooks/outage.playbook" ] || die "sitrep init did not seed outage.playbook"
done
conf=$tmp/ws/sitrep.conf
repo=$tmp/ws/playbooks

# Incidents for `role take`: one fresh incident per timed run and one for the
# warm-up round, so every take succeeds on an incident nobody holds sme on
# (sme allows 6 holders; each incident gets exactly one take of it). INC-1 is
# also the one `show` prints: give it a commander and a step done, so show
# has rows to read, and take its sme role once here (the warm-up's take is
# on INC-2). Untimed.
nprep=$((runs + 2))
for ((k = 1; k <= nprep; k++)); do
	out=$("$sitrep" -c "$conf" --as alice open outage --title "prepared incident $k") ||
		die "preparing incident $k failed"
	case $out in "INC-$k opened from outage@"*) ;; *) die "unexpected open output: $out" ;; esac
done
"$sitrep" -c "$conf" --as alice role take INC-1 commander >/dev/null || die "role take commander failed"
"$sitrep" -c "$conf" --as carol role take INC-1 sme >/dev/null || die "role take sme failed"
"$sitrep" -c "$conf" --as alice step INC-1 "done" declare >/dev/null || die "step done failed"

# The list workspaces. The closed incidents go in by SQL, in one statement:
# opening and closing 100,000 through the CLI would take long and test
# nothing the benchmark measures. They look like the CLI's: the outage
# playbook pinned to the real head commit, SEV3, opened by alice, times in
# ms, opened a minute apart over the past, resolved an hour and closed a day
# after. No events, components or roles: `list` without --all reads none of
# them for closed incidents. The open incidents then come through the CLI,
# so they are the newest ids, as in a store that has been in use.
fill() { # fill WORKSPACE NCLOSED
	local w=$1 n=$2 sha now
	sha=$(git -C "$w/playbooks" rev-parse --verify "main^{commit}") ||
		die "no main branch in $w/playbooks"
	now=$(python3 -c 'import time; print(int(time.time() * 1000))')
	sqlite3 -bail "$w/sitrep.db" <<-EOF >/dev/null || die "cannot insert closed incidents into $w/sitrep.db"
		PRAGMA busy_timeout = 10000;
		BEGIN;
		WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < $n)
		INSERT INTO incidents (playbook, playbook_commit, title, severity, status,
		    opened_by, opened_at, updated_at, resolved_at, closed_at)
		SELECT 'outage', '$sha', 'closed incident ' || k, 'SEV3', 'closed', 'alice',
		    $now - ($n - k + 2880) * 60000,
		    $now - ($n - k + 1440) * 60000,
		    $now - ($n - k + 2820) * 60000,
		    $now - ($n - k + 1440) * 60000
		FROM seq;
		COMMIT;
		PRAGMA wal_checkpoint(TRUNCATE);
	EOF
	for ((k = 1; k <= nopen; k++)); do
		"$sitrep" -c "$w/sitrep.conf" --as alice open outage --title "open incident $k" \
			>/dev/null || die "opening incident $k in $w failed"
	done
	# The CLI must have pinned the same commit the SQL did.
	local pinned
	pinned=$(sqlite3 "$w/sitrep.db" "SELECT count(DISTINCT playbook_commit) || ' ' ||
	    max(playbook_commit) FROM incidents")
	[ "$pinned" = "1 $sha" ] || die "the incidents in $w pin other commits than $sha: $pinned"
}
fill "$tmp/a" "$nsmall"
fill "$tmp/b" "$nlarge"

# Sanity counts: a header line plus one line per incident.
for w in a b; do
	case $w in a) n=$nsmall ;; *) n=$nlarge ;; esac
	open_lines=$("$sitrep" -c "$tmp/$w/sitrep.conf" list | wc -l)
	all_lines=$("$sitrep" -c "$tmp/$w/sitrep.conf" list --all | wc -l)
	echo "workspace $w: $n closed + $nopen open incidents;" \
		"'sitrep list | wc -l' = $open_lines, 'sitrep list --all | wc -l' = $all_lines"
	[ "$open_lines" -eq $((nopen + 1)) ] || die "sitrep list in $w printed $open_lines lines, not $((nopen + 1))"
	[ "$all_lines" -eq $((n + nopen + 1)) ] ||
		die "sitrep list --all in $w printed $all_lines lines, not $((n + nopen + 1))"
done
echo "$("$sitrep" --version), $(git --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1);" \
	"$runs runs each, interleaved"

# The timing harness: one warm-up round, then $runs rounds each running the
# six commands once, in an order that rotates per round so noise and cache
# effects fall on all of them alike. Wall time per run from perf_counter
# around fork, exec and wait; output goes to /dev/null. `open` adds an
# incident to ws each run; `role take` takes sme on INC-2 in the warm-up and
# INC-(r+3) in round r, each prepared above.
python3 - "$runs" "$sitrep" "$conf" "$repo" "$tmp/a/sitrep.conf" "$tmp/b/sitrep.conf" \
	"$nsmall" "$nlarge" <<'EOF' || die "the timing runs failed"
import statistics, subprocess, sys, time

runs, sitrep, conf, repo, conf_a, conf_b = int(sys.argv[1]), *sys.argv[2:7]
nsmall, nlarge = int(sys.argv[7]), int(sys.argv[8])
GIT = "git show HEAD:outage.playbook"
OPEN, TAKE, SHOW = "sitrep open outage", "sitrep role take INC-k sme", "sitrep show INC-1"
LIST_A = "sitrep list (%d closed)" % nsmall
LIST_B = "sitrep list (%d closed)" % nlarge
# Each command is a function of the round (-1 for the warm-up).
cmds = [
    (GIT, lambda r: ["git", "-C", repo, "show", "HEAD:outage.playbook"]),
    (OPEN, lambda r: [sitrep, "-c", conf, "--as", "alice", "open", "outage", "--title", "T"]),
    (TAKE, lambda r: [sitrep, "-c", conf, "--as", "bob", "role", "take", "INC-%d" % (r + 3), "sme"]),
    (SHOW, lambda r: [sitrep, "-c", conf, "show", "INC-1"]),
    (LIST_A, lambda r: [sitrep, "-c", conf_a, "list"]),
    (LIST_B, lambda r: [sitrep, "-c", conf_b, "list"]),
]
times = {label: [] for label, _ in cmds}

def run(label, argv):
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t = time.perf_counter() - t
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit("'%s' exited %d" % (" ".join(argv), p.returncode))
    return t

for label, argv in cmds:
    run(label, argv(-1))
for r in range(runs):
    for k in range(len(cmds)):
        label, argv = cmds[(r + k) % len(cmds)]
        times[label].append(run(label, argv(r)))

med = {label: statistics.median(v) * 1000 for label, v in times.items()}
print("median wall time over %d runs (ms; min .. max):" % runs)
for label, _ in cmds:
    v = times[label]
    print("  %-32s %8.2f   (%.2f .. %.2f)" % (label, med[label], min(v) * 1000, max(v) * 1000))
base = med[GIT]
ratios = [
    ("open/git-show", "open", med[OPEN] / base, 1.5),
    ("role-take/git-show", "role take", med[TAKE] / base, 1.5),
    ("show/git-show", "show", med[SHOW] / base, 1.5),
    ("list-%d/git-show" % nlarge, "list", med[LIST_B] / base, 1.5),
    ("list-%d/list-%d" % (nlarge, nsmall), "list", med[LIST_B] / med[LIST_A], 2),
]
for name, _, ratio, target in ratios:
    print("%s = %.2f (target <= %g)" % (name, ratio, target))
for name, what, ratio, target in ratios:
    print("%s: %s" % (name, "PASS" if ratio <= target else "MISS"))
EOF
