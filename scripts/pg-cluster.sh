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
#   scripts/pg-cluster.sh standby PRIMARY DIR NAME
#                                     a streaming standby of the cluster in
#                                     PRIMARY, made in DIR, named NAME, started
#   scripts/pg-cluster.sh sync PRIMARY NAME
#                                     commits on PRIMARY wait for standby NAME
#                                     (synchronous_commit = on); waits until
#                                     the standby is streaming in sync
#   scripts/pg-cluster.sh kill DIR    kill -9 of the server (a lost machine)
#   scripts/pg-cluster.sh promote DIR the standby in DIR takes writes
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
		(cd / && runuser -u nobody -- "$@")
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
standby)
	primary=$(cd "$dir" && pwd)
	sdir=${3:?standby PRIMARY DIR NAME}
	name=${4:?standby PRIMARY DIR NAME}
	mkdir -p "$sdir"
	[ "$(id -u)" = 0 ] && chown nobody "$sdir"
	as_owner "$bin/pg_basebackup" -d "host=$primary port=$port user=gsomia" -D "$sdir/data" -R -X stream -c fast \
		>"$sdir/basebackup.log" 2>&1 ||
		{ echo "pg-cluster: pg_basebackup failed:" >&2; tail -5 "$sdir/basebackup.log" >&2; exit 1; }
	echo "primary_conninfo = 'host=$primary port=$port user=gsomia application_name=$name'" |
		as_owner tee -a "$sdir/data/postgresql.auto.conf" >/dev/null
	as_owner "$bin/pg_ctl" -D "$sdir/data" -l "$sdir/server.log" -w -t 60 \
		-o "-k $(cd "$sdir" && pwd) -p $port -c listen_addresses= -c fsync=on" start >/dev/null ||
		{ echo "pg-cluster: the standby did not start:" >&2; tail -5 "$sdir/server.log" >&2; exit 1; }
	;;
sync)
	name=${3:?sync PRIMARY NAME}
	u="postgresql://gsomia@/postgres?host=$(cd "$dir" && pwd)&port=$port"
	"$bin/psql" -X -q -At "$u" -c "ALTER SYSTEM SET synchronous_standby_names = '$name'" \
		-c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
	for _ in $(seq 1 100); do
		[ "$("$bin/psql" -X -At "$u" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$name'")" = sync ] && exit 0
		sleep 0.1
	done
	echo "pg-cluster: standby $name is not in sync" >&2
	exit 1
	;;
kill)
	pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null) || { echo "pg-cluster: no server in $dir" >&2; exit 1; }
	kill -9 "$pid"
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	;;
promote)
	as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 promote >/dev/null
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
