#!/usr/bin/env bash
# People at the API: passwords, sessions and the local API's roles, on one
# node served on loopback. Refused calls get 401, 403, 400, 413 or 429 and
# change nothing in the database.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example

PJ=$(freeport)

C() { curl -sk --max-time 20 "$@"; }
# call METHOD PATH [curl options]: status in $code, body in $body
call() {
	local m=$1 p=$2
	shift 2
	body=$(C -X "$m" -o - -w '\n%{http_code}' "$@" "https://127.0.0.1:$PJ$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
# as TOKEN METHOD PATH [curl options]
as() {
	local t=$1 m=$2 p=$3
	shift 3
	call "$m" "$p" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' "$@"
}
signin() { # PERSON PASSWORD: the token, or nothing
	call POST /v1/session --data-binary "{\"person\":\"$1\",\"password\":\"$2\"}"
	[ "$code" = 200 ] && printf '%s' "$body" | jq -r .token
}
wait_ready() {
	local i
	for i in $(seq 1 100); do
		C -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}

# Two nodes; KOR releases two items to JPN, one on a topic the reader
# needs to know, one not.
for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
$G party import "$EX/parties/JPN.id" --home kor >/dev/null
$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
person() { # ID ROLE [more options]
	local id=$1 role=$2
	shift 2
	$G person add "$id" --name "$id" --nationality JPN --employer JPN --facility ICHIGAYA \
		--role "$role" --home jpn "$@" >/dev/null
}
person yamada reader --psc 特定秘密 --duty topic:dprk-missiles
person sato reader
person reg registry
person aud auditor
person nsa nsa-officer
export GSOMIA_NOW=2023-05-01T10:00:00+09:00
head -c 1000 /dev/urandom >doc.bin
for topic in dprk-missiles logistics; do
	$G release doc.bin --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic $topic -o $topic.bundle --home kor >/dev/null
	$G receive $topic.bundle --home jpn >/dev/null
done
eq "JPN holds two items" "$($G items --home jpn --json | jq length)" 2

# Passwords.
for p in yamada sato reg aud nsa; do
	GSOMIA_PERSON_PASSWORD="pw-of-$p" expect 0 "password for $p" $G person password $p --home jpn
done
printf 'file-password\n' >pw.txt
expect 0 "a password from a file" $G person password sato --password-file pw.txt --home jpn
printf 'short\n' >short.txt
expect 1 "a short password is refused" $G person password sato --password-file short.txt --home jpn
has "it says how long" "$err" "8 to"
expect 1 "an unknown person has no password" $G person password nobody --password-file pw.txt --home jpn
expect 2 "without a terminal, a password must be given" $G person password sato --home jpn </dev/null
hash=$(dbq jpn "SELECT hash FROM person_passwords WHERE person = 'yamada'")
has "only an Argon2id hash is kept" "$hash" '$argon2id$'
! dbdump jpn | grep -q 'pw-of-yamada' && ok "the password is nowhere in the database" ||
	bad "the password is in the database"
expect 0 "person show" $G person show yamada --home jpn --json
! printf '%s' "$out" | grep -qi 'argon\|password' && ok "the person's record holds no password" ||
	bad "the record holds the password" "$out"
jqeq "the ledger records the change" "$($G ledger show --internal --home jpn --json)" \
	'[.entries[] | select(.kind == "person" and .fields.password == "set")] | length >= 6' true

$G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"

# Sign in and out.
call POST /v1/session --data-binary '{"person":"yamada","password":"pw-of-yamada"}'
eq "sign in is 200" "$code" 200
Y=$(printf '%s' "$body" | jq -r .token)
jqeq "the token is 32 bytes in base64url" "$body" '.token | test("^[A-Za-z0-9_-]{43}$")' true
jqeq "with the person's roles" "$body" '.roles | join(",")' reader
jqeq "and an expiry 8 hours on" "$body" \
	'((.expires | fromdateiso8601) - (.created | fromdateiso8601))' 28800
jqeq "opened at the node's clock (GSOMIA_NOW on an exercise node)" "$body" .created 2023-05-01T01:00:00Z
th=$(printf '%s' "$Y" | tr '_-' '/+' | sed 's/$/=/' | base64 -d 2>/dev/null | sha256sum | cut -c1-64)
eq "the node keeps the token's SHA-256, not the token" \
	"$(if on_pg; then dbq jpn "SELECT encode(token_hash, 'hex') FROM sessions WHERE person = 'yamada'"; else dbq jpn "SELECT lower(hex(token_hash)) FROM sessions WHERE person = 'yamada'"; fi)" "$th"
! dbdump jpn | grep -q "$Y" && ok "the token is nowhere in the database" || bad "token stored"
R=$(signin reg pw-of-reg)
A=$(signin aud pw-of-aud)
N=$(signin nsa pw-of-nsa)
S=$(signin sato file-password)
[ -n "$R" ] && [ -n "$A" ] && [ -n "$N" ] && [ -n "$S" ] && ok "every role signs in" || bad "sign in failed" "$body"
as "$Y" GET /v1/session
eq "who am I is 200" "$code" 200
jqeq "it names the person" "$body" .person yamada

sum=$(dbsum jpn)
call POST /v1/session --data-binary '{"person":"yamada","password":"wrong-password"}'
eq "a wrong password is 401" "$code" 401
wrong=$body
call POST /v1/session --data-binary '{"person":"nobody","password":"wrong-password"}'
eq "an unknown person is 401" "$code" 401
eq "with the same body as a wrong password" "$body" "$wrong"
call GET /v1/local/agreements
eq "no token is 401" "$code" 401
call GET /v1/local/agreements -H "Authorization: Bearer not-a-token"
eq "a malformed token is 401" "$code" 401
call GET /v1/local/agreements -H "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
eq "an unknown token is 401" "$code" 401
v=$(C -i "https://127.0.0.1:$PJ/v1/local/items")
has "401 says how to authenticate" "$v" 'WWW-Authenticate: Bearer'
call POST /v1/session --data-binary '{"person":"yamada","password":"pw-of-yamada","x":1}'
eq "a sign-in with an unknown member is 400" "$code" 400
call POST /v1/session --data-binary '{"person":"yamada",'
eq "a malformed sign-in is 400" "$code" 400

# The roles table.
DA='{"agreement":"KOR-JPN-2016","originator":"KOR","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles"'
as "$Y" POST /v1/local/decide/access --data-binary "$DA}"
eq "a reader asks about themself" "$code" 200
jqeq "and may open such an item" "$body" .decision permit
as "$S" POST /v1/local/decide/access --data-binary "$DA}"
jqeq "an uncleared reader may not" "$body" .rule access.psc-none
as "$Y" POST /v1/local/decide/access --data-binary "$DA,\"person\":\"sato\"}"
eq "a reader asking about another person is 403" "$code" 403
as "$R" POST /v1/local/decide/access --data-binary "$DA,\"person\":\"sato\"}"
eq "a registry officer may ask about another person" "$code" 200
jqeq "and gets the decision about them" "$body" .rule access.psc-none
as "$Y" POST /v1/local/decide/access --data-binary "$DA,\"at\":\"2020-01-01\"}"
jqeq "at a given instant (a date is midnight in the agreement's zone)" "$body" .at 2019-12-31T15:00:00Z
DR='{"agreement":"KOR-JPN-2016","to":"KOR","classification":"特定秘密","purpose":"defence-cooperation","topic":"dprk-missiles"}'
as "$R" POST /v1/local/decide/release --data-binary "$DR"
eq "a registry officer asks decide/release" "$code" 200
jqeq "and gets a decision" "$body" '.decision | test("permit|deny")' true
as "$N" POST /v1/local/decide/release --data-binary "$DR"
eq "so does an NSA officer" "$code" 200
as "$A" POST /v1/local/decide/release --data-binary "$DR"
eq "an auditor calling decide/release is 403" "$code" 403
as "$Y" POST /v1/local/decide/release --data-binary "$DR"
eq "so is a reader" "$code" 403

as "$Y" GET /v1/local/agreements
eq "any role lists the agreements" "$code" 200
jqeq "KOR-JPN-2016 in force" "$body" '.agreements[0].id + " " + .agreements[0].state' "KOR-JPN-2016 in_force"
as "$A" GET "/v1/local/agreements/KOR-JPN-2016/status?at=2019-11-23T00:00:00%2B09:00"
eq "status of an agreement" "$code" 200
jqeq "at an instant" "$body" .at 2019-11-22T15:00:00Z
as "$A" GET "/v1/local/agreements/NOPE/status"
eq "an unknown agreement is 404" "$code" 404
as "$A" GET "/v1/local/agreements/KOR-JPN-2016/status?at=yesterday"
eq "a bad instant is 400" "$code" 400

as "$R" GET /v1/local/items
eq "registry lists the items" "$code" 200
jqeq "all of them" "$body" '.items | length' 2
as "$A" GET /v1/local/items
jqeq "so does an auditor" "$body" '.items | length' 2
as "$Y" GET /v1/local/items
eq "a reader lists items" "$code" 200
jqeq "only what they may open" "$body" '[.items[].topic] | join(",")' dprk-missiles
as "$S" GET /v1/local/items
jqeq "an uncleared reader sees nothing" "$body" '.items | length' 0
as "$N" GET /v1/local/items
eq "an NSA officer is not given the inventory" "$code" 403

as "$A" GET /v1/local/ledger
eq "an auditor reads the ledger" "$code" 200
jqeq "its logs, sizes and roots" "$body" '[.logs[] | select(.size > 0 and (.root | length) == 44)] | length > 0' true
as "$N" GET /v1/local/ledger
eq "so does an NSA officer" "$code" 200
as "$R" GET /v1/local/ledger
eq "registry does not" "$code" 403
as "$R" GET /v1/local/outbox
eq "registry reads the outbox" "$code" 200
jqeq "as a list" "$body" '.outbox | type' array
as "$A" GET /v1/local/outbox
eq "an auditor does not" "$code" 403

# Bodies.
as "$Y" POST /v1/local/decide/access --data-binary '{"agreement":'
eq "malformed JSON is 400" "$code" 400
jqeq "the error says where" "$body" '.error | test("^1:")' true
as "$Y" POST /v1/local/decide/access --data-binary "$DA,\"agreement\":\"X\"}"
eq "a duplicate key is 400" "$code" 400
as "$Y" POST /v1/local/decide/access --data-binary "$DA,\"colour\":\"red\"}"
eq "an unknown member is 400" "$code" 400
as "$Y" POST /v1/local/decide/access --data-binary '{"agreement":"KOR-JPN-2016"}'
eq "a missing member is 400" "$code" 400
as "$Y" POST /v1/local/decide/access --data-binary "$DA,\"purpose\":7}"
eq "a number for a string is 400" "$code" 400
head -c $((80 << 10)) /dev/zero | tr '\0' 'A' >big.json
as "$Y" POST /v1/local/decide/access --data-binary @big.json
eq "an oversized body is 413" "$code" 413
as "$Y" POST /v1/local/decide/access -H 'Transfer-Encoding: chunked' --data-binary @big.json
eq "an oversized chunked body is 413" "$code" 413
call POST /v1/local/decide/access --data-binary @big.json
eq "also without a token" "$code" 413
as "$Y" PUT /v1/local/items
eq "the wrong method is 405" "$code" 405
as "$Y" GET /v1/local/nothing
eq "an unknown local path is 404" "$code" 404
call GET /v1/peer/whoami
eq "peer endpoints still need a client certificate" "$code" 401
call GET /v1/peer/whoami -H "Authorization: Bearer $R"
eq "a session is no peer" "$code" 401
eq "refused and read-only calls changed nothing" "$(dbsum jpn)" "$sum"

# Expiry and sign-out.
if on_pg; then
	dbq jpn "UPDATE sessions SET expires_at = extract(epoch from now())::bigint - 1 WHERE person = 'sato'" >/dev/null
else
	dbq jpn "UPDATE sessions SET expires_at = strftime('%s','now') - 1 WHERE person = 'sato'"
fi
as "$S" GET /v1/session
eq "an expired token is 401" "$code" 401
as "$Y" DELETE /v1/session
eq "sign out is 200" "$code" 200
as "$Y" GET /v1/local/agreements
eq "a token used after sign-out is 401" "$code" 401
as "$Y" DELETE /v1/session
eq "signing out twice is 401" "$code" 401

# A role taken away counts at once.
person reg auditor
as "$R" GET /v1/local/outbox
eq "a person's new roles count on the next call" "$code" 403

# Failed sign-ins are limited per person: the sixth try within a minute
# is 429, even with the right password; an unknown person the same.
for i in 1 2 3 4 5; do call POST /v1/session --data-binary '{"person":"aud","password":"guess-guess"}'; done
eq "five wrong passwords are 401" "$code" 401
call POST /v1/session --data-binary '{"person":"aud","password":"pw-of-aud"}'
eq "then even the right one is 429" "$code" 429
for i in 1 2 3 4 5 6; do call POST /v1/session --data-binary '{"person":"ghost","password":"guess-guess"}'; done
eq "an unknown person is limited the same way" "$code" 429
as "$A" GET /v1/session
eq "the limit ends no open session" "$code" 200
call POST /v1/session --data-binary '{"person":"nsa","password":"pw-of-nsa"}'
eq "other persons still sign in" "$code" 200

# Sessions last --session-ttl seconds.
kill $(echo $pids) 2>/dev/null
wait 2>/dev/null
pids=""
$G serve --home jpn --listen "127.0.0.1:$PJ" --session-ttl 1 >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves again" || bad "JPN serves again" "$(cat jpn.err)"
call POST /v1/session --data-binary '{"person":"yamada","password":"pw-of-yamada"}'
T1=$(printf '%s' "$body" | jq -r .token)
jqeq "a one-second session" "$body" '((.expires | fromdateiso8601) - (.created | fromdateiso8601))' 1
as "$R" GET /v1/session
eq "sessions outlive a restart of the server" "$code" 200
sleep 2
as "$T1" GET /v1/session
eq "and end when they expire" "$code" 401
expect 2 "a bad --session-ttl is bad usage" $G serve --home jpn --session-ttl 0
! grep -q 'pw-of-' jpn.err && ok "no password in the server's log" || bad "password logged"
finish
