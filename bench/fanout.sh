#!/usr/bin/env bash
# bench/fanout.sh: how fast one published customer update reaches 100,000
# webhook subscribers. nginx on loopback answers every POST with 204; sitrep
# publishes the update (`sitrep update`, which writes one outbox row per
# subscriber in one transaction) and delivers it (`sitrep deliver --once`,
# repeated until no row is left to send), and its rate, from publish to
# every row marked sent in the store, is set against wrk POSTing a body of
# the same size with the same headers to the same nginx over the same
# number of connections (sitrep's delivery.concurrency, 64), in the same run.
#
# A benchmark, not a test: it prints both rates, the ratio and sitrep's
# peak RSS against the targets (sitrep >= 0.5x wrk; peak RSS < 64 MB) and
# exits 0 either way; non-zero only when something failed to run.
#
# Fairness: nginx runs one worker process (worker_processes 1), so both
# clients meet the same one-core server; on a small machine `auto` would
# hand nginx every core and make it compete with the client for CPU. sitrep
# sends in delivery.threads lanes (2 by default, each with its own libcurl
# multi handle and half the connections); wrk gets two threads (-t2).
# wrk and sitrep take turns: each sitrep round (publish and deliver, from
# the same store each time) is set against the mean of the wrk runs just
# before and just after it, and the ratio reported is the median of the
# rounds', as this machine's speed drifts from minute to minute. The peak RSS is
# the kernel's ru_maxrss for each sitrep process, from wait4() (the figure
# GNU time -v prints as "Maximum resident set size"), so the `time` package
# is not needed.
#
#   SITREP_BIN     the directory holding sitrep (default ./build; built if missing)
#   NSUB           webhook subscribers (default 100000)
#   CONCURRENCY    delivery.concurrency and wrk's connections (default 64)
#   ROUNDS         sitrep rounds, each from the same store, with a wrk run
#                  before and after each (default 3); the ratio printed is
#                  the median of the rounds' ratios
#   WRK_SECS       length of each wrk run (default 5)
#   NGINX_WORKERS  nginx worker_processes (default 1; "auto" is allowed)
#   BENCH_PERF     set to run the delivery under `perf record` (DWARF call
#                  graphs) and print where it spends its time (the figures
#                  are then perturbed)
#   BENCH_KEEP     set to keep the workspace (its path is printed)
#
# Usage: bench/fanout.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
nsub=${NSUB:-100000}
conc=${CONCURRENCY:-64}
wrk_secs=${WRK_SECS:-5}
rounds=${ROUNDS:-3}
workers=${NGINX_WORKERS:-1}
message="We are investigating elevated error rates on the public API and will post again within the hour."

bench_numbers NSUB:nsub CONCURRENCY:conc WRK_SECS:wrk_secs ROUNDS:rounds
[ "$conc" -le 1024 ] || die "CONCURRENCY must be at most 1024 (sitrep.conf's limit)"
case $workers in auto) ;; ''|*[!0-9]*) die "NGINX_WORKERS must be a number or auto" ;; esac
bench_tools nginx wrk curl jq sqlite3 python3 perf
bench_setup sitrep sitrepd

# ------------------------------------------------------------ nginx

# One receiver for both clients: every POST to /hook/... gets 204 No
# Content; the body is read and dropped.
port=$(free_port)
ngx=$tmp/nginx
nginx_conf "$ngx" "$port" "$workers" "client_body_buffer_size 64k;" \
	"location /hook/ { return 204; }"
nginx_start "$ngx" "$port" 204

# ------------------------------------------------------------ the workspace

ws=$tmp/ws
conf=$ws/sitrep.conf
"$sitrep" init "$ws" >/dev/null || die "sitrep init failed"
grep -q '^delivery' "$conf" && die "the default sitrep.conf already has a delivery group"
cat >>"$conf" <<EOF

