# bench/lib.sh: what every benchmark shares, sourced first thing (after
# `set -euo pipefail`): $here (the repo) and $bin (SITREP_BIN, default
# ./build) and die(), then functions for the checks, the programs, a
# temporary workspace removed at exit unless BENCH_KEEP is set, the nginx
# and the daemons a benchmark started (stopped at exit), a free loopback
# port.
#
#	bench_numbers NAME:var...  # each $var a whole number, at least 1
#	bench_tools CMD...         # each CMD installed; nginx sets $nginx;
#	                           # perf only needed under BENCH_PERF
#	bench_setup PROG...        # $sitrep (and $sitrepd) from $bin, $tmp
#	nginx_conf DIR PORT WORKERS HTTP LOCATIONS   # DIR/nginx.conf
#	nginx_start DIR PORT CODE  # nginx_pid, stopped with SIGQUIT at exit
#	daemon_pids+=("$!")        # stopped with SIGTERM at exit

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SITREP_BIN:-$here/build}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
nginx_pid=
daemon_pids=()

die() { echo "bench/$(basename "$0"): $*" >&2; exit 1; }

# bench_numbers NAME:var...: die unless each variable holds a whole number
# of at least 1; NAME is the environment variable it came from.
bench_numbers() {
	local v name
	for v in "$@"; do
		name=${v%%:*} v=${v#*:}
		case ${!v} in ''|*[!0-9]*) die "$name must be a number (got '${!v}')" ;; esac
		[ "${!v}" -ge 1 ] || die "$name must be at least 1"
	done
}

# bench_tools CMD...: die unless each command is installed. nginx is also
# looked for in /usr/sbin and /sbin and its path kept in $nginx; perf is
# needed only when BENCH_PERF is set.
bench_tools() {
	local c
	for c in "$@"; do
		case $c in
		nginx)
			nginx=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx) ||
				die "nginx is not installed (make deps installs nginx-light)" ;;
		perf)
			[ -z "${BENCH_PERF:-}" ] || command -v perf >/dev/null ||
				die "BENCH_PERF is set but perf is not installed" ;;
		*)
			command -v "$c" >/dev/null || die "$c is not installed (make deps installs it)" ;;
		esac
	done
}

# bench_setup PROG...: $sitrep (and $sitrepd, when named) from $bin, built
# when $bin is ./build and one is missing; then $tmp, a new directory that
# bench_cleanup removes at exit.
bench_setup() {
	local p missing=
	for p in "$@"; do
		[ -x "$bin/$p" ] || missing=1
	done
	if [ -n "$missing" ]; then
		[ "$(cd "$bin" 2>/dev/null && pwd || echo "$bin")" = "$here/build" ] ||
			die "no $* in SITREP_BIN=$bin (make builds only $here/build)"
		echo "building sitrep (make)..." >&2
		make -C "$here" >&2 || die "make failed"
	fi
	for p in "$@"; do
		[ -x "$bin/$p" ] || die "no executable $bin/$p"
		printf -v "$p" '%s' "$bin/$p"
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-bench.XXXXXX")
	# nginx's workers drop to an unprivileged user when run as root: let
	# them reach the prefix and what is served from it.
	chmod 755 "$tmp"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

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

# nginx_conf DIR PORT WORKERS HTTP LOCATIONS: write DIR/nginx.conf for a
# loopback receiver on 127.0.0.1:PORT with WORKERS worker processes, no
# logs on the request path and keep-alive as long as the client likes;
# HTTP adds directives to the http block and LOCATIONS to the server
# (whose other paths answer 404).
nginx_conf() {
	local dir=$1 port=$2 workers=$3 http=$4 locations=$5
	mkdir -p "$dir/temp"
	cat >"$dir/nginx.conf" <<-EOF
		worker_processes $workers;
		daemon off;
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $dir/temp/body;
			proxy_temp_path $dir/temp/proxy;
			fastcgi_temp_path $dir/temp/fastcgi;
			uwsgi_temp_path $dir/temp/uwsgi;
			scgi_temp_path $dir/temp/scgi;
			keepalive_requests 100000000;
			keepalive_timeout 120s;
			$http
			server {
				listen 127.0.0.1:$port;
				$locations
				location / { return 404; }
			}
		}
	EOF
}

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
