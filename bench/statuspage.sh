#!/usr/bin/env bash
# bench/statuspage.sh: how fast sitrepd serves the public status API.
# wrk GETs /api/v2/summary.json from sitrepd, and the same bytes (fetched
# from sitrepd once with curl and saved) from nginx serving them as a file,
# with the same connections and duration, in the same run; then sitrepd's
# rate with 100,000 resolved incidents in its history against the same
# with 100.
#
# A benchmark, not a test: it prints the rates, the ratios against the
# targets (sitrepd >= 0.5x nginx; the rate with 100,000 resolved incidents
# within 10 % of the rate with 100) and exits 0 either way; non-zero only
# when something failed to run.
#
# The public state: two workspaces from `sitrep init`, A and B, each with
# the same four open incidents made through the CLI (SEV3, so customer
# updates publish without approval: components set, customer updates
# posted, commander and comms taken, the first steps done and an internal
# update promising the next in an hour, so the scheduler has nothing due
# while the clients run). Their history goes in by SQL before them (so the
# open incidents have the newest ids, the same in both): resolved incidents
# opened 30 minutes apart going back from a day ago, each resolved 45
# minutes after opening with one published customer update (status
# resolved) and one component, and closed two days after resolving (the
# last two days' are still only resolved); a quarter are SEV4, a tenth of
# the closed ones SEV2, the rest SEV3. A holds the newest 100 of them (all
# within the status page's 90-day history), B all 100,000 (about 4,300
# within the 90 days, the rest older). The ids are B's in both, so both
# daemons serve a summary.json of the same size, which differs only in its
# times (the CLI's commands ran milliseconds apart, and the page's times
# are those of its build).
#
# Fairness: nginx runs one worker process, as sitrepd's HTTP server is one
# thread; wrk gets two threads (-t2) and the same -c and -d on every run.
# The runs go nginx, A, B, then B, A, nginx, and again (ROUNDS sets how
# many times each runs). Each rate printed is the median of its runs; each
# ratio is the median of the ratios of runs next to each other (nginx and
# A, A and B, in each round), so that load coming and going on the machine
# moves both sides of a ratio alike. The server's CPU time per request
# (utime + stime from /proc over the run) is printed too, a figure less
# moved than the rate by other load.
#
# Before each sitrepd run the store is touched and one request (untimed)
# rebuilds the daemon's cache, so a run (under a minute) measures the
# cached document; what a rebuild costs (the store changed, or the minute
# the cache lives is up) is measured apart, as the time of the first
# request after a change, and printed with its share of a minute. The
# daemons' own channel (ops-chat, Slack) posts to the same nginx, so
# nothing is left retrying; the store is checked before and after each
# run, and a run during which it changed is flagged. Last, without a
# target, one more run of each daemon while another connection commits
# CHURN_HZ times a second, as the delivery engine and the CLI do during an
# incident: each commit makes the next request rebuild the snapshot.
#
#   SITREP_BIN   the directory holding sitrep and sitrepd (default ./build; built if missing)
#   CONNECTIONS  wrk's connections (default 64)
#   WRK_SECS     length of each wrk run (default 10)
#   NLARGE       resolved incidents in B (default 100000)
#   NSMALL       resolved incidents in A (default 100)
#   CHURN_HZ     commits a second by another connection during one more run
#                of each daemon, printed without a target (default 10; 0: none)
#   ROUNDS       rounds of runs, one run per server each, the order turned
#                round every other round (default 4: nginx A B, B A nginx,
#                nginx A B, B A nginx)
#   BENCH_PERF   set to record sitrepd B under `perf record` (DWARF call
#                graphs) during its first run and print where it spends its time
#   BENCH_KEEP   set to keep the workspaces (their path is printed)
#
# Usage: bench/statuspage.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
conns=${CONNECTIONS:-64}
wrk_secs=${WRK_SECS:-10}
nlarge=${NLARGE:-100000}
nsmall=${NSMALL:-100}
rounds=${ROUNDS:-4}
churn_hz=${CHURN_HZ:-10}
spacing_min=30   # minutes between the openings of the resolved incidents
path=/api/v2/summary.json