# bench/fanout.sh: the engine's concurrency is wrk's connection count.
# The receiver is on loopback: subscribers' webhooks may reach it.
delivery = { concurrency = $conc; timeout = "10s"; allow = [ "127.0.0.1/32" ]; };
EOF

# One subscriber through the CLI, for a real whsec_ secret; the rest by SQL
# with that secret (so every delivery is signed, as a real one would be),
# each on its own URL on the same server. Subscribing 100,000 through the
# CLI would take long and test nothing the benchmark measures.
url=http://127.0.0.1:$port/hook
secret=$("$sitrep" -c "$conf" subscribe webhook "$url/1" --json | jq -r .secret) ||
	die "sitrep subscribe failed"
case $secret in whsec_*) ;; *) die "sitrep subscribe gave no whsec_ secret: '$secret'" ;; esac
now=$(python3 -c 'import time; print(int(time.time() * 1000))')
sqlite3 -bail "$ws/sitrep.db" <<EOF >/dev/null || die "cannot insert subscribers into $ws/sitrep.db"
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE seq(k) AS (SELECT 2 WHERE 2 <= $nsub UNION ALL SELECT k + 1 FROM seq WHERE k < $nsub)
INSERT INTO subscribers (kind, address, secret, token, created_at, confirmed_at)
SELECT 'webhook', '$url/' || k, '$secret', lower(hex(randomblob(16))), $now, $now FROM seq;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
n=$(sqlite3 "$ws/sitrep.db" "SELECT count(*) FROM subscribers WHERE kind = 'webhook'
    AND disabled_at IS NULL AND secret = '$secret'")
[ "$n" = "$nsub" ] || die "the store has $n active webhook subscribers, not $nsub"

# SEV3: a customer update needs no approval, so `update` publishes at once.
out=$("$sitrep" -c "$conf" --as alice open outage --title "API errors" --sev SEV3) ||
	die "sitrep open failed"
case $out in "INC-1 opened"*) ;; *) die "unexpected open output: $out" ;; esac

# The body a subscriber receives, from a dry run (which counts them too).
dry=$("$sitrep" -c "$conf" --as alice update INC-1 --audience customers -m "$message" \
	--dry-run --json) || die "sitrep update --dry-run failed"
route=$(jq -c '[.routes[] | select(.subscribers == "webhook")] | first' <<<"$dry")
[ "$(jq -r .count <<<"$route")" = "$nsub" ] ||
	die "the dry run reaches $(jq -r .count <<<"$route") webhook subscribers, not $nsub"
body_len=$(jq -r '.payload | utf8bytelength' <<<"$route")
[ "$body_len" -gt 0 ] || die "the dry run shows no webhook payload"

# wrk's request: a body of that many bytes and the headers sitrep sends
# (Content-Type, webhook-id, webhook-timestamp, webhook-signature; wrk adds
# Host and Content-Length, curl Host, Accept, User-Agent and
# Content-Length), to a path of the same shape.
python3 - "$body_len" >"$tmp/post.lua" <<'EOF'
import sys
n = int(sys.argv[1])
body = ('{"pad":"' + "x" * n)[:n - 2] + '"}'
assert len(body) == n
print('wrk.method = "POST"')
print('wrk.path = "/hook/54321"')
print('wrk.body = "%s"' % body.replace("\\", "\\\\").replace('"', '\\"'))
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.headers["User-Agent"] = "sitrep/0.1.0"')
print('wrk.headers["Accept"] = "*/*"')
print('wrk.headers["webhook-id"] = "msg_' + "0123456789abcdef" * 2 + '"')
print('wrk.headers["webhook-timestamp"] = "1700000000"')
print('wrk.headers["webhook-signature"] = "v1,' + "A" * 43 + '="')
EOF

# ------------------------------------------------------------ the runs

echo "$("$sitrep" --version), $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)," \
	"$("$nginx" -v 2>&1 | cut -d' ' -f3) (worker_processes $workers), $(nproc) CPUs;" \
	"$nsub webhook subscribers, $body_len-byte body, $conc connections"

