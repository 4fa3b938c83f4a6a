#!/usr/bin/env bash
# Visits (Art 8, 18) between two real nodes on loopback: KOR asks JPN for
# a visit of two representatives to ICHIGAYA; the request and JPN's signed
# approval travel through the outbox like consents; during the approved
# visit JPN decides the visitors' access against it (dates, facility,
# level cap, certified PSC) and logs it. Bad input changes nothing: a
# visit outside its dates, a forged answer, a request too late for the
# lead time, an approval by the visitor.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

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
$G facility add YOKOSUKA --name "Fleet HQ" --home jpn >/dev/null
# the visitors as JPN registers them: KOR nationals employed by KOR
$G person add kim --name 김민준 --nationality KOR --employer KOR --psc 군사II급비밀 --facility ICHIGAYA \
	--role reader --home jpn >/dev/null
$G person add lee --name 이서연 --nationality KOR --employer KOR --psc 군사III급비밀 --facility ICHIGAYA \
	--role reader --home jpn >/dev/null
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
head -c 2000 /dev/urandom >doc.bin
# JPN's own 極秘 and 特定秘密 items, released to KOR (so held at JPN as originator)
for L in 極秘 特定秘密; do
	$G release doc.bin --to KOR --agreement KOR-JPN-2016 --classification $L --purpose defence-cooperation \
		--topic dprk-missiles -o "$L.bundle" --home jpn --json >"$L.json"
done
gokuhi=$(jq -r .item 極秘.json)
tokutei=$(jq -r .item 特定秘密.json)

# Before any visit: kim is refused by the ordinary rules.
expect 1 "no visit: a KOR national cannot open JPN's item" $G open "$gokuhi" --as kim -o x.bin --home jpn --json
jqeq "by the nationality rule" "$out" .rule access.nationality

# Bad requests change nothing.
ksum=$(dbsum kor)
expect 1 "a visit that ends before it starts" $G visit request --agreement KOR-JPN-2016 --host JPN --facility ICHIGAYA \
	--from 2023-06-13 --until 2023-06-10 --purpose defence-cooperation --topic dprk-missiles --max-level 極秘 \
	--person kim:군사II급비밀 -o bad.note --home kor --json
jqeq "by visit.dates" "$out" .rule visit.dates
expect 1 "a highest level outside the host's scheme" $G visit request --agreement KOR-JPN-2016 --host JPN \
	--facility ICHIGAYA --from 2023-06-10 --until 2023-06-13 --purpose defence-cooperation --topic dprk-missiles \
	--max-level 군사II급비밀 --person kim:군사II급비밀 -o bad.note --home kor --json
jqeq "by visit.level" "$out" .rule visit.level
expect 1 "a PSC that is not a level of KOR's scheme" $G visit request --agreement KOR-JPN-2016 --host JPN \
	--facility ICHIGAYA --from 2023-06-10 --until 2023-06-13 --purpose defence-cooperation --topic dprk-missiles \
	--max-level 極秘 --person kim:SECRET -o bad.note --home kor --json
jqeq "by visit.persons" "$out" .rule visit.persons
expect 2 "a person without a PSC" $G visit request --agreement KOR-JPN-2016 --host JPN --facility ICHIGAYA \
	--from 2023-06-10 --until 2023-06-13 --purpose defence-cooperation --topic dprk-missiles --max-level 極秘 \
	--person kim -o bad.note --home kor
eq "refusals changed nothing at KOR" "$(dbsum kor)" "$ksum"
[ ! -e bad.note ] && ok "no note written for a refusal" || bad "note written"

# The request, delivered to JPN's node.
$G serve --home jpn >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN does not serve" "$(cat jpn.err)"
expect 0 "KOR requests the visit and delivers it" $G visit request --agreement KOR-JPN-2016 --host JPN \
	--facility ICHIGAYA --from 2023-06-10 --until 2023-06-13 --purpose defence-cooperation --topic dprk-missiles \
	--max-level 特定秘密 --person kim:군사II급비밀 --person lee:군사III급비밀 --text "Missile warning exchange" \
	-o req.note --deliver --home kor --json
vid=$(printf '%s' "$out" | jq -r .id)
jqeq "requested" "$out" .state requested
has "a signed request" "$(head -1 req.note)" "gsomia-visit-request/v1"
eq "its id is the SHA-256 of the note" "$(sha256sum req.note | cut -c1-64)" "$vid"
expect 0 "KOR's outbox" $G outbox --home kor --json
jqeq "delivered" "$out" '[.[] | select(.kind == "visit")][0].state' delivered
run $G visit list --home jpn --json
jqeq "JPN holds the request" "$out" '.[0].state' requested
jqeq "with both persons" "$out" '[.[0].persons[].id] | join(",")' kim,lee
expect 0 "JPN's attention lists it" $G attention --home jpn --json
jqeq "a visit to answer" "$out" .counts.visit 1
jqeq "undated: it waits for an answer" "$out" '[.items[] | select(.kind == "visit")][0].due' null
# The same lists through the local API.
GSOMIA_PERSON_PASSWORD=pw-of-officer $G person add officer --name "NSA officer" --nationality JPN --employer JPN \
	--role nsa-officer --home jpn >/dev/null
