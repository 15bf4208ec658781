#!/usr/bin/env bash
# bench/scheduler.sh: how well sitrepd keeps time with 10,000 open
# incidents. Each incident holds a promise (its latest internal update's
# next_update_at) that falls due while sitrepd runs, the promises spread
# over 20 seconds so that reminders are due at 10,000 different times; the
# daemon fires an update_overdue reminder for each. Measured:
#
#   lateness  for each reminder, the event's time (`at`, when it was
#             written) minus its due_at; max and p99 (the details' late_ms,
#             measured from the start of the scheduler's pass, is printed
#             too). Target: the latest reminder <= 1 s late.
#   idle CPU  sitrepd's utime + stime (/proc/PID/stat, all threads) over
#             ~10 s after the burst (every reminder fired and every notice
#             delivered), in CPU seconds per second. Target: about 0
#             (<= 0.01 counts as met), with its wakeups per second.
#   peak RSS  VmHWM from /proc/PID/status at the end. Target: < 64 MB.
#   startup   from exec to the status-page line, and the first full pass
#             over the 10,000 incidents: INC-1's promise is already due
#             when sitrepd starts and the first pass looks at the open
#             incidents newest first, so INC-1's reminder is written at
#             the end of that pass; its time minus the status-page line's
#             is the pass (printed, no target). INC-1 is left out of the
#             lateness figures, as is anything due before sitrepd started.
#
# A benchmark, not a test: it prints the figures and PASS or MISS per
# target and exits 0 either way; non-zero only when something failed to run.
#
# The incidents go in by SQL (opening 10,000 through the CLI would take
# long and test nothing measured here), shaped like ones an incident
# commander kept in order, so that nothing but the promise falls due
# during the run: the outage playbook (a third the degraded one) pinned to
# the repository's real head commit, SEV3 (a fifth SEV2), opened 60 to 150
# minutes ago, with one component, commander, comms, ops and sme held since
# two minutes after opening, every step due within 3 hours (and applying
# to the severity) done, one acknowledged page, published updates
# (internal; customers and executives with promises an hour or two ahead;
# approved first at SEV2) and, last, the internal update whose promise
# falls due in the run. The "due in 5 minutes" reminder of that promise
# would have fired 5 minutes before it, so it is recorded as fired, as a
# daemon that had been running would have left it. Promises fall due from
# LEAD_SECS after the data is written, evenly over SPREAD_SECS, in an
# order unrelated to the incidents' ids. The reminders' notices go to the
# workspace's ops-chat channel (Slack), pointed at a local nginx that
# answers 200, so the delivery engine works alongside the scheduler as it
# would in service.
#
#   SITREP_BIN    the directory holding sitrep and sitrepd (default ./build; built if missing)
#   NOPEN         open incidents (default 10000)
#   SPREAD_SECS   the due times' spread (default 20)
#   LEAD_SECS     from writing the data to the first due time (default 15;
#                 the first pass must end before it, which is checked)
#   IDLE_SECS     the idle window measured after the burst (default 10)
#   BENCH_PERF    set to run `perf record -p PID` (DWARF call graphs) over the
#                 burst and print where sitrepd spends its time (the figures
#                 are perturbed)
#   BENCH_KEEP    set to keep the workspace (its path is printed)
#
# Usage: bench/scheduler.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
nopen=${NOPEN:-10000}
spread=${SPREAD_SECS:-20}
lead=${LEAD_SECS:-15}
idle=${IDLE_SECS:-10}

bench_numbers NOPEN:nopen SPREAD_SECS:spread LEAD_SECS:lead IDLE_SECS:idle
[ "$nopen" -ge 2 ] || die "NOPEN must be at least 2"
[ -r /proc/self/stat ] || die "this needs Linux's /proc"
bench_tools nginx curl jq sqlite3 python3 git perf
bench_setup sitrep sitrepd

# ------------------------------------------------------------ nginx

# The Slack endpoint of the workspace's ops-chat channel: 200 to every
# POST; the body is read and dropped.
ngx_port=$(free_port)
ngx=$tmp/nginx
nginx_conf "$ngx" "$ngx_port" 1 "client_body_buffer_size 64k;" \
	'location /hook/ { return 200 "ok"; }'
nginx_start "$ngx" "$ngx_port" 200
export SITREP_SLACK_URL=http://127.0.0.1:$ngx_port/hook/slack

