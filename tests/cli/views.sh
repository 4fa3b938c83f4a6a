#!/usr/bin/env bash
# The console's read-only views on one node served on loopback: parties,
# an agreement with its annex and timeline, the what-if, items with
# filters and banners, one item, the queues, the ledger's checkpoints,
# entries and proofs. Roles are checked, bad arguments are 400, unknown
# ids 404, and no view changes the database.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example

PJ=$(freeport)

C() { curl -sk --max-time 30 "$@"; }
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
	call "$m" "$p" -H "Authorization: Bearer $t" "$@"
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
# err400/err404 "what" PATH TOKEN: the status, and an error sentence
refused() {
	local want=$1 what=$2 tok=$3 path=$4
	as "$tok" GET "$path"
	eq "$what is $want" "$code" "$want"
	jqeq "$what: the error says what" "$body" '.error | type == "string" and length > 10' true
}

# Two nodes; KOR releases two items to JPN, one on a topic the reader
# needs to know, one not; the first is released with a receipt owed.
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
person tr translator
export GSOMIA_NOW=2023-05-01T10:00:00+09:00
head -c 1000 /dev/urandom >doc.bin
for topic in dprk-missiles logistics; do
	$G release doc.bin --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic $topic --title "report on $topic" -o $topic.bundle \
		--home kor >/dev/null
	$G receive $topic.bundle --home jpn >/dev/null
done
# JPN releases one of its own to KOR; KOR has not received it, so its
# receipt is owed.
$G release doc.bin --to KOR --agreement KOR-JPN-2016 --classification 秘 --purpose defence-cooperation \
	--topic logistics --title "own report" -o own.bundle --home jpn >/dev/null
IT_J=$($G items --home jpn --json | jq -r '.[] | select(.originator == "JPN") | .id')
IT_M=$($G items --home jpn --json | jq -r '.[] | select(.topic == "dprk-missiles" and .originator == "KOR") | .id')
IT_L=$($G items --home jpn --json | jq -r '.[] | select(.topic == "logistics" and .originator == "KOR") | .id')
[ -n "$IT_M" ] && [ -n "$IT_L" ] && [ -n "$IT_J" ] && ok "JPN holds three items" || bad "JPN holds three items"
# An incident on the logistics item (so a status filter has something to
# tell apart), and this node's identity, to check proofs against.
expect 0 "an incident is reported" $G incident report "$IT_L" --kind possible-loss \
	--detected 2023-05-01T09:00:00+09:00 --text "misplaced" -o inc.note --home jpn
$G party export --home jpn -o jpn.id
for p in yamada sato reg aud nsa tr; do
	GSOMIA_PERSON_PASSWORD="pw-of-$p" $G person password $p --home jpn >/dev/null
done
# Checkpoints covering every entry so far: a proof of them signs nothing.
$G ledger checkpoint --peer KOR --home jpn >/dev/null
$G ledger checkpoint --internal --home jpn >/dev/null
KSIZE=$($G ledger list --home jpn --json | jq '.[] | select(.peer == "KOR") | .size')

$G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
Y=$(signin yamada pw-of-yamada)
S=$(signin sato pw-of-sato)
R=$(signin reg pw-of-reg)
A=$(signin aud pw-of-aud)
N=$(signin nsa pw-of-nsa)
TR=$(signin tr pw-of-tr)
[ -n "$Y" ] && [ -n "$S" ] && [ -n "$R" ] && [ -n "$A" ] && [ -n "$N" ] && [ -n "$TR" ] &&
	ok "every role signs in" || bad "sign in failed" "$body"
call POST /v1/session/cookie --data-binary '{"person":"aud","password":"pw-of-aud"}' -c jar.txt
sum=$(dbsum jpn)

for path in /v1/local/parties /v1/local/agreements/KOR-JPN-2016 /v1/local/agreements/KOR-JPN-2016/whatif \
	"/v1/local/items/$IT_M" /v1/local/queues /v1/local/ledger/checkpoints /v1/local/ledger/KOR/entries \
	"/v1/local/ledger/KOR/proof?index=0"; do
	call GET "$path"
	eq "$path without a session is 401" "$code" 401
