#!/usr/bin/env bash
# Scale-out on PostgreSQL (docs/scale-out.md): one home whose database is
# PostgreSQL, served by 1, 2 and 4 `gsomia serve` processes at once (each
# on its own port, the load spread across them), beside a SQLite home with
# its one process, and beside the anchor measured in the same run on the
# same throwaway cluster (scripts/pg-cluster.sh, fsync on): pgbench's
# simple-update (-N, scale 10) with 1, 2 and 4 clients.
#
# Each configuration gets a fresh home (and database) and is driven by wrk
# (4 threads, BENCH_CONNS keep-alive connections, default 8, for
# BENCH_SECS, default 10 s; wrk's thread i talks to process i mod N):
# - reads: POST /v1/local/decide/access with a bearer token (a permit;
#   the session and the person are read from the database), as in
#   bench_api.sh;
# - durable releases: POST /v1/local/release, a 1.4 KiB upload described
#   in X-Gsomia-Release, each sealed, recorded, logged and queued for JPN.
#   The rate is the items the node holds after the run over wrk's
#   duration: releases answered and committed.
# JPN is down behind a firewall that drops: its endpoint takes the TCP
# connection and never answers, so each process's courier waits out its
# connect timeout on its first deliveries instead of retrying the queue
# with writes of its own (a closed port would have it do that, 1 s, 2 s,
# 4 s... after each release, and those writes would be most of what is
# measured); the run measures the release, on both stores alike. Before
# the servers are stopped, the endpoint resets what it holds, so that the
# couriers give up at once.
# Prints releases/s and reads/s, each with the CPU its run took (cores of
# the serve processes and of PostgreSQL, and how busy the whole machine
# was), the PG-1 / SQLite release ratio beside the target (>= 50 %), and
# the scaling 1 -> 2 -> 4. Figures, not assertions: the machine (2 cores)
# is shared and noisy; its load is printed first and last.
set -u
exec </dev/null
GSOMIA=${GSOMIA:-@GSOMIA@}
SRCDIR=${SRCDIR:-@SRCDIR@}
SECS=${BENCH_SECS:-10}
CONNS=${BENCH_CONNS:-8}
EX=$SRCDIR/examples
PGC=$SRCDIR/scripts/pg-cluster.sh
G=$GSOMIA
command -v wrk >/dev/null || { echo "bench_scaleout: wrk is not installed (apt-get install wrk)"; exit 0; }
pgbin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pgbench" ] && [ -x "$d/pg_ctl" ] && pgbin=$d; done
[ -n "$pgbin" ] || { echo "bench_scaleout: PostgreSQL (pg_ctl, pgbench) is not installed (apt-get install postgresql postgresql-contrib)"; exit 0; }
T=$(mktemp -d)
PGT=""
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$PGT" ] && "$PGC" stop "$PGT"
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
unset GSOMIA_HOME
# snap PID...: the CPU ticks, as "busy total gsomia postgres", of the
# machine (/proc/stat), of the given processes, and of the cluster's
# server with its backends (those gone included: the postmaster has
# waited for them); bash alone, so that it is quick on a loaded machine
snap() {
	local a l f g=0 pg=0 pm="" p
	read -ra a </proc/stat
	for p in "$@"; do
		{ read -r l <"/proc/$p/stat"; } 2>/dev/null || continue
		read -ra f <<<"${l##*) }"
		g=$((g + f[11] + f[12]))
	done
	[ -n "$PGT" ] && { read -r pm <"$PGT/data/postmaster.pid"; } 2>/dev/null
	if [ -n "$pm" ]; then
		for p in /proc/[0-9]*/stat; do
			{ read -r l <"$p"; } 2>/dev/null || continue
			read -ra f <<<"${l##*) }"
			if [ "${p//[^0-9]/}" = "$pm" ]; then
				pg=$((pg + f[11] + f[12] + f[13] + f[14]))
			elif [ "${f[1]}" = "$pm" ]; then
				pg=$((pg + f[11] + f[12]))
			fi
		done
	fi
	echo "$((a[1] + a[2] + a[3] + a[6] + a[7])) $((a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7])) $g $pg"
}
HZ=$(getconf CLK_TCK)
# use BEFORE AFTER SECONDS: "gsomia-cores/postgres-cores machine-busy%"
use() {
	awk -v a="$1" -v b="$2" -v s="$3" -v hz="$HZ" 'BEGIN { split(a, x, " "); split(b, y, " ");
		if (s <= 0 || y[2] <= x[2]) { print "- -"; exit }
		printf "%.2f/%.2f %.0f%%\n", (y[3] - x[3]) / hz / s, (y[4] - x[4]) / hz / s, 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}