# ------------------------------------------------------------ the workspace

ws=$tmp/ws
conf=$ws/sitrep.conf
db=$ws/sitrep.db
"$sitrep" init "$ws" >/dev/null || die "sitrep init failed"
grep -q '^http = { listen = "127.0.0.1:8080"; };' "$conf" ||
	die "the default sitrep.conf has no 'http = { listen = ... }' line to change"
sed -i "s/^http = { listen = \"127.0.0.1:8080\"; };/http = { listen = \"127.0.0.1:$(free_port)\"; };/" "$conf"
grep -q 'url_env = "SITREP_SLACK_URL"' "$conf" ||
	die "the default sitrep.conf's ops-chat channel no longer reads SITREP_SLACK_URL"
sha=$(git -C "$ws/playbooks" rev-parse --verify "main^{commit}") || die "no main branch in $ws/playbooks"

# The steps of the two playbooks, from the commit, as SQL rows: (playbook,
# step, due in ms, min_severity as a number or NULL).
steps_sql=$(for pb in outage degraded; do
	"$sitrep" -c "$conf" playbook show "$pb" --json | jq -c . || die "sitrep playbook show $pb failed"
done | python3 -c '
import json, sys
units = {"s": 1000, "m": 60000, "h": 3600000, "d": 86400000}
rows = []
for line in sys.stdin:
    pb = json.loads(line)
    for st in pb["steps"]:
        if not st.get("due"):
            continue
        due = int(st["due"][:-1]) * units[st["due"][-1]]
        sev = st.get("min_severity")
        rows.append("(%s, %s, %d, %s)" % (json.dumps(pb["name"]).replace("\"", "'"'"'"),
            json.dumps(st["id"]).replace("\"", "'"'"'"), due, sev[3] if sev else "NULL"))
print(",\n".join(rows))') || die "cannot read the playbooks' steps"
[ -n "$steps_sql" ] || die "the playbooks have no steps with due times"

now=$(python3 -c 'import time; print(int(time.time() * 1000))')
base=$((now + lead * 1000))
spread_ms=$((spread * 1000))
# incident k (2..N): its promise is due at base + slot * spread / (N - 1),
# slot = (k * 7919) mod (N - 1): a permutation of 0 .. N-2 (7919 is prime
# and N - 1 no multiple of it), unrelated to the order the scheduler keeps
# its incidents in. INC-1's is due already.
[ $(((nopen - 1) % 7919)) -ne 0 ] || die "NOPEN - 1 must not be a multiple of 7919"
sqlite3 -bail "$db" <<EOF >/dev/null || die "cannot insert the incidents into $db"
PRAGMA busy_timeout = 10000;
BEGIN;
CREATE TEMP TABLE steps (playbook TEXT, step TEXT, due INTEGER, min_sev INTEGER);
INSERT INTO steps VALUES $steps_sql;
CREATE TEMP TABLE o AS
WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < $nopen)
SELECT k,
    CASE WHEN k % 3 = 0 THEN 'degraded' ELSE 'outage' END AS playbook,
    CASE WHEN k % 5 = 0 THEN 2 ELSE 3 END AS sev,
    $now - 3600000 - (k % 90) * 60000 AS opened,
    CASE WHEN k = 1 THEN $now - 1000
        ELSE $base + ((k * 7919) % ($nopen - 1)) * $spread_ms / ($nopen - 1) END AS due,
    CASE k % 5 WHEN 0 THEN 'api' WHEN 1 THEN 'web' WHEN 2 THEN 'auth'
        WHEN 3 THEN 'payments' ELSE 'email' END AS component
FROM seq;
INSERT INTO incidents (id, playbook, playbook_commit, title, severity, status,
    opened_by, opened_at, updated_at)
SELECT k, playbook, '$sha', 'Open incident ' || k || ': ' || component || ' errors',
    'SEV' || sev, CASE k % 3 WHEN 0 THEN 'investigating' WHEN 1 THEN 'identified'
        ELSE 'monitoring' END,
    'alice', opened, due - 900000
FROM o;
INSERT INTO incident_components (incident_id, component, status)
SELECT k, component, CASE WHEN sev = 2 THEN 'major_outage' ELSE 'partial_outage' END FROM o;
INSERT INTO incident_roles (incident_id, role, person, since)
SELECT k, r.role, r.person, opened + 120000 FROM o,
    (SELECT 'commander' AS role, 'alice' AS person UNION ALL SELECT 'comms', 'bob'
     UNION ALL SELECT 'ops', 'carol' UNION ALL SELECT 'sme', 'dave') r;
INSERT INTO incident_steps (incident_id, step, state, at, actor, note)
SELECT k, s.step, 'done', opened + s.due - 60000, 'alice', NULL FROM o JOIN steps s
    ON s.playbook = o.playbook AND s.due <= 3 * 3600000
    AND (s.min_sev IS NULL OR o.sev <= s.min_sev);
INSERT INTO pages (incident_id, role, tier, person, paged_at, timeout_at, state, closed_at)
SELECT k, 'sme', 3, 'dave', opened + 180000, opened + 480000, 'acked', opened + 240000 FROM o;
-- updates, oldest first: internal, customers, executives, internal (the promise)
INSERT INTO updates (incident_id, kind, audience, status, body, next_update_at, state,
    author, created_at, approver, approved_at, published_at)
SELECT k, 'update', 'internal', NULL, 'First internal update for incident ' || k,
    due - 600000, 'published', 'bob', opened + 240000, NULL, NULL, opened + 240000 FROM o;
INSERT INTO updates (incident_id, kind, audience, status, body, next_update_at, state,
    author, created_at, approver, approved_at, published_at)
SELECT k, 'update', 'customers', 'investigating',
    'We are investigating errors affecting ' || component || '. Next update within the hour.',
    $now + 3600000 + (k % 600) * 1000, 'published', 'bob', opened + 480000,
    CASE WHEN sev <= 2 THEN 'alice' END, CASE WHEN sev <= 2 THEN opened + 540000 END,
    opened + CASE WHEN sev <= 2 THEN 540000 ELSE 480000 END FROM o;
INSERT INTO updates (incident_id, kind, audience, status, body, next_update_at, state,
    author, created_at, approver, approved_at, published_at)
SELECT k, 'update', 'executives', NULL, 'Executive briefing for incident ' || k,
    $now + 7200000 + (k % 600) * 1000, 'published', 'bob', opened + 720000,
    CASE WHEN sev <= 2 THEN 'alice' END, CASE WHEN sev <= 2 THEN opened + 780000 END,
    opened + CASE WHEN sev <= 2 THEN 780000 ELSE 720000 END FROM o;
INSERT INTO updates (incident_id, kind, audience, status, body, next_update_at, state,
    author, created_at, approver, approved_at, published_at)
SELECT k, 'update', 'internal', NULL, 'Internal update for incident ' || k
    || ': mitigation under way, next update in 15 minutes.',
    due, 'published', 'bob', due - 900000, NULL, NULL, due - 900000 FROM o;
-- the 5-minute warning of that promise fired when it was due
INSERT INTO reminders (key, incident_id, kind, due_at, fired_at)
SELECT 'cadence-soon:' || k || ':internal:' || due, k, 'update_due', due - 300000,
    due - 300000 + 40 FROM o;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF

read -r n_inc n_due n_distinct last_due < <(sqlite3 -separator ' ' "$db" \
	"SELECT (SELECT count(*) FROM incidents WHERE status NOT IN ('resolved', 'closed')),
	 count(*), count(DISTINCT next_update_at), max(next_update_at)
	 FROM updates u WHERE audience = 'internal' AND next_update_at >= $base") ||
	die "cannot count the incidents"
[ "$n_inc" = "$nopen" ] || die "the store holds $n_inc open incidents, not $nopen"
[ "$n_due" = $((nopen - 1)) ] || die "$n_due promises fall due in the run, not $((nopen - 1))"
echo "$nopen open incidents; $n_due promises due from +${lead}s to" \
	"+$(((last_due - now) / 1000))s after the data was written, at $n_distinct different times"
# The CLI reads them as it reads its own (it fails on a row it cannot).
"$sitrep" -c "$conf" show INC-2 >"$tmp/show-inc2.txt" 2>&1 || die "sitrep show INC-2 failed"

echo "$("$sitrep" --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(nproc) CPUs"

# ------------------------------------------------------------ the run

python3 - "$sitrepd" "$conf" "$db" "$tmp" "$now" "$base" "$nopen" "$idle" \
	"${BENCH_PERF:+1}" <<'EOF' || die "the sitrepd run failed"
import json, os, re, signal, sqlite3, subprocess, sys, threading, time

sitrepd, conf, db, tmp, now0, base, nopen, idle, perf = sys.argv[1:10]
now0, base, nopen, idle = int(now0), int(base), int(nopen), int(idle)
tick = os.sysconf("SC_CLK_TCK")
ms = lambda: int(time.time() * 1000)

def cpu(pid):
    """utime + stime of every thread of pid, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick

def switches(pid):
    """Context switches (voluntary + not) of every thread of pid."""
    n = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, t)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        n += int(line.split()[1])
        except FileNotFoundError:
            pass
    return n

def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0

def reminders_logged():
    with open(log, "rb") as f:
        return f.read().count(b"update_overdue reminder")

log = os.path.join(tmp, "sitrepd.log")
errf = open(log, "wb")
t_exec = ms()
p = subprocess.Popen([sitrepd, "-c", conf], stdout=subprocess.DEVNULL, stderr=errf)
pid = p.pid

def fail(msg):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait()
    sys.stderr.write(open(log, errors="replace").read()[-3000:])
    sys.exit(msg)

# Samples of the process's CPU time, every 20 ms, for the startup.
samples = []
stop_sampling = threading.Event()
def sampler():
    while not stop_sampling.is_set():
        try:
            samples.append((ms(), cpu(pid)))
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.02)
th = threading.Thread(target=sampler, daemon=True)
th.start()

t_page = None
while t_page is None:
    if p.poll() is not None:
        fail("sitrepd exited %d at startup" % p.returncode)
    with open(log, "rb") as f:
        if b"status page: http://" in f.read():
            t_page = ms()
    if t_page is None:
        if ms() - t_exec > 30000:
            fail("sitrepd said nothing of its status page in 30 s")
        time.sleep(0.005)

# The burst: wait for every reminder (the sentinel's too) in the log.
perf_p = None
while True:
    n = reminders_logged()
    if n >= nopen:
        break
    if p.poll() is not None:
        fail("sitrepd exited %d during the run" % p.returncode)
    t = ms()
    if perf and perf_p is None and t >= base - 1000:
        perf_p = subprocess.Popen(["perf", "record", "-q", "-F", "499", "--call-graph",
                                   "dwarf,16384", "-o", os.path.join(tmp, "perf.data"),
                                   "-p", str(pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if t > base + 20000 + 120000:
        fail("only %d of %d reminders fired, two minutes after the last was due" % (n, nopen))
    time.sleep(0.1)
if perf_p is not None:
    perf_p.send_signal(signal.SIGINT)
    perf_p.wait()
stop_sampling.set()
th.join()

# Then the notices: wait until the outbox has nothing left to send.
ro = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
while True:
    waiting = ro.execute("SELECT count(*) FROM outbox WHERE state IN ('pending', 'retrying')"
                         " AND next_at <= ?", (ms(),)).fetchone()[0]
    if waiting == 0:
        break
    if ms() > base + 20000 + 180000:
        fail("%d notices still wait in the outbox" % waiting)
    time.sleep(0.2)
last_write = max(ro.execute("SELECT coalesce(max(at), 0) FROM events").fetchone()[0],
                 ro.execute("SELECT coalesce(max(sent_at), 0) FROM outbox").fetchone()[0])
ro.close()

# The idle window: a second after the last write, for IDLE_SECS.
time.sleep(max(0, (last_write + 1000 - ms()) / 1000))
t_i0, c_i0, s_i0 = ms(), cpu(pid), switches(pid)
time.sleep(idle)
t_i1, c_i1, s_i1 = ms(), cpu(pid), switches(pid)
hwm, rss = status(pid, "VmHWM"), status(pid, "VmRSS")
c_total = cpu(pid)
p.send_signal(signal.SIGTERM)
try:
    p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    fail("sitrepd did not stop in 30 s on SIGTERM")
errf.close()

con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = con.execute("SELECT incident_id, at, details FROM events WHERE kind = 'reminder'").fetchall()
outbox = dict(con.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
con.close()
kinds = {}
late, late_pass, sentinel = [], [], None
for inc, at, details in rows:
    d = json.loads(details)
    kinds[d["reminder"]] = kinds.get(d["reminder"], 0) + 1
    if d["reminder"] != "update_overdue":
        continue
    if inc == 1:
        sentinel = at
    elif d["due_at"] >= t_exec:
        late.append(at - d["due_at"])
        late_pass.append(d["late_ms"])
json.dump({"t_exec": t_exec, "t_page": t_page, "sentinel": sentinel, "base": base,
           "late": late, "late_pass": late_pass, "kinds": kinds, "outbox": outbox,
           "samples": samples, "idle": [t_i0, c_i0, s_i0, t_i1, c_i1, s_i1],
           "hwm_kb": hwm, "rss_kb": rss, "cpu_total": c_total},
          open(os.path.join(tmp, "result.json"), "w"))
EOF

python3 - "$tmp/result.json" "$nopen" <<'EOF' || die "cannot compute the figures"
import json, sys

r = json.load(open(sys.argv[1]))
nopen = int(sys.argv[2])
late, late_pass = sorted(r["late"]), sorted(r["late_pass"])
if not late:
    sys.exit("no reminder due during the run was found in the timeline")
def pct(v, q):
    return v[min(len(v) - 1, int(q * len(v)))]
kinds = ", ".join("%s %d" % kv for kv in sorted(r["kinds"].items()))
print("reminder events: %s (expected update_overdue %d)" % (kinds, nopen))
others = sum(n for k, n in r["kinds"].items() if k != "update_overdue")
if others:
    print("note: %d reminders of other kinds fired: the incidents were not as quiet as meant" % others)
print("notices in the outbox: %s" % ", ".join("%s %d" % kv for kv in sorted(r["outbox"].items())))

t_exec, t_page, sentinel = r["t_exec"], r["t_page"], r["sentinel"]
print("startup: exec to the status-page line %d ms" % (t_page - t_exec))
if sentinel is None:
    print("startup: INC-1's reminder is missing: the first pass cannot be timed")
    pass_end = None
else:
    pass_end = sentinel
    cpu_at = [c for t, c in r["samples"] if t >= sentinel]
    print("startup: first full pass over %d incidents %d ms (status-page line to INC-1's"
          " reminder, the last looked at; %.2f CPU s used by then)"
          % (nopen, sentinel - t_page, cpu_at[0] if cpu_at else float("nan")))
    if sentinel > r["base"]:
        print("note: the first pass ended %d ms after the first promise was due:"
              " raise LEAD_SECS" % (sentinel - r["base"]))
print("lateness of the %d reminders due in the run (event time - due_at), ms:"
      " p50 %d, p99 %d, max %d" % (len(late), pct(late, 0.5), pct(late, 0.99), late[-1]))
print("  (late_ms as the scheduler records it, from its pass's start: p50 %d, p99 %d, max %d)"
      % (pct(late_pass, 0.5), pct(late_pass, 0.99), late_pass[-1]))
t0, c0, s0, t1, c1, s1 = r["idle"]
secs = (t1 - t0) / 1000
idle_cpu = (c1 - c0) / secs
print("idle: %.3f CPU s over %.1f s = %.4f CPU s/s, %.1f wakeups/s (context switches, all threads)"
      % (c1 - c0, secs, idle_cpu, (s1 - s0) / secs))
print("memory: peak RSS (VmHWM) %.1f MB, RSS at the end %.1f MB; CPU over the whole run %.2f s"
      % (r["hwm_kb"] / 1024, r["rss_kb"] / 1024, r["cpu_total"]))
print("lateness: %s (max %d ms, target <= 1000)" % ("PASS" if late[-1] <= 1000 else "MISS", late[-1]))
print("idle cpu: %s (%.4f CPU s/s, target ~0, <= 0.01)" % ("PASS" if idle_cpu <= 0.01 else "MISS", idle_cpu))
print("rss: %s (%.1f MB, target < 64)" % ("PASS" if r["hwm_kb"] / 1024 < 64 else "MISS", r["hwm_kb"] / 1024))
EOF

if [ -n "${BENCH_PERF:-}" ]; then
	echo "note: under BENCH_PERF the burst ran under perf record; its lateness is perturbed"
	echo "where sitrepd spends its time during the burst (perf, inclusive, top 40):"
	perf report -q -i "$tmp/perf.data" --stdio --children --sort sym -g none 2>/dev/null |
		awk '/^ +[0-9]/ && !/\] 0x[0-9a-f]+$/ && !/\] 0+$/ && ++n <= 40' ||
		die "perf report failed"
fi