GSOMIA_PERSON_PASSWORD=pw-of-officer $G person password officer --home jpn >/dev/null
tok=$(curl -sk --max-time 30 -X POST "https://127.0.0.1:$PJ/v1/session" \
	--data-binary '{"person":"officer","password":"pw-of-officer"}' | jq -r .token)
api() { curl -sk --max-time 30 -H "Authorization: Bearer $tok" -w '\n%{http_code}' "https://127.0.0.1:$PJ$1"; }
r=$(api /v1/local/attention?within=90d)
eq "GET /v1/local/attention is 200" "$(printf '%s' "$r" | tail -1)" 200
jqeq "its counts, as the command's" "$(printf '%s' "$r" | head -n -1)" .counts.visit 1
r=$(api /v1/local/attention?within=soon)
eq "a bad window is 400" "$(printf '%s' "$r" | tail -1)" 400
r=$(api /v1/local/visits)
eq "GET /v1/local/visits is 200" "$(printf '%s' "$r" | tail -1)" 200
jqeq "the visit requested" "$(printf '%s' "$r" | head -n -1)" '.[0].state' requested

# Only the host answers; a forged answer is refused.
expect 1 "KOR cannot approve its own visit" $G visit approve "${vid:0:16}" -o x.note --home kor
expect 2 "an approval may not raise the level" $G visit approve "${vid:0:16}" --max-level 機密 -o x.note --home jpn
jsum=$(dbsum jpn)
expect 0 "JPN approves it, lowering the level to 極秘" $G visit approve "${vid:0:16}" --max-level 極秘 \
	--text "Approved by the Ministry of Defense" -o ans.note --home jpn --json
jqeq "approved" "$out" .state approved
jqeq "up to 極秘" "$out" .max_level 極秘
sed 's/^max-level 極秘/max-level 特定秘密/' ans.note >forged.note
ksum=$(dbsum kor)
expect 1 "a forged answer is refused" $G visit import forged.note --home kor
has "one line saying why" "$err" "signature"
eq "it changed nothing at KOR" "$(dbsum kor)" "$ksum"
expect 0 "KOR imports the approval" $G visit import ans.note --home kor --json
jqeq "approved at KOR" "$out" .state approved
expect 0 "importing it again is harmless" $G visit import ans.note --home kor --json
jqeq "already held" "$out" .already_held true
expect 1 "an answer already given" $G visit refuse "${vid:0:16}" -o x.note --home jpn

# During the visit: access decided against it, and logged.
export GSOMIA_NOW=2023-06-11T10:00:00+09:00
expect 0 "kim opens JPN's 極秘 item during the visit" $G open "$gokuhi" --as kim -o k.bin --home jpn --json
jqeq "by visit.permit" "$out" .rule visit.permit
cmp -s k.bin doc.bin && ok "the plaintext" || bad "wrong plaintext"
expect 1 "a 特定秘密 item is above the visit's level" $G open "$tokutei" --as kim -o x.bin --home jpn --json
jqeq "by visit.level-cap" "$out" .rule visit.level-cap
expect 1 "lee's certified 군사III급비밀 is below 極秘" $G open "$gokuhi" --as lee -o x.bin --home jpn --json
jqeq "by visit.psc" "$out" .rule visit.psc
expect 0 "gsomia decide access gives the same answer" $G decide access --agreement KOR-JPN-2016 --person kim \
	--classification 極秘 --purpose defence-cooperation --topic dprk-missiles --originator JPN --home jpn --json
run $G ledger show --internal --home jpn --json
jqeq "the grant is logged with the visit rule" "$out" \
	'[.entries[] | select(.kind == "access-grant")][-1].fields.rule' visit.permit
run $G ledger show --peer KOR --home jpn --json
jqeq "visit entries in JPN's log for KOR" "$out" '[.entries[] | select(.kind == "visit")] | length' 2

# A visit outside its dates: refused, logged, nothing opened.
export GSOMIA_NOW=2023-06-13T00:00:00+09:00
expect 1 "after the visit ended" $G open "$gokuhi" --as kim -o late.bin --home jpn --json
jqeq "by visit.when" "$out" .rule visit.when
has "naming the visit's dates" "$(printf '%s' "$out" | jq -r .reason)" "runs from 2023-06-10T00:00:00+09:00 until 2023-06-13T00:00:00+09:00"
[ ! -e late.bin ] && ok "nothing decrypted" || bad "decrypted"
expect 1 "no approval of a visit that is over" $G visit request --agreement KOR-JPN-2016 --host JPN \
	--facility ICHIGAYA --from 2023-06-01 --until 2023-06-12 --purpose defence-cooperation --topic dprk-missiles \
	--max-level 極秘 --person kim:군사II급비밀 -o old.note --home kor --json
jqeq "by visit.dates" "$out" .rule visit.dates
expect 0 "visit show" $G visit show "${vid:0:16}" --home kor
has "shows the persons" "$out" "person lee (PSC 군사III급비밀)"
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
