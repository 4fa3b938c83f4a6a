#!/usr/bin/env bash
# A bundle delivery that is cut off resumes from the last verified chunk
# (docs/api.md "Resuming a bundle delivery"): JPN keeps only the verified
# prefix of what arrived, across a restart; KOR asks for its length and
# sends the rest. A wrong offset is 409 with the right one; a damaged chunk
# in a resumed or a whole delivery, or a body that stops short, is refused
# with one line that names it, and nothing of it is kept.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
jpid=""
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
start_jpn() {
	$G serve --home jpn >jpn.out 2>>jpn.err &
	jpid=$!
	pids="$pids $jpid"
	wait_ready "$PJ"
}
stop_jpn() {
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
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
rel() { # FILE [more options]
	local f=$1
	shift
	$G release "$f" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --home kor --json "$@"
}
held() { $G items --home jpn --json | jq length; }
peer() { # curl as KOR's node, to JPN
	curl -sk --cert kor/tls.crt --key kor/tls.key "$@"
}
flip() { # FILE OFFSET
	printf "$(printf '\\x%02x' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 1 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

start_jpn && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
head -c 8000000 /dev/urandom >big.bin

# ---- a refused delivery is sent again once the peer can take it ----
# (JPN has not imported the agreement yet)
echo "first" >zero.txt
expect 0 "KOR releases before JPN has the agreement" rel zero.txt --deliver
b0=$($G outbox --home kor --json | jq -r '.[0].ref')
run $G outbox --home kor --json
jqeq "JPN refuses the delivery" "$out" '.[0].state' refused
has "with its reason" "$(printf '%s' "$out" | jq -r '.[0].last_error')" "unknown agreement"
expect 0 "JPN imports the agreement" $G agreement import "$EX/agreements/kor-jpn-2016" --home jpn
expect 0 "KOR puts the entry back" $G outbox retry "bundle-$b0-JPN" --home kor
run $G outbox --home kor --json
jqeq "it waits again" "$out" '.[0].state' pending
expect 0 "and is delivered at the next pass" $G outbox send --home kor --json
jqeq "delivered" "$out" .delivered 1
expect 1 "a delivered entry is not retried" $G outbox retry "bundle-$b0-JPN" --home kor
expect 1 "nor an unknown one" $G outbox retry bundle-nothing --home kor
has "it says so" "$err" "no outbox entry"

# ---- the delivery is cut off half way (KOR's process dies) ----
GSOMIA_FAULT=deliver-file-half expect 99 "KOR's delivery dies half way" rel big.bin --deliver
b=$($G outbox --home kor --json | jq -r '.[1].ref')
size=$(stat -c %s kor/objects/$b.bundle)
eq "JPN holds nothing more yet" "$(held)" 1
[ -f jpn/partial/KOR-$b ] && ok "JPN keeps what arrived" || bad "no partial file" "$(ls -la jpn/partial 2>&1)"
kept=$(stat -c %s jpn/partial/KOR-$b 2>/dev/null || echo 0)
[ "$kept" -gt 0 ] && [ "$kept" -lt "$size" ] && ok "a part of it ($kept of $size bytes)" || bad "kept $kept of $size"
cmp -s -n "$kept" jpn/partial/KOR-$b kor/objects/$b.bundle && ok "byte for byte the bundle's start" || bad "kept bytes differ"
expect 1 "it is not a whole bundle" $G bundle verify jpn/partial/KOR-$b --home jpn --json
jqeq "but all of it verifies, up to a chunk's end" "$out" .verified_bytes "$kept"

# ---- it survives a restart of JPN ----
stop_jpn
start_jpn && ok "JPN restarts" || bad "JPN restarts" "$(cat jpn.err)"
run peer "https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b"
jqeq "JPN says where to resume" "$out" .offset "$kept"
run peer "https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=note&id=$b"
has "only bundles resume" "$out" "only bundle deliveries resume"

# a wrong offset: 409 with the right one, and what is kept stays
tail -c +$((kept + 2)) kor/objects/$b.bundle >rest1.bin
code=$(peer -o wrong.out -w '%{http_code}' --data-binary @rest1.bin \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b&offset=$((kept + 1))")
eq "a wrong offset is 409" "$code" 409
jqeq "with the offset to resume from" "$(cat wrong.out)" .offset "$kept"
eq "what is kept is unchanged" "$(stat -c %s jpn/partial/KOR-$b)" "$kept"
# no offset at all (a sender that lost count): 409 with the kept length, not a fresh start
code=$(peer -o noofs.out -w '%{http_code}' --data-binary @kor/objects/$b.bundle \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b")
eq "a post without an offset is 409 when a part is kept" "$code" 409
jqeq "naming the kept length" "$(cat noofs.out)" .offset "$kept"
eq "and what is kept stays" "$(stat -c %s jpn/partial/KOR-$b)" "$kept"

# ---- KOR's courier resumes: only the rest goes ----
expect 0 "KOR sends its outbox again" $G outbox send --home kor --json
jqeq "delivered" "$out" .delivered 1
run $G outbox --home kor --json
jqeq "the entry is done" "$out" '.[1].state' delivered
jqeq "resumed where the kept part ended" "$out" '.[1].last_error' "delivered, resumed at byte $kept of $size"
eq "JPN holds it" "$(held)" 2
cmp -s jpn/objects/$b.bundle kor/objects/$b.bundle && ok "the bundle JPN stores is the one KOR sealed" || bad "stored bundle differs"
[ ! -e jpn/partial/KOR-$b ] && ok "the kept part is gone" || bad "partial left"
run $G items --home kor --json
jqeq "the receipt came back" "$out" "map(select(.bundle == \"$b\"))[0].releases[0].receipt" true

# ---- a damaged chunk in a resumed delivery: refused, nothing kept ----
head -c 3000000 /dev/urandom >two.bin
GSOMIA_FAULT=deliver-file-half expect 99 "a second delivery dies half way" rel two.bin --deliver
b2=$($G outbox --home kor --json | jq -r '.[2].ref')
kept2=$(stat -c %s jpn/partial/KOR-$b2)
tail -c +$((kept2 + 1)) kor/objects/$b2.bundle >rest2.bin
flip rest2.bin 70000
code=$(peer -o dmg.out -w '%{http_code}' --data-binary @rest2.bin \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b2&offset=$kept2")
eq "a damaged chunk is 422" "$code" 422
has "named" "$(jq -r .error dmg.out)" "does not match its hash in the chunk-hash section"
has "as a chunk" "$(jq -r .error dmg.out)" "chunk "
[ ! -e jpn/partial/KOR-$b2 ] && ok "nothing of it is kept" || bad "partial kept after a refusal"
[ ! -e jpn/inbox/bundle-$b2 ] && ok "nor put in the inbox" || bad "in the inbox"
eq "JPN still holds two" "$(held)" 2
run peer "https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b2"
jqeq "and would start again from 0" "$out" .offset 0
expect 0 "KOR's courier sends it whole" $G outbox send --home kor --json
jqeq "delivered" "$out" .delivered 1
eq "JPN holds three" "$(held)" 3

# ---- whole deliveries that are wrong ----
expect 0 "a third release" rel two.bin -o three.bundle
b3=$($G bundle inspect three.bundle --json | jq -r .bundle)
cp three.bundle dmg.bundle
flip dmg.bundle $(( $(stat -c %s three.bundle) - 10 ))
code=$(peer -o dmg3.out -w '%{http_code}' --data-binary @dmg.bundle \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b3")
eq "a damaged last chunk, whole: 422" "$code" 422
has "it names the chunk" "$(jq -r .error dmg3.out)" "does not match its hash"
head -c 1000000 three.bundle >short.bundle
code=$(peer -o short.out -w '%{http_code}' --data-binary @short.bundle \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b3")
eq "a body that stops short: 422" "$code" 422
has "it says where" "$(jq -r .error short.out)" "truncated in chunk"
[ ! -e jpn/partial/KOR-$b3 ] && ok "nothing kept of either" || bad "partial kept"
eq "JPN still holds three" "$(held)" 3
code=$(peer -o /dev/null -w '%{http_code}' -X PUT "https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b3")
eq "another method: 405" "$code" 405
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
stop_jpn
finish
