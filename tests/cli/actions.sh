#!/usr/bin/env bash
# The console's actions through the local API, between two real nodes on
# loopback (KOR and JPN exercise nodes): a file released at KOR arrives at
# JPN through the outbox and is opened there by a cleared reader (and
# refused to an uncleared one, with the rule); an uploaded bundle is
# received and its receipt goes back; a forged one is 422; consent is
# asked and granted between the nodes; an incident and its steps reach
# the originator; a diplomatic note changes the state at both ends. A
# browser's cookie session needs the CSRF header. Refused calls change
# nothing (dbsum).
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
AG=KOR-JPN-2016

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
# until "description" CMD...: waits up to 20 s for CMD to succeed
until_ok() {
	local what=$1 i
	shift
	for i in $(seq 1 80); do
		"$@" >/dev/null 2>&1 && { ok "$what"; return 0; }
		sleep 0.25
	done
	bad "$what" "still not after 20 s"
}
uri() { jq -rn --arg v "$1" '$v|@uri'; }

# call PORT METHOD PATH [curl options]: status in $code, body in $body
call() {
	local port=$1 m=$2 p=$3
	shift 3
	body=$(curl -sk --max-time 60 -X "$m" -o - -w '\n%{http_code}' "$@" "https://127.0.0.1:$port$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
# as TOKEN PORT METHOD PATH [curl options]: JSON body by default
as() {
	local t=$1 port=$2 m=$3 p=$4
	shift 4
	call "$port" "$m" "$p" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' "$@"
}
# upload TOKEN PORT PATH FILE: the file as the body
upload() {
	call "$2" POST "$3" -H "Authorization: Bearer $1" -H 'Content-Type: application/octet-stream' \
		--data-binary "@$4"
}
signin() { # PORT PERSON PASSWORD: the token, or nothing
	call "$1" POST /v1/session --data-binary "{\"person\":\"$2\",\"password\":\"$3\"}"
	[ "$code" = 200 ] && printf '%s' "$body" | jq -r .token
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
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G facility add YONGSAN --name "Ministry of National Defense" --home kor >/dev/null
person() { # HOME ID ROLE [more options]
	local home=$1 id=$2 role=$3 nat=JPN fac=ICHIGAYA
	shift 3
	[ "$home" = kor ] && nat=KOR fac=YONGSAN
	$G person add "$id" --name "$id" --nationality $nat --employer $nat --facility $fac \
		--role "$role" --home "$home" "$@" >/dev/null
	GSOMIA_PERSON_PASSWORD="pw-of-$id" $G person password "$id" --home "$home" >/dev/null
}
person jpn yamada reader --psc 特定秘密 --duty topic:dprk-missiles
person jpn sato reader --duty topic:dprk-missiles
person jpn reg registry
person jpn nsa nsa-officer
person kor kreg registry
person kor knsa nsa-officer
person kor park reader --psc 군사II급비밀 --duty topic:dprk-missiles

for h in kor jpn; do
	port=$PK
	[ $h = jpn ] && port=$PJ
	$G serve --home $h --witness-every 0 >$h.out 2>$h.err &
	pids="$pids $!"
	wait_ready $port && ok "$h serves" || bad "$h serves" "$(cat $h.err)"
done
KREG=$(signin $PK kreg pw-of-kreg)
KNSA=$(signin $PK knsa pw-of-knsa)
PARK=$(signin $PK park pw-of-park)
Y=$(signin $PJ yamada pw-of-yamada)
S=$(signin $PJ sato pw-of-sato)
R=$(signin $PJ reg pw-of-reg)
[ -n "$KREG" ] && [ -n "$KNSA" ] && [ -n "$PARK" ] && [ -n "$Y" ] && [ -n "$S" ] && [ -n "$R" ] &&
	ok "everyone signs in" || bad "sign in" "$body"

held() { $G items --home jpn --json | jq -r --arg i "$1" 'map(select(.id == $i)) | length'; }
outbox_done() { # HOME: every entry delivered
	[ "$($G outbox --home "$1" --json | jq '[.[] | select(.state != "delivered")] | length')" = 0 ]
}

# ---- release a file at KOR through the API; JPN gets it ----
head -c 70000 /dev/urandom >doc.bin
Q="agreement=$AG&to=JPN&classification=$(uri 군사II급비밀)&purpose=defence-cooperation&topic=dprk-missiles"
upload "$KREG" $PK "/v1/local/release?$Q&name=$(uri 'reports/report 7.txt')" doc.bin
eq "release through the API is 200" "$code" 200
jqeq "permitted, with the rule" "$body" '.decision + " " + .rule' "permit release.permit"
jqeq "queued for JPN" "$body" '.queued and .to == "JPN"' true
jqeq "the upload's name is the title" "$body" .title "report 7.txt"
jqeq "JPN will mark it with its own label" "$body" .banner_recipient 特定秘密
I1=$(printf '%s' "$body" | jq -r .item)
B1=$(printf '%s' "$body" | jq -r .bundle)
held_1() { [ "$(held "$I1")" = 1 ]; }
until_ok "the bundle arrives at JPN (KOR's courier delivered it)" held_1
until_ok "KOR's outbox marks it delivered" outbox_done kor
receipt_back() { [ "$($G items --home kor --json | jq -r --arg i "$1" '.[] | select(.id == $i) | .releases[0].receipt')" = true ]; }
until_ok "JPN's receipt came back to KOR" receipt_back "$I1"
eq "nothing left in KOR's upload folder" "$(ls kor/tmp | wc -l)" 0

# what the release is may go in a header instead of the URL (which proxies log)
meta=$(uri '{"agreement":"KOR-JPN-2016","to":"JPN","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles","title":"Header release","name":"memo: 1.txt"}')
call $PK POST /v1/local/release -H "Authorization: Bearer $KREG" -H 'Content-Type: application/octet-stream' \
	-H "X-Gsomia-Release: $meta" --data-binary @doc.bin
eq "a release described in X-Gsomia-Release is 200" "$code" 200
jqeq "with its title and the file's own name" "$body" '.title + "|" + .name' "Header release|memo: 1.txt"
IH=$(printf '%s' "$body" | jq -r .item)
jqeq "its ledger entry names the person who released it" \
	"$($G ledger show --peer JPN --home kor --json)" "[.entries[] | select(.kind == \"release\" and .item == \"$IH\")][0].person" kreg
jqeq "the item keeps the file's own name" "$($G items --home kor --json)" "map(select(.id == \"$IH\"))[0].name" "memo: 1.txt"
until_ok "the receipt of that one came back too" receipt_back "$IH"
until_ok "and KOR's outbox is done" outbox_done kor
before=$(dbsum kor)
call $PK POST "/v1/local/release?title=x" -H "Authorization: Bearer $KREG" -H "X-Gsomia-Release: $meta" --data-binary @doc.bin
eq "the header and the query at once: 400" "$code" 400
has "saying so" "$body" "give none in the query"
call $PK POST /v1/local/release -H "Authorization: Bearer $KREG" -H "X-Gsomia-Release: %7B%22to%22%3A%22JPN%22%7D" --data-binary @doc.bin
eq "a header without the agreement: 400" "$code" 400
has "naming the member" "$body" "agreement"
call $PK POST /v1/local/release -H "Authorization: Bearer $KREG" -H "X-Gsomia-Release: %7B%zz" --data-binary @doc.bin
eq "a header that is not percent-encoded JSON: 400" "$code" 400
has "saying where" "$body" "X-Gsomia-Release"
eq "the database is unchanged by them" "$(dbsum kor)" "$before"

# a refusal by the rules changes nothing
before=$(dbsum kor)
upload "$KREG" $PK "/v1/local/release?agreement=$AG&to=JPN&classification=$(uri 군사I급비밀)&purpose=defence-cooperation&topic=dprk-missiles" doc.bin
eq "grade I is refused: 403" "$code" 403
jqeq "with the decision and its rule" "$body" '.decision + " " + (.rule | startswith("release.") | tostring)' "deny true"
has "and the reason" "$(printf '%s' "$body" | jq -r .reason)" "군사I급비밀"
has "the error says why" "$(printf '%s' "$body" | jq -r .error)" "release refused"
upload "$KREG" $PK "/v1/local/release?agreement=$AG&to=JPN&purpose=x&topic=y" doc.bin
eq "a missing argument is 400" "$code" 400
has "naming it" "$body" classification
upload "$Y" $PJ "/v1/local/release?$Q" doc.bin
eq "a reader may not release: 403" "$code" 403
eq "KOR's database is unchanged" "$(dbsum kor)" "$before"
eq "nothing left in KOR's upload folder" "$(ls kor/tmp | wc -l)" 0

# ---- open at JPN: a cleared reader gets the bytes, an uncleared one the rule ----
hdr=$T/open.headers
code=$(curl -sk --max-time 60 -X POST -H "Authorization: Bearer $Y" -D "$hdr" -o opened.bin -w '%{http_code}' \
	"https://127.0.0.1:$PJ/v1/local/items/$I1/open")
eq "yamada opens it: 200" "$code" 200
cmp -s doc.bin opened.bin && ok "the same bytes" || bad "the same bytes" "$(head -c 200 opened.bin)"
has "saved under its own name, with EXERCISE and JPN's marking" "$(cat "$hdr")" \
	"filename*=UTF-8''EXERCISE%20%E7%89%B9%E5%AE%9A%E7%A7%98%E5%AF%86%20-%20report%207.txt"
has "and an ASCII name for old clients" "$(cat "$hdr")" 'filename="EXERCISE ____ - report 7.txt"'
has "never cached" "$(tr -d '\r' <"$hdr")" "Cache-Control: no-store"
eq "no plaintext left in JPN's home" "$(ls jpn/tmp | wc -l)" 0
as "$S" $PJ POST "/v1/local/items/$I1/open"
eq "sato is refused: 403" "$code" 403
jqeq "deny, by an access rule" "$body" '.decision + " " + (.rule | startswith("access.") | tostring)' "deny true"
has "with the reason" "$(printf '%s' "$body" | jq -r .reason)" "sato"
ledger=$($G ledger show --peer KOR --home jpn --json)
jqeq "both are logged as gsomia open logs them" "$ledger" \
	'[.entries[] | select(.kind == "access-grant" or .kind == "access-refusal") | .kind] | join(",")' \
	"access-grant,access-refusal"
eq "nothing left in JPN's tmp" "$(ls jpn/tmp | wc -l)" 0
$G facility add KOBE --name "Kobe office" --home jpn >/dev/null
as "$Y" $PJ POST "/v1/local/items/$I1/open?facility=KOBE"
eq "at a facility whose register does not name her: 403" "$code" 403
jqeq "by an access rule" "$body" '.rule | startswith("access.")' true
as "$Y" $PJ POST "/v1/local/items/nope/open"
eq "an unknown item is 404" "$code" 404
as "$Y" $PJ POST "/v1/local/items/$I1/open?facility=NOWHERE"
eq "an unknown facility is 404" "$code" 404

# ---- receive an uploaded bundle at JPN; the receipt goes back ----
echo "carried by hand" >two.txt
$G release two.txt --to JPN --agreement $AG --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles --title two -o two.bundle --home kor >/dev/null
I2=$($G bundle inspect two.bundle --json | jq -r .item)
upload "$R" $PJ /v1/local/receive two.bundle
eq "receive through the API is 200" "$code" 200
jqeq "the item" "$body" .item "$I2"
jqeq "marked by JPN" "$body" '.record.marking | join(",")' 特定秘密
jqeq "its receipt queued for KOR" "$body" '.receipt.to + " " + (.receipt.queued | tostring)' "KOR true"
until_ok "the receipt arrives at KOR" receipt_back "$I2"
upload "$R" $PJ /v1/local/receive two.bundle
jqeq "the same bundle again is held once" "$body" .already_held true
upload "$Y" $PJ /v1/local/receive two.bundle
eq "a reader may not receive: 403" "$code" 403
until_ok "JPN's outbox is done" outbox_done jpn
echo "third" >three.txt
$G release three.txt --to JPN --agreement $AG --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles -o three.bundle --home kor >/dev/null
size=$(stat -c %s three.bundle)
flip_byte three.bundle $((size - 5))
before=$(dbsum jpn)
upload "$R" $PJ /v1/local/receive three.bundle
eq "a damaged bundle is 422" "$code" 422
has "it says where" "$body" "uploaded bundle"
! printf '%s' "$body" | grep -q "/tmp/upload-" && ok "without the temporary file's name" || bad "temp name" "$body"
head -c 3000 /dev/urandom >junk.bin
upload "$R" $PJ /v1/local/receive junk.bin
eq "bytes that are no bundle are 422" "$code" 422
eq "JPN's database is unchanged" "$(dbsum jpn)" "$before"
eq "nothing left in JPN's upload folder" "$(ls jpn/tmp | wc -l)" 0

# ---- a browser's session: cookie and CSRF header ----
call $PJ POST /v1/session/cookie -c jar.txt --data-binary '{"person":"nsa","password":"pw-of-nsa"}'
eq "cookie sign-in" "$code" 200
CSRF=$(printf '%s' "$body" | jq -r .csrf)
REQ="{\"item\":\"$I1\",\"third_party\":\"USA\",\"purpose\":\"defence-cooperation\",\"text\":\"for the trilateral channel\"}"
before=$(dbsum jpn)
call $PJ POST /v1/local/consents -b jar.txt -H 'Content-Type: application/json' --data-binary "$REQ"
eq "by cookie without the CSRF header: 403" "$code" 403
has "saying so" "$body" "X-CSRF-Token"
call $PJ POST /v1/local/consents -b jar.txt -H "X-CSRF-Token: wrong" -H 'Content-Type: application/json' \
	--data-binary "$REQ"
eq "with a wrong CSRF token: 403" "$code" 403
eq "nothing changed" "$(dbsum jpn)" "$before"
call $PJ POST /v1/local/consents -b jar.txt -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	--data-binary '{"item":"x","purpose":"p","colour":"red"}'
eq "an unknown member is 400" "$code" 400
has "naming it" "$body" colour
call $PJ POST /v1/local/consents -b jar.txt -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	--data-binary "{\"item\":\"$I1\",\"to\":\"USA\",\"third_party\":\"USA\",\"purpose\":\"p\"}"
eq "a request goes to the originator only: 400" "$code" 400
eq "nothing changed" "$(dbsum jpn)" "$before"
echo "from Japan" >jdoc.txt
JQ="agreement=$AG&to=KOR&classification=$(uri 秘)&purpose=defence-cooperation&topic=dprk-missiles&name=jdoc.txt"
call $PJ POST "/v1/local/release?$JQ" -b jar.txt -H 'Content-Type: application/octet-stream' --data-binary @jdoc.txt
eq "an upload by cookie without the CSRF header: 403" "$code" 403
eq "nothing changed" "$(dbsum jpn)" "$before"
eq "nothing kept of the upload" "$(ls jpn/tmp | wc -l)" 0
call $PJ POST "/v1/local/release?$JQ" -b jar.txt -H "X-CSRF-Token: $CSRF" \
	-H 'Content-Type: application/octet-stream' --data-binary @jdoc.txt
eq "with it, JPN's officer releases to KOR: 200" "$code" 200
jqeq "KOR will mark it with its own label" "$body" .banner_recipient 군사III급비밀
IJ=$(printf '%s' "$body" | jq -r .item)
at_kor() { [ "$($G items --home kor --json | jq -r --arg i "$IJ" 'map(select(.id == $i)) | length')" = 1 ]; }
until_ok "it arrives at KOR" at_kor
until_ok "JPN's outbox is done" outbox_done jpn
before=$(dbsum jpn)

# ---- consent: JPN asks KOR, KOR grants, JPN holds the consent ----
call $PJ POST /v1/local/consents -b jar.txt -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	--data-binary "$REQ"
eq "with the CSRF header, the request is made: 200" "$code" 200
jqeq "addressed to the originator, queued" "$body" '.to + " " + (.queued | tostring)' "KOR true"
CID=$(printf '%s' "$body" | jq -r .id)
req_at_kor() { [ "$($G consent list --home kor --json | jq -r --arg i "$CID" '.[] | select(.id == $i) | .decision')" = requested ]; }
until_ok "the request arrives at KOR" req_at_kor
as "$KREG" $PK POST "/v1/local/consents/$CID/grant" --data-binary '{"expires":"2023-12-31T00:00:00+09:00"}'
eq "a registry officer may not grant: 403" "$code" 403
as "$KNSA" $PK POST "/v1/local/consents/$CID/grant" --data-binary '{"text":"granted"}'
eq "a grant without an expiry is 400" "$code" 400
has "saying so, by the member's name" "$body" "'expires'"
as "$KNSA" $PK POST "/v1/local/consents/$CID/grant" \
	--data-binary '{"expires":"2023-12-31T00:00:00+09:00","text":"for the DPRK missile picture"}'
eq "KOR's officer grants: 200" "$code" 200
jqeq "queued to the requester" "$body" '.queued | join(",")' JPN
jqeq "USA cannot be reached from KOR: said so" "$body" '.not_queued[0].to' USA
GID=$(printf '%s' "$body" | jq -r .id)
granted_at_jpn() { [ "$($G consent list --home jpn --json | jq -r --arg i "$GID" '.[] | select(.id == $i) | .state')" = valid ]; }
until_ok "the consent arrives at JPN, valid" granted_at_jpn
jqeq "answering its request" "$($G consent list --home jpn --json)" \
	"[.[] | select(.id == \"$GID\") | .request][0]" "$CID"
as "$KNSA" $PK GET /v1/local/queues
jqeq "KOR's queue shows the request answered, by the grant" "$body" \
	"[.consents[] | select(.id == \"$CID\") | .answered | .decision + \" \" + .id][0]" "granted $GID"
as "$R" $PJ GET /v1/local/queues
jqeq "and so does JPN's, once the grant arrived" "$body" \
	"[.consents[] | select(.id == \"$CID\") | .answered.decision][0]" granted
# a refusal travels the same way
call $PJ POST /v1/local/consents -b jar.txt -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	--data-binary "{\"item\":\"$I2\",\"kind\":\"use\",\"purpose\":\"training\"}"
eq "a request for another use: 200" "$code" 200
CID2=$(printf '%s' "$body" | jq -r .id)
req2_at_kor() { [ "$($G consent list --home kor --json | jq -r --arg i "$CID2" '.[] | select(.id == $i) | .decision')" = requested ]; }
until_ok "it arrives at KOR" req2_at_kor
as "$KNSA" $PK POST "/v1/local/consents/$CID2/refuse" --data-binary '{"text":"not for training","expires":"2023-12-31T00:00:00Z"}'
eq "a refusal takes no expiry: 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/consents/$CID2/refuse" --data-binary '{"text":"not for training"}'
eq "KOR refuses: 200" "$code" 200
jqeq "refused, queued to JPN" "$body" '.decision + " " + (.queued | join(","))' "refused JPN"
RID=$(printf '%s' "$body" | jq -r .id)
refused_at_jpn() { [ "$($G consent list --home jpn --json | jq -r --arg i "$RID" '.[] | select(.id == $i) | .state')" = refused ]; }
until_ok "JPN holds the refusal" refused_at_jpn
as "$KNSA" $PK POST "/v1/local/consents/$CID2/grant" --data-binary '{"expires":"2023-12-31T00:00:00Z"}'
eq "then a grant is 409" "$code" 409
until_ok "KOR's outbox is done" outbox_done kor
before=$(dbsum kor)
as "$KNSA" $PK POST "/v1/local/consents/$CID/refuse" --data-binary '{"text":"changed my mind"}'
eq "a second answer is 409" "$code" 409
as "$KNSA" $PK POST "/v1/local/consents/$GID/grant" --data-binary '{"expires":"2023-12-31T00:00:00+09:00"}'
eq "a consent is no request: 409" "$code" 409
as "$KNSA" $PK POST "/v1/local/consents/$(printf '%064d' 0)/grant" --data-binary '{}'
eq "an unknown request is 404" "$code" 404
eq "KOR's database is unchanged" "$(dbsum kor)" "$before"

# ---- an incident at JPN reaches KOR, then its steps ----
as "$R" $PJ POST /v1/local/incidents --data-binary \
	"{\"item\":\"$I2\",\"kind\":\"possible-loss\",\"detected\":\"2023-05-01T09:00:00+09:00\",\"text\":\"safe found open\"}"
eq "JPN's registry reports an incident: 200" "$code" 200
jqeq "with its deadline" "$body" '.deadlines.notify_by != null and .deadlines.late == false' true
jqeq "the holding is suspended" "$body" .holding suspended
INC=$(printf '%s' "$body" | jq -r .id)
inc_state() { [ "$($G incident list --home kor --json | jq -r --arg i "$INC" '.[] | select(.id == $i) | .state')" = "$1" ]; }
until_ok "the notice arrives at KOR" inc_state notified
as "$R" $PJ POST "/v1/local/incidents/$INC/step" --data-binary '{"investigation":"inventory of the safe"}'
eq "an investigation step: 200" "$code" 200
until_ok "it arrives at KOR" inc_state investigating
as "$R" $PJ POST "/v1/local/incidents/$INC/step" --data-binary \
	'{"result":"the document was misfiled","measures":"two-person inventory","holding":"active"}'
eq "the results: 200" "$code" 200
until_ok "they arrive at KOR" inc_state results-sent
as "$R" $PJ POST "/v1/local/incidents/$INC/step" --data-binary '{"measures":"x"}'
eq "measures without a result are 400" "$code" 400
as "$R" $PJ POST "/v1/local/incidents/INC-XXX-0/step" --data-binary '{"investigation":"x"}'
eq "an unknown incident is 404" "$code" 404
as "$Y" $PJ POST /v1/local/incidents --data-binary "{\"item\":\"$I2\"}"
eq "a reader may not report: 403" "$code" 403

# steps delivered out of order are taken again later, not refused
$G incident report "$I1" --kind possible-loss --detected 2023-05-01T09:30:00+09:00 -o n0.note --home jpn >/dev/null
INC2=$($G incident list --home jpn --json | jq -r --arg i "$I1" '.[] | select(.item == $i) | .id')
$G incident step "$INC2" --investigation "search" -o n1.note --home jpn >/dev/null
deliver() { # KIND ID FILE: JPN's server certificate delivers to KOR; the status
	printf '{"kind":"%s","id":"%s","body_b64":"%s"}' "$1" "$2" "$(base64 -w0 "$3")" >d.json
	curl -sk --cert jpn/tls.crt --key jpn/tls.key -o d.out -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @d.json "https://127.0.0.1:$PK/v1/peer/deliver"
}
code=$(deliver incident "$INC2-1" n1.note)
case "$code" in 5*) ok "a step before its notice is not refused ($code): the sender retries" ;;
*) bad "a step before its notice" "HTTP $code $(cat d.out)" ;; esac
eq "the notice then" "$(deliver incident "$INC2-0" n0.note)" 200
eq "and the step again" "$(deliver incident "$INC2-1" n1.note)" 200
jqeq "KOR holds both, in order" "$($G incident list --home kor --json)" \
	"[.[] | select(.id == \"$INC2\") | .steps[].step] | join(\",\")" "notice,investigation"

# ---- a diplomatic note from KOR, seen at both nodes ----
state() { $G agreement status $AG --home "$1" --json | jq -r .state; }
eq "in force at JPN before" "$(state jpn)" in_force
before=$(dbsum kor)
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"withdrawal"}'
eq "a withdrawal without what it withdraws is 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"termination-notice","version":"1"}'
eq "a version that is a string is 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"suspension","to":"KOR"}'
eq "a note to oneself is 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"termination-notice","text":"a\nb"}'
eq "a note's text on two lines is 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/agreements/NO-SUCH/notes" --data-binary '{"kind":"termination-notice"}'
eq "an unknown agreement is 404" "$code" 404
as "$KREG" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"termination-notice"}'
eq "a registry officer gives no notes: 403" "$code" 403
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"accession-acceptance"}'
eq "an acceptance without the acceding state is 400" "$code" 400
has "saying what it needs" "$body" "needs 'acceding'"
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"withdrawal","withdraws":"notice","acceding":"USA"}'
eq "'acceding' on another kind is 400" "$code" 400
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" --data-binary '{"kind":"accession-acceptance","acceding":"USA"}'
case "$code" in 4*) ok "an acceptance under a closed agreement is refused ($code)" ;; *) bad "an acceptance under a closed agreement" "HTTP $code $body" ;; esac
has "saying it allows no accession" "$body" "allows no accession"
eq "KOR's database is unchanged" "$(dbsum kor)" "$before"
as "$KNSA" $PK POST "/v1/local/agreements/$AG/notes" \
	--data-binary '{"kind":"termination-notice","text":"The Republic of Korea gives notice."}'