done
# A browser's cookie session reads the views with GET, no CSRF header needed
# but for a proof, which may sign a checkpoint.
call GET "/v1/local/ledger/checkpoints" -b jar.txt
eq "a cookie session reads a view" "$code" 200
call GET "/v1/local/ledger/KOR/proof?index=0" -b jar.txt
eq "a proof by cookie needs the CSRF token" "$code" 403

# ---- parties ----
as "$TR" GET /v1/local/parties
eq "any role reads the parties" "$code" 200
jqeq "this node is JPN" "$body" .self JPN
jqeq "both parties, this node marked" "$body" '[.parties[] | .code + ":" + (.self | tostring)] | join(",")' \
	"JPN:true,KOR:false"
jqeq "with their zones" "$body" '.parties[] | select(.code == "KOR") | .zone' "+09:00"
jqeq "KOR's scheme in Hangul with its romanisation" "$body" \
	'.parties[] | select(.code == "KOR") | .scheme[] | select(.label == "군사II급비밀") | (.romanisation | length > 0) and (.gloss | length > 0)' true
jqeq "JPN's scheme in kanji, ranked" "$body" \
	'[.parties[] | select(.code == "JPN") | .scheme[] | select(.label == "特定秘密") | .level > 0] | .[0]' true
call GET /v1/local/parties
eq "no token is 401" "$code" 401

# ---- one agreement ----
as "$Y" GET /v1/local/agreements/KOR-JPN-2016
eq "any role reads an agreement" "$code" 200
jqeq "its id, parties and zone" "$body" '.id + " " + (.parties | join(",")) + " " + .zone' "KOR-JPN-2016 KOR,JPN +09:00"
jqeq "signed, version 1" "$body" '(.signed | tostring) + " " + (.version | tostring)' "true 1"
jqeq "the status object, as /status" "$body" '.status.state + " " + (.status.term | tostring)' "in_force 7"
jqeq "now is the node's clock" "$body" .now 2023-05-01T01:00:00Z
jqeq "the next notice deadline: the end of 24 August" "$body" '.next_notice_deadline + " " + .next_notice_deadline_date' \
	"2023-08-24T15:00:00Z 2023-08-24"
jqeq "the countdown fields" "$body" '.term_end + " " + (.terminates_at | tostring)' "2023-11-22T15:00:00Z null"
jqeq "a notice by then ends this term" "$body" .next_notice_ends_term 2023-11-22T15:00:00Z
as "$Y" GET "/v1/local/agreements/KOR-JPN-2016?at=2023-09-01"
jqeq "once this term's deadline has passed, the next term's is next" "$body" \
	'.next_notice_deadline_date + " " + .next_notice_ends_term' "2024-08-24 2024-11-22T15:00:00Z"
jqeq "the annex's parties" "$body" '.annex.parties | join(",")' KOR,JPN
jqeq "the annex has Hangul" "$body" '.annex.rows[0].cells.KOR.label' 군사II급비밀
jqeq "and kanji" "$body" '.annex.rows[0].cells.JPN.label' 特定秘密
jqeq "the many-to-one row lists every label" "$body" '[.annex.rows[0].cells.JPN.labels[].label] | join(",")' 特定秘密,極秘
jqeq "with romanisation and gloss" "$body" '.annex.rows[1].cells.KOR | .romanisation + " / " + .gloss' \
	"GUNSA III-KUP BIMIL / military secret grade III"
jqeq "the never-release labels" "$body" '[.annex.never[].label] | join(",")' 군사I급비밀,機密
jqeq "terms from entry into force, seven of them" "$body" '.timeline.terms | length' 7
jqeq "the first term" "$body" '.timeline.terms[0].start + " " + .timeline.terms[0].end' \
	"2016-11-22T15:00:00Z 2017-11-22T15:00:00Z"
