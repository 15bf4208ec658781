#!/usr/bin/env bash
# bench/playbook.sh: how fast `sitrep playbook show` and `list` are against
# `git show` on a playbook repository of 50 playbooks and 200 commits.
#
# A benchmark, not a test: it prints the median wall times and the ratios
# against the targets (show <= 1.5x git show, list <= 3x) and exits 0 either
# way; non-zero only when something failed to run.
#
#   SITREP_BIN  the directory holding sitrep (default ./build; built if missing)
#   RUNS        timed runs of each command (default 25, at least 20 advised)
#   BENCH_KEEP  set to keep the generated workspace (its path is printed)
#
# Usage: bench/playbook.sh   (from anywhere; paths are resolved to the repo)
set -euo pipefail

. "$(dirname "$0")/lib.sh"
runs=${RUNS:-25}
npb=50
ncommits=200

bench_numbers RUNS:runs
[ "$runs" -ge 20 ] || echo "note: RUNS=$runs; at least 20 give a steadier median" >&2
bench_tools git python3
bench_setup sitrep
ws=$tmp/ws
conf=$ws/sitrep.conf
repo=$ws/playbooks
gitc=(git -C "$repo" -c user.name=sitrep-bench -c user.email=bench@sitrep.invalid)

"$sitrep" init "$ws" >/dev/null || die "sitrep init failed"
[ -f "$repo/outage.playbook" ] || die "sitrep init did not seed outage.playbook"

# The repository: the shipped playbooks (the seed commit), one commit adding
# variants of them up to $npb playbooks, then commits that each revise one
# playbook's summary or title, round robin, up to $ncommits in all. One
# fast-import stream, so building it takes well under a second; then a full
# repack as `git gc` would leave it, because fast-import deltas each blob
# against the one imported before it, whatever its path, and the resulting
# 50-deep chains across unrelated files would slow every reader alike and
# flatter the ratios.
python3 - "$repo" "$npb" "$ncommits" >"$tmp/stream" <<'EOF' || die "cannot generate the commits"
import os, re, subprocess, sys

repo, npb, ncommits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
git = ["git", "-C", repo]
head = subprocess.check_output(git + ["rev-parse", "HEAD"], text=True).strip()
t0 = int(subprocess.check_output(git + ["log", "-1", "--format=%ct", "HEAD"], text=True))
seeded = int(subprocess.check_output(git + ["rev-list", "--count", "HEAD"], text=True))
shipped = sorted(f[:-9] for f in os.listdir(repo) if f.endswith(".playbook"))
if "outage" not in shipped:
    sys.exit("no outage.playbook in the seed commit")
text = {n: open(os.path.join(repo, n + ".playbook"), encoding="utf-8").read()
        for n in shipped}

def setting(src, key):
    m = re.search(r'^%s\s*=\s*"([^"\n]*)";' % key, src, re.M)
    if m is None:
        sys.exit("no one-line %s in a shipped playbook" % key)
    return m.group(1)

def with_setting(src, key, value):
    return re.sub(r'^(%s\s*=\s*)"[^"\n]*";' % key,
                  lambda m: '%s"%s";' % (m.group(1), value), src, count=1, flags=re.M)

names = list(shipped)
for k in range(npb - len(shipped)):
    base = shipped[k % len(shipped)]
    name = "%s-%d" % (base, k // len(shipped) + 2)
    src = with_setting(text[base], "name", name)
    src = with_setting(src, "title", "%s (copy %d)" % (setting(src, "title"), k // len(shipped) + 2))
    text[name] = src
    names.append(name)
orig = {n: {"title": setting(text[n], "title"), "summary": setting(text[n], "summary")}
        for n in names}

out = sys.stdout.buffer
when = t0
def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

def commit(msg, files, first):
    global when
    when += 1
    ident = b"sitrep-bench <bench@sitrep.invalid> %d +0000\n" % when
    out.write(b"commit refs/heads/main\n")
    out.write(b"author " + ident + b"committer " + ident)
    data(msg.encode())
    if first:
        out.write(b"from %s\n" % head.encode())
    for name in files:
        out.write(b"M 100644 inline %s.playbook\n" % name.encode())
        data(text[name].encode())

made = seeded
added = names[len(shipped):]
if added and made < ncommits:
    commit("Add %d playbook variants for the benchmark" % len(added), added, True)
    made += 1
i = 0
while made < ncommits:
    name = names[i % len(names)]
    key = "summary" if (i // len(names)) % 2 == 0 else "title"
    text[name] = with_setting(text[name], key, "%s (revision %d)" % (orig[name][key], i + 1))
    commit("Revise the %s of %s" % (key, name), [name], made == seeded)
    made += 1
    i += 1
EOF
"${gitc[@]}" fast-import --quiet <"$tmp/stream" || die "git fast-import failed"
"${gitc[@]}" repack -a -d -f -q || die "git repack failed"
"${gitc[@]}" reset --quiet --hard main || die "git reset failed"

n=$("${gitc[@]}" rev-list --count main)
[ "$n" -eq "$ncommits" ] || die "the repository has $n commits, not $ncommits"
n=$("${gitc[@]}" ls-tree --name-only main | grep -c '\.playbook$' || true)
[ "$n" -eq "$npb" ] || die "the repository has $n playbooks, not $npb"
if ! out=$("$sitrep" -c "$conf" playbook validate 2>&1); then
	echo "$out" >&2
	die "sitrep playbook validate found invalid playbooks"
fi
case $out in "$npb playbooks valid"*) ;; *) die "unexpected validate output: $out" ;; esac

echo "playbook repository: $npb playbooks, $ncommits commits ($out)"
echo "$("$sitrep" --version), $(git --version); $runs runs each, interleaved"

# The timed rounds (bench/timing.py), the three commands in each.
PYTHONPATH=$here/bench python3 - "$runs" "$sitrep" "$conf" "$repo" <<'EOF' || die "the timing runs failed"
import sys
from timing import rounds

runs, sitrep, conf, repo = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
med = rounds(runs, [
    ("git show HEAD:outage.playbook", lambda r: ["git", "-C", repo, "show", "HEAD:outage.playbook"]),
    ("sitrep playbook show outage", lambda r: [sitrep, "-c", conf, "playbook", "show", "outage"]),
    ("sitrep playbook list", lambda r: [sitrep, "-c", conf, "playbook", "list"]),
])
base = med["git show HEAD:outage.playbook"]
show = med["sitrep playbook show outage"] / base
lst = med["sitrep playbook list"] / base
print("show/git-show = %.2f (target <= 1.5)" % show)
print("list/git-show = %.2f (target <= 3)" % lst)
print("show: %s" % ("PASS" if show <= 1.5 else "MISS"))
print("list: %s" % ("PASS" if lst <= 3 else "MISS"))
EOF
