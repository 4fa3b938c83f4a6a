#!/usr/bin/env bash
# Reports for the annual review: a year of releases, receipts, opens and
# refusals, an incident and a consent request between KOR and JPN, and the
# report of one term at each node. Every figure is checked against the
# ledger it was counted from (entries of that kind, under that agreement,
# in that term, up to the checkpoint the report names); each party checks
# the other's report against its own log; CSV, HTML and the local API give
# the same figures.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_PERSON_PASSWORD=correct-horse
A=KOR-JPN-2016

PK=$(freeport)
for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	GSOMIA_NOW=2022-05-01T10:00:00+09:00 $G init --party $P --exercise --keys "$EX/keys/$P.keys" \
		--levels "$EX/parties/$P.levels" --endpoint "https://127.0.0.1:$PK" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
for h in kor jpn; do $G facility add HQ --name "Headquarters" --home $h >/dev/null; done
$G person add kim --name Kim --nationality KOR --employer KOR --psc 군사II급비밀 --duty topic:dprk-missiles \
	--role reader --facility HQ --home kor >/dev/null
$G person add choi --name Choi --nationality KOR --employer KOR --psc 군사III급비밀 --duty topic:dprk-missiles \
	--role reader --facility HQ --home kor >/dev/null
$G person add lee --name Lee --nationality KOR --employer KOR --role auditor --home kor >/dev/null
$G person password lee --home kor >/dev/null
$G person add sato --name Sato --nationality JPN --employer JPN --psc 特定秘密 --duty topic:dprk-missiles \
	--role reader --facility HQ --home jpn >/dev/null
rel() { # FROM-HOME TO LABEL FILE: a release, received at once
	$G release "$4" --to "$2" --agreement $A --classification "$3" --purpose defence-cooperation \
		--topic dprk-missiles -o "$4.bundle" --home "$1" --json | jq -r .item
	$G receive "$4.bundle" --receipt "$4.receipt" --home "$(echo "$2" | tr A-Z a-z)" >/dev/null
	$G receipt import "$4.receipt" --home "$1" >/dev/null
}

# ---- term 6 (2021-11-23 to 2022-11-23): one release ----
export GSOMIA_NOW=2022-06-01T10:00:00+09:00
echo "term 6" >t6.txt
rel kor JPN 군사II급비밀 t6.txt >/dev/null

# ---- term 7 (2022-11-23 to 2023-11-23) ----
export GSOMIA_NOW=2023-05-01T10:00:00+09:00
for i in 1 2 3; do echo "secret $i" >s$i.txt; done
for i in 1 2; do echo "confidential $i" >c$i.txt; done
S1=$(rel kor JPN 군사II급비밀 s1.txt)
rel kor JPN 군사II급비밀 s2.txt >/dev/null
rel kor JPN 군사II급비밀 s3.txt >/dev/null
rel kor JPN 군사III급비밀 c1.txt >/dev/null
rel kor JPN 군사III급비밀 c2.txt >/dev/null
echo "from Japan" >j1.txt
J1=$(rel jpn KOR 特定秘密 j1.txt)
$G open "$J1" --as kim -o j1.out --home kor >/dev/null 2>&1 && ok "Kim opens JPN's item" || bad "open"
$G open "$J1" --as choi -o j1.no --home kor >/dev/null 2>&1 && bad "Choi's clearance is too low" ||
	ok "Choi is refused (clearance)"
$G open "$J1" --as choi -o j1.no --home kor >/dev/null 2>&1
$G open "$S1" --as kim -o s1.out --home kor >/dev/null 2>&1 && ok "Kim opens KOR's own item" || bad "open own"
expect 0 "JPN reports a possible loss, late" $G incident report "$S1" --kind possible-loss \
	--detected 2023-04-28T09:00:00+09:00 -o loss.note --home jpn
expect 0 "KOR imports it" $G incident import loss.note --home kor
expect 0 "JPN asks KOR's consent for an onward release" $G consent request "$S1" --for USA \
	--purpose defence-cooperation -o ask.note --home jpn
expect 0 "KOR grants it" $G consent grant ask.note --expires 2023-12-31 -o grant.note --home kor
expect 0 "JPN imports the consent" $G consent import grant.note --home jpn

