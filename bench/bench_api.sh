#!/usr/bin/env bash
# The local API's speed: POST /v1/local/decide/access with a bearer token
# against GET /v1/health, each driven by wrk over keep-alive connections
# (2 threads, 8 connections, 10 s; BENCH_SECS, BENCH_ROUNDS for medians of
# several rounds) on a node served on loopback. Prints both rates and their
# ratio beside the target (>= 75 %). A figure, not an assertion: the
# machine is shared and noisy.
set -u
exec </dev/null
GSOMIA=${GSOMIA:-@GSOMIA@}
SRCDIR=${SRCDIR:-@SRCDIR@}
SECS=${BENCH_SECS:-10}
EX=$SRCDIR/examples
command -v wrk >/dev/null || { echo "bench_api: wrk is not installed (apt-get install wrk)"; exit 0; }
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
unset GSOMIA_HOME
G=$GSOMIA
{
	$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" --home jpn
	$G party import "$EX/parties/KOR.id" --home jpn
	$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn
	$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn
	$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
		--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn
	GSOMIA_PERSON_PASSWORD=bench-password $G person password yamada --home jpn
} >setup.log 2>&1 || { echo "bench_api: setup failed"; cat setup.log; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$G serve --home jpn --listen "127.0.0.1:$port" --threads 2 >serve.out 2>serve.err &
pid=$!
U=https://127.0.0.1:$port
for i in $(seq 1 100); do curl -sk -o /dev/null "$U/v1/health" && break; sleep 0.1; done
token=$(curl -sk "$U/v1/session" --data-binary '{"person":"yamada","password":"bench-password"}' | jq -r .token)
[ -n "$token" ] && [ "$token" != null ] || { echo "bench_api: sign-in failed"; cat serve.err; exit 1; }
body='{"agreement":"KOR-JPN-2016","originator":"KOR","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles"}'
check=$(curl -sk "$U/v1/local/decide/access" -H "Authorization: Bearer $token" --data-binary "$body" | jq -r .decision)
[ "$check" = permit ] || { echo "bench_api: the decision is '$check', not permit"; exit 1; }
cat >access.lua <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
rate() { # wrk output: requests/s, and fails on non-2xx answers or errors
	local r
	r=$(grep '^Requests/sec:' "$1" | awk '{print $2}')
	if grep -q 'Non-2xx\|Socket errors' "$1"; then
		echo "bench_api: $(grep 'Non-2xx\|Socket errors' "$1")" >&2
	fi
	printf '%s' "${r:-0}"
}
# Rounds alternate the two, so that a busy spell of a shared machine hits
# both; the medians are compared.
ROUNDS=${BENCH_ROUNDS:-1}
as="" hs=""
for r in $(seq 1 "$ROUNDS"); do
	# BENCH_PERF=FILE: a CPU profile of the server during the first round of calls
	if [ -n "${BENCH_PERF:-}" ] && [ "$r" = 1 ]; then
		perf record -F 999 -g -o "$BENCH_PERF" -p "$pid" >/dev/null 2>&1 &
		perfpid=$!
	fi
	wrk -t2 -c8 -d"${SECS}s" -s access.lua "$U/v1/local/decide/access" >access.txt 2>&1
	[ -n "${perfpid:-}" ] && { kill -INT "$perfpid"; wait "$perfpid" 2>/dev/null; perfpid=""; }
	as="$as $(rate access.txt)"
	wrk -t2 -c8 -d"${SECS}s" "$U/v1/health" >health.txt 2>&1
	hs="$hs $(rate health.txt)"
done
median() { printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
a=$(median "$as")
h=$(median "$hs")
ratio=$(awk -v a="$a" -v h="$h" 'BEGIN { if (h > 0) printf "%.0f", 100 * a / h; else print 0 }')
[ "$ROUNDS" -gt 1 ] && echo "rounds: decide/access$as; health$hs"
lat=$(awk '/Latency/ {print $2; exit}' access.txt)
printf 'decide/access (bearer, keep-alive)  %10.0f req/s   latency avg %s\n' "$a" "$lat"
printf 'health                              %10.0f req/s\n' "$h"
printf 'ratio                               %9s%%     target >= 75%%  %s\n' "$ratio" \
	"$([ "$ratio" -ge 75 ] && echo met || echo 'NOT met')"
