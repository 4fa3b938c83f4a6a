#!/usr/bin/env bash
# A large release through the web console's API, end to end, beside its
# anchors measured in the same run on the same file (BENCH_MIB, default
# 256 MiB of random bytes):
#   seal      `age -r` (the anchor) | `gsomia release` on the command line
#   console   POST /v1/local/release over HTTPS: upload, seal, queue
#   delivery  the bundle streamed to the peer, which receives it and answers
#             with its receipt (release --deliver less release, in process;
#             and queued-to-delivered through the courier) | curl posting the same bytes to
#             the peer's /v1/peer/deliver-file under a kind it does not take
#             (streamed in full, then refused: transport only, the anchor)
# Figures, not assertions: the machine is shared and noisy.
set -u
exec </dev/null
GSOMIA=${GSOMIA:-@GSOMIA@}
SRCDIR=${SRCDIR:-@SRCDIR@}
MIB=${BENCH_MIB:-256}
EX=$SRCDIR/examples
G=$GSOMIA
command -v age >/dev/null || { echo "bench_console: age is not installed (apt-get install age)"; exit 0; }
T=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
unset GSOMIA_HOME
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port
{
	for P in KOR JPN; do
		h=$(echo $P | tr A-Z a-z)
		port[$h]=$(freeport)
		$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
			--endpoint "https://127.0.0.1:${port[$h]}" --home $h
		$G party export --home $h -o $h.id
	done
	$G party import jpn.id --home kor
	$G party import kor.id --home jpn
	for h in kor jpn; do $G agreement import "$EX/agreements/kor-jpn-2016" --home $h; done
	$G facility add YONGSAN --name "Yongsan" --home kor
	$G person add reg --name Registry --nationality KOR --employer KOR --facility YONGSAN --role registry --home kor
	GSOMIA_PERSON_PASSWORD=bench-password $G person password reg --home kor
} >setup.log 2>&1 || { echo "bench_console: setup failed"; tail -20 setup.log; exit 1; }
for h in kor jpn; do
	$G serve --home $h --listen "127.0.0.1:${port[$h]}" --witness-every 0 >$h.out 2>$h.err &
	pids="$pids $!"
	[ $h = kor ] && kor_pid=$!
done
for h in kor jpn; do
	for i in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:${port[$h]}/v1/health" && break; sleep 0.1; done
done
K=https://127.0.0.1:${port[kor]}
J=https://127.0.0.1:${port[jpn]}
head -c $((MIB << 20)) /dev/urandom >doc.bin
secs() { python3 -c 'import time; print(time.monotonic())'; }
since() { python3 -c "import time; print(f'{time.monotonic() - $1:.3f}')"; }
rate() { python3 -c "print(f'{$MIB / $1:.0f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# seal: age (anchor) and the command line
$G key export-age-identity --home kor -o kor.age >/dev/null 2>&1
rcpt=$(age-keygen -y kor.age 2>/dev/null)
t=$(secs); age -r "$rcpt" -o doc.age doc.bin; t_age=$(since "$t")
Q="--to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles"
t=$(secs); $G release doc.bin $Q --title cli -o cli.bundle --home kor >/dev/null || { echo "bench_console: CLI release failed"; exit 1; }
t_cli=$(since "$t")

# the console's release: upload, seal, queue (the courier delivers it)
token=$(curl -sk "$K/v1/session" --data-binary '{"person":"reg","password":"bench-password"}' | jq -r .token)
u=$(jq -rn --arg c 군사II급비밀 '$c|@uri')
t=$(secs)
reply=$(curl -sk --max-time 900 -H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' \
	--data-binary @doc.bin "$K/v1/local/release?agreement=KOR-JPN-2016&to=JPN&classification=$u&purpose=defence-cooperation&topic=dprk-missiles&name=doc.bin")
t_api=$(since "$t")
item=$(printf '%s' "$reply" | jq -r .item)
[ -n "$item" ] && [ "$item" != null ] || { echo "bench_console: the console release failed: $reply"; exit 1; }
t=$(secs)
for i in $(seq 1 9000); do
	st=$($G outbox --home kor --json 2>/dev/null | jq -r --arg b "$(printf '%s' "$reply" | jq -r .bundle)" '.[] | select(.ref == $b) | .state')
	[ "$st" = delivered ] && break
	[ "$st" = refused ] && { echo "bench_console: the delivery was refused"; $G outbox --home kor; exit 1; }
	sleep 0.1
done
t_deliver=$(since "$t")
[ "$st" = delivered ] || { echo "bench_console: not delivered"; exit 1; }
bundle=kor/objects/$(printf '%s' "$reply" | jq -r .bundle).bundle
# the delivery alone: with KOR's server (and its courier) stopped, a
# release with --deliver is a release plus one delivery in process
kill "$kor_pid"; wait "$kor_pid" 2>/dev/null
t=$(secs); $G release doc.bin $Q --title cli2 --deliver --home kor >deliver.out 2>&1 || { echo "bench_console: release --deliver failed"; cat deliver.out; exit 1; }
t_clid=$(since "$t")
b2=$(sed -n 's/.* as bundle \([0-9a-f]*\).*/\1/p' deliver.out)
[ "$($G outbox --home kor --json | jq -r --arg b "$b2" '.[] | select(.ref == $b) | .state')" = delivered ] ||
	{ echo "bench_console: not delivered in process"; cat deliver.out; $G outbox --home kor; exit 1; }
t_one=$(python3 -c "print(f'{max($t_clid - $t_cli, 0.001):.3f}')")
bmib=$(python3 -c "import os; print(f'{os.path.getsize(\"$bundle\") / 1048576:.0f}')")
# the anchor: the same bytes over the same TLS to the same endpoint, streamed in full
# to HOME/tmp, then refused by kind
t=$(secs)
curl -sk --max-time 900 --cert kor/tls.crt --key kor/tls.key -H 'Content-Type: application/octet-stream' \
	-H 'Expect:' --data-binary @"$bundle" -o /dev/null "$J/v1/peer/deliver-file?kind=memo&id=anchor"
t_curl=$(since "$t")

printf '%-52s %8s %10s\n' "$MIB MiB release (bundle $bmib MiB)" seconds "MiB/s"
printf '%-52s %8s %10s\n' "age -r (anchor)" "$t_age" "$(rate "$t_age")"
printf '%-52s %8s %10s\n' "gsomia release (command line)" "$t_cli" "$(rate "$t_cli")"
printf '%-52s %8s %10s\n' "POST /v1/local/release (upload + seal + queue)" "$t_api" "$(rate "$t_api")"
printf '%-52s %8s %10s\n' "queued to delivered by the courier (1 s ticks)" "$t_deliver" "$(rate "$t_deliver")"
printf '%-52s %8s %10s\n' "one delivery: sent, received, receipt back" "$t_one" "$(rate "$t_one")"
printf '%-52s %8s %10s\n' "curl to /v1/peer/deliver-file (anchor)" "$t_curl" "$(rate "$t_curl")"
echo "console release / command-line release: $(ratio "$t_cli" "$t_api")x the speed; command line / age: $(ratio "$t_age" "$t_cli")x"
echo "delivery / curl over the same TLS: $(ratio "$t_curl" "$t_one")x the speed (the delivery also verifies, stores and receipts)"
for h in jpn; do grep -q 'ERROR: \(Address\|Undefined\)Sanitizer' $h.err && { echo "bench_console: $h: sanitizer"; exit 1; }; done
exit 0
