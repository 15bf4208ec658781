# bench/lib.sh: what the benchmarks that start servers share: a temporary
# workspace, removed at exit unless BENCH_KEEP is set; the nginx and the
# daemons they started, stopped at exit; a free loopback port. Source it
# after defining die().
#
#	nginx_pid=$!            # stopped with SIGQUIT at exit
#	daemon_pids+=("$!")     # stopped with SIGTERM at exit

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-bench.XXXXXX")
# nginx's workers drop to an unprivileged user when run as root: let them
# reach the prefix and what is served from it.
chmod 755 "$tmp"
nginx_pid=
daemon_pids=()

bench_cleanup() {
	local p
	for p in "${daemon_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$nginx_pid" ]; then
		kill -QUIT "$nginx_pid" 2>/dev/null || true
		wait "$nginx_pid" 2>/dev/null || true
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "kept the workspace in $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' ||
		die "cannot find a free loopback port"
}
