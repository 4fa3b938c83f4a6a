#!/usr/bin/env bash
# Node-to-node delivery: BENCH_N (default 1000) bundles of 64 KiB queued at
# KOR, delivered to JPN by `gsomia outbox send` (each one streamed over
# mutual TLS to POST /v1/peer/deliver-file, received, verified and stored
# by JPN, its signed receipt imported back at KOR), beside the anchor
# measured in the same run: one curl posting the same bundle files over the
# same mutual TLS, keep-alive, to the same endpoint under a kind the node
# does not take (each body streamed to HOME/tmp in full, then refused:
# transport only); and the courier sending the same files under that kind
# (its sender's side alone: JPN commits nothing). Figures, not assertions.
set -u
exec </dev/null
GSOMIA=${GSOMIA:-@GSOMIA@}
SRCDIR=${SRCDIR:-@SRCDIR@}
N=${BENCH_N:-1000}
EX=$SRCDIR/examples
G=$GSOMIA
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
up() { for i in $(seq 1 100); do curl -sk -o /dev/null "$1/v1/health" && return 0; sleep 0.1; done; return 1; }
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
} >setup.log 2>&1 || { echo "bench_deliver: setup failed"; tail -20 setup.log; exit 1; }
K=https://127.0.0.1:${port[kor]}
J=https://127.0.0.1:${port[jpn]}

# N releases through KOR's API while JPN is down: queued, not delivered.
$G serve --home kor --listen "127.0.0.1:${port[kor]}" --witness-every 0 >kor.out 2>kor.err &
kpid=$!
pids="$pids $kpid"
up "$K" || { echo "bench_deliver: KOR did not start"; exit 1; }
token=$(curl -sk "$K/v1/session" --data-binary '{"person":"reg","password":"bench-password"}' | jq -r .token)
u=$(jq -rn --arg c 군사II급비밀 '$c|@uri')
mkdir docs
# one curl, keep-alive; options end at each "next", so every group has its own
for i in $(seq 1 "$N"); do
	head -c 65536 /dev/urandom >docs/$i.bin
	[ "$i" -gt 1 ] && echo next
	printf 'url = "%s/v1/local/release?agreement=KOR-JPN-2016&to=JPN&classification=%s&purpose=defence-cooperation&topic=dprk-missiles&name=d%s"\n' "$K" "$u" "$i"
	printf 'data-binary = "@docs/%s.bin"\noutput = "/dev/null"\ninsecure\nsilent\nwrite-out = "%%{http_code}\\n"\n' "$i"
	printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/octet-stream"\n' "$token"
done >release.cfg
curl -K release.cfg >release.codes
[ "$(grep -c '^200$' release.codes)" = "$N" ] || { echo "bench_deliver: releases failed: $(sort release.codes | uniq -c)"; exit 1; }
kill "$kpid"; wait "$kpid" 2>/dev/null
# the courier may have tried (JPN was down): make every entry due now
sqlite3 kor/gsomia.db "UPDATE outbox SET next_at = 0 WHERE state = 'pending'"
[ "$(sqlite3 kor/gsomia.db "SELECT count(*) FROM outbox WHERE state = 'pending'")" = "$N" ] ||
	{ echo "bench_deliver: not $N pending"; exit 1; }
ls kor/objects/*.bundle | head -n "$N" >bundles.txt

$G serve --home jpn --listen "127.0.0.1:${port[jpn]}" --witness-every 0 --threads 2 >jpn.out 2>jpn.err &
pids="$pids $!"
up "$J" || { echo "bench_deliver: JPN did not start"; exit 1; }
secs() { python3 -c 'import time; print(time.monotonic())'; }
since() { python3 -c "import time; print(f'{time.monotonic() - $1:.3f}')"; }

t=$(secs)
if [ -n "${BENCH_PERF:-}" ]; then
	jp=$(pgrep -f "serve --home jpn" | head -1)
	perf record -F 999 -g -o "$BENCH_PERF.jpn" -p "$jp" >/dev/null 2>&1 &
	perfpid=$!
	perf record -F 999 -g -o "$BENCH_PERF.kor" -- $G outbox send --home kor --json >send.json 2>send.err
	kill -INT $perfpid; wait $perfpid 2>/dev/null
else
	$G outbox send --home kor --json >send.json 2>send.err
fi
t_send=$(since "$t")
delivered=$(sqlite3 kor/gsomia.db "SELECT count(*) FROM outbox WHERE state = 'delivered'")
receipts=$($G items --home kor --json | jq '[.[] | .releases[]? | select(.receipt == true)] | length')
held=$($G items --home jpn --json | jq length)

i=0
while read -r b; do
	i=$((i + 1))
	[ "$i" -gt 1 ] && echo next
	printf 'url = "%s/v1/peer/deliver-file?kind=memo&id=anchor-%s"\ndata-binary = "@%s"\noutput = "/dev/null"\n' "$J" "$i" "$b"
	printf 'insecure\nsilent\ncert = "kor/tls.crt"\nkey = "kor/tls.key"\nwrite-out = "%%{http_code}\\n"\n'
	printf 'header = "Content-Type: application/octet-stream"\nheader = "Expect:"\n'
done <bundles.txt >anchor.cfg
t=$(secs)
curl -K anchor.cfg >anchor.codes
t_curl=$(since "$t")
ok=$(grep -c '^400$' anchor.codes)

# The sender's side alone: the same files queued at KOR under the kind the
# anchor uses, which JPN streams in full and refuses, so the courier does
# what curl did (stream, answer, settle each entry) and JPN commits nothing.
i=0
while read -r b; do
	i=$((i + 1))
	printf "INSERT INTO outbox VALUES ('memo-sender-%s-JPN', 'JPN', 'memo', 'sender-%s', '%s/%s', 'pending', 0, 0, 0, '', NULL);\n" \
		"$i" "$i" "$T" "$b"
done <bundles.txt | { echo "BEGIN;"; cat; echo "COMMIT;"; } | sqlite3 kor/gsomia.db
t=$(secs)
$G outbox send --home kor --json >sender.json 2>sender.err
t_sender=$(since "$t")
sender_refused=$(jq .refused sender.json)

rate() { python3 -c "print(f'{$N / $1:.0f}')"; }
printf '%-60s %8s %10s\n' "$N bundles of 64 KiB, KOR -> JPN" seconds "bundles/s"
printf '%-60s %8s %10s\n' "gsomia outbox send (deliver, receive, receipt back)" "$t_send" "$(rate "$t_send")"
printf '%-60s %8s %10s\n' "gsomia outbox send, sender side (refused by kind, as curl's)" "$t_sender" "$(rate "$t_sender")"
printf '%-60s %8s %10s\n' "curl, keep-alive, same mTLS and endpoint (anchor)" "$t_curl" "$(rate "$t_curl")"
echo "delivered $delivered/$N, JPN holds $held, receipts back at KOR $receipts; curl: $ok/$N streamed and refused by kind, as meant"
echo "sender side: $sender_refused/$N streamed and refused by kind"
echo "outbox / curl: $(python3 -c "print(f'{$t_curl / $t_send:.2f}')")x the speed; sender side / curl: $(python3 -c "print(f'{$t_curl / $t_sender:.2f}')")x"
