# servers.sh: start and stop the loopback test servers from a CLI test.
# Source it after lib.sh, and call the start functions after tmp_workspace:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/servers/servers.sh"
#	tmp_workspace
#	start_httprecv web || bail "cannot start httprecv"
#	curl -d x "http://127.0.0.1:$HTTP_PORT/ok/a"
#	start_smtprecv mail --user alice --password s3cret || bail "..."
#	... stop_server web   # or let the script's exit stop them all
#
# Each server NAME keeps its files under $TEST_TMP/NAME/: port, pid, stderr
# and, for httprecv, requests.jsonl; for smtprecv, the messages themselves.
# Every server still running is stopped (SIGTERM) when the script exits.

SERVERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS_PYTHON=/usr/bin/python3
declare -A _srv_pid=()

_srv_exit() {
	local rc=$?
	stop_all_servers
	(exit "$rc")
	_lib_exit
}

# _srv_start NAME CMD...: run CMD (which takes --portfile) in the background,
# wait up to 60 s for its port, leave it in SRV_PORT.
_srv_start() {
	local name=$1 dir="$TEST_TMP/$1" i
	shift
	mkdir -p "$dir" || return 1
	rm -f "$dir/port"
	"$@" --portfile "$dir/port" >/dev/null 2>"$dir/stderr" </dev/null &
	_srv_pid[$name]=$!
	echo "${_srv_pid[$name]}" >"$dir/pid"
	trap _srv_exit EXIT
	for ((i = 0; i < 600; i++)); do
		if [ -s "$dir/port" ]; then
			SRV_PORT=$(cat "$dir/port")
			return 0
		fi
		if ! kill -0 "${_srv_pid[$name]}" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	diag "server $name did not start: $(cat "$dir/stderr")"
	stop_server "$name"
	return 1
}

# start_httprecv NAME [ARGS...]: the HTTP receiver, logging to
# $TEST_TMP/NAME/requests.jsonl; its port in HTTP_PORT.
start_httprecv() {
	local name=$1
	shift
	_srv_start "$name" "$SERVERS_PYTHON" "$SERVERS_DIR/httprecv.py" \
		--log "$TEST_TMP/$name/requests.jsonl" "$@" || return 1
	HTTP_PORT=$SRV_PORT
}

# start_smtprecv NAME [ARGS...]: the SMTP server, storing messages in
# $TEST_TMP/NAME/mail; its port in SMTP_PORT.
start_smtprecv() {
	local name=$1
	shift
	_srv_start "$name" "$SERVERS_PYTHON" "$SERVERS_DIR/smtprecv.py" \
		--dir "$TEST_TMP/$name/mail" "$@" || return 1
	SMTP_PORT=$SRV_PORT
}

# stop_server NAME: SIGTERM, then wait for it (SIGKILL after 5 s). Returns
# the server's exit code, 0 for a clean stop.
stop_server() {
	local pid=${_srv_pid[$1]:-} i rc=0
	[ -n "$pid" ] || return 0
	unset "_srv_pid[$1]"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		diag "server $1 ignored SIGTERM"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

stop_all_servers() {
	local name
	for name in "${!_srv_pid[@]}"; do
		stop_server "$name"
	done
}

# whverify SECRET < requests.jsonl: the Standard Webhooks check (exit 3
# when its npm package is not installed; see webhooks_usable).
whverify() {
	node "$SERVERS_DIR/whverify.js" "$@"
}

# webhooks_usable: node and the standardwebhooks package are installed;
# when not, WEBHOOKS_WHY says why, for skip.
webhooks_usable() {
	if ! command -v node >/dev/null 2>&1; then
		WEBHOOKS_WHY="node is not installed"
		return 1
	fi
	if [ ! -f "$SERVERS_DIR/node_modules/standardwebhooks/package.json" ]; then
		WEBHOOKS_WHY="run npm ci --prefix tests/cli/servers"
		return 1
	fi
	return 0
}

# smtp_usable: Debian's python3-aiosmtpd is installed; else SMTP_WHY.
smtp_usable() {
	if ! "$SERVERS_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
		SMTP_WHY="python3-aiosmtpd is not installed"
		return 1
	fi
	return 0
}
