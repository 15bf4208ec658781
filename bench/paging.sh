#!/usr/bin/env bash
# bench/paging.sh: whether pages reach people on time when many incidents
# page at once, and how fast `sitrep oncall` reads a year of rotations.
# Three parts, all in one run:
#
#   notify    NINC incidents opened at once (WORKERS CLI processes in
#             parallel) from a swarm playbook, each paged (`sitrep page INC
#             commander`: every tier, PER_TIER people each) while sitrepd
#             runs. Every person has three notification steps: e-mail at
#             once (to a loopback SMTP sink, tests/cli/servers/smtprecv.py),
#             a webhook after STEP2_SECS and another after STEP3_SECS (to a
#             loopback nginx answering 200). Measured, for every page's
#             first notification (its outbox row due first): the row's
#             created_at minus the page's paged_at. Target: every one
#             within 1 s of its page. Printed too, with no target: the same
#             to the row's sent_at (the e-mail accepted by the sink), and
#             how late the later steps were sent after their due time.
#   escalate  NINC incidents from a tiered playbook (L1 to L4, ack_timeout
#             ACK_SECS) paged the same way and never acknowledged: sitrepd
#             escalates each L1 -> L2 -> L3 -> L4 and then reports the last
#             tier reached (page_exhausted). Measured, for each escalation:
#             the 'escalated' event's time minus the timeout_at of the page
#             it moved on from (its details' late_ms, when the scheduler
#             records one, printed too); for each page_exhausted, the same
#             against the last tier's page. Target: every one <= 1 s late.
#   oncall    `sitrep oncall` over NSCHED schedules (NAME.schedule files
#             committed in the playbook repository, each a daily or weekly
#             rotation of several people started a year ago, in one of
#             several time zones, under a business-hours layer) against
#             `git show HEAD:NAME.schedule` of one of them, timed in turns
#             (bench/timing.py). Target: <= 1.5x.
#
# A benchmark, not a test: it prints the figures and PASS or MISS per
# target and exits 0 either way; non-zero only when something failed to run.
#
# The incidents are opened and paged through the CLI (`sitrep open`, then
# `sitrep page`, WORKERS at a time), as people would, so the store sees
# the CLI's writers and the daemon's together. The people, their contacts
# and notification rules are the site config's; the two playbooks are
# committed to the workspace's playbook repository.
#
#   SITREP_BIN  the directory holding sitrep and sitrepd (default ./build; built if missing)
#   NINC        incidents per paging part (default 1000)
#   PER_TIER    people on each of the tiers L1..L4 (default 1)
#   WORKERS     CLI processes opening and paging at once (default 4)
#   ACK_SECS    the tiered playbook's ack_timeout in seconds (default 5)
#   STEP2_SECS, STEP3_SECS  the webhook steps' delays (default 2 and 4;
#               below ACK_SECS, as sitrep.conf(5) requires)
#   NSCHED      schedules for the oncall part (default 50)
#   RUNS        timed runs of each command in the oncall part (default 25)
#   PARTS       the parts to run (default "notify escalate oncall")
#   BENCH_KEEP  set to keep the workspaces (their path is printed)
#
# Usage: bench/paging.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
ninc=${NINC:-1000}
per_tier=${PER_TIER:-1}
workers=${WORKERS:-4}
ack=${ACK_SECS:-5}
step2=${STEP2_SECS:-2}
step3=${STEP3_SECS:-4}
nsched=${NSCHED:-50}
runs=${RUNS:-25}
parts=${PARTS:-notify escalate oncall}

bench_numbers NINC:ninc PER_TIER:per_tier WORKERS:workers ACK_SECS:ack STEP2_SECS:step2 \
	STEP3_SECS:step3 NSCHED:nsched RUNS:runs
[ "$step3" -lt "$ack" ] && [ "$step2" -lt "$ack" ] ||
	die "STEP2_SECS and STEP3_SECS must be below ACK_SECS"
for p in $parts; do
	case $p in notify | escalate | oncall) ;; *) die "PARTS: unknown part '$p' (notify, escalate, oncall)" ;; esac
done
want() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
[ "$runs" -ge 20 ] || echo "note: RUNS=$runs; at least 20 give a steadier median" >&2
bench_tools git python3 sqlite3 curl
if want notify || want escalate; then
	bench_tools nginx
	smtprecv=$here/tests/cli/servers/smtprecv.py
	[ -f "$smtprecv" ] || die "no $smtprecv"
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		die "the SMTP sink needs Debian's python3-aiosmtpd (make deps installs it)"
fi
bench_setup sitrep sitrepd
echo "$("$sitrep" --version), $(git --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(nproc) CPUs"