jqeq "the timeline's span" "$body" '.timeline.from + " " + .timeline.to' "2016-11-22T15:00:00Z 2023-11-22T15:00:00Z"
jqeq "the five notes as events" "$body" '[.timeline.events[].kind] | join(",")' \
	"domestic-procedures-complete,domestic-procedures-complete,termination-notice,suspension,withdrawal"
jqeq "each with its effect and the state after it" "$body" '.timeline.events[4] | .from + " " + .effect + " " + .state_after' \
	"KOR applied in_force"
jqeq "purposes 'any' are not listed" "$body" 'has("purposes")' false
as "$Y" GET "/v1/local/agreements/KOR-JPN-2016?at=2019-10-01"
jqeq "?at= looks at another instant" "$body" '.status.state + " " + .terminates_at' "notice_pending 2019-11-22T15:00:00Z"
refused 404 "an unknown agreement" "$Y" /v1/local/agreements/NOPE-1
refused 400 "a bad ?at=" "$Y" "/v1/local/agreements/KOR-JPN-2016?at=soon"
refused 400 "an ?at= that is not UTF-8" "$Y" "/v1/local/agreements/KOR-JPN-2016?at=%FF"
jqeq "the error quotes it" "$body" '.error | test("at .\\?")' true

# ---- what if ----
as "$TR" GET /v1/local/agreements/KOR-JPN-2016/whatif
eq "any role asks what if" "$code" 200
jqeq "a translator is shown no holding they may not open" "$body" '.if_notice_today.holdings | length' 0
as "$S" GET /v1/local/agreements/KOR-JPN-2016/whatif
jqeq "nor an uncleared reader" "$body" '.if_notice_today.holdings | length' 0
as "$Y" GET /v1/local/agreements/KOR-JPN-2016/whatif
jqeq "a cleared reader sees what they may open, as GET /v1/local/items lists it" "$body" \
	"[.if_notice_today.holdings[].id] | sort | join(\",\")" \
	"$(as "$Y" GET /v1/local/items >/dev/null; printf '%s' "$body" | jq -r '[.items[] | select(.agreement == "KOR-JPN-2016") | .id] | sort | join(",")')"
jqeq "(at least one)" "$body" '.if_notice_today.holdings | length >= 1' true
as "$A" GET /v1/local/agreements/KOR-JPN-2016/whatif
jqeq "the state now" "$body" .state in_force
jqeq "each JPN annex label, to KOR" "$body" '[.releases[] | .to + ":" + .classification] | join(",")' \
	"KOR:特定秘密,KOR:極秘,KOR:秘,KOR:機密"
jqeq "特定秘密 may be released now" "$body" '.releases[0].decision + " " + .releases[0].rule' "permit release.permit"
jqeq "機密 never" "$body" '.releases[3].decision + " " + .releases[3].rule' "deny release.never"
jqeq "with a sentence" "$body" '.releases[3].reason | length > 10' true
jqeq "a notice today would be given now" "$body" .if_notice_today.given_at 2023-05-01T01:00:00Z
jqeq "and end the agreement on the next anniversary" "$body" .if_notice_today.terminates_at 2023-11-22T15:00:00Z
jqeq "the state it would leave" "$body" .if_notice_today.state_after notice_pending
jqeq "the three holdings under the agreement" "$body" '.if_notice_today.holdings | length' 3
jqeq "stay protected" "$body" '[.if_notice_today.holdings[].protected] | all' true
jqeq "and say why (survival)" "$body" '[.if_notice_today.holdings[].why | test("survival")] | all' true
jqeq "this node's own item too" "$body" ".if_notice_today.holdings[] | select(.id == \"$IT_J\") | .why | test(\"own information\")" true
jqeq "the lost one still gets its incident handled" "$body" \
	".if_notice_today.holdings[] | select(.id == \"$IT_L\") | .why | test(\"incident\")" true
