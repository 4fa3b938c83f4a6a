#!/usr/bin/env bash
# The audit of the ledger: `gsomia ledger show` with --kind, --person,
# --item, --party, --since, --until (every log, or one), as text, JSON and
# CSV; and the same through GET /v1/local/audit, newest first, a page at a
# time or exported whole. Bad filters are one line and exit 1 (400 on the
# API); reading changes nothing.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example

PJ=$(freeport)
C() { curl -sk --max-time 30 "$@"; }
call() { # METHOD PATH [curl options]: status in $code, body in $body
	local m=$1 p=$2
	shift 2
	body=$(C -X "$m" -o - -w '\n%{http_code}' "$@" "https://127.0.0.1:$PJ$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
as() { # TOKEN METHOD PATH [curl options]
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
person sato reader --duty topic:dprk-missiles
person aud auditor
person nsa nsa-officer
for p in yamada sato aud nsa; do GSOMIA_PERSON_PASSWORD="pw-of-$p" $G person password $p --home jpn >/dev/null; done

# Two releases on two days, each received at JPN, and openings: yamada
# (cleared) opens both, sato (no PSC) is refused the first.
head -c 1000 /dev/urandom >doc.bin
day() { # DATE N: release N at 10:00 on DATE, received at JPN
	export GSOMIA_NOW=$1T10:00:00+09:00
	$G release doc.bin --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --title "report $2" -o r$2.bundle --home kor >/dev/null
	export GSOMIA_NOW=$1T11:00:00+09:00
	$G receive r$2.bundle --home jpn >/dev/null
}
day 2023-05-01 1
day 2023-05-02 2
A=$($G items --home jpn --json | jq -r '.[] | select(.title == "report 1") | .id')
B=$($G items --home jpn --json | jq -r '.[] | select(.title == "report 2") | .id')
export GSOMIA_NOW=2023-05-02T12:00:00+09:00
$G open "$A" --as yamada -o /dev/null --home jpn >/dev/null
$G open "$B" --as yamada -o /dev/null --home jpn >/dev/null
$G open "$A" --as sato -o /dev/null --home jpn >/dev/null 2>&1
export GSOMIA_NOW=2023-05-03T09:00:00+09:00
$G open "$A" --as yamada -o /dev/null --home jpn >/dev/null
[ -n "$A" ] && [ -n "$B" ] && ok "JPN holds two items, opened four times" || bad "JPN holds two items"

# ---- the command line ----
before=$(dbsum jpn)
expect 0 "ledger show --person yamada" $G ledger show --person yamada --home jpn --json
jqeq "three openings by yamada, from the log for KOR" "$out" '[.entries[] | .kind + ":" + .log] | join(",")' \
	"access-grant:KOR,access-grant:KOR,access-grant:KOR"
jqeq "oldest first" "$out" '[.entries[].at] == ([.entries[].at] | sort)' true
jqeq "with the rule of each" "$out" '[.entries[].rule | startswith("access.")] | all' true
jqeq "and the filter it answers" "$out" '.filter.person + " " + (.total | tostring)' "yamada 3"
expect 0 "--person sato --kind access-refusal" $G ledger show --person sato --kind access-refusal --home jpn --json
jqeq "one refusal, of item A" "$out" '[.total, .entries[0].item] | map(tostring) | join(" ")' "1 $A"
expect 0 "--item B" $G ledger show --item "$B" --home jpn --json
jqeq "only entries about B: its receipt and one opening" "$out" '[.entries[].kind] | sort | join(",")' "access-grant,receipt"
expect 0 "--since 2023-05-02 --until 2023-05-02 (a whole day, in JPN's zone)" \
	$G ledger show --since 2023-05-02 --until 2023-05-02 --kind access-grant --home jpn --json
jqeq "the two openings of 2 May, not the one of 3 May" "$out" '.total' 2
expect 0 "--until an instant is inclusive" $G ledger show --person yamada --until 2023-05-02T12:00:00+09:00 --home jpn --json
jqeq "both openings at that instant" "$out" '.total' 2
expect 0 "--party KOR: entries in the log kept with KOR" $G ledger show --party KOR --kind receipt --home jpn --json
jqeq "the two receipts" "$out" '.total' 2
expect 0 "--internal narrows to the internal log" $G ledger show --person yamada --internal --home jpn --json
jqeq "where yamada did nothing" "$out" '.total' 0
expect 0 "--all: every log" $G ledger show --all --home jpn --json
jqeq "every log's entries, with their origin" "$out" '[.entries[].log] | unique | join(",")' "KOR,internal"
expect 0 "--csv" $G ledger show --person yamada --csv --home jpn
eq "a header line" "$(printf '%s' "$out" | head -1 | tr -d '\r')" "log,index,at,kind,person,party,item,rule,fields"
eq "one line per entry" "$(printf '%s\n' "$out" | wc -l)" 4
eq "CRLF line ends (RFC 4180)" "$(printf '%s\n' "$out" | grep -c $'\r$')" 4
has "fields as one quoted JSON object" "$(printf '%s' "$out" | sed -n 2p)" ',"{""'
expect 0 "--csv -o FILE" $G ledger show --person yamada --csv -o audit.csv --home jpn
eq "the file holds the same" "$(cat audit.csv)" "$($G ledger show --person yamada --csv --home jpn)"
expect 0 "plain text" $G ledger show --person yamada --home jpn
has "a line per entry with who and the rule" "$out" "by JPN/yamada rule=access."
has "and the count" "$out" "3 entries"
expect 1 "an unknown kind" $G ledger show --kind nonsense --home jpn
has "is named, with the kinds there are" "$err" "kind 'nonsense' is not a ledger entry kind"
eq "in one line" "$(printf '%s\n' "$err" | wc -l)" 1
expect 1 "a date that is not one" $G ledger show --since yesterday --home jpn
has "is named" "$err" "since 'yesterday' is not an RFC 3339 instant or a date"
expect 1 "until before since" $G ledger show --since 2023-05-03 --until 2023-05-01 --home jpn
has "is refused" "$err" "before since"
expect 1 "a party that is not a code" $G ledger show --party jp --home jpn
has "is named" "$err" "party 'jp'"
expect 2 "--csv and --json" $G ledger show --csv --json --home jpn
expect 2 "a filter on another subcommand" $G ledger list --person yamada --home jpn
expect 2 "a filter twice" $G ledger show --person a --person b --home jpn
eq "reading the audit changed nothing" "$(dbsum jpn)" "$before"

# ---- the local API ----
$G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
AUD=$(signin aud pw-of-aud)
NSA=$(signin nsa pw-of-nsa)
Y=$(signin yamada pw-of-yamada)
before=$(dbsum jpn)
as "$AUD" GET "/v1/local/audit?person=yamada"
eq "an auditor reads the audit: 200" "$code" 200
jqeq "three entries, newest first" "$body" '[.total, (.entries | length), ([.entries[].at] == ([.entries[].at] | sort | reverse))] | map(tostring) | join(" ")' "3 3 true"
jqeq "each with kind, instant, person, item, party and rule" "$body" \
	'.entries[0] | [.kind, .at, .person, .item, .party, .rule] | map(length > 0) | all' true
as "$AUD" GET "/v1/local/audit?person=yamada&limit=2"
jqeq "a page of two, and where the next begins" "$body" '[(.entries | length), .next] | map(tostring) | join(" ")' "2 2"
first=$(printf '%s' "$body" | jq -c '.entries[0]')
as "$AUD" GET "/v1/local/audit?person=yamada&limit=2&offset=2"
jqeq "the last page" "$body" '[(.entries | length), .next] | map(tostring) | join(" ")' "1 null"
as "$NSA" GET "/v1/local/audit?kind=access-refusal&since=2023-05-02&until=2023-05-02&party=KOR"
jqeq "an officer filters by kind, day and party" "$body" '[.total, .entries[0].person] | map(tostring) | join(" ")' "1 sato"
as "$AUD" GET "/v1/local/audit?person=yamada&export=csv" -D hdr
eq "the export is 200" "$code" 200
has "CSV, as a file" "$(cat hdr)" "Content-Type: text/csv"
has "named with EXERCISE and the node" "$(cat hdr)" 'filename="EXERCISE gsomia-JPN-audit.csv"'
eq "the same rows as the command line's" "$(printf '%s' "$body" | tr -d '\r' | sed '/^$/d' | sort)" \
	"$($G ledger show --person yamada --csv --home jpn | tr -d '\r' | sort)"
as "$AUD" GET "/v1/local/audit?person=yamada&export=json"
jqeq "the JSON export holds every entry, and the filter" "$body" '[.total, (.entries | length), .filter.person] | map(tostring) | join(" ")' "3 3 yamada"
as "$Y" GET "/v1/local/audit"
eq "a reader may not: 403" "$code" 403
as "$AUD" GET "/v1/local/audit?kind=nonsense"
eq "a bad kind: 400" "$code" 400
has "naming it" "$body" "kind 'nonsense'"
as "$AUD" GET "/v1/local/audit?color=red"
eq "an unknown argument: 400" "$code" 400
has "naming it" "$body" "color"
as "$AUD" GET "/v1/local/audit?limit=0"
eq "a limit of 0: 400" "$code" 400
as "$AUD" GET "/v1/local/audit?export=pdf"
eq "an export that is neither csv nor json: 400" "$code" 400
eq "no call changed the database" "$(dbsum jpn)" "$before"
eq "no file left in JPN's tmp" "$(ls jpn/tmp | wc -l)" 0
! grep -q 'Sanitizer\|runtime error' jpn.err && ok "the server reported no memory error" ||
	bad "the server reported a memory error" "$(head -c 3000 jpn.err)"
[ -n "$first" ] || bad "a first entry"
finish