bench_numbers CONNECTIONS:conns WRK_SECS:wrk_secs NLARGE:nlarge NSMALL:nsmall ROUNDS:rounds
case $churn_hz in ''|*[!0-9]*) die "CHURN_HZ must be a number (got '$churn_hz')" ;; esac
[ "$nsmall" -le "$nlarge" ] || die "NSMALL must not exceed NLARGE"
[ "$wrk_secs" -lt 60 ] || die "WRK_SECS must be under 60 (the daemon's cache lives a minute)"
bench_tools nginx wrk curl sqlite3 python3 git perf
bench_setup sitrep sitrepd

# ------------------------------------------------------------ nginx

# The reference server: summary.json as a static file, one worker. The
# daemons' Slack channel posts to /hook/ here and gets 200.
ngx_port=$(free_port)
ngx=$tmp/nginx
mkdir -p "$ngx/www/api/v2"
chmod -R 755 "$ngx/www"
nginx_conf "$ngx" "$ngx_port" 1 "sendfile on; open_file_cache max=64 inactive=60s; tcp_nopush on;" \
	"root $ngx/www; location = $path { default_type application/json; }
		location /hook/ { return 200 \"ok\"; }"
nginx_start "$ngx" "$ngx_port" 200
# The workspaces' ops-chat channel (internal, executives) names this
# variable: its notices go to nginx and are sent, not retried.
export SITREP_SLACK_URL=http://127.0.0.1:$ngx_port/hook/slack

# ------------------------------------------------------------ the workspaces

declare -A port
for w in a b; do
	"$sitrep" init "$tmp/$w" >/dev/null || die "sitrep init $tmp/$w failed"
	[ -f "$tmp/$w/playbooks/outage.playbook" ] || die "sitrep init did not seed outage.playbook"
	port[$w]=$(free_port)
	grep -q '^http = { listen = "127.0.0.1:8080"; };' "$tmp/$w/sitrep.conf" ||
		die "the default sitrep.conf has no 'http = { listen = ... }' line to change"
	sed -i "s/^http = { listen = \"127.0.0.1:8080\"; };/http = { listen = \"127.0.0.1:${port[$w]}\"; };/" \
		"$tmp/$w/sitrep.conf"
done
now=$(python3 -c 'import time; print(int(time.time() * 1000))')

# history WORKSPACE N: the newest N of the $nlarge resolved incidents, with
# ids nlarge-N+1 .. nlarge, one published customer update each (its id the
# incident's) and one component.
history() {
	local w=$1 n=$2 sha first
	first=$((nlarge - n + 1))
	sha=$(git -C "$w/playbooks" rev-parse --verify "main^{commit}") ||
		die "no main branch in $w/playbooks"
	sqlite3 -bail "$w/sitrep.db" <<-EOF >/dev/null || die "cannot insert the history into $w/sitrep.db"
		PRAGMA busy_timeout = 10000;
		BEGIN;
		CREATE TEMP TABLE h AS
		WITH RECURSIVE seq(k) AS (SELECT $first UNION ALL SELECT k + 1 FROM seq WHERE k < $nlarge),
		t AS (SELECT k, $now - 86400000 - ($nlarge - k) * $spacing_min * 60000 AS opened FROM seq)
		SELECT k, opened, opened + 2700000 AS resolved,
		    CASE WHEN opened + 2700000 + 2 * 86400000 <= $now
		        THEN opened + 2700000 + 2 * 86400000 END AS closed,
		    CASE k % 5 WHEN 0 THEN 'api' WHEN 1 THEN 'web' WHEN 2 THEN 'auth'
		        WHEN 3 THEN 'payments' ELSE 'email' END AS component,
		    CASE k % 5 WHEN 0 THEN 'Elevated error rates on the public API'
		        WHEN 1 THEN 'Slow page loads in the web application'
		        WHEN 2 THEN 'Login failures for SSO customers'
		        WHEN 3 THEN 'Card payments declined'
		        ELSE 'Delayed e-mail notifications' END AS title
		FROM t;
		INSERT INTO incidents (id, playbook, playbook_commit, title, severity, status,
		    opened_by, opened_at, updated_at, resolved_at, closed_at)
		SELECT k, CASE WHEN k % 3 = 0 THEN 'degraded' ELSE 'outage' END, '$sha', title,
		    CASE WHEN closed IS NOT NULL AND k % 10 = 0 THEN 'SEV2'
		        WHEN k % 4 = 0 THEN 'SEV4' ELSE 'SEV3' END,
		    CASE WHEN closed IS NULL THEN 'resolved' ELSE 'closed' END,
		    'alice', opened, coalesce(closed, resolved), resolved, closed
		FROM h;
		INSERT INTO incident_components (incident_id, component, status)
		SELECT k, component, CASE WHEN k % 2 = 0 THEN 'partial_outage' ELSE 'degraded_performance' END
		FROM h;
		INSERT INTO updates (id, incident_id, kind, audience, status, body, state, author,
		    created_at, published_at)
		SELECT k, k, 'update', 'customers', 'resolved',
		    'This incident is resolved. For 45 minutes, some requests to ' || component ||
		    ' failed or were slow. Everything is working normally now. We are sorry for the'
		    || ' trouble; the review and what we are changing will be published here.',
		    'published', 'bob', resolved, resolved
		FROM h;
		COMMIT;
		PRAGMA wal_checkpoint(TRUNCATE);
	EOF
}
history "$tmp/a" "$nsmall"
history "$tmp/b" "$nlarge"

# The open incidents, through the CLI, in both workspaces one command at a
# time (so their times differ by milliseconds, never by a format's width).
cli() { # cli ARGS...: in both workspaces
	local w
	for w in a b; do
		"$sitrep" -c "$tmp/$w/sitrep.conf" "$@" >/dev/null 2>"$tmp/cli.err" ||
			{ cat "$tmp/cli.err" >&2; die "'sitrep $*' failed in $tmp/$w"; }
	done
}
# open_one PLAYBOOK ID TITLE COMPONENT STATUS: opened SEV3, tended so
# nothing falls due for an hour but its next customer update.
open_one() {
	local pb=$1 id=$2 title=$3 comp=$4 cstatus=$5
	cli --as alice open "$pb" --title "$title" --sev SEV3 --component "$comp"
	cli --as alice role take "$id" commander
	cli --as bob role take "$id" comms
	cli --as alice component "$id" "$comp" "$cstatus"
	for s in declare first-internal assemble status-page; do
		if grep -q "id = \"$s\"" "$tmp/a/playbooks/$pb.playbook"; then
			cli --as alice step "$id" "done" "$s"
		fi
	done
	cli --as bob update "$id" --audience internal --next 1h \
		-m "Working $title. IC alice, comms bob. Next internal update within the hour."
}
first=$((nlarge + 1))
open_one outage "INC-$first" "Elevated error rates on the public API" api partial_outage
cli --as bob update "INC-$first" --audience customers -m "We are investigating elevated error rates on the public API. Some requests fail with 5xx responses; retries may succeed."
cli --as bob update "INC-$first" --audience customers --status identified -m "We have identified a faulty configuration change behind the API errors and are rolling it back."
open_one outage "INC-$((first + 1))" "Login failures for SSO customers" auth major_outage
cli --as bob update "INC-$((first + 1))" --audience customers -m "Customers who sign in with SSO cannot log in. Password logins work. We are working with our identity provider."
open_one degraded "INC-$((first + 2))" "Slow page loads in the web application" web degraded_performance
cli --as bob update "INC-$((first + 2))" --audience customers -m "Pages in the web application load slowly for some customers. We are investigating."
cli --as bob update "INC-$((first + 2))" --audience customers --status identified -m "A database replica is overloaded. We are moving traffic away from it."
cli --as bob update "INC-$((first + 2))" --audience customers --status monitoring -m "Traffic has moved and page loads are back to normal. We are monitoring."
open_one outage "INC-$((first + 3))" "Delayed e-mail notifications" email degraded_performance
cli --as bob update "INC-$((first + 3))" --audience customers -m "E-mail notifications are delayed by up to 20 minutes. No messages are lost."

for w in a b; do
	case $w in a) n=$nsmall ;; *) n=$nlarge ;; esac
	read -r got recent open_n < <(sqlite3 -separator ' ' "$tmp/$w/sitrep.db" \
		"SELECT count(*) FILTER (WHERE status IN ('resolved', 'closed')),
		 count(*) FILTER (WHERE status IN ('resolved', 'closed') AND opened_at >= $now - 90 * 86400000),
		 count(*) FILTER (WHERE status NOT IN ('resolved', 'closed')) FROM incidents") ||
		die "cannot count the incidents in $tmp/$w"
	[ "$got" = "$n" ] || die "$tmp/$w holds $got resolved incidents, not $n"
	[ "$open_n" = 4 ] || die "$tmp/$w holds $open_n open incidents, not 4"
	echo "workspace $w: 4 open incidents; $got resolved, $recent of them opened in the last 90 days"
done

# ------------------------------------------------------------ the daemons

declare -A dpid
start_daemon() { # start_daemon WORKSPACE
	local w=$1 k
	"$sitrepd" -c "$tmp/$w/sitrep.conf" 2>"$tmp/$w/sitrepd.log" &
	dpid[$w]=$!
	daemon_pids+=("${dpid[$w]}")
	for ((k = 0; ; k++)); do
		grep -q "status page: http://127.0.0.1:${port[$w]}/" "$tmp/$w/sitrepd.log" && break
		kill -0 "${dpid[$w]}" 2>/dev/null || { cat "$tmp/$w/sitrepd.log" >&2; die "sitrepd ($w) did not start"; }
		[ "$k" -lt 200 ] || { cat "$tmp/$w/sitrepd.log" >&2; die "sitrepd ($w) said nothing of its status page"; }
		sleep 0.05
	done
}
start_daemon a
start_daemon b

# curl_time WORKSPACE OUT: one GET of summary.json; its time in ms on stdout
curl_time() {
	local w=$1 out=$2 r
	r=$(curl -s -o "$out" -w '%{http_code} %{time_total}' "http://127.0.0.1:${port[$w]}$path") ||
		die "curl of sitrepd ($w) failed"
	[ "${r%% *}" = 200 ] || die "sitrepd ($w) answered $path with ${r%% *}"
	python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) * 1000))" "${r#* }"
}