as "$TR" GET "/v1/local/agreements/KOR-JPN-2016/whatif?at=2019-11-23T00:00:00%2B09:00"
jqeq "at an instant with a suspended notice" "$body" .state notice_suspended
as "$TR" GET "/v1/local/agreements/KOR-JPN-2016/whatif?at=2016-11-22T23:59:00%2B09:00"
jqeq "before entry into force nothing may be released" "$body" '[.releases[].rule] | unique | join(",")' release.in-force
as "$TR" GET "/v1/local/agreements/KOR-JPN-2016/whatif?purpose=training&topic=logistics"
jqeq "?purpose= and ?topic= are used" "$body" '.purpose + " " + .topic' "training logistics"
# without a note: the history replayed from the others (the 2019 counterfactual)
as "$A" GET /v1/local/agreements/KOR-JPN-2016
SUSP=$(printf '%s' "$body" | jq -r '.timeline.events[] | select(.kind == "suspension") | .note')
as "$A" GET "/v1/local/agreements/KOR-JPN-2016/whatif?at=2019-12-01&without=$SUSP"
eq "what-if without the suspension: 200" "$code" 200
jqeq "names the note left out" "$body" '.without | .note + " " + .kind + " " + .from' "$SUSP suspension KOR"
jqeq "the state actually, and without it" "$body" '.state + " " + .without.state_actual + " " + .without.state' \
	"notice_suspended notice_suspended terminated"
jqeq "without the suspension, the agreement ends at 2019-11-23T00:00+09:00" "$body" .without.terminates_at 2019-11-22T15:00:00Z
jqeq "while it actually goes on" "$body" '.without.terminates_at_actual' null
jqeq "every release refused without it, permitted or not actually" "$body" \
	'[.without.releases[] | .decision + "/" + .decision_actual] | unique | join(",")' "deny/deny,deny/permit"
jqeq "the changed ones are marked" "$body" '[.without.releases[] | select(.changed) | .classification] | join(",")' "特定秘密,極秘,秘"
jqeq "each holding, protected without it and actually" "$body" \
	'[.without.holdings[] | (.protected | tostring) + "/" + (.protected_actual | tostring)] | unique | join(",")' "true/true"
refused 404 "without a note the agreement does not hold" "$A" "/v1/local/agreements/KOR-JPN-2016/whatif?without=no-such-note"
refused 400 "an empty ?without=" "$A" "/v1/local/agreements/KOR-JPN-2016/whatif?without="
refused 400 "a bad ?at= for what-if" "$TR" "/v1/local/agreements/KOR-JPN-2016/whatif?at=2023-13-01"
refused 404 "what-if of an unknown agreement" "$TR" /v1/local/agreements/XYZ/whatif
refused 400 "an over-long purpose" "$TR" "/v1/local/agreements/KOR-JPN-2016/whatif?purpose=$(printf 'p%.0s' $(seq 1 300))"

# ---- items ----
as "$R" GET /v1/local/items
eq "registry lists the items" "$code" 200
jqeq "all three, with banners" "$body" '[.items[] | .banners.holder.scheme + ":" + .banners.holder.text + "/" + .banners.originator.scheme + ":" + .banners.originator.text] | unique | join(",")' \
	"JPN:特定秘密/KOR:군사II급비밀,JPN:秘/JPN:秘"
