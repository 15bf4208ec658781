#!/usr/bin/env bash
# bench/compare.sh: the same benchmarks, in one run on one machine, for two
# builds: BEFORE and AFTER are folders holding sitrep and sitrepd (for
# example a build of an older commit kept aside, and ./build). Each named
# benchmark runs ROUNDS times (default 2) for each build, taking turns
# (before, after, before, after...) so that the machine's drift falls on
# both; the lines each prints with a ratio or a target are shown under the
# build's name. A benchmark, not a test: exits 0 unless one failed to run.
#
#   bench/compare.sh /work/base-bin build bench/fanout.sh bench/statuspage.sh
#   ROUNDS=3 NSUB=20000 bench/compare.sh OLD NEW bench/fanout.sh
set -euo pipefail
die() { echo "compare.sh: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: bench/compare.sh BEFORE_DIR AFTER_DIR BENCH..."
before=$(cd "$1" && pwd) || die "no folder $1"
after=$(cd "$2" && pwd) || die "no folder $2"
shift 2
for d in "$before" "$after"; do
	[ -x "$d/sitrep" ] && [ -x "$d/sitrepd" ] || die "no sitrep and sitrepd in $d"
done
rounds=${ROUNDS:-2}
failed=0
for b in "$@"; do
	[ -f "$b" ] || die "no benchmark $b"
	echo "== $b"
	for r in $(seq 1 "$rounds"); do
		for side in before after; do
			dir=$before
			[ $side = after ] && dir=$after
			out=$(SITREP_BIN=$dir bash "$b" 2>&1) || { failed=1; echo "$out" | tail -5; }
			# the summary lines: ratios and targets
			echo "$out" | grep -Ei 'ratio|target|/git|x nginx|x wrk|PASS|MISS' |
				sed "s/^/  round $r $side: /"
		done
	done
done
exit $failed