# The first request builds the snapshot (and renders summary.json): time
# it cold, after letting the scheduler's first pass and any delivery end.
sleep 1
declare -A cold size
for w in a b; do
	cold[$w]=$(curl_time $w "$tmp/$w/summary.json")
	size[$w]=$(wc -c <"$tmp/$w/summary.json")
done
cp "$tmp/a/summary.json" "$ngx/www/api/v2/summary.json"
chmod 644 "$ngx/www/api/v2/summary.json"
ngx_size=$(curl -s "http://127.0.0.1:$ngx_port$path" | wc -c)
[ "$ngx_size" = "${size[a]}" ] || die "nginx serves $ngx_size bytes, not the ${size[a]} saved"
ninc_a=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["incidents"]))' "$tmp/a/summary.json")
ninc_b=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["incidents"]))' "$tmp/b/summary.json")
{ [ "$ninc_a" = 4 ] && [ "$ninc_b" = 4 ]; } ||
	die "summary.json lists $ninc_a (A) and $ninc_b (B) incidents, not 4"

# A rebuild: a commit from another connection that changes nothing (a row
# added and removed in one transaction) moves data_version; the next
# request rebuilds the snapshot. Five times each, the median kept.
touch_store() {
	sqlite3 "$tmp/$1/sitrep.db" "PRAGMA busy_timeout = 10000; BEGIN;
	    INSERT INTO playbook_summaries VALUES ('bench', 'bench', NULL, 0, 0);
	    DELETE FROM playbook_summaries WHERE blob = 'bench'; COMMIT;" >/dev/null ||
		die "cannot touch the store in $tmp/$1"
}
declare -A rebuild
for w in a b; do
	ts=()
	for ((k = 0; k < 5; k++)); do
		touch_store $w
		ts+=("$(curl_time $w /dev/null)")
	done
	rebuild[$w]=$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p)
	echo "sitrepd $w: summary.json ${size[$w]} bytes; first request (snapshot built) ${cold[$w]} ms;" \
		"first after a store change (median of 5) ${rebuild[$w]} ms; cached $(curl_time $w /dev/null) ms"