# ---- the report of term 7 at KOR ----
expect 0 "KOR's report of term 7" $G report --agreement $A --term 7 --home kor --json
R=$out
printf '%s\n' "$R" >kor7.json
jqeq "the term's bounds" "$R" '"\(.term_start) \(.term_end)"' "2022-11-22T15:00:00Z 2023-11-22T15:00:00Z"
jqeq "in progress" "$R" .complete false
T0=2022-11-22T15:00:00Z
T1=2023-11-22T15:00:00Z
# fig SECTION FILTER: the sum of the report's counts in section whose rows pass FILTER (jq)
fig() { printf '%s' "$R" | jq --arg s "$1" "[.rows[] | select(.section == \$s) | select($2) | .count] | add // 0"; }
# led HOME PEER SIZE FILTER: entries of the log for PEER ("internal"), below SIZE, in term 7, passing FILTER
led() {
	local sel=(--peer "$2")
	[ "$2" = internal ] && sel=(--internal)
	$G ledger show "${sel[@]}" --home "$1" --json | jq --arg a "$T0" --arg b "$T1" --argjson n "$3" \
		"[.entries[] | select(.index < \$n and .time >= \$a and .time < \$b) | select($4)] | length"
}
size_of() { printf '%s' "$R" | jq --arg p "$1" '.logs[] | select(.peer == $p) | .size'; }
KJ=$(size_of JPN)
KI=$(size_of internal)
[ "$KJ" -gt 0 ] && [ "$KI" -gt 0 ] && ok "it names the checkpoint of each log ($KJ, $KI)" || bad "sizes"
jqeq "and carries them, signed" "$R" '[.logs[].checkpoint | test("\n\n— gsomia-exercise/KOR/ledger/")] | all' true
eq "releases = the ledger's release entries under the agreement in the term" "$(fig releases true)" \
	"$(led kor JPN "$KJ" '.kind == "release" and .fields.agreement == "KOR-JPN-2016"')"
eq "which are the five of term 7" "$(fig releases true)" 5
eq "by level: three SECRET" "$(fig releases '.label == "군사II급비밀" and .level == "SECRET"')" 3
eq "two CONFIDENTIAL" "$(fig releases '.label == "군사III급비밀" and .level == "CONFIDENTIAL"')" 2
eq "all out to JPN" "$(fig releases '.direction == "out" and .peer == "JPN"')" 5
eq "receipts = the ledger's receipts of bundles" "$(fig receipts '.direction == "in"')" \
	"$(led kor JPN "$KJ" '.kind == "receipt" and .fields.sender == "JPN"')"
eq "one, JPN's 特定秘密" "$(fig receipts '.originator == "JPN" and .label == "特定秘密"')" 1
eq "acknowledged = the receipts that came back" "$(fig acknowledged true)" \
	"$(led kor JPN "$KJ" '.kind == "receipt" and .fields["acknowledged-by"] == "JPN"')"
eq "access granted = the grants, both logs" "$(fig access true)" \
	"$(($(led kor JPN "$KJ" '.kind == "access-grant"') + $(led kor internal "$KI" '.kind == "access-grant"')))"
eq "(two)" "$(fig access true)" 2
eq "refusals by rule = the refusals" "$(fig refusals true)" \
	"$(($(led kor JPN "$KJ" '.kind == "access-refusal"') + $(led kor internal "$KI" '.kind == "access-refusal"')))"
rule=$($G ledger show --peer JPN --home kor --json | jq -r '[.entries[] | select(.kind == "access-refusal")][0].fields.rule')
eq "by its rule ($rule)" "$(fig refusals ".key == \"$rule\"")" 2
eq "incidents = the notices in the ledger" "$(fig incidents true)" \
	"$(led kor JPN "$KJ" '.kind == "incident" and .fields.step == "notice"')"
late=$($G ledger show --peer JPN --home kor --json | jq -r '[.entries[] | select(.kind == "incident")][0].fields.late')
eq "with its timeliness (late=$late)" "$(fig incidents ".label == \"$([ "$late" = yes ] && echo late || echo timely)\" and .key == \"possible-loss\"")" 1
eq "consents = the grants made here" "$(fig consents '.key == "grant" and .direction == "out"')" \
	"$(led kor JPN "$KJ" '.kind == "consent-grant" and .fields["made-here"] == "yes"')"
eq "(one)" "$(fig consents '.key == "grant"')" 1
eq "visits: none recorded" "$(fig visits true)" 0
jqeq "the totals add up" "$R" '.totals.releases == ([.rows[] | select(.section == "releases") | .count] | add)' true

# ---- the other terms ----
expect 0 "KOR's report of term 6" $G report --agreement $A --term 6 --home kor --json
jqeq "one release in term 6" "$out" '.totals.releases' 1
jqeq "complete" "$out" .complete true
expect 1 "term 8 has not begun" $G report --agreement $A --term 8 --home kor
has "it says so" "$err" "term 8 of 'KOR-JPN-2016' has not begun"
expect 1 "an unknown agreement" $G report --agreement NOPE --term 1 --home kor
expect 2 "a term of 0" $G report --agreement $A --term 0 --home kor

