# bench/lib.sh: what the benchmarks that start servers share: sitrep and
# sitrepd from $bin (built when $bin is ./build and they are missing); a
# temporary workspace, removed at exit unless BENCH_KEEP is set; the nginx
# and the daemons they started, stopped at exit; a free loopback port.
# Source it after setting here and bin and defining die().
#
#	nginx_start DIR PORT CODE   # nginx_pid, stopped with SIGQUIT at exit
#	daemon_pids+=("$!")     # stopped with SIGTERM at exit

if [ ! -x "$bin/sitrep" ] || [ ! -x "$bin/sitrepd" ]; then
	[ "$(cd "$bin" 2>/dev/null && pwd || echo "$bin")" = "$here/build" ] ||
		die "no sitrep and sitrepd in SITREP_BIN=$bin (make builds only $here/build)"
	echo "building sitrep (make)..." >&2
	make -C "$here" >&2 || die "make failed"
fi
sitrep=$bin/sitrep
sitrepd=$bin/sitrepd
[ -x "$sitrep" ] || die "no executable $sitrep"
[ -x "$sitrepd" ] || die "no executable $sitrepd"

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

# nginx_start DIR PORT CODE: start $nginx on DIR/nginx.conf (which listens
# on 127.0.0.1:PORT) and wait until a POST to /hook/probe answers CODE.
nginx_start() {
	local dir=$1 port=$2 want=$3 code k
	"$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
	nginx_pid=$!
	for ((k = 0; ; k++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' \
			"http://127.0.0.1:$port/hook/probe" 2>/dev/null) || code=
		[ "$code" = "$want" ] && return 0
		kill -0 "$nginx_pid" 2>/dev/null || { cat "$dir/error.log" >&2 || true; die "nginx did not start"; }
		[ "$k" -lt 100 ] || die "nginx on 127.0.0.1:$port does not answer $want (got '$code')"
		sleep 0.05
	done
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' ||
		die "cannot find a free loopback port"
}
