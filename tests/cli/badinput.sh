#!/usr/bin/env bash
# Bad input at a serving node: what peers and the node's own people send
# that is not what it should be. A close() that fails while a delivery is
# kept closes the descriptor once; a damaged bundle gets the codes
# docs/api.md lists, the same through every route that takes one.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PJ=$(freeport)
J=https://127.0.0.1:$PJ
# call METHOD URL [curl options]: the status in $code, the body in $body
call() {
	local m=$1 url=$2
	shift 2
	body=$(curl -sk --max-time 60 -X "$m" -o - -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "$J/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
# serve_jpn [env assignments...]: starts JPN's server, its pid in $jpid
serve_jpn() {
	env "$@" $G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
	jpid=$!
	pids="$pids $jpid"
	wait_ready
}
stop_jpn() {
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
}
KC=(--cert kor/tls.crt --key kor/tls.key)

for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G party import jpn.id --home usa >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null
$G party import usa.id --home kor >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home kor >/dev/null
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
person() { # ID ROLE [more options]: a person at JPN with a password
	local id=$1 role=$2
	shift 2
	$G person add "$id" --name "$id" --nationality JPN --employer JPN --facility ICHIGAYA \
		--role "$role" --home jpn "$@" >/dev/null
	GSOMIA_PERSON_PASSWORD="pw-of-$id" $G person password "$id" --home jpn >/dev/null
}
person reg registry
person yamada reader --psc 特定秘密 --duty topic:dprk-missiles

# ---- a close() that fails: the descriptor is closed once ----
# The preloaded close() fails for the inbox's temporary files
# (tests/cli/close_fails.c); before the fix the server closed the same
# number again, which in a threaded server may be another request's file.
serve_jpn LD_PRELOAD="$CLOSE_FAILS_SO" CLOSE_FAILS=/inbox/.tmp- \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" &&
	ok "JPN serves with a failing close()" || bad "JPN serves with a failing close()" "$(cat jpn.err)"
call POST "$J/v1/peer/deliver" "${KC[@]}" -H 'Content-Type: application/json' \
	--data-binary '{"kind":"receipt","id":"R-close","body_b64":"aGVsbG8="}'
eq "a delivery whose file cannot be closed is 500" "$code" 500
has "saying why" "$body" "inbox: Input/output error"
call GET "$J/v1/health"
eq "and the server still runs" "$code" 200
! grep -q "closed twice" jpn.err && ok "no descriptor was closed twice" || bad "closed twice" "$(cat jpn.err)"
eq "nothing is left in the inbox" "$(ls -A jpn/inbox | wc -l)" 0
stop_jpn

# ---- a damaged bundle: the same codes on every route (docs/api.md) ----
head -c 300000 /dev/urandom >doc.bin
rel() { # HOME TO AGREEMENT LABEL OUT
	$G release doc.bin --to "$2" --agreement "$3" --classification "$4" --purpose defence-cooperation \
		--topic dprk-missiles -o "$5" --home "$1" >/dev/null
}
rel kor JPN KOR-JPN-2016 군사II급비밀 good.bundle
rel usa JPN US-JPN-2007 SECRET stranger.bundle # from a party JPN does not know
rel kor USA US-KOR-1987 군사II급비밀 forusa.bundle # for another node
size=$(stat -c %s good.bundle)
head -c $((size - 100)) good.bundle >cut.bundle
head -c 50 good.bundle >cutmanifest.bundle
cp good.bundle chunk.bundle && flip_byte chunk.bundle $((size - 5))
cp good.bundle signature.bundle && flip_byte signature.bundle 200
head -c 3000 /dev/urandom >junk.bundle
cp good.bundle longer.bundle && printf x >>longer.bundle
serve_jpn && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
call POST "$J/v1/session" --data-binary '{"person":"reg","password":"pw-of-reg"}'
REG=$(printf '%s' "$body" | jq -r .token)
# deliver NAME ID: the bundle NAME.bundle through the three routes, the
# codes in $c_json $c_file $c_local
deliver() {
	printf '{"kind":"bundle","id":"%s","body_b64":"%s"}' "$2" "$(base64 -w0 "$1.bundle")" >d.json
	call POST "$J/v1/peer/deliver" "${KC[@]}" -H 'Content-Type: application/json' --data-binary @d.json
	c_json=$code b_json=$body
	call POST "$J/v1/peer/deliver-file?kind=bundle&id=$2" "${KC[@]}" --data-binary "@$1.bundle"
	c_file=$code b_file=$body
	call POST "$J/v1/local/receive" -H "Authorization: Bearer $REG" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$1.bundle"
	c_local=$code b_local=$body
}
before=$(dbsum jpn)
n=0
for what in "cut:cut short in a chunk:truncated in chunk" \
	"cutmanifest:cut short in its manifest:truncated" \
	"chunk:with a chunk altered:does not match its hash" \
	"signature:with its manifest's signature broken:bad signature" \
	"junk:of bytes that are no bundle:expected 'gsomia-bundle/v2" \
	"longer:with bytes after its end:more bytes after the end" \
	"stranger:from a party this node does not know:unknown party 'USA'"; do
	IFS=: read -r name desc says <<<"$what"
	n=$((n + 1))
	deliver "$name" "B-$n"
	eq "a bundle $desc: 422 from peer deliver" "$c_json" 422
	eq "a bundle $desc: 422 from peer deliver-file" "$c_file" 422
	eq "a bundle $desc: 422 from the local receive" "$c_local" 422
	has "the peer is told why" "$b_json" "$says"
	has "through either peer route" "$b_file" "$says"
	has "and so is the officer" "$b_local" "$says"
done
! printf '%s' "$b_json" | grep -q "jpn/" && ok "no reply names where JPN keeps things" || bad "a path in a reply" "$b_json"
eq "nothing damaged is held" "$(dbsum jpn)" "$before"
eq "nothing is left in the inbox" "$(ls -A jpn/inbox | wc -l)" 0
eq "nor in partial deliveries" "$(ls -A jpn/partial 2>/dev/null | wc -l)" 0
eq "nor in HOME/tmp" "$(ls -A jpn/tmp | wc -l)" 0
deliver forusa B-usa
eq "a bundle for another node is a rule's refusal: 403 from peer deliver" "$c_json" 403
eq "403 from peer deliver-file" "$c_file" 403
eq "403 from the local receive" "$c_local" 403
deliver good B-good
eq "a whole bundle is taken: 200" "$c_json $c_file $c_local" "200 200 200"
ITEM=$(printf '%s' "$b_json" | jq -r .item)
B=$(jq -r .bundle <<<"$b_local")
# The kept bundle damaged on disk: opening it says so, 422, not 500.
call POST "$J/v1/session" --data-binary '{"person":"yamada","password":"pw-of-yamada"}'
Y=$(printf '%s' "$body" | jq -r .token)
cp "jpn/objects/$B.bundle" kept.bundle
head -c $((size - 100)) kept.bundle >"jpn/objects/$B.bundle"
call POST "$J/v1/local/items/$ITEM/open" -H "Authorization: Bearer $Y"
eq "opening an item whose kept bundle is cut short is 422" "$code" 422
has "naming the item and what is wrong" "$body" "the bundle kept for item '$ITEM' is damaged: bundle: truncated"
cp kept.bundle "jpn/objects/$B.bundle" && flip_byte "jpn/objects/$B.bundle" $((size - 5))
call POST "$J/v1/local/items/$ITEM/open" -H "Authorization: Bearer $Y"
eq "one altered is 422" "$code" 422
expect 1 "gsomia open says the same" $G open "$ITEM" --as yamada -o opened.bin --home jpn
eq "in one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "naming the item" "$err" "the bundle kept for item '$ITEM' is damaged"
[ ! -e opened.bin ] && ok "and writes nothing" || bad "a file was written"
cp kept.bundle "jpn/objects/$B.bundle"
call POST "$J/v1/local/items/$ITEM/open" -H "Authorization: Bearer $Y"
eq "restored, it opens" "$code" 200

# ---- %00 in a query argument: refused, never cut ----
before=$(dbsum jpn)
inbox=$(ls jpn/inbox)
RQ="agreement=KOR-JPN-2016&to=KOR&classification=$(jq -rn '"特定秘密"|@uri')&purpose=defence-cooperation&topic=dprk-missiles"
call POST "$J/v1/local/release?$RQ&title=a%00b" -H "Authorization: Bearer $REG" \
	-H 'Content-Type: application/octet-stream' --data-binary @doc.bin
eq "a title holding %00 is 400" "$code" 400
jqeq "saying which argument, in one line" "$body" .error "query argument 'title' holds a NUL byte (%00)"
call POST "$J/v1/peer/deliver-file?kind=receipt&id=a%00b" "${KC[@]}" --data-binary 'x'
eq "a delivery id holding %00 is 400" "$code" 400
has "saying so" "$body" "query argument 'id' holds a NUL byte"
call POST "$J/v1/peer/deliver-file?kind=bundle&id=B-1%00x" "${KC[@]}" --data-binary @good.bundle
eq "a bundle's too" "$code" 400
call GET "$J/v1/local/items?ti%00tle=x" -H "Authorization: Bearer $REG"
eq "a name holding %00 is 400 too" "$code" 400
call GET "$J/v1/local/items" -H "Authorization: Bearer $REG"
eq "without it the same call is 200" "$code" 200
eq "nothing was released or kept" "$(dbsum jpn)" "$before"
eq "nothing more is in the inbox" "$(ls jpn/inbox)" "$inbox"
eq "nor in partial deliveries" "$(ls -A jpn/partial 2>/dev/null | wc -l)" 0
stop_jpn

finish