# ------------------------------------------------------------ workspaces

# write_conf DIR PEOPLE TIERS EXTRA: a whole sitrep.conf in DIR, with the
# people and tiers given, the ops-chat channel (Slack, $SITREP_SLACK_URL)
# and an e-mail channel for paging to $smtp_port; EXTRA is appended.
write_conf() {
	local dir=$1 people=$2 tiers=$3 extra=$4
	cat >"$dir/sitrep.conf" <<-EOF
		# bench/paging.sh's workspace
		workspace = { database = "sitrep.db"; playbooks = "playbooks"; branch = "main"; };
		status_page = { name = "Bench Status"; url = "http://127.0.0.1:$http_port/"; time_zone = "UTC"; };
		http = { listen = "127.0.0.1:$http_port"; };
		components = (
		  { id = "api"; name = "Public API"; }, { id = "web"; name = "Web application"; },
		  { id = "auth"; name = "Login and SSO"; }, { id = "payments"; name = "Payments"; },
		  { id = "database"; name = "Data storage"; }, { id = "email"; name = "E-mail delivery"; }
		);  # the shipped playbooks name all six
		identity = { impersonation = true; };  # the CLI workers act as the people
		people = (
		$people
		);
		tiers = {
		$tiers
		};
		channels = (
		  { id = "ops-chat"; type = "slack"; audiences = [ "internal" ]; url_env = "SITREP_SLACK_URL"; },
		  { id = "mail"; type = "email"; audiences = [ "executives" ];
		    smtp_url = "smtp://127.0.0.1:$smtp_port"; from = "pager@example.com";
		    to = [ "leadership@example.com" ]; }
		);
		paging = { email_channel = "mail"; link_key_file = "paging.key"; link_lifetime = "1d"; };
		$extra
	EOF
	# sitrep init writes the key; a workspace from an older init may lack it
	[ -s "$dir/paging.key" ] || (umask 077 &&
		python3 -c 'import os; print(os.urandom(32).hex())' >"$dir/paging.key")
}

# new_workspace DIR: `sitrep init DIR`, its playbook repository's commits
# made as the benchmark
new_workspace() {
	"$sitrep" init "$1" >/dev/null || die "sitrep init $1 failed"
	git -C "$1/playbooks" config user.name sitrep-bench
	git -C "$1/playbooks" config user.email bench@sitrep.invalid
}

http_port=$(free_port)
smtp_port=$(free_port)

# ------------------------------------------------------------ notify, escalate

