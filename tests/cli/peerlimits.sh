#!/usr/bin/env bash
# Each peer's own limits at a receiving node (docs/api.md "Server
# limits"): a peer may have --peer-uploads deliveries under way at once,
# holding at most --peer-upload-bytes; beyond, 429 with Retry-After, and
# nothing of the body is kept. One peer that stalls (a body trickling in)
# or floods uses up its own quota only: another peer's delivery goes
# through all along. The sender's courier takes a 429 as "later", not as a
# refusal, and delivers once there is room.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
PJ=$(freeport)
J=https://127.0.0.1:$PJ
BYTES=300000

for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "$J" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import jpn.id --home usa >/dev/null
$G party import kor.id --home jpn >/dev/null
$G party import usa.id --home jpn >/dev/null
for h in kor jpn; do $G agreement import "$EX/agreements/kor-jpn-2016" --home $h >/dev/null; done
for h in usa jpn; do $G agreement import "$EX/agreements/us-jpn-2007" --home $h >/dev/null; done
echo "a report from Seoul" >kor.txt
echo "a report from Washington" >usa.txt
$G release kor.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles -o kor.bundle --home kor >/dev/null
$G release usa.txt --to JPN --agreement US-JPN-2007 --classification SECRET --purpose defence-cooperation \
	--topic dprk-missiles -o usa.bundle --home usa >/dev/null
kb=$($G bundle inspect kor.bundle --json | jq -r .bundle)
ub=$($G bundle inspect usa.bundle --json | jq -r .bundle)
head -c $((BYTES / 2)) /dev/urandom >half.bin
head -c $((BYTES + 1)) /dev/urandom >over.bin
held() { $G items --home jpn --json | jq length; }

# post AS BODY QUERY [curl options]: a delivery with AS's certificate;
# status in $code, body in $body, headers in post.h
post() {
	local as=$1 file=$2 q=$3
	shift 3
	body=$(curl -sk --max-time 20 --cert $as/tls.crt --key $as/tls.key -D post.h -o - -w '\n%{http_code}' \
		-H 'Content-Type: application/octet-stream' -H 'Expect:' --data-binary @"$file" "$@" \
		"$J/v1/peer/deliver-file?$q" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}

expect 2 "--peer-uploads 0 is bad usage" $G serve --home jpn --peer-uploads 0
expect 2 "--peer-upload-bytes 0 is bad usage" $G serve --home jpn --peer-upload-bytes 0
expect 2 "--in-flight 65 is bad usage" $G serve --home jpn --in-flight 65
$G serve --home jpn --listen "127.0.0.1:$PJ" --peer-uploads 1 --peer-upload-bytes $BYTES --witness-every 0 \
	>jpn.out 2>jpn.err &
pids="$pids $!"
for _ in $(seq 1 100); do grep -q listening jpn.out && break; sleep 0.1; done
has "JPN serves" "$(cat jpn.out)" "listening on"

# ---- KOR stalls: a body trickling in holds KOR's one slot ----
curl -sk --max-time 60 --cert kor/tls.crt --key kor/tls.key -H 'Expect:' --limit-rate 2K -o stall.out \
	--data-binary @half.bin "$J/v1/peer/deliver-file?kind=memo&id=stall" 2>/dev/null &
stall=$!
pids="$pids $stall"
sleep 2
post kor kor.bundle "kind=bundle&id=$kb"
eq "KOR's next delivery is 429" "$code" 429
has "naming KOR's quota" "$body" "KOR has as many deliveries under way here as it may (1)"
has "with Retry-After" "$(tr -d '\r' <post.h)" "Retry-After: 1"
eq "nothing of it is kept" "$(ls jpn/partial 2>/dev/null | grep -c "$kb")" 0
eq "JPN holds nothing" "$(held)" 0
post usa usa.bundle "kind=bundle&id=$ub"
eq "USA's delivery goes through meanwhile" "$code" 200
jqeq "and is received" "$body" .accepted true
eq "JPN holds USA's" "$(held)" 1

# KOR's courier meets the quota: a retry, not a refusal
expect 0 "KOR queues its release for JPN" $G release kor.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --deliver --home kor --json
run $G outbox --home kor --json
jqeq "the entry waits" "$out" '.[0].state' pending
has "with the peer's answer" "$(printf '%s' "$out" | jq -r '.[0].last_error')" "HTTP 429 from JPN"
kill "$stall" 2>/dev/null
wait "$stall" 2>/dev/null
sleep 1
dbq kor "UPDATE outbox SET next_at = 0"
expect 0 "once KOR's slot is free, its courier sends again" $G outbox send --home kor --json
jqeq "and delivers" "$out" .delivered 1
eq "JPN holds KOR's too" "$(held)" 2

# ---- bytes: a body larger than KOR's byte quota ----
post kor over.bin "kind=memo&id=big"
eq "a declared length over KOR's byte quota is 429" "$code" 429
has "naming the bytes" "$body" "more than $BYTES bytes"
post kor over.bin "kind=memo&id=big-chunked" -H 'Transfer-Encoding: chunked'
eq "an undeclared length that grows over it is 429 too" "$code" 429
eq "no upload is left in JPN's tmp" "$(ls jpn/tmp | wc -l)" 0

# ---- garbage ends with its own answer and gives the slot back ----
post kor half.bin "kind=bundle&id=garbage"
case "$code" in 4??) [ "$code" != 429 ] && ok "garbage as a bundle is refused ($code)" || bad "garbage" "$code";;
*) bad "garbage as a bundle is refused" "HTTP $code $body" ;; esac
eq "nothing of it is kept" "$(ls jpn/partial 2>/dev/null | grep -c garbage)" 0
post kor half.bin "kind=memo&id=after-garbage"
eq "KOR's slot is free again: its next upload is answered on its own merits (400, a kind JPN does not take)" "$code" 400

# ---- a flood from KOR: its own share only ----
flood=""
for i in $(seq 1 6); do
	curl -sk --max-time 30 --cert kor/tls.crt --key kor/tls.key -H 'Expect:' --limit-rate 20K -o /dev/null \
		-w '%{http_code}\n' --data-binary @half.bin "$J/v1/peer/deliver-file?kind=memo&id=flood-$i" >>flood.codes 2>/dev/null &
	flood="$flood $!"
done
sleep 1
$G release usa.txt --to JPN --agreement US-JPN-2007 --classification SECRET --purpose defence-cooperation \
	--topic dprk-missiles -o usa2.bundle --home usa >/dev/null
ub2=$($G bundle inspect usa2.bundle --json | jq -r .bundle)
post usa usa2.bundle "kind=bundle&id=$ub2"
eq "USA's delivery goes through during KOR's flood" "$code" 200
for p in $flood; do wait "$p"; done
eq "KOR's flood: one taken at a time, the rest 429" "$(grep -c '^429$' flood.codes)" 5
eq "JPN holds 3" "$(held)" 3
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