echo "load: $(uptime)"

# The cluster (as `nobody` when run as root: its directory is under /tmp).
PGT=$(mktemp -d /tmp/gsomia-bench-pg.XXXXXX)
"$PGC" start "$PGT" >pg.uri 2>pg.err || { echo "bench_scaleout: no PostgreSQL cluster:"; cat pg.err; exit 1; }

# The anchor: pgbench simple-update, fsync and synchronous_commit on.
{
	PB=$("$PGC" createdb "$PGT" pgbench) &&
		"$pgbin/pgbench" -i -s 10 -q "$PB"
} >pgbench-init.log 2>&1 || { echo "bench_scaleout: pgbench -i failed:"; tail -5 pgbench-init.log; exit 1; }
declare -A tps pgcpu pgcores
sleep 1 # the backends of pgbench -i gone and counted
for c in 1 2 4; do
	c0=$(snap)
	"$pgbin/pgbench" -N -c "$c" -j "$c" -T "$SECS" "$PB" >pgbench-$c.txt 2>&1
	c1=$(snap)
	sleep 0.5 # pgbench's backends gone and counted
	read -r _ pgcpu[$c] <<<"$(use "$c0" "$c1" "$SECS")"
	read -r pgcores[$c] _ <<<"$(use "$c0" "$(snap)" "$SECS")"
	pgcores[$c]=${pgcores[$c]#*/}
	tps[$c]=$(awk '/^tps = / { printf "%.0f", $3; exit }' pgbench-$c.txt)
	[ -n "${tps[$c]}" ] || { echo "bench_scaleout: pgbench -c $c failed:"; tail -3 pgbench-$c.txt; tps[$c]=failed; }
done

# JPN, down: a listening socket that holds every connection unanswered
# (SIGUSR1: resets them and every later one; SIGUSR2: holds again).
python3 -c 'import signal, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1024)
print(s.getsockname()[1], flush=True); sys.stdout.close()
held, hold = [], [True]
def drop(*_):
	hold[0] = False
	for c in held: c.close()
	held.clear()
def keep(*_): hold[0] = True
signal.signal(signal.SIGUSR1, drop); signal.signal(signal.SIGUSR2, keep)
while True:
	c, _ = s.accept()
	if hold[0]: held.append(c)
	else: c.close()' >jpn.port &
tarpit=$!
pids="$pids $tarpit"
for i in $(seq 1 50); do [ -s jpn.port ] && break; sleep 0.1; done
# JPN's identity only: KOR releases to it
{
	$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" \
		--endpoint "https://127.0.0.1:$(cat jpn.port)" --home jpn
	$G party export --home jpn -o jpn.id
} >setup.log 2>&1 || { echo "bench_scaleout: setup failed"; tail -20 setup.log; exit 1; }
# home NAME [--db URI]: a KOR node with a registry officer who may read
home() {
	local h=$1
	shift
	{
		$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --levels "$EX/parties/KOR.levels" "$@" --home "$h" &&
			$G party import jpn.id --home "$h" &&
			$G agreement import "$EX/agreements/kor-jpn-2016" --home "$h" &&
			$G facility add YONGSAN --name Yongsan --home "$h" &&
			$G person add reg --name Registry --nationality KOR --employer KOR --facility YONGSAN \
				--psc 군사II급비밀 --duty topic:dprk-missiles --role registry --home "$h" &&
			GSOMIA_PERSON_PASSWORD=bench-password $G person password reg --home "$h"
	} >"setup-$h.log" 2>&1 || { echo "bench_scaleout: setup of $h failed:"; tail -5 "setup-$h.log"; return 1; }
}
# the homes, made side by side: SQLite's, and one for each PostgreSQL run
# with a database of its own
declare -A made
{
	home lite & made[lite]=$!
	for np in 1 2 4; do
		if uri=$("$PGC" createdb "$PGT" "kor$np" 2>"setup-pg$np.log"); then
			home "pg$np" --db "$uri" & made[pg$np]=$!
		else
			echo "bench_scaleout: createdb kor$np failed:"; cat "setup-pg$np.log"
		fi
	done
	for h in "${!made[@]}"; do wait "${made[$h]}" || unset "made[$h]"; done
}

access='{"agreement":"KOR-JPN-2016","originator":"KOR","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles"}'
meta='{"agreement":"KOR-JPN-2016","to":"JPN","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles","name":"report.txt"}'
xrel=$(jq -rn --arg v "$meta" '$v|@uri')
head -c 1024 /dev/urandom | base64 -w 76 >doc.txt

# lua KIND TOKEN PORT...: wrk's script; thread i talks to the i-th port
lua() {
	local kind=$1 token=$2
	shift 2
	echo "local ports = { $(printf '%s, ' "$@") }"
	cat <<'LUA'
local n = 0
function setup(thread)
	n = n + 1
	thread.addr = wrk.lookup("127.0.0.1", tostring(ports[(n - 1) % #ports + 1]))[1]
end
LUA
	echo 'wrk.method = "POST"'
	echo "wrk.headers[\"Authorization\"] = \"Bearer $token\""
	if [ "$kind" = release ]; then
		echo 'wrk.headers["Content-Type"] = "application/octet-stream"'
		echo "wrk.headers[\"X-Gsomia-Release\"] = \"$xrel\""
		printf 'wrk.body = [[%s]]\n' "$(cat doc.txt)"
	else
		echo 'wrk.headers["Content-Type"] = "application/json"'
		printf "wrk.body = '%s'\n" "$access"
	fi
}
# wrk's figures: "requests seconds", and what went wrong on stderr
wrk_figures() {
	if grep -q 'Non-2xx\|Socket errors' "$1"; then
		echo "bench_scaleout: $2: $(grep 'Non-2xx\|Socket errors' "$1" | tr -s ' ')" >&2
	fi
	awk '/ requests in / { n = $1; s = $4; sub(/s,?$/, "", s); print n, s; exit }' "$1"
}
items() { $G items --home "$1" --json 2>/dev/null | jq length 2>/dev/null || echo 0; }
# stop PIDS: SIGTERM, waited for (SIGKILL after 20 s), then out of $pids
stop() {
	local p i
	kill -USR1 "$tarpit" 2>/dev/null
	for p in $1; do kill "$p" 2>/dev/null; done
	for p in $1; do
		for i in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && { echo "bench_scaleout: serve $p did not stop in 20 s: killed"; kill -KILL "$p"; }
		wait "$p" 2>/dev/null
	done
	pids=$(for p in $pids; do case " $1 " in *" $p "*) ;; *) echo "$p" ;; esac; done)
	kill -USR2 "$tarpit" 2>/dev/null
}

declare -A rel rd relcpu rdcpu relcores rdcores
for k in sqlite pg-1 pg-2 pg-4; do rel[$k]=failed rd[$k]=failed relcpu[$k]=- rdcpu[$k]=- relcores[$k]=- rdcores[$k]=-; done
# run NAME HOME NPROC: reads, then releases, against NPROC processes
run() {
	local name=$1 h=$2 np=$3 ports=() p i token check before after n s c0 c1
	local mine=""
	for i in $(seq 1 "$np"); do
		$G serve --home "$h" --listen 127.0.0.1:0 --threads 2 --witness-every 0 >"$name.$i.out" 2>"$name.$i.err" &
		mine="$mine $!"
	done
	pids="$pids $mine"
	# each says its port once it listens
	for i in $(seq 1 "$np"); do
		for _ in $(seq 1 300); do grep -q '^listening on ' "$name.$i.out" && break; sleep 0.1; done
		p=$(sed -n 's|^listening on https://127.0.0.1:||p' "$name.$i.out")
		[ -n "$p" ] || { echo "bench_scaleout: $name: serve did not start:"; tail -3 "$name.$i.err"; stop "$mine"; return; }
		ports+=("$p")
	done
	token=$(curl -sk "https://127.0.0.1:${ports[0]}/v1/session" \
		--data-binary '{"person":"reg","password":"bench-password"}' | jq -r .token 2>/dev/null)
	if [ -z "$token" ] || [ "$token" = null ]; then
		echo "bench_scaleout: $name: sign-in failed"; tail -3 "$name".*.err
		stop "$mine"; return
	fi
	# every process takes the token and permits the read before wrk runs
	for p in "${ports[@]}"; do
		check=$(curl -sk "https://127.0.0.1:$p/v1/local/decide/access" -H "Authorization: Bearer $token" \
			--data-binary "$access")
		[ "$(printf '%s' "$check" | jq -r .decision 2>/dev/null)" = permit ] && continue
		echo "bench_scaleout: $name: decide/access on port $p: $check"
		stop "$mine"; return
	done
	lua access "$token" "${ports[@]}" >access.lua
	c0=$(snap $mine)
	wrk -t4 -c"$CONNS" -d"${SECS}s" -s access.lua "https://127.0.0.1:${ports[0]}/v1/local/decide/access" >"$name.access.txt" 2>&1
	c1=$(snap $mine)
	read -r n s <<<"$(wrk_figures "$name.access.txt" "$name decide/access")"
	read -r rdcores[$name] rdcpu[$name] <<<"$(use "$c0" "$c1" "${s:-0}")"
	rd[$name]=$(awk -v n="${n:-0}" -v s="${s:-0}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }')
	# one release through each process first: the path works everywhere
	for p in "${ports[@]}"; do
		check=$(curl -sk "https://127.0.0.1:$p/v1/local/release" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/octet-stream' -H "X-Gsomia-Release: $xrel" --data-binary @doc.txt \
			-w '\n%{http_code}')
		[ "${check##*$'\n'}" = 200 ] && continue
		echo "bench_scaleout: $name: release on port $p: ${check##*$'\n'} $(printf '%s' "${check%$'\n'*}" | tr -d '\n')"
		stop "$mine"; return
	done
	before=$np # a fresh home: the one release through each process
	lua release "$token" "${ports[@]}" >release.lua
	c0=$(snap $mine)
	wrk -t4 -c"$CONNS" -d"${SECS}s" -s release.lua "https://127.0.0.1:${ports[0]}/v1/local/release" >"$name.release.txt" 2>&1
	c1=$(snap $mine)
	read -r n s <<<"$(wrk_figures "$name.release.txt" "$name release")"
	read -r relcores[$name] relcpu[$name] <<<"$(use "$c0" "$c1" "${s:-0}")"
	stop "$mine"
	after=$(items "$h")
	rel[$name]=$(awk -v n="$((after - before))" -v s="${s:-0}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }')
	[ "$((after - before))" -ge "${n:-0}" ] ||
		echo "bench_scaleout: $name: wrk counted ${n:-0} releases, the node holds $((after - before)) more items"
	grep -h 'level=error' "$name".*.err | head -3 | sed "s/^/bench_scaleout: $name: /"
	# the processes took turns: JPN's log holds every release, unforked
	$G ledger verify --peer JPN --home "$h" >"$name.verify" 2>&1 ||
		echo "bench_scaleout: $name: gsomia ledger verify --peer JPN: $(tail -2 "$name.verify" | tr '\n' ' ')"
}

[ -n "${made[lite]:-}" ] && run sqlite lite 1
for np in 1 2 4; do
	[ -n "${made[pg$np]:-}" ] && run "pg-$np" "pg$np" "$np"
done

# what PostgreSQL refused during the run (the store's statements)
if grep -q ' ERROR: ' "$PGT/server.log"; then
	echo "bench_scaleout: PostgreSQL logged $(grep -c ' ERROR: ' "$PGT/server.log") errors, the most frequent:"
	grep ' ERROR: ' "$PGT/server.log" | sed 's/.* ERROR: *//' | sort | uniq -c | sort -rn | head -3
	grep -A1 ' ERROR: ' "$PGT/server.log" | grep ' STATEMENT: ' | sed 's/.* STATEMENT: *//' | sort | uniq -c |
		sort -rn | head -1 | cut -c1-300
fi

num() { [[ $1 =~ ^[0-9.]+$ ]]; }
pct() { num "$1" && num "$2" && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }' || echo -; }
times() { num "$1" && num "$2" && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }' || echo -; }
row() { printf '%-36s %10s %10s %10s %10s\n' "$@"; }
echo "$CONNS connections, ${SECS} s each; PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync on; $(nproc) cores"
row "" SQLite "PG 1" "PG 2" "PG 4"
row "releases/s (serve processes)" "${rel[sqlite]}" "${rel[pg-1]}" "${rel[pg-2]}" "${rel[pg-4]}"
row "  cores: gsomia/postgres" "${relcores[sqlite]}" "${relcores[pg-1]}" "${relcores[pg-2]}" "${relcores[pg-4]}"
row "  machine CPU busy" "${relcpu[sqlite]}" "${relcpu[pg-1]}" "${relcpu[pg-2]}" "${relcpu[pg-4]}"
row "decide/access req/s" "${rd[sqlite]}" "${rd[pg-1]}" "${rd[pg-2]}" "${rd[pg-4]}"
row "  cores: gsomia/postgres" "${rdcores[sqlite]}" "${rdcores[pg-1]}" "${rdcores[pg-2]}" "${rdcores[pg-4]}"
row "  machine CPU busy" "${rdcpu[sqlite]}" "${rdcpu[pg-1]}" "${rdcpu[pg-2]}" "${rdcpu[pg-4]}"
row "pgbench -N tps (anchor; clients)" "" "${tps[1]}" "${tps[2]}" "${tps[4]}"
row "  cores: postgres" "" "${pgcores[1]}" "${pgcores[2]}" "${pgcores[4]}"
row "  machine CPU busy" "" "${pgcpu[1]}" "${pgcpu[2]}" "${pgcpu[4]}"
r=$(pct "${rel[pg-1]}" "${rel[sqlite]}")
printf 'PG 1 process / SQLite, releases: %s   target >= 50%%  %s\n' "$(num "$r" && echo "$r%" || echo -)" \
	"$(num "$r" && [ "$r" -ge 50 ] && echo met || echo 'NOT met')"
echo "scaling 1 -> 2 -> 4: releases 1.00x -> $(times "${rel[pg-2]}" "${rel[pg-1]}") -> $(times "${rel[pg-4]}" "${rel[pg-1]}");" \
	"decide/access 1.00x -> $(times "${rd[pg-2]}" "${rd[pg-1]}") -> $(times "${rd[pg-4]}" "${rd[pg-1]}");" \
	"pgbench 1.00x -> $(times "${tps[2]}" "${tps[1]}") -> $(times "${tps[4]}" "${tps[1]}")"
echo "load at the end: $(uptime)"