eq "KOR's officer gives notice: 200" "$code" 200
jqeq "the state after it" "$body" .state_after notice_pending
jqeq "queued for JPN" "$body" '.queued | join(",")' JPN
eq "KOR sees it" "$(state kor)" notice_pending
jpn_pending() { [ "$(state jpn)" = notice_pending ]; }
until_ok "and JPN sees it once delivered" jpn_pending

# ---- an argument the call does not take ----
before=$(dbsum kor)
echo "a report" >typo.txt
upload "$KREG" $PK "/v1/local/release?$Q&titel=typo" typo.txt
eq "an unknown query argument is 400" "$code" 400
has "naming it" "$body" "unknown query argument 'titel'"
eq "and KOR's database is unchanged" "$(dbsum kor)" "$before"

# ---- a release larger than the JSON cap ----
head -c $((5 * 1024 * 1024)) /dev/urandom >big.bin
upload "$KREG" $PK "/v1/local/release?$Q&title=big" big.bin
eq "a 5 MiB release is 200" "$code" 200
IB=$(printf '%s' "$body" | jq -r .item)
jqeq "with no warning: deliveries stream files of any size" "$body" 'has("warning")' false
big_at_jpn() { $G items --home jpn --json | jq -e --arg i "$IB" 'any(.[]; .id == $i)' >/dev/null; }
until_ok "the 5 MiB bundle reaches JPN" big_at_jpn
code=$(curl -sk --max-time 60 -X POST -H "Authorization: Bearer $PARK" -o big.out -w '%{http_code}' \
	"https://127.0.0.1:$PK/v1/local/items/$IB/open")
eq "KOR's reader opens the originator's copy" "$code" 200
cmp -s big.bin big.out && ok "all 5 MiB, the same" || bad "big bytes differ" "$(stat -c %s big.out)"
eq "nothing left in KOR's tmp" "$(ls kor/tmp | wc -l)" 0
code=$(curl -sk --max-time 60 -X POST -H "Authorization: Bearer $Y" -o big.jpn -w '%{http_code}' \
	"https://127.0.0.1:$PJ/v1/local/items/$IB/open")
eq "JPN's cleared reader opens the delivered copy" "$code" 200
cmp -s big.bin big.jpn && ok "all 5 MiB arrived intact" || bad "big bytes differ at JPN" "$(stat -c %s big.jpn)"
eq "nothing left in JPN's tmp" "$(ls jpn/tmp | wc -l)" 0

expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
finish