run_wrk() { # run_wrk: prints the requests per second
	local out rps
	out=$(wrk -t2 -c"$conc" -d"${wrk_secs}s" -s "$tmp/post.lua" "http://127.0.0.1:$port/") ||
		die "wrk failed"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	[ -n "$rps" ] || die "wrk printed no Requests/sec:"$'\n'"$out"
	if grep -q 'Non-2xx' <<<"$out"; then
		die "nginx answered wrk with errors:"$'\n'"$out"
	fi
	echo "$rps"
}

# Each round starts from the same store: subscribers, the incident, an
# empty outbox.
sqlite3 "$ws/sitrep.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null ||
	die "cannot checkpoint $ws/sitrep.db"
cp "$ws/sitrep.db" "$tmp/base.db"
restore_store() {
	rm -f "$ws/sitrep.db-wal" "$ws/sitrep.db-shm"
	cp "$tmp/base.db" "$ws/sitrep.db" || die "cannot restore $ws/sitrep.db"
}

# One round: publish, then deliver until every row is sent. Prints a JSON
# object with the times, the peak RSS and the store's counts afterwards.
sitrep_round() {
	local out n_sent n_pending n_retrying n_dead errors
	out=$(python3 - "$sitrep" "$conf" "$ws/sitrep.db" "$nsub" "$message" "$tmp" \
		"${BENCH_PERF:+1}" <<'EOF'
import json, os, subprocess, sys, threading, time

sitrep, conf, db, nsub, message, tmp, perf = sys.argv[1:8]
nsub = int(nsub)

# Popen.communicate() would reap the child itself and lose its rusage:
# the pipes are drained by threads and the child is waited for with wait4,
# whose ru_maxrss is the process's peak RSS (KiB).
def run(argv):
    """Run argv; return (wall seconds, peak RSS in KiB, stdout)."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    bufs = {}
    def drain(name, f):
        bufs[name] = f.read()
    th = [threading.Thread(target=drain, args=(k, f)) for k, f in
          (("out", p.stdout), ("err", p.stderr))]
    for x in th:
        x.start()
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t
    for x in th:
        x.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(bufs["err"].decode(errors="replace"))
        sys.exit("'%s' exited %d" % (" ".join(argv), p.returncode))
    return t, ru.ru_maxrss, bufs["out"].decode()

base = [sitrep, "-c", conf]
t_pub, rss_pub, out = run(base + ["--as", "alice", "update", "INC-1", "--audience",
                                  "customers", "-m", message, "--json"])
queued = json.loads(out)["queued"]
if queued != nsub:
    sys.exit("the update queued %d messages, not %d" % (queued, nsub))

# deliver --once sends what is due and exits; again while it makes
# progress, until every message is sent (a message to retry is due only
# after its backoff, so a run that sends nothing ends the round).
t_del, rss_del, runs, sent = 0.0, 0, 0, 0
argv = base + ["deliver", "--once", "--json"]
if perf:
    argv = ["perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,8192",
            "-o", os.path.join(tmp, "perf.data"), "--"] + argv
while sent < nsub:
    t, rss, out = run(argv)
    st = json.loads(out[out.index("{"):])
    t_del += t
    rss_del = max(rss_del, rss)
    runs += 1
    sent += st["sent"]
    if st["sent"] == 0 or runs >= 20:
        break
print(json.dumps({"publish": t_pub, "deliver": t_del, "rss_publish": rss_pub,
                  "rss_deliver": rss_del, "runs": runs, "sent_reported": sent}))
EOF
) || die "the sitrep run failed"
	# What the store says, after the clock stopped.
	read -r n_sent n_pending n_retrying n_dead < <(sqlite3 -separator ' ' "$ws/sitrep.db" \
		"SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'pending'),
		 count(*) FILTER (WHERE state = 'retrying'), count(*) FILTER (WHERE state = 'dead')
		 FROM outbox WHERE update_id = 1") || die "cannot count the outbox"
	errors=$(sqlite3 "$ws/sitrep.db" "SELECT last_error, count(*) FROM outbox WHERE update_id = 1
		AND last_error IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 3")
	[ -z "$errors" ] || printf 'most frequent last_error in the outbox:\n%s\n' "$errors" >&2
	jq -c --argjson s "$n_sent" --argjson p "$n_pending" --argjson r "$n_retrying" \
		--argjson d "$n_dead" '. + {sent: $s, pending: $p, retrying: $r, dead: $d}' <<<"$out"
}

# wrk and sitrep take turns, wrk first and last, so that each sitrep round
# has a wrk run on either side: the machine's speed drifts from minute to
# minute, and one pair of runs can land on either side of a target.
wrk_rates=("$(run_wrk)")
results=()
for ((r = 1; r <= rounds; r++)); do
	restore_store
	results+=("$(sitrep_round)")
	wrk_rates+=("$(run_wrk)")
done

python3 - "$nsub" "${wrk_rates[*]}" "${results[@]}" <<'EOF' || die "cannot compute the figures"
import json, statistics, sys

nsub = int(sys.argv[1])
wrk = [float(x) for x in sys.argv[2].split()]
rounds = [json.loads(x) for x in sys.argv[3:]]
ratios, rates, rss = [], [], 0
for i, r in enumerate(rounds):
    total = r["publish"] + r["deliver"]
    rate = r["sent"] / total
    ref = (wrk[i] + wrk[i + 1]) / 2
    ratios.append(rate / ref)
    rates.append(rate)
    rss = max(rss, r["rss_publish"], r["rss_deliver"])
    print("round %d: publish %.2f s (peak RSS %.1f MB), deliver %.2f s (%d run%s, peak RSS"
          " %.1f MB); %d sent, %d not (%d pending, %d retrying, %d dead)"
          % (i + 1, r["publish"], r["rss_publish"] / 1024, r["deliver"], r["runs"],
             "" if r["runs"] == 1 else "s", r["rss_deliver"] / 1024, r["sent"],
             nsub - r["sent"], r["pending"], r["retrying"], r["dead"]))
    print("         sitrep %.0f deliveries/s (publish to all sent; delivery alone %.0f/s),"
          " wrk %.0f req/s (before %.0f, after %.0f): %.2fx"
          % (rate, r["sent"] / r["deliver"] if r["deliver"] > 0 else 0, ref, wrk[i],
             wrk[i + 1], rate / ref))
ratio = statistics.median(ratios)
rss_mb = rss / 1024
all_sent = all(r["sent"] == nsub for r in rounds)
print("sitrep deliveries/s (median of %d rounds) = %.0f" % (len(rounds), statistics.median(rates)))
print("wrk requests/s (median of %d runs) = %.0f" % (len(wrk), statistics.median(wrk)))
print("sitrep/wrk = %.2f, the median of %s (target >= 0.5)"
      % (ratio, ", ".join("%.2f" % x for x in ratios)))
print("peak RSS = %.1f MB (target < 64)" % rss_mb)
print("rate: %s" % ("PASS" if ratio >= 0.5 and all_sent else "MISS"))
print("rss: %s" % ("PASS" if rss_mb < 64 else "MISS"))
EOF

if [ -n "${BENCH_PERF:-}" ]; then
	# Inclusive time per function (the kernel's and unresolved frames left
	# out): store_outbox_claim, store_subscriber_get, store_sync,
	# curl_multi_perform and webhook_sign are the ones to look at.
	echo "note: under BENCH_PERF the deliver times include perf's overhead and its peak RSS is"
	echo "      the larger of perf's and sitrep's"
	echo "where 'sitrep deliver' spends its time (perf, inclusive, top 40):"
	perf report -q -i "$tmp/perf.data" --stdio --children --sort sym -g none 2>/dev/null |
		awk '/^ +[0-9]/ && !/\[k\]/ && !/\] 0x[0-9a-f]+$/ && ++n <= 40' ||
		die "perf report failed"
fi