done

echo "$("$sitrep" --version), $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)," \
	"$("$nginx" -v 2>&1 | cut -d' ' -f3) (worker_processes 1), $(nproc) CPUs;" \
	"wrk -t2 -c$conns -d${wrk_secs}s"

# ------------------------------------------------------------ the runs

# What the store looks like to the clock: the newest event, outbox row,
# delivery and reminder. Read before and after each run.
store_mark() {
	sqlite3 -separator , "$tmp/$1/sitrep.db" "SELECT (SELECT coalesce(max(id), 0) FROM events),
	    (SELECT coalesce(max(id), 0) FROM outbox), (SELECT coalesce(max(sent_at), 0) FROM outbox),
	    (SELECT count(*) FROM outbox WHERE state IN ('pending', 'retrying')),
	    (SELECT count(*) FROM reminders)"
}

# cpu_ticks PID...: their utime + stime (every thread), in clock ticks
cpu_ticks() {
	local p t=0 f
	for p in "$@"; do
		f=$(cat "/proc/$p/stat") || die "cannot read /proc/$p/stat"
		f=${f##*) }
		# shellcheck disable=SC2086 # the fields, split on purpose
		set -- $f
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}

run_wrk() { # run_wrk LABEL URL PID...: prints "rps bytes/request requests cpu-ticks errors"
	local label=$1 url=$2 out rps reqs bytes errs c0 c1
	shift 2
	c0=$(cpu_ticks "$@")
	out=$(wrk -t2 -c"$conns" -d"${wrk_secs}s" "$url") || die "wrk ($label) failed"
	c1=$(cpu_ticks "$@")
	echo "$out" >"$tmp/wrk-$label.txt"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	[ -n "$rps" ] || die "wrk ($label) printed no Requests/sec:"$'\n'"$out"
	if grep -q 'Non-2xx' <<<"$out"; then
		die "the server answered wrk ($label) with errors:"$'\n'"$out"
	fi
	read -r reqs bytes < <(python3 -c '
import re, sys
m = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read", sys.argv[1])
units = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}
print(m.group(1), int(float(m.group(2)) * units[m.group(3)]))' "$out") ||
		die "cannot read wrk's ($label) totals:"$'\n'"$out"
	errs=$(awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); print }' <<<"$out")
	echo "$rps $((bytes / (reqs > 0 ? reqs : 1))) $reqs $((c1 - c0)) ${errs:-none}"
}

