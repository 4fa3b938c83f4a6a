#!/usr/bin/env bash
# Durable delivery between two real nodes on loopback: a release queued
# for JPN is delivered over mutual TLS, received there, and its receipt
# comes back in the reply and is imported at KOR; while JPN is down the
# bundle waits in KOR's outbox with the reason, and survives restarts of
# either node; a replayed delivery is recognised and ignored; a forged
# bundle is refused (4xx) and the outbox stops retrying it.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
declare -A pid
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
start() { # HOME PORT
	$G serve --home "$1" >"$1.out" 2>>"$1.err" &
	pid[$1]=$!
	wait_ready "$2"
}
stop() { # HOME PORT: stops the node and waits until its port no longer answers
	kill "${pid[$1]:-}" 2>/dev/null
	wait "${pid[$1]:-}" 2>/dev/null
	unset "pid[$1]"
	for _ in $(seq 1 50); do
		curl -sk --max-time 1 -o /dev/null "https://127.0.0.1:$2/v1/health" || return 0
		sleep 0.1
	done
}

for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	port=$PK
	[ $P = JPN ] && port=$PJ
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:$port" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
echo "first" >one.txt
echo "second" >two.txt
echo "third" >three.txt
rel() { $G release "$1" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --deliver --home kor --json; }
held() { $G items --home jpn --json | jq length; }

start jpn "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
expect 0 "KOR releases and delivers" rel one.txt
eq "JPN holds it" "$(held)" 1
run $G outbox --home kor --json
jqeq "the delivery is done" "$out" '.[0].state' delivered
run $G items --home kor --json
jqeq "JPN's receipt came back and was imported" "$out" '.[0].releases[0].receipt' true

stop jpn "$PJ"
expect 0 "a release while JPN is down is kept" rel two.txt
run $G outbox --home kor --json
jqeq "it waits" "$out" '.[1].state' pending
jqeq "queued at the node's clock" "$out" '.[1].queued_at' 2023-05-01T01:00:00Z
has "the next attempt shown on the node's clock" "$(printf '%s' "$out" | jq -r '.[1].next_attempt')" "2023-05-01T01:0"
has "with the reason" "$(printf '%s' "$out" | jq -r '.[1].last_error')" "127.0.0.1"
start kor "$PK" && ok "KOR's server starts (its courier delivers the outbox)" || bad "KOR serves" "$(cat kor.err)"
stop kor "$PK"
start jpn "$PJ" && ok "JPN comes back" || bad "JPN serves" "$(cat jpn.err)"
eq "nothing arrived while KOR was stopped too" "$(held)" 1
start kor "$PK"
for i in $(seq 1 40); do [ "$(held)" = 2 ] && break; sleep 0.25; done
eq "KOR's courier delivered after both restarts" "$(held)" 2
run $G outbox --home kor --json
jqeq "and marked it delivered" "$out" '.[1].state' delivered

# A replay: the same delivery again, with KOR's own certificate.
b=$($G items --home kor --json | jq -r '.[0].bundle')
printf '{"kind":"bundle","id":"%s","body_b64":"%s"}' "$b" "$(base64 -w0 kor/objects/$b.bundle)" >replay.json
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o replay.out -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @replay.json "https://127.0.0.1:$PJ/v1/peer/deliver")
eq "a replayed delivery is acknowledged" "$code" 200
jqeq "as a duplicate" "$(cat replay.out)" .duplicate true
eq "and held once" "$(held)" 2
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o replay2.out -w '%{http_code}' --data-binary @kor/objects/$b.bundle \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b")
eq "replayed as a file, it is acknowledged" "$code" 200
jqeq "as a duplicate too" "$(cat replay2.out)" .duplicate true
eq "and still held once" "$(held)" 2

# The same bundle delivered four times at once (a sender's retries racing
# its first attempt), as a file and as JSON, five bundles over: each held
# once, its bundle in place, every answer a receipt (or, for a second
# upload of the same file while the first is under way, 409).
races=0
for r in 1 2 3 4 5; do
	echo "race $r" >race$r.txt
	$G release race$r.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles -o race$r.bundle --home kor >/dev/null
	rb=$($G bundle inspect race$r.bundle --json | jq -r .bundle)
	printf '{"kind":"bundle","id":"%s","body_b64":"%s"}' "$rb" "$(base64 -w0 race$r.bundle)" >race$r.json
	cpids=""
	for k in 1 2 3 4; do
		if [ $k -le 2 ]; then
			curl -sk --cert kor/tls.crt --key kor/tls.key -o race$r.$k.out -w '%{http_code}\n' -H 'Content-Type: application/json' \
				--data-binary @race$r.json "https://127.0.0.1:$PJ/v1/peer/deliver" >race$r.$k.code &
		else
			curl -sk --cert kor/tls.crt --key kor/tls.key -o race$r.$k.out -w '%{http_code}\n' --data-binary @race$r.bundle \
				"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$rb" >race$r.$k.code &
		fi
		cpids="$cpids $!"
	done
	wait $cpids
	for k in 1 2 3 4; do
		case "$(cat race$r.$k.code)" in
		200) jq -e '.receipt_b64 | length > 0' race$r.$k.out >/dev/null ;;
		409) [ $k -gt 2 ] && grep -q "under way" race$r.$k.out ;;
		*) false ;;
		esac || { races=$((races + 1)); echo "# race $r.$k: $(cat race$r.$k.code) $(head -c 300 race$r.$k.out)"; }
	done
	cmp -s race$r.bundle jpn/objects/$rb.bundle || { races=$((races + 1)); echo "# race $r: jpn/objects/$rb.bundle is not the bundle"; }
done
eq "four deliveries of one bundle at once: each answered with a receipt, the bundle in place" "$races" 0
eq "each held once" "$(held)" 7
eq "no pending copy left behind" "$(find jpn/objects -name '*.tmp' | wc -l)" 0

# A forged bundle: refused by JPN, and the outbox stops trying.
stop kor "$PK"
expect 0 "a third release" $G release three.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles -o three.bundle --home kor
b3=$($G bundle inspect three.bundle --json | jq -r .bundle)
size=$(stat -c %s three.bundle)
flip_byte three.bundle $((size - 5))
printf '{"kind":"bundle","id":"%s","body_b64":"%s"}' "$b3" "$(base64 -w0 three.bundle)" >forged.json
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o forged.out -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @forged.json "https://127.0.0.1:$PJ/v1/peer/deliver")
case "$code" in 4*) ok "a damaged bundle is refused with $code" ;; *) bad "damaged bundle" "HTTP $code $(cat forged.out)" ;; esac
eq "nothing more held" "$(held)" 7
code=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @replay.json "https://127.0.0.1:$PJ/v1/peer/deliver")
eq "a delivery without a client certificate is 401" "$code" 401
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
finish