as "$R" GET "/v1/local/items?status=active"
jqeq "?status= filters" "$body" '[.items[].id] | sort | join(",")' "$(printf '%s\n' "$IT_M" "$IT_J" | sort | paste -sd,)"
as "$R" GET "/v1/local/items?status=suspended"
jqeq "the suspended one" "$body" '[.items[].id] | join(",")' "$IT_L"
as "$A" GET "/v1/local/items?originator=KOR&classification=%E7%89%B9%E5%AE%9A%E7%A7%98%E5%AF%86"
jqeq "?originator= and ?classification= (the holder's label)" "$body" '.items | length' 2
as "$A" GET "/v1/local/items?classification=%EA%B5%B0%EC%82%AC%EC%9D%B4%EA%B8%89"
jqeq "an unmatched classification selects nothing" "$body" '.items | length' 0
as "$A" GET "/v1/local/items?originator=JPN&status=active"
jqeq "filters combine" "$body" '[.items[].id] | join(",")' "$IT_J"
as "$A" GET "/v1/local/items?originator=USA"
jqeq "nor another originator" "$body" '.items | length' 0
as "$Y" GET /v1/local/items
jqeq "a reader sees only what they may open" "$body" '[.items[].id] | join(",")' "$IT_M"
jqeq "with banners too" "$body" '.items[0].banners.holder.text' 特定秘密
as "$S" GET /v1/local/items
jqeq "an uncleared reader sees nothing" "$body" '.items | length' 0
# a page at a time: search, sort, facets
as "$R" GET "/v1/local/items?limit=2&sort=title&order=asc"
jqeq "a page of two of the three, sorted by title" "$body" '[.total, (.items | length), .next, .items[0].title, .items[1].title] | map(tostring) | join("|")' \
	"3|2|2|own report|report on dprk-missiles"
jqeq "with banners" "$body" '.items[0].banners.holder.text' 秘
jqeq "and the choices of the filters, from the whole inventory" "$body" \
	'[.facets.originators, .facets.statuses] | map(join(",")) | join(" ")' "JPN,KOR active,suspended"
as "$R" GET "/v1/local/items?limit=2&sort=title&order=asc&offset=2"
jqeq "the next page" "$body" '[(.items | length), .next, .items[0].title] | map(tostring) | join("|")' "1|null|report on logistics"
as "$R" GET "/v1/local/items?q=LOGISTICS%20Suspended"
jqeq "?q= finds every word, in any case" "$body" '[.total, .items[0].id] | map(tostring) | join(" ")' "1 $IT_L"
as "$R" GET "/v1/local/items?q=%E7%89%B9%E5%AE%9A%E7%A7%98%E5%AF%86&sort=released"
jqeq "and in the marking" "$body" '.total' 2
as "$R" GET "/v1/local/items?sort=classification&originator=KOR&limit=5"
jqeq "sorted by classification, filtered as before" "$body" '[.total, .sort, .order] | map(tostring) | join(" ")' "2 classification desc"
as "$S" GET "/v1/local/items?limit=10"
jqeq "an uncleared reader's page is empty" "$body" '[.total, (.items | length), .next] | map(tostring) | join(" ")' "0 0 null"
as "$Y" GET "/v1/local/items?limit=10"
jqeq "a reader's page holds only what they may open" "$body" '[.total, .items[0].id, .view] | map(tostring) | join(" ")' "1 $IT_M may-open"
as "$R" GET "/v1/local/items?limit=10"
jqeq "the registry's page is the inventory" "$body" '.view' inventory
refused 400 "a bad ?sort=" "$R" "/v1/local/items?sort=size"
refused 400 "a bad ?order=" "$R" "/v1/local/items?order=up"
refused 400 "a ?limit= over 500" "$R" "/v1/local/items?limit=501"
refused 400 "a bad ?status=" "$R" "/v1/local/items?status=gone"
refused 400 "a bad ?originator=" "$R" "/v1/local/items?originator=korea"
refused 400 "an ?originator= that is not UTF-8" "$R" "/v1/local/items?originator=%FF%FE"
refused 400 "an item id that is not UTF-8" "$R" "/v1/local/items/%FFKOR"
as "$N" GET /v1/local/items
eq "an NSA officer is not given the inventory" "$code" 403

as "$R" GET "/v1/local/items/$IT_M"
eq "registry reads one item" "$code" 200
jqeq "its record" "$body" '.id + " " + .topic' "$IT_M dprk-missiles"
jqeq "with its custody chain" "$body" '[.custody[].event] | index("received") != null' true
jqeq "and banners" "$body" '.banners.originator.text' 군사II급비밀
as "$R" GET "/v1/local/items/$IT_J"
jqeq "this node's own item, with its release and the receipt owed" "$body" \
	'.releases[0].recipient + " " + (.releases[0].receipt | tostring) + " " + .banners.holder.text' "KOR false 秘"