declare -A res
changed=()
one_run() { # one_run LABEL WORKSPACE|nginx
	local label=$1 w=$2 before after url perf_pid='' pids
	if [ "$w" = nginx ]; then
		url=http://127.0.0.1:$ngx_port$path
		pids=$(cat "/proc/$nginx_pid/task/$nginx_pid/children") || die "cannot find nginx's worker"
		[ -n "$pids" ] || die "nginx has no worker process"
	else
		url=http://127.0.0.1:${port[$w]}$path
		pids=${dpid[$w]}
		# a fresh snapshot: the minute it lives does not end within the run
		touch_store "$w"
		curl_time "$w" /dev/null >/dev/null
		before=$(store_mark "$w")
		if [ -n "${BENCH_PERF:-}" ] && [ "$label" = b1 ]; then
			perf record -q -F 499 --call-graph dwarf,16384 -o "$tmp/perf.data" \
				-p "${dpid[b]}" >/dev/null 2>&1 &
			perf_pid=$!
			sleep 0.5
		fi
	fi
	# shellcheck disable=SC2086 # one or more pids
	res[$label]=$(run_wrk "$label" "$url" $pids)
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid" 2>/dev/null || true
		wait "$perf_pid" 2>/dev/null || true
	fi
	if [ "$w" != nginx ]; then
		after=$(store_mark "$w")
		[ "$before" = "$after" ] || changed+=("$label (events,outbox,sent_at,waiting,reminders: $before -> $after)")
	fi
}
# Rounds alternate the order: nginx A B, then B A nginx, and so on.
load_before=$(cut -d' ' -f1 /proc/loadavg)
labels=()
for ((r = 1; r <= rounds; r++)); do
	if [ $((r % 2)) = 1 ]; then order="nginx a b"; else order="b a nginx"; fi
	for w in $order; do
		one_run "$w$r" "$w"
		labels+=("$w$r")
	done
