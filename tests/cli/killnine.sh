#!/usr/bin/env bash
# kill -9 at any moment: KOR releases a stream of items to JPN through its
# local API (each release and its outbox entry one transaction) while both
# servers are killed with SIGKILL 30 times at random points and started
# again. Afterwards: no acknowledged release is lost, every release was
# queued once and delivered, JPN holds each bundle once (nothing delivered
# twice), every receipt came back, and both ledgers verify.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
KILLS=${GSOMIA_KILLS:-30}

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
declare -A pid port=([kor]=$PK [jpn]=$PJ)
stream=""
cleanup() {
	[ -n "$stream" ] && kill "$stream" 2>/dev/null
	for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
wait_ready() {
	local i
	for i in $(seq 1 200); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.05
	done
	return 1
}
start() { # HOME
	$G serve --home "$1" --witness-every 0 >>"$1.out" 2>>"$1.err" &
	pid[$1]=$!
	wait_ready "${port[$1]}"
}
killnine() { # HOME
	kill -9 "${pid[$1]}" 2>/dev/null
	wait "${pid[$1]}" 2>/dev/null
	unset "pid[$1]"
}

for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:${port[$h]}" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
for h in kor jpn; do $G agreement import "$EX/agreements/kor-jpn-2016" --home $h >/dev/null; done
$G facility add YONGSAN --name "Ministry of National Defense" --home kor >/dev/null
$G person add reg --name Registry --nationality KOR --employer KOR --facility YONGSAN --role registry \
	--home kor >/dev/null
GSOMIA_PERSON_PASSWORD=stream-password $G person password reg --home kor >/dev/null

start jpn && start kor && ok "both nodes serve" || bad "both nodes serve" "$(cat kor.err jpn.err)"
token=$(curl -sk "https://127.0.0.1:$PK/v1/session" --data-binary '{"person":"reg","password":"stream-password"}' |
	jq -r .token)
[ -n "$token" ] && [ "$token" != null ] && ok "the registry signs in" || bad "the registry signs in"
cls=$(jq -rn --arg c 군사II급비밀 '$c|@uri')

# The stream: one release after another, each acknowledged one noted with
# its item (a release whose answer never came may or may not be held).
(
	i=0
	while :; do
		i=$((i + 1))
		head -c 2048 /dev/urandom >doc.bin
		r=$(curl -sk --max-time 10 -w '\n%{http_code}' -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/octet-stream' --data-binary @doc.bin \
			"https://127.0.0.1:$PK/v1/local/release?agreement=KOR-JPN-2016&to=JPN&classification=$cls&purpose=defence-cooperation&topic=dprk-missiles&name=d$i" 2>/dev/null)
		[ "$(printf '%s' "$r" | tail -n 1)" = 200 ] && printf '%s' "$r" | head -n 1 | jq -r .item >>acked.txt
	done
) &
stream=$!

# SIGKILL at random points, KOR and JPN in turn, each started again at once.
restarted=0
for k in $(seq 1 "$KILLS"); do
	sleep "0.$((RANDOM % 5 + 1))"
	h=kor
	[ $((k % 2)) = 0 ] && h=jpn
	killnine $h
	start $h && restarted=$((restarted + 1))
done
eq "every killed node started again" "$restarted" "$KILLS"
sleep 1
kill "$stream" 2>/dev/null
wait "$stream" 2>/dev/null
stream=""
acked=$(sort -u acked.txt | wc -l)
[ "$acked" -ge 5 ] && ok "releases were acknowledged during the kills ($acked)" || bad "too few releases acknowledged" "$acked"

# The outbox drains: KOR's courier delivers what waited.
for _ in $(seq 1 240); do
	pending=$($G outbox --home kor --json | jq '[.[] | select(.state != "delivered")] | length')
	[ "$pending" = 0 ] && break
	sleep 0.5
done
eq "KOR's outbox has delivered everything" "$pending" 0
for h in kor jpn; do killnine $h; done

kor_items=$($G items --home kor --json)
jpn_items=$($G items --home jpn --json)
missing=$(sort -u acked.txt | while read -r id; do
	printf '%s' "$kor_items" | jq -e --arg id "$id" 'any(.[]; .id == $id)' >/dev/null || echo "$id"
done)
eq "no acknowledged release is lost" "$missing" ""
n_kor=$(printf '%s' "$kor_items" | jq length)
eq "each release was queued once" "$($G outbox --home kor --json | jq length)" "$n_kor"
eq "JPN holds every release" "$(printf '%s' "$jpn_items" | jq length)" "$n_kor"
eq "JPN holds each bundle once" "$(printf '%s' "$jpn_items" | jq '[.[].bundle] | unique | length')" "$n_kor"
eq "each was received once" \
	"$(printf '%s' "$jpn_items" | jq -c "[.[] | [.custody[] | select(.event == \"received\")] | length] | unique")" \
	"$(jq -cn '[1]')"
eq "every receipt came back" "$(printf '%s' "$kor_items" | jq '[.[] | select(.releases[0].receipt != true)] | length')" 0
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