as "$Y" GET "/v1/local/items/$IT_M"
eq "a reader reads an item they may open" "$code" 200
as "$Y" GET "/v1/local/items/$IT_L"
eq "not one they may not" "$code" 403
jqeq "and is told the rule" "$body" '.decision + " " + (.rule | test("^access\\.") | tostring)' "deny true"
as "$A" GET /v1/local/items/KOR-0000000000000000
eq "an unknown item is 404" "$code" 404
as "$N" GET "/v1/local/items/$IT_M"
eq "an NSA officer may not read item records" "$code" 403
as "$TR" GET "/v1/local/items/$IT_M"
eq "nor a translator" "$code" 403

# ---- queues ----
as "$N" GET /v1/local/queues
eq "an NSA officer reads the queues" "$code" 200
jqeq "four lists" "$body" '[.receipts_pending, .consents, .incidents, .outbox | type] | join(",")' "array,array,array,array"
jqeq "the receipt KOR owes" "$body" '[.receipts_pending[] | .item + " " + .recipient] | join(",")' "$IT_J KOR"
jqeq "with the bundle and when" "$body" '.receipts_pending[0] | (.bundle | length == 32) and (.released_at | test("Z$"))' true
jqeq "the incident with its deadline" "$body" ".incidents[0].item + \" \" + (.incidents[0] | has(\"late\") | tostring)" "$IT_L true"
as "$R" GET /v1/local/queues
eq "registry too" "$code" 200
as "$A" GET /v1/local/queues
eq "an auditor too" "$code" 200
as "$Y" GET /v1/local/queues
eq "a reader may not" "$code" 403

# ---- ledger ----
as "$A" GET /v1/local/ledger/checkpoints
eq "an auditor reads the checkpoints" "$code" 200
jqeq "the log for KOR and the internal log" "$body" '[.logs[].peer] | sort | join(",")' "KOR,internal"
jqeq "each with its signed checkpoint" "$body" '[.logs[] | .checkpoint | startswith("gsomia-exercise/JPN/ledger/")] | all' true
jqeq "KOR's witness status: never cosigned" "$body" '.logs[] | select(.peer == "KOR") | .witness.status' never
jqeq "the internal log has no witness" "$body" '.logs[] | select(.peer == "internal") | .witness' null
as "$N" GET /v1/local/ledger/checkpoints
eq "so does an NSA officer" "$code" 200
as "$R" GET /v1/local/ledger/checkpoints
eq "registry does not" "$code" 403

as "$A" GET /v1/local/ledger/KOR/entries
eq "an auditor reads the entries of the log for KOR" "$code" 200
jqeq "all of them" "$body" '.entries | length' "$KSIZE"
jqeq "decoded" "$body" '[.entries[].kind] | index("receipt") != null' true
jqeq "with their fields" "$body" '.entries[0] | (.index == 0) and (.fields | type == "object") and (.at | test("Z$"))' true
as "$A" GET "/v1/local/ledger/KOR/entries?from=1&limit=1"
jqeq "?from= and ?limit=" "$body" '[.entries[].index] | join(",")' 1
jqeq "and where to go on" "$body" .next 2
as "$A" GET /v1/local/ledger/internal/entries
jqeq "the internal log" "$body" '[.entries[].kind] | index("person") != null' true
refused 400 "?limit=0" "$A" "/v1/local/ledger/KOR/entries?limit=0"
refused 400 "?limit=5000" "$A" "/v1/local/ledger/KOR/entries?limit=5000"
refused 400 "?from=-1" "$A" "/v1/local/ledger/KOR/entries?from=-1"
refused 400 "?from= past the end" "$A" "/v1/local/ledger/KOR/entries?from=99999"
refused 404 "an unregistered peer" "$A" /v1/local/ledger/USA/entries
refused 400 "a peer that is no code" "$A" /v1/local/ledger/usa1/entries
as "$Y" GET /v1/local/ledger/KOR/entries
eq "a reader may not read the ledger" "$code" 403

