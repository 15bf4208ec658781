#!/bin/sh
# tools/check-layers.sh: the shape of the tree, checked (make check runs it).
# 1. A folder of src/ includes the headers of its own folder and of the
#    folders below it, never above (README, Design):
#      util < store < config < deliver < domain < public < ops < daemon, cli
#    (daemon and cli are both on top and do not call each other).
# 2. Each library is behind one module: its header is included only where
#    the list below says.
# Prints every breach as FILE: WHAT and exits 1 when there is one.
set -u
cd "$(dirname "$0")/.." || exit 3
order="util store config deliver domain public ops daemon cli"
fail=0

rank() {
	i=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

# the folder whose .c file is named after a header (sitrep/NAME.h)
home_of() {
	for l in $order; do
		[ -f "src/$l/$1.c" ] && { echo "$l"; return; }
	done
}

for l in $order; do
	r=$(rank "$l")
	for f in src/"$l"/*.c src/"$l"/*.h; do
		[ -f "$f" ] || continue
		for m in $(sed -n 's/^#include "sitrep\/\([a-z0-9-]*\)\.h".*/\1/p' "$f"); do
			h=$(home_of "$m")
			[ -n "$h" ] || continue
			hr=$(rank "$h")
			if [ "$hr" -gt "$r" ] || { [ "$h" != "$l" ] &&
				{ [ "$h" = daemon ] || [ "$h" = cli ]; }; }; then
				echo "$f: includes sitrep/$m.h of src/$h/, a layer above src/$l/"
				fail=1
			fi
		done
	done
done

# a library, the pattern of its headers, then the only files that may
# include them
only() {
	lib=$1
	pat=$2
	shift 2
	for f in $(grep -rlE "^#include <($pat)" src include); do
		ok=0
		for allowed in "$@"; do
			case "$f" in $allowed) ok=1 ;; esac
		done
		if [ $ok = 0 ]; then
			echo "$f: includes $lib, which only $* may"
			fail=1
		fi
	done
}
only SQLite 'sqlite3\.h' 'src/store/*'
only libgit2 'git2' 'src/config/gitapi.h' 'src/config/gitapi.c' 'src/static/*'
only libcurl 'curl/' 'src/deliver/*'
only libmicrohttpd 'microhttpd\.h' 'src/daemon/http*'
only libconfig 'libconfig\.h' 'src/config/confread.h' 'src/config/confread.c'
only jansson 'jansson\.h' 'src/util/json.c'
only 'mbedTLS or OpenSSL' 'mbedtls/|openssl/' 'src/util/digest.c'

[ $fail = 0 ] && echo "layers: every include is of its own layer or one below; each library behind its module"
exit $fail