if want notify || want escalate; then
	# The receivers: nginx answers 200 to every POST under /hook/ (the
	# ops-chat channel and the people's webhooks); smtprecv accepts every
	# message and stores it under $tmp/smtp.
	ngx_port=$(free_port)
	ngx=$tmp/nginx
	nginx_conf "$ngx" "$ngx_port" 1 "client_body_buffer_size 64k;" \
		'location /hook/ { return 200 "ok"; }'
	nginx_start "$ngx" "$ngx_port" 200
	mkdir -p "$tmp/smtp"
	/usr/bin/python3 "$smtprecv" --dir "$tmp/smtp" --port "$smtp_port" \
		--portfile "$tmp/smtp.port" >/dev/null 2>"$tmp/smtp.log" &
	daemon_pids+=("$!")
	for ((k = 0; ; k++)); do
		[ -s "$tmp/smtp.port" ] && break
		[ "$k" -lt 200 ] || { cat "$tmp/smtp.log" >&2; die "the SMTP sink did not start"; }
		sleep 0.05
	done
	export SITREP_SLACK_URL=http://127.0.0.1:$ngx_port/hook/slack
	export BENCH_PHONE_URL=http://127.0.0.1:$ngx_port/hook/phone
	export BENCH_PUSH_URL=http://127.0.0.1:$ngx_port/hook/push
	BENCH_HOOK_SECRET=whsec_$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
	export BENCH_HOOK_SECRET

	# PER_TIER people on each tier L1..L4, each with three steps.
	people= handles=()
	for t in 1 2 3 4; do
		for ((k = 1; k <= per_tier; k++)); do
			h=l$t-p$k
			handles+=("$h")
			people+="${people:+,
}  { handle = \"$h\"; name = \"Person $k of L$t\"; tier = \"L$t\";
    contacts = (
      { id = \"mail\";  type = \"email\";   address = \"$h@example.com\"; },
      { id = \"phone\"; type = \"webhook\"; url_env = \"BENCH_PHONE_URL\"; secret_env = \"BENCH_HOOK_SECRET\"; },
      { id = \"push\";  type = \"webhook\"; url_env = \"BENCH_PUSH_URL\";  secret_env = \"BENCH_HOOK_SECRET\"; }
    );
    notify = (
      { contact = \"mail\";  after = \"0s\"; },
      { contact = \"phone\"; after = \"${step2}s\"; },
      { contact = \"push\";  after = \"${step3}s\"; }
    ); }"
		done
	done
	ws=$tmp/ws
	new_workspace "$ws"
	write_conf "$ws" "$people" "" \
		"delivery = { concurrency = 64; timeout = \"10s\"; allow = [ \"127.0.0.1/32\" ]; };"
	conf=$ws/sitrep.conf
	for mode in swarm tiered; do
		timeout=$([ $mode = swarm ] && echo 30m || echo "${ack}s")
		cat >"$ws/playbooks/bench-$mode.playbook" <<-EOF
			# bench/paging.sh: a $mode playbook; only the commander is paged.
			name    = "bench-$mode";
			title   = "Benchmark ($mode)";
			summary = "Every page goes out at once; nobody acknowledges.";
			severity = "SEV1";
			components = [ "api" ];
			roles = (
			  { id = "commander"; title = "Incident Commander"; duties = "Owns the response."; }
			);
			escalation = { mode = "$mode"; ack_timeout = "$timeout"; tiers = [ "L1", "L2", "L3", "L4" ]; };
		EOF
	done
	git -C "$ws/playbooks" add bench-swarm.playbook bench-tiered.playbook
	git -C "$ws/playbooks" commit -q -m "The benchmark's playbooks" || die "cannot commit the playbooks"
	if ! out=$("$sitrep" -c "$conf" playbook validate 2>&1); then
		echo "$out" >&2
		die "sitrep playbook validate refused the benchmark's playbooks or people"
	fi
	echo "paging workspace: ${#handles[@]} people (L1..L4, $per_tier each), three steps each" \
		"(e-mail 0s, webhooks ${step2}s and ${step3}s); $out"

	python3 - "$sitrep" "$sitrepd" "$conf" "$ws/sitrep.db" "$tmp" "$ninc" "$workers" \
		"$ack" "$step3" "$parts" <<'EOF' || die "the paging run failed"
import json, os, re, signal, sqlite3, subprocess, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

sitrep, sitrepd, conf, db, tmp, ninc, workers, ack, step3, parts = sys.argv[1:11]
ninc, workers, ack, step3 = int(ninc), int(workers), int(ack), int(step3)
parts = parts.split()
ms = lambda: int(time.time() * 1000)
log = os.path.join(tmp, "sitrepd.log")
errf = open(log, "wb")
p = subprocess.Popen([sitrepd, "-c", conf], stdout=subprocess.DEVNULL, stderr=errf)

def fail(msg):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait()
    sys.stderr.write(open(log, errors="replace").read()[-3000:])
    sys.exit(msg)

t0 = ms()
while b"status page: http://" not in open(log, "rb").read():
    if p.poll() is not None:
        fail("sitrepd exited %d at startup" % p.returncode)
    if ms() - t0 > 30000:
        fail("sitrepd said nothing of its status page in 30 s")
    time.sleep(0.01)

def cli(argv):
    t = time.perf_counter()
    r = subprocess.run([sitrep, "-c", conf, "--as", "l1-p1"] + argv,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t = time.perf_counter() - t
    if r.returncode != 0:
        fail("'sitrep %s' exited %d: %s" % (" ".join(argv), r.returncode,
                                           r.stderr.decode(errors="replace").strip()))
    return t, r.stdout.decode()

def wave(label, argvs):
    """Run every argv, WORKERS at a time; returns (outputs, start, end)."""
    t_start = ms()
    with ThreadPoolExecutor(workers) as ex:
        res = list(ex.map(cli, argvs))
    t_end = ms()
    times = sorted(t for t, _ in res)
    print("  %s: %d commands, %d at a time, in %.1f s (each: median %.0f ms, max %.0f ms)"
          % (label, len(argvs), workers, (t_end - t_start) / 1000,
             times[len(times) // 2] * 1000, times[-1] * 1000))
    return [o for _, o in res], t_start, t_end

def open_and_page(playbook):
    outs, _, _ = wave("sitrep open %s" % playbook,
                      [["open", playbook, "--title", "Benchmark incident %d" % k]
                       for k in range(ninc)])
    ids = []
    for o in outs:
        m = re.match(r"INC-(\d+) opened", o)
        if m is None:
            fail("unexpected open output: %r" % o)
        ids.append(int(m.group(1)))
    _, t_start, t_end = wave("sitrep page INC commander",
                             [["page", "INC-%d" % i, "commander"] for i in ids])
    return min(ids), max(ids), t_start, t_end

ro = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
def one(sql, *args):
    return ro.execute(sql, args).fetchone()[0]

def wait_for(what, cond, deadline):
    while not cond():
        if p.poll() is not None:
            fail("sitrepd exited %d while waiting for %s" % (p.returncode, what))
        if ms() > deadline:
            print("  note: gave up waiting for %s" % what)
            return False
        time.sleep(0.2)
    return True

result = {}
if "notify" in parts:
    print("notify: %d incidents from bench-swarm" % ninc)
    lo, hi, ts, te = open_and_page("bench-swarm")
    # every notification of these pages sent (or dead): the last step is
    # due STEP3_SECS after the last page
    wait_for("the notifications of the swarm's pages",
             lambda: one("SELECT count(*) FROM outbox o JOIN pages g ON g.id = o.page_id"
                         " WHERE g.incident_id BETWEEN ? AND ?"
                         " AND o.state IN ('pending', 'retrying')", lo, hi) == 0,
             te + step3 * 1000 + 180000)
    result["notify"] = {"lo": lo, "hi": hi, "start": ts, "end": te}
if "escalate" in parts:
    print("escalate: %d incidents from bench-tiered (ack_timeout %d s), nobody acknowledges"
          % (ninc, ack))
    lo, hi, ts, te = open_and_page("bench-tiered")
    def exhausted():
        return one("SELECT count(DISTINCT incident_id) FROM (SELECT incident_id FROM pages"
                   " WHERE exhausted_at IS NOT NULL AND incident_id BETWEEN ?1 AND ?2"
                   " UNION ALL SELECT incident_id FROM events WHERE kind = 'page_exhausted'"
                   " AND incident_id BETWEEN ?1 AND ?2)", lo, hi) == hi - lo + 1
    wait_for("every incident's last tier to time out", exhausted,
             te + 4 * ack * 1000 + 180000)
    result["escalate"] = {"lo": lo, "hi": hi, "start": ts, "end": te}
ro.close()
time.sleep(1)
p.send_signal(signal.SIGTERM)
try:
    p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    fail("sitrepd did not stop in 30 s on SIGTERM")
json.dump(result, open(os.path.join(tmp, "paging.json"), "w"))
EOF

	python3 - "$ws/sitrep.db" "$tmp/paging.json" "$ninc" "$per_tier" "$step2" "$step3" \
		<<'EOF' || die "cannot compute the figures"
import json, sqlite3, sys

db, res = sys.argv[1], sys.argv[2]
ninc, per_tier, step2, step3 = (int(x) for x in sys.argv[3:7])
r = json.load(open(res))
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
q = lambda sql, *a: con.execute(sql, a).fetchall()

def dist(v):
    v = sorted(v)
    if not v:
        return "none"
    pct = lambda x: v[min(len(v) - 1, int(x * len(v)))]
    return "p50 %d, p99 %d, max %d ms (%d)" % (pct(0.5), pct(0.99), v[-1], len(v))

def verdict(label, v, expect, target=1000):
    ok = len(v) == expect and v and max(v) <= target
    print("%s: %s (max %s ms over %d of %d, target <= %d)"
          % (label, "PASS" if ok else "MISS", max(v) if v else "-", len(v), expect, target))

# Each page's notifications, from its outbox rows. The engine keeps no due
# time once a row is sent (next_at is reused for retries), so a row's is
# paged_at plus its notify rule's delay, known from its contact id; the
# first notification is the row due first (the lowest id on a tie).
AFTER = {"mail": 0, "phone": step2 * 1000, "push": step3 * 1000}

def notifications(lo, hi, min_tier=0):
    rows = q("""SELECT g.id, g.paged_at, o.contact, o.created_at, o.sent_at, o.state
        FROM pages g JOIN outbox o ON o.page_id = g.id
        WHERE g.incident_id BETWEEN ? AND ? AND g.tier >= ? ORDER BY g.id, o.id""",
             lo, hi, min_tier)
    pages = {}
    for pid, paged, contact, created, sent, state in rows:
        due = paged + AFTER.get((contact or "").rsplit("/", 1)[-1], 0)
        pages.setdefault(pid, []).append((due, paged, created, sent, state))
    firsts = [min(v, key=lambda x: x[0]) for v in pages.values()]
    queued = [c - pa for _, pa, c, _, _ in firsts]
    sent = [s - pa for _, pa, _, s, st in firsts if st == "sent"]
    states = {}
    for f in firsts:
        states[f[4]] = states.get(f[4], 0) + 1
    later = [s - d for v in pages.values() for d, pa, _, s, st in v
             if st == "sent" and d > pa]
    return pages, queued, sent, states, later

if "notify" in r:
    lo, hi = r["notify"]["lo"], r["notify"]["hi"]
    npages = q("SELECT count(*) FROM pages WHERE incident_id BETWEEN ? AND ?", lo, hi)[0][0]
    per = dict(q("""SELECT n, count(*) FROM (SELECT g.id, (SELECT count(*) FROM outbox o
        WHERE o.page_id = g.id) AS n FROM pages g WHERE g.incident_id BETWEEN ? AND ?)
        GROUP BY n""", lo, hi))
    _, queued, sent, states, later = notifications(lo, hi)
    print("notify: %d pages (expected %d), notifications per page: %s"
          % (npages, ninc * 4 * per_tier,
             ", ".join("%d: %d pages" % kv for kv in sorted(per.items())) or "none"))
    print("  first notification queued (outbox created_at - paged_at): %s" % dist(queued))
    print("  first notification sent (sent_at - paged_at; e-mail accepted by the sink): %s;"
          " states %s" % (dist(sent), ", ".join("%s %d" % kv for kv in sorted(states.items()))))
    print("  later steps sent after their due time (sent_at - paged_at - after): %s" % dist(later))
    verdict("first notification within 1 s of its page", queued, ninc * 4 * per_tier)

if "escalate" in r:
    lo, hi = r["escalate"]["lo"], r["escalate"]["hi"]
    late, due, late_ms, unmatched = [], [], [], 0
    for inc, at, details in q("""SELECT incident_id, at, details FROM events
            WHERE kind = 'escalated' AND incident_id BETWEEN ? AND ?""", lo, hi):
        d = json.loads(details)
        tier = int(str(d.get("from", "L-1"))[1:])
        t = q("""SELECT min(timeout_at) FROM pages WHERE incident_id = ? AND role = ?
            AND tier = ? AND state = 'escalated'""", inc, d.get("role"), tier)[0][0]
        if t is None:
            unmatched += 1
            continue
        late.append(at - t)
        due.append(t)
        if "late_ms" in d:
            late_ms.append(d["late_ms"])
    ex = [a - t for a, t in q("""SELECT e.at, (SELECT max(g.timeout_at) FROM pages g
            WHERE g.incident_id = e.incident_id AND g.tier = 4) FROM events e
            WHERE e.kind = 'page_exhausted' AND e.incident_id BETWEEN ? AND ?""", lo, hi)
          if t is not None]
    if not ex:  # no event: the pages' exhausted_at
        ex = [a - t for a, t in q("""SELECT min(exhausted_at), max(timeout_at) FROM pages
            WHERE exhausted_at IS NOT NULL AND incident_id BETWEEN ? AND ?
            GROUP BY incident_id""", lo, hi)]
    early = [x for x in late if x < 0]
    print("escalate: %d escalations (expected %d: L1 -> L2 -> L3 -> L4 in each incident)%s"
          % (len(late) + unmatched, ninc * 3,
             "; %d not matched to a page" % unmatched if unmatched else ""))
    print("  lateness (escalated event's time - the page's timeout_at): %s" % dist(late))
    quiet = [x for x, t in zip(late, due) if t > r["escalate"]["end"]]
    print("    of which due after the last 'sitrep page' of the wave (no CLI writers): %s"
          % dist(quiet))
    if late_ms:
        print("  (late_ms as the scheduler records it: %s)" % dist(late_ms))
    if early:
        print("  note: %d escalated before their timeout (a dead contact escalates at once)"
              % len(early))
    print("  last tier reached (page_exhausted time - L4 page's timeout_at): %s" % dist(ex))
    _, queued, sent, _, _ = notifications(lo, hi, 2)
    print("  escalated tiers' first notification queued: %s; sent: %s" % (dist(queued), dist(sent)))
    verdict("escalation <= 1 s late", late, ninc * 3)
    verdict("last tier reached <= 1 s late", ex, ninc)
EOF
fi

# ------------------------------------------------------------ oncall

if want oncall; then
	ows=$tmp/oncall
	new_workspace "$ows"
	# 24 people with an e-mail contact; 50 schedules over them.
	npeople=24
	people=
	for ((k = 1; k <= npeople; k++)); do
		h=$(printf 'u%02d' "$k")
		people+="${people:+,
}  { handle = \"$h\"; name = \"User $k\"; tier = \"L$((k % 3 + 1))\";
    contacts = ( { id = \"mail\"; type = \"email\"; address = \"$h@example.com\"; } ); }"
	done
	python3 - "$ows/playbooks" "$nsched" "$npeople" <<'EOF' || die "cannot write the schedules"
import datetime, os, sys

repo, nsched, npeople = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
zones = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo", "Australia/Sydney",
         "America/Los_Angeles", "Europe/London", "Asia/Kolkata"]
start = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
q = lambda xs: ", ".join('"%s"' % x for x in xs)
for k in range(1, nsched + 1):
    n = 3 + k % 4  # 3 to 6 people in the rotation
    people = ["u%02d" % ((k * 5 + i) % npeople + 1) for i in range(n)]
    lead = "u%02d" % ((k * 7) % npeople + 1)
    length = "1d" if k % 2 else "1w"
    with open(os.path.join(repo, "team-%02d.schedule" % k), "w") as f:
        f.write("# bench/paging.sh: schedule %d of %d, a %s rotation since %s\n"
                "time_zone = \"%s\";\n"
                "layers = (\n"
                "  { name = \"around-the-clock\"; people = [ %s ]; length = \"%s\";"
                " start = \"%s 09:00\"; },\n"
                "  { name = \"business-hours\"; people = [ \"%s\" ]; length = \"1d\";"
                " start = \"%s 09:00\";\n"
                "    days = [ \"mon\", \"tue\", \"wed\", \"thu\", \"fri\" ];"
                " from = \"09:00\"; until = \"17:00\"; }\n"
                ");\n" % (k, nsched, "daily" if length == "1d" else "weekly", start,
                          zones[k % len(zones)], q(people), length, start, lead, start))
EOF
	write_conf "$ows" "$people" \
		'L1 = { people = [ "u01" ]; schedules = [ "team-01", "team-02" ]; };
		L2 = { people = [ "u02" ]; schedules = [ "team-03" ]; };' ""
	git -C "$ows/playbooks" add -- '*.schedule'
	git -C "$ows/playbooks" commit -q -m "$nsched on-call schedules" || die "cannot commit the schedules"
	git -C "$ows/playbooks" repack -a -d -f -q || die "git repack failed"
	if ! out=$("$sitrep" -c "$ows/sitrep.conf" schedule validate 2>&1); then
		echo "$out" >&2
		die "sitrep schedule validate refused the benchmark's schedules"
	fi
	n=$("$sitrep" -c "$ows/sitrep.conf" oncall --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d.get("schedules", d) if isinstance(d, dict) else d
print(len(s))') || die "sitrep oncall --json failed"
	echo "oncall: $nsched schedules ($out); sitrep oncall --json lists $n; $runs runs each, interleaved"
	PYTHONPATH=$here/bench python3 - "$runs" "$sitrep" "$ows/sitrep.conf" "$ows/playbooks" <<'EOF' || die "the timing runs failed"
import sys
from timing import rounds

runs, sitrep, conf, repo = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
med = rounds(runs, [
    ("git show HEAD:team-01.schedule", lambda r: ["git", "-C", repo, "show", "HEAD:team-01.schedule"]),
    ("sitrep oncall", lambda r: [sitrep, "-c", conf, "oncall"]),
])
ratio = med["sitrep oncall"] / med["git show HEAD:team-01.schedule"]
print("oncall/git-show = %.2f (target <= 1.5)" % ratio)
print("oncall: %s" % ("PASS" if ratio <= 1.5 else "MISS"))
EOF
fi