as "$A" GET "/v1/local/ledger/KOR/proof?index=1"
eq "an auditor gets a proof" "$code" 200
jqeq "verified" "$body" '.verified' true
jqeq "of the entry asked" "$body" '.index' 1
jqeq "the proof file's text" "$body" '.proof | startswith("c2sp.org/tlog-proof@v1\n")' true
printf '%s' "$body" | jq -j .proof >p1.proof
expect 0 "the proof verifies with 'gsomia ledger verify-proof'" $G ledger verify-proof p1.proof --identity jpn.id
as "$N" GET "/v1/local/ledger/internal/proof?index=0&download=1"
eq "an NSA officer downloads a proof file" "$code" 200
printf '%s' "$body" >p2.proof
expect 0 "the downloaded file verifies" $G ledger verify-proof p2.proof --identity jpn.id
v=$(C -D - -o /dev/null -H "Authorization: Bearer $N" "https://127.0.0.1:$PJ/v1/local/ledger/internal/proof?index=0&download=1")
has "as an attachment" "$v" 'attachment; filename="EXERCISE gsomia-exercise-JPN-ledger-internal-0.proof"'
[ -z "$(ls jpn/tmp 2>/dev/null)" ] && ok "no temporary file left behind" || bad "temporary files left" "$(ls jpn/tmp)"
refused 400 "a proof without ?index=" "$A" /v1/local/ledger/KOR/proof
refused 400 "a proof with ?index=x" "$A" "/v1/local/ledger/KOR/proof?index=x"
refused 400 "a proof with ?download=yes" "$A" "/v1/local/ledger/KOR/proof?index=0&download=yes"
refused 404 "a proof of an entry past the end" "$A" "/v1/local/ledger/KOR/proof?index=99999"
refused 404 "a proof in this node's own code" "$A" "/v1/local/ledger/JPN/proof?index=0"
as "$R" GET "/v1/local/ledger/KOR/proof?index=0"
eq "registry gets no proof" "$code" 403

# ---- nothing changed ----
eq "no view changed the database" "$(dbsum jpn)" "$sum"

# A proof of an entry no checkpoint covers yet signs one first, as
# 'gsomia ledger prove' does (the one view that may write).
person kato reader
n0=$(dbq jpn "SELECT count(*) FROM ledger_checkpoints")
last=$(($($G ledger list --home jpn --json | jq '.[] | select(.peer == null) | .size') - 1))
as "$A" GET "/v1/local/ledger/internal/proof?index=$last"
eq "a proof of the newest entry" "$code" 200
jqeq "covers it" "$body" ".size == $last + 1 and .verified" true
eq "one checkpoint was signed for it" "$(dbq jpn "SELECT count(*) FROM ledger_checkpoints")" $((n0 + 1))
printf '%s' "$body" | jq -j .proof >p3.proof
expect 0 "and it verifies" $G ledger verify-proof p3.proof --identity jpn.id

kill $(echo $pids) 2>/dev/null
wait 2>/dev/null
pids=""
! grep -q 'Sanitizer\|runtime error' jpn.err && ok "the server reported no memory error" ||
	bad "the server reported a memory error" "$(head -c 3000 jpn.err)"

# Before entry into force no notice can be given: the what-if says so.
GSOMIA_NOW=2016-11-01T00:00:00+09:00 $G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves again, at 2016-11-01" || bad "JPN serves again" "$(cat jpn.err)"
as "$TR" GET /v1/local/agreements/KOR-JPN-2016/whatif
jqeq "no notice is possible before entry into force" "$body" '.if_notice_today | (.possible | tostring) + " " + .state_after' \
	"false signed"
jqeq "and it says why" "$body" '.if_notice_today.refused | length > 10' true
jqeq "nothing would terminate" "$body" .if_notice_today.terminates_at null
kill $(echo $pids) 2>/dev/null
wait 2>/dev/null
pids=""
finish