done

# With the store changing: another connection commits CHURN_HZ times a
# second (a row added and removed, nothing public changes), as the
# delivery engine and the CLI do during an incident; every commit makes
# the next request rebuild the snapshot. One run each, A then B; no target.
churn_run() { # churn_run WORKSPACE: prints "rps commits"
	local w=$1 cpid r
	python3 - "$tmp/$w/sitrep.db" "$churn_hz" "$((wrk_secs + 1))" >"$tmp/churn-$w.txt" <<'EOF' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
interval, end, n = 1 / float(sys.argv[2]), time.time() + float(sys.argv[3]), 0
while time.time() < end:
    t = time.time()
    con.execute("BEGIN")
    con.execute("INSERT INTO playbook_summaries VALUES ('bench-churn', 'bench', NULL, 0, 0)")
    con.execute("DELETE FROM playbook_summaries WHERE blob = 'bench-churn'")
    con.execute("COMMIT")
    n += 1
    time.sleep(max(0, interval - (time.time() - t)))
print(n)
EOF
	cpid=$!
	r=$(run_wrk "churn-$w" "http://127.0.0.1:${port[$w]}$path" "${dpid[$w]}")
	wait "$cpid" || die "the committing process ($w) failed"
	echo "${r%% *} $(cat "$tmp/churn-$w.txt")"
}
if [ "$churn_hz" -gt 0 ]; then
	churn_a=$(churn_run a)
	churn_b=$(churn_run b)
fi

for w in a b; do
	kill -0 "${dpid[$w]}" 2>/dev/null || { cat "$tmp/$w/sitrepd.log" >&2; die "sitrepd ($w) died during the runs"; }
done

runs_arg=$(for l in "${labels[@]}"; do echo "$l ${res[$l]}"; done)
python3 - "$nsmall" "$nlarge" "$conns" "$wrk_secs" "${rebuild[a]}" "${rebuild[b]}" "$runs_arg" \
	"$(getconf CLK_TCK)" \
	<<'EOF' || die "cannot compute the figures"
import statistics, sys

nsmall, nlarge, conns, secs = map(int, sys.argv[1:5])
reb_a, reb_b = float(sys.argv[5]), float(sys.argv[6])
runs = {"nginx": [], "a": [], "b": []}
order = []
tick = int(sys.argv[8])
cpu = {"nginx": [0, 0], "a": [0, 0], "b": [0, 0]}
for line in sys.argv[7].splitlines():
    label, rps, per, reqs, ticks, errs = line.split(" ", 5)
    who = label.rstrip("0123456789")
    runs[who].append((float(rps), int(per), errs))
    cpu[who][0] += int(ticks)
    cpu[who][1] += int(reqs)
    order.append(label)
med = {k: statistics.median(r for r, _, _ in v) for k, v in runs.items()}
spread = {k: (max(r for r, _, _ in v) - min(r for r, _, _ in v)) / med[k] for k, v in runs.items()}
us = {k: v[0] * 1e6 / tick / max(v[1], 1) for k, v in cpu.items()}
print("requests/s for /api/v2/summary.json, %d connections, %d s each, runs in the order %s:"
      % (conns, secs, " ".join(order)))
