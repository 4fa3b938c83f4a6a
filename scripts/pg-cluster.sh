#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks (Debian's
# `postgresql` package): made in a directory of its own, listening on a
# Unix socket there only (no TCP port), stopped and removed at the end.
#
#   scripts/pg-cluster.sh start DIR   makes DIR/data, starts the server,
#                                     prints the connection URI
#   scripts/pg-cluster.sh uri DIR     prints the URI of a started one
#   scripts/pg-cluster.sh stop DIR    stops it (immediate) and removes DIR
#   scripts/pg-cluster.sh createdb DIR NAME
#                                     makes database NAME, prints its URI
#   scripts/pg-cluster.sh dump URI    its rows, as pg_dump prints them
#   scripts/pg-cluster.sh psql URI ARGS...
#
# PostgreSQL refuses to run as root: when run as root, the cluster belongs
# to the user `nobody` (runuser), and DIR is handed to it (its parents
# must let nobody through: make it with `mktemp -d /tmp/NAME.XXXXXX`).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|uri|stop DIR" >&2; exit 2; }

bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bin=$d; done
[ -n "$bin" ] || { echo "pg-cluster: no PostgreSQL server here (Debian package: postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

port=5432 # the socket's name only: nothing listens on TCP
uri() { printf 'postgresql://gsomia@/gsomia?host=%s&port=%s\n' "$(cd "$dir" && pwd)" "$port"; }

case $cmd in
start)
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$dir"
		runuser -u nobody -- test -w "$dir" ||
			{ echo "pg-cluster: $dir: the user nobody cannot reach it (a parent directory is private); make it under /tmp" >&2; exit 1; }
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U gsomia -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ echo "pg-cluster: initdb failed:" >&2; tail -5 "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $(cd "$dir" && pwd) -p $port -c listen_addresses= -c fsync=on -c synchronous_commit=on" \
		start >/dev/null ||
		{ echo "pg-cluster: the server did not start:" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
	as_owner "$bin/createdb" -h "$(cd "$dir" && pwd)" -p $port -U gsomia gsomia
	uri
	;;
uri)
	uri
	;;
createdb)
	name=${3:?createdb DIR NAME}
	"$bin/createdb" -h "$(cd "$dir" && pwd)" -p $port -U gsomia "$name"
	printf 'postgresql://gsomia@/%s?host=%s&port=%s\n' "$name" "$(cd "$dir" && pwd)" "$port"
	;;
dump)
	"$bin/pg_dump" --data-only --no-owner "$dir"
	;;
psql)
	shift 2
	"$bin/psql" -X -q -v ON_ERROR_STOP=1 "$dir" "$@"
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|uri|stop DIR" >&2
	exit 2
	;;
esac
