#!/usr/bin/env bash
# The server's limits against clients that hold connections: one address
# holds at most --max-per-address connections, and a client that trickles
# its request header a byte at a time (or never starts TLS) is cut off
# after --header-timeout seconds, while a peer's delivery and an officer's
# call from other addresses are served all along (docs/api.md, "Server
# limits"). Loopback gives each kind of client its own address: 127.0.0.2
# for the slow ones, .3 for the peer, .4 for the officer, .5 for the mute.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
PJ=$(freeport)
J=https://127.0.0.1:$PJ
SLOW=$SRCDIR/tests/cli/slowclients.py
PER=4 HEADER=3 GIVE_UP=20

for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add reg --name reg --nationality JPN --employer JPN --facility ICHIGAYA --role registry --home jpn >/dev/null
GSOMIA_PERSON_PASSWORD=pw-of-reg $G person password reg --home jpn >/dev/null
echo "a report" >doc.txt
$G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles -o doc.bundle --home kor >/dev/null

# call FROM METHOD PATH [curl options]: from a loopback address; status in $code, body in $body
call() {
	local from=$1 m=$2 p=$3
	shift 3
	body=$(curl -sk --max-time 10 --interface "$from" -X "$m" -o - -w '\n%{http_code}' "$@" "$J$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}

expect 2 "--max-per-address 0 is bad usage" $G serve --home jpn --max-per-address 0
expect 2 "--header-timeout beyond the idle timeout is bad usage" $G serve --home jpn --header-timeout 31
$G serve --home jpn --listen "127.0.0.1:$PJ" --max-per-address $PER --header-timeout $HEADER >jpn.out 2>jpn.err &
pids="$pids $!"
for _ in $(seq 1 100); do grep -q listening jpn.out && break; sleep 0.1; done
has "JPN serves" "$(cat jpn.out)" "listening on"

# Six slow clients from one address, two more than it may hold, and
# one that opens a connection and says nothing.
python3 "$SLOW" 127.0.0.1 "$PJ" 127.0.0.2 $((PER + 2)) $GIVE_UP --ready slow.ready >slow.json &
slow=$!
python3 "$SLOW" 127.0.0.1 "$PJ" 127.0.0.5 1 $GIVE_UP --raw --ready mute.ready >mute.json &
mute=$!
for _ in $(seq 1 100); do [ -e slow.ready ] && [ -e mute.ready ] && break; sleep 0.1; done
eq "the slow clients hold their connections" "$(cat slow.ready 2>/dev/null)" $PER
call 127.0.0.2 GET /v1/health
eq "the slow clients' address gets no more connections" "$code" 000
call 127.0.0.3 POST "/v1/peer/deliver-file?kind=bundle&id=B-1" --cert kor/tls.crt --key kor/tls.key \
	--data-binary @doc.bundle
eq "meanwhile a peer's delivery is taken" "$code" 200
jqeq "and received" "$body" .accepted true
call 127.0.0.4 POST /v1/session --data-binary '{"person":"reg","password":"pw-of-reg"}'
eq "a registry officer signs in" "$code" 200
TOKEN=$(printf '%s' "$body" | jq -r .token)
call 127.0.0.4 GET /v1/local/items -H "Authorization: Bearer $TOKEN"
eq "and sees the item" "$code" 200
jqeq "that just arrived" "$body" '.items | length' 1
wait $slow
wait $mute
eq "the address held $PER connections" "$(jq -s 'map(select(.taken)) | length' slow.json)" $PER
eq "the others were refused at once" "$(jq -s 'map(select(.taken | not)) | length' slow.json)" 2
eq "every one that trickled its header was cut off before it gave up after ${GIVE_UP}s" \
	"$(jq -s 'map(select(.taken and .closed_by_server)) | length' slow.json)" $PER
jqeq "so was the one that never started TLS" "$(cat mute.json)" .closed_by_server true
call 127.0.0.2 GET /v1/health
eq "once they are gone, the address is served again" "$code" 200
# A keep-alive connection that asks again within the timeout is served.
v=$(curl -sk --interface 127.0.0.3 -v "$J/v1/health" "$J/v1/health" 2>&1 >/dev/null)
has "two requests share one connection" "$v" "Re-using existing connection"
finish
