#!/bin/bash
# t0015-readme.sh: README's walkthroughs run as written. Every ```console
# block after a `<!-- sitrep-test: NAME -->` line is a step of scenario
# NAME: each scenario starts in a fresh workspace (sitrep init) and runs its
# blocks in README order. In a block, a line "PROMPT$ COMMAND" is a command
# (PROMPT, when given, is the person: alice$ runs as SITREP_USER=alice);
# the lines up to the next command are its output, stdout and stderr as
# the terminal shows them, compared after times, dates, commits and ages
# are normalised; a line "..." stands for any number of lines. A command
# whose output starts "sitrep: " (not a warning) must fail, every other
# must succeed. Words after NAME on the marker's line are a comment; the
# lines of a marker comment that goes on are commands run first, unshown
# (where the scenario stands, when the README's story skips ahead). Then
# contrib/walkthrough.sh's commands, which `make run` prints, run in order
# in a fresh workspace. Not marked: blocks that need a fixed port, an
# editor, the daemon in the foreground or the minutes the story lets pass.
. "$(dirname "$0")/lib.sh"

tmp_workspace
PY=/usr/bin/python3
README="$SITREP_SRC/README.md"

cat >"$TEST_TMP/readme.py" <<'EOF'
import json, re, sys

def extract(path):
    """The marked blocks' commands as JSON lines, in README order."""
    lines = open(path, encoding="utf-8").read().split("\n")
    steps, i = [], 0
    prompt = re.compile(r"^(?:([a-z][a-z0-9_-]*))?\$ (.*)$")
    while i < len(lines):
        m = re.match(r"^<!-- sitrep-test: ([a-z0-9-]+)(.*)$", lines[i])
        # (text after the name, to the end of its line, is a comment)
        if not m:
            i += 1
            continue
        scenario, where = m.group(1), i + 1
        # setup lines inside the comment, up to "-->"
        rest, i = [m.group(2) if "-->" in m.group(2) else ""], i + 1
        while "-->" not in rest[-1] and i < len(lines):
            rest.append(lines[i])
            i += 1
        for r in rest:
            p = prompt.match(r.replace("-->", "").strip())
            if p:
                steps.append(dict(scenario=scenario, user=p.group(1) or "", cmd=p.group(2),
                                  want=None, line=where))
        while i < len(lines) and lines[i].strip() == "":
            i += 1
        if i >= len(lines) or lines[i] != "```console":
            sys.exit("README line %d: a sitrep-test marker not before a ```console block" % where)
        i += 1
        cur = None
        while i < len(lines) and lines[i] != "```":
            p = prompt.match(lines[i])
            if p:
                cur = dict(scenario=scenario, user=p.group(1) or "", cmd=p.group(2),
                           want=[], line=i + 1)
                steps.append(cur)
            elif cur is None:
                sys.exit("README line %d: output before any command" % (i + 1))
            else:
                cur["want"].append(lines[i])
            i += 1
        i += 1
    for s in steps:
        if s["want"] is not None:
            s["want"] = "\n".join(s["want"])
        print(json.dumps(s))

SUBS = [
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<time>"),
    (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "<date> <hh:mm> UTC"),
    # a time for a reader carries its day when it is not today's: the run
    # may cross midnight where the README's story did not
    (r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: \d{4})? (\d\d:\d\d UTC)", r"\1"),
    (r"\b\d\d:\d\d UTC", "<hh:mm> UTC"),
    (r"@[0-9a-f]{7}\b", "@<commit>"),
    (r"\bwhsec_[A-Za-z0-9+/]+=*", "whsec_<secret>"),
    (r"^unsubscribe token: [0-9a-f]{32}$", "unsubscribe token: <token>"),
    (r"\b\d+h \d\dm after the incident opened", "<duration> after the incident opened"),
    (r"\b[0-9a-f]{7} \d{4}-\d\d-\d\d \d\d:\d\d\b", "<commit> <date>"),
    (r"^(<commit> <date>  .*  )\([^)]*\)$", r"\1(<author>)"),
    (r"^(  commit +)[0-9a-f]{7} \(", r"\1<commit> ("),
]

def norm(text):
    out = []
    for l in text.split("\n"):
        l = l.rstrip()
        for a, b in SUBS:
            l = re.sub(a, b, l)
        # list's AGE column
        l = re.sub(r"^(INC-\d+ +SEV\d +\w+ +)\d+[smhd] ", lambda m: m.group(1) + "<age>", l)
        out.append(l)
    while out and out[-1] == "":
        out.pop()
    return out