# ---- the other party checks the figures against its own log ----
expect 0 "JPN's report of term 7" $G report --agreement $A --term 7 --home jpn --json
printf '%s\n' "$out" >jpn7.json
jqeq "JPN received the five" "$out" '.totals.receipts' 5
expect 0 "KOR checks JPN's report against its log" $G report check jpn7.json --home kor
has "they agree" "$out" "JPN's report agrees with this node's log"
expect 0 "JPN checks KOR's report" $G report check kor7.json --home jpn --json
jqeq "every figure agrees" "$out" '.agree' true
jqeq "releases and receipts both ways" "$out" '[.figures[] | select(.theirs == "releases")] | length > 0' true
jq '(.rows[] | select(.section == "receipts" and .label == "군사II급비밀") | .count) += 1' jpn7.json >jpn7-more.json
expect 1 "a figure that differs is found" $G report check jpn7-more.json --home kor
has "and named" "$out" "DIFFER"
has "with one line saying so" "$err" "1 figure of JPN's report differs"
jq '.logs[0].checkpoint |= sub("[A-Za-z0-9+/]{8}="; "AAAAAAAA=")' jpn7.json >jpn7-forged.json
expect 1 "a report whose checkpoint is not JPN's signature is refused" $G report check jpn7-forged.json --home kor
eq "in one line" "$(printf '%s\n' "$err" | wc -l)" 1
expect 1 "this node's own report is not checked against itself" $G report check kor7.json --home kor

# ---- CSV and HTML ----
expect 0 "as CSV" $G report --agreement $A --term 7 --home kor --format csv -o kor7.csv
/usr/bin/python3 - kor7.csv kor7.json >csv.check <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
rep = json.load(open(sys.argv[2]))
figures = [r for r in rows if r["section"] not in ("term", "ledger")]
same = [(r["section"], r["peer"], r["originator"], r["label"], r["key"], int(r["count"])) for r in figures] == \
       [(r["section"], r["peer"], r["originator"], r["label"], r["key"], r["count"]) for r in rep["rows"]]
ledger = {r["peer"]: int(r["count"]) for r in rows if r["section"] == "ledger"}
print("same" if same else "differ", ledger == {l["peer"]: l["size"] for l in rep["logs"]})
EOF
eq "a CSV reader finds the same figures and checkpoints" "$(cat csv.check)" "same True"
expect 0 "as a printable page" $G report --agreement $A --term 7 --home kor --format html -o kor7.html
H=$(cat kor7.html)
eq "marked at the top and the bottom" "$(grep -c 'EXERCISE — KOR-JPN-2016 — annual review, term 7 — KOR' kor7.html)" 3
has "with the agreement's markings" "$H" "<td>SECRET</td><td>군사II급비밀</td><td>特定秘密, 極秘</td>"
has "the figures" "$H" "<td>JPN</td><td>KOR</td><td>군사II급비밀</td><td>SECRET</td><td class=\"n\">3</td>"
has "and the signed checkpoints" "$H" "— gsomia-exercise/KOR/ledger/JPN "
/usr/bin/python3 -c 'import sys, html.parser; p = html.parser.HTMLParser(); p.feed(open(sys.argv[1]).read()); p.close()' \
	kor7.html && ok "it parses as HTML" || bad "HTML parses"

# ---- the same through the local API (the console's Report page) ----
$G serve --home kor --listen "127.0.0.1:$PK" --witness-every 0 >kor.out 2>kor.err &
pids="$pids $!"
for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$PK/v1/health" && break; sleep 0.1; done
TOK=$(curl -sk -H 'Content-Type: application/json' --data-binary '{"person":"lee","password":"correct-horse"}' \
	"https://127.0.0.1:$PK/v1/session" | jq -r .token)
api=$(curl -sk -H "Authorization: Bearer $TOK" "https://127.0.0.1:$PK/v1/local/agreements/$A/report?term=7")
eq "the API gives the same figures" "$(printf '%s' "$api" | jq -S -c .rows)" "$(jq -S -c .rows kor7.json)"
code=$(curl -sk -o api.csv -D api.headers -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOK" \
	"https://127.0.0.1:$PK/v1/local/agreements/$A/report?term=7&format=csv")
eq "and the CSV" "$code" "200 text/csv; charset=utf-8"
has "named for the term, with EXERCISE on an exercise node" "$(cat api.headers)" "filename=\"EXERCISE $A-term-7.csv\""
eq "the same CSV" "$(head -n -2 api.csv)" "$(head -n -2 kor7.csv)"
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
	"https://127.0.0.1:$PK/v1/local/agreements/$A/report")
eq "without ?term= it is 400" "$code" 400
finish