for who, name in (("nginx", "nginx (the same bytes, a file)"),
                  ("a", "sitrepd A (%d resolved)" % nsmall),
                  ("b", "sitrepd B (%d resolved)" % nlarge)):
    v = runs[who]
    errs = sorted(set(e for _, _, e in v))
    print("  %-34s %8.0f median (runs %s: spread %.0f %%)" % (name, med[who],
          ", ".join("%.0f" % r for r, _, _ in v), spread[who] * 100))
    print("  %-34s %8s        %d bytes/response; server CPU %.1f us/request; socket errors: %s"
          % ("", "", v[0][1], us[who], " / ".join(errs)))
print("snapshot rebuild after a store change: A %.1f ms, B %.1f ms (the cache also rebuilds"
      " once a minute: %.2f %% and %.2f %% of a minute of the HTTP thread)"
      % (reb_a, reb_b, reb_a / 600, reb_b / 600))
# The ratios are taken round by round, between runs next to each other
# (nginx and A, A and B), and their median is the figure: load that comes
# and goes on the machine moves both runs of a pair alike.
rounds = len(runs["a"])
r_ngx = [runs["a"][i][0] / runs["nginx"][i][0] for i in range(rounds)]
r_hist = [runs["b"][i][0] / runs["a"][i][0] for i in range(rounds)]
q_ngx, q_hist = statistics.median(r_ngx), statistics.median(r_hist)
print("sitrepd/nginx = %.2f (target >= 0.5; per round %s; medians of the rates %.2f;"
      " CPU per request %.2fx nginx's)" % (q_ngx, ", ".join("%.2f" % x for x in r_ngx),
      med["a"] / med["nginx"], us["a"] / us["nginx"]))
print("sitrepd %d/%d resolved = %.3f, %+.1f %% (target within 10 %%; per round %s; medians of"
      " the rates %.3f; CPU per request %.2fx)" % (nlarge, nsmall, q_hist, (q_hist - 1) * 100,
      ", ".join("%.2f" % x for x in r_hist), med["b"] / med["a"], us["b"] / us["a"]))
print("rate vs nginx: %s" % ("PASS" if q_ngx >= 0.5 else "MISS"))
print("history: %s" % ("PASS" if abs(q_hist - 1) <= 0.10 else "MISS"))
if max(spread.values()) > 0.2:
    print("note: a server's runs spread by up to %.0f %%: other load came and went on the"
          " machine; trust the per-round ratios and the CPU per request more than the rates,"
          " or run again with more ROUNDS" % (max(spread.values()) * 100))
EOF
if [ "$churn_hz" -gt 0 ]; then
	python3 - "$churn_a" "$churn_b" "$churn_hz" "$wrk_secs" "$nsmall" "$nlarge" <<'EOF' ||
import sys
(ra, ca), (rb, cb) = (map(float, x.split()) for x in sys.argv[1:3])
hz, secs, nsmall, nlarge = sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
print("with another connection committing %s times a second (no target): A (%s resolved)"
      " %.0f requests/s, B (%s) %.0f requests/s, B/A = %.2f (%.0f and %.0f commits in ~%d s)"
      % (hz, nsmall, ra, nlarge, rb, rb / ra, ca, cb, secs + 1))
EOF
		die "cannot compute the figures with the store changing"
fi
echo "load average (1 min) before and after the runs: $load_before, $(cut -d' ' -f1 /proc/loadavg)" \
	"($(nproc) CPUs; this run's own load is about 3: wrk's two threads and one server)"
for c in "${changed[@]}"; do
	echo "note: the store changed during run $c: that run includes cache rebuilds"
done
if grep -qi 'connection: close' <(curl -s -D - -o /dev/null "http://127.0.0.1:${port[a]}$path"); then
	echo "note: sitrepd answers with 'Connection: close': every request of wrk's is a new TCP connection"
fi

if [ -n "${BENCH_PERF:-}" ]; then
	echo "where sitrepd B spends its time during its first run (perf, inclusive, top 30):"
	perf report -q -i "$tmp/perf.data" --stdio --children --sort sym -g none 2>/dev/null |
		awk '/^ +[0-9]/ && !/\] 0x[0-9a-f]+$/ && !/\] 0+$/ && ++n <= 30' ||
		die "perf report failed"
fi