def match(want, got):
    """want's lines, "..." any run of lines, against got's."""
    memo = {}
    def m(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(want):
            r = j == len(got)
        elif want[i] == "...":
            r = m(i + 1, j) or (j < len(got) and m(i, j + 1))
        else:
            r = j < len(got) and want[i] == got[j] and m(i + 1, j + 1)
        memo[(i, j)] = r
        return r
    sys.setrecursionlimit(100000)
    return m(0, 0)

if sys.argv[1] == "extract":
    extract(sys.argv[2])
else:
    want = norm(open(sys.argv[2], encoding="utf-8").read())
    got = norm(open(sys.argv[3], encoding="utf-8", errors="replace").read())
    if not match(want, got):
        print("want (normalised):")
        print("\n".join("  | " + l for l in want))
        print("got (normalised):")
        print("\n".join("  | " + l for l in got))
        sys.exit(1)
EOF

$PY "$TEST_TMP/readme.py" extract "$README" >"$TEST_TMP/steps.jsonl" ||
	bail "cannot read README's walkthroughs"
NSTEPS=$(wc -l <"$TEST_TMP/steps.jsonl")
NSHOWN=$(jq -s '[.[] | select(.want != null)] | length' "$TEST_TMP/steps.jsonl")
# contrib/walkthrough.sh's commands: the lines "  $sitrep ...", "  git ..."
# and "  $EDITOR ..." it prints.
sh "$SITREP_SRC/contrib/walkthrough.sh" '$sitrep' '$ws' |
	sed -nE 's/^  ((\$sitrep|git|\$EDITOR) .*)$/\1/p' | sed 's/ *# .*$//' >"$TEST_TMP/contrib.txt"
NCONTRIB=$(wc -l <"$TEST_TMP/contrib.txt")

plan $((NSHOWN + NCONTRIB + 3))

ok "README marks its walkthroughs for this test (at least 20 commands shown: $NSHOWN)" \
	test "$NSHOWN" -ge 20

# ============================================================ README

# The editor README's "Change a playbook" uses: the customers' SEV1
# cadence first becomes "20 min", then "20m".
cat >"$TEST_TMP/readme-editor" <<'EOF'
#!/bin/sh
if grep -q 'SEV1 = "20 min"' "$1"; then
	sed -i 's/SEV1 = "20 min"/SEV1 = "20m"/' "$1"
else
	sed -i '/audience = "customers"; *every/s/SEV1 = "30m"/SEV1 = "20 min"/' "$1"
fi
EOF
chmod +x "$TEST_TMP/readme-editor"

# step JSON: run one step in the scenario's workspace.
scenario=
step() {
	local s=$1 sc user cmd line want rc=0
	sc=$(jq -r .scenario <<<"$s")
	user=$(jq -r .user <<<"$s")
	cmd=$(jq -r .cmd <<<"$s")
	line=$(jq -r .line <<<"$s")
	if [ "$sc" != "$scenario" ]; then
		scenario=$sc
		WS="$TEST_TMP/ws-$sc"
		sitrep init "$WS" >/dev/null 2>&1 || bail "sitrep init failed for scenario $sc"
	fi
	(
		cd "$WS" || exit 3
		if [ -n "$user" ]; then
			export SITREP_USER=$user
		fi
		export PATH="$SITREP_BIN:$PATH" EDITOR="$TEST_TMP/readme-editor"
		export GIT_AUTHOR_NAME="Alice Ng" GIT_AUTHOR_EMAIL=alice@example.com
		export GIT_COMMITTER_NAME="Alice Ng" GIT_COMMITTER_EMAIL=alice@example.com
		exec bash -c "$cmd"
	) >"$TEST_TMP/got" 2>&1 </dev/null || rc=$?
	if [ "$(jq -r '.want == null' <<<"$s")" = true ]; then
		[ "$rc" = 0 ] || bail "README line $line: setup '$cmd' failed ($rc): $(cat "$TEST_TMP/got")"
		return
	fi
	jq -r .want <<<"$s" >"$TEST_TMP/want"
	want=0
	if grep -q '^sitrep: ' "$TEST_TMP/want" && ! head -n 1 "$TEST_TMP/want" | grep -q '^sitrep: warning'; then
		want=nonzero
	fi
	local desc="README line $line ($sc): ${user:+$user}\$ $cmd"
	if ! $PY "$TEST_TMP/readme.py" match "$TEST_TMP/want" "$TEST_TMP/got" >"$TEST_TMP/why"; then
		fail "$desc"
		diag "$(cat "$TEST_TMP/why")"
	elif [ "$want" = 0 ] && [ "$rc" != 0 ]; then
		fail "$desc"
		diag "  exited $rc, expected 0"
	elif [ "$want" = nonzero ] && [ "$rc" = 0 ]; then
		fail "$desc"
		diag "  exited 0, expected a failure"
	else
		pass "$desc"
	fi
}

while IFS= read -r s; do
	step "$s"
done <"$TEST_TMP/steps.jsonl"

# The incident walkthrough ends closed, with its whole timeline verified.
run sitrep -c "$TEST_TMP/ws-incident/sitrep.conf" show INC-1 --json
is "$(jq -r .status <<<"$OUT")" closed "after README's walkthrough INC-1 is closed"

# ============================================================ contrib/walkthrough.sh

WS="$TEST_TMP/ws-contrib"
sitrep init "$WS" >/dev/null 2>&1 || bail "sitrep init failed"
# The editor it suggests tightens the outage playbook's SEV1 cadence.
printf '#!/bin/sh\nsed -i '"'"'s/SEV1 = "15m"/SEV1 = "10m"/'"'"' "$1"\n' >"$TEST_TMP/editor"
chmod +x "$TEST_TMP/editor"
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	run env sitrep="$SITREP_BIN/sitrep" ws="$WS" CMD="$cmd" EDITOR="$TEST_TMP/editor" \
		GIT_AUTHOR_NAME="$GIT_NAME" GIT_AUTHOR_EMAIL="$GIT_EMAIL" \
		GIT_COMMITTER_NAME="$GIT_NAME" GIT_COMMITTER_EMAIL="$GIT_EMAIL" \
		bash -c 'eval "$CMD"'
	is_rc 0 "make run suggests: $cmd"
done <"$TEST_TMP/contrib.txt"
ok "contrib/walkthrough.sh suggests commands to try ($n)" test "$n" -ge 5
