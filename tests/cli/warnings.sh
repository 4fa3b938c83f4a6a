#!/usr/bin/env bash
# Missile warnings through the hub, three real nodes on loopback over mutual
# TLS (docs/warnings.md): KOR publishes, USA relays to JPN under TISA by a
# standing relay rule with KOR's standing consent, JPN's cleared reader sees
# it (and an uncleared one does not); a replay is shown once; a duplicate id
# and bad input are refused and change nothing; a relay the rules refuse is
# logged at the hub and KOR is told; the hub killed with kill -9 while
# warnings flow: they queue at KOR and arrive in order, none lost, none twice.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-12-18T08:40:00+09:00
TOPIC=dprk-nuclear-missile-threats
W=$EX/warnings/kor-dprk-2023-12-18.json
declare -A port pid
for h in kor usa jpn; do port[$h]=$(freeport); done
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${GSOMIA_KEEP_FAILED:-}" ] && [ "${fails:-0}" != 0 ] && cp -a "$T" "$GSOMIA_KEEP_FAILED.$$"
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
C() { curl -sk --max-time 20 "$@"; }
wait_ready() {
	for _ in $(seq 1 100); do C -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0; sleep 0.1; done
	return 1
}
serve() { # HOME
	$G serve --home "$1" --witness-every 0 >>"$1.out" 2>>"$1.err" &
	pid[$1]=$!
	wait_ready "${port[$1]}"
}
# until CMD...: waits (at most 20 s) until CMD succeeds
until_ok() { for _ in $(seq 1 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
count_at() { $G warn list --as "$2" --json --home "$1" | jq '[.[] | select(.kind == "warning")] | length'; }
has_n() { [ "$(count_at "$1" "$2")" = "$3" ]; } # HOME PERSON N

for P in KOR USA JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:${port[$h]}" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
for a in kor usa jpn; do for b in kor usa jpn; do [ $a = $b ] || $G party import $b.id --home $a >/dev/null; done; done
$G agreement import "$EX/agreements/us-kor-1987" --home kor >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home jpn >/dev/null
for h in kor usa jpn; do $G agreement import "$EX/agreements/tisa-2014" --home $h >/dev/null; done
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 --duty topic:$TOPIC \
	--facility ICHIGAYA --role reader --home jpn >/dev/null
$G person add sato --name 佐藤 --nationality JPN --employer JPN --facility ICHIGAYA --role reader --home jpn >/dev/null
$G facility add YONGSAN --name "Ministry of National Defense" --home kor >/dev/null
$G person add park --name 박 --nationality KOR --employer KOR --psc 군사II급비밀 --duty topic:$TOPIC \
	--facility YONGSAN --role reader --home kor >/dev/null
$G person add kim --name 김 --nationality KOR --employer KOR --psc 군사II급비밀 --duty topic:logistics \
	--facility YONGSAN --role reader --home kor >/dev/null
$G facility add PENTAGON --name "Department of Defense" --home usa >/dev/null
$G person add smith --name Smith --nationality USA --employer USA --psc SECRET --duty topic:$TOPIC \
	--facility PENTAGON --role reader --home usa >/dev/null

# ---- standing rules ----
expect 0 "KOR's rule: its warnings under TISA go to the hub" \
	$G warn rule add --to USA --under TISA-2014 --topic $TOPIC --home kor
has "the leg's agreement is found from the arrangement" "$($G warn rule list --home kor)" "KOR -> USA  under TISA-2014"
expect 1 "a rule to an unknown party is refused" $G warn rule add --to FRA --under TISA-2014 --topic $TOPIC --home kor
expect 1 "a relay rule under an agreement, not an arrangement, is refused" \
	$G warn relay add --from KOR --to JPN --arrangement US-KOR-1987 --topic $TOPIC --home usa
has "saying why" "$err" "not an arrangement"
expect 0 "USA's relay rule: KOR's warnings go on to JPN" \
	$G warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic $TOPIC --home usa
expect 1 "the same rule twice is refused" \
	$G warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic $TOPIC --home usa
run $G ledger show --home usa --json
jqeq "the rule is in the hub's internal log" "$out" '[.entries[] | select(.kind == "warning-rule")] | length' 1
# KOR's standing consent: its warnings of the topic may go on to JPN
$G consent grant --topic $TOPIC --to USA --third-party JPN --purpose missile-warning \
	--expires 2024-12-31T00:00:00+09:00 -o standing.note --home kor >/dev/null
for h in usa jpn; do $G consent import standing.note --home $h >/dev/null; done

$G person add kreg --name Registry --nationality KOR --employer KOR --facility YONGSAN --role registry --home kor >/dev/null
for who in kor:kreg kor:park jpn:yamada jpn:sato; do
	GSOMIA_PERSON_PASSWORD="password-${who#*:}" $G person password "${who#*:}" --home "${who%%:*}" >/dev/null
done
for h in kor usa jpn; do serve $h || bad "$h serves" "$(cat $h.err)"; done
signin() { # HOME PERSON: a bearer token
	C -X POST --data-binary "{\"person\":\"$2\",\"password\":\"password-$2\"}" "https://127.0.0.1:${port[$1]}/v1/session" | jq -r .token
}

# ---- publish, relay, watch ----
expect 0 "KOR publishes the warning" $G warn publish "$W" --home kor --json
jqeq "released to the hub under the KOR-US agreement" "$out" '.published[0].to + " " + .published[0].agreement' \
	"USA US-KOR-1987"
until_ok has_n jpn yamada 1 && ok "JPN's cleared reader sees it, relayed by the hub" ||
	bad "the warning reaches JPN" "$(cat usa.err jpn.err | tail -5)"
run $G warn list --as yamada --json --home jpn
jqeq "the warning itself, as KOR wrote it" "$out" '.[0].warning.impacts[0].lat' 40.2315
jqeq "from the hub, originated by KOR" "$out" '.[0].from + " " + .[0].originator' "USA KOR"
jqeq "marked as JPN marks what the hub releases (US-JPN annex)" "$out" '.[0].banner_recipient' 極秘
jqeq "with KOR's own classification" "$out" '.[0].banner_originator' 군사II급비밀
jqeq "the chain of custody, each hop's instant" "$out" '[.[0].chain[].party] | join(">")' "KOR>USA>JPN"
jqeq "and each hop's latency" "$out" '[.[0].hops[] | (.ms | type)] | join(",")' "number,number"
jqeq "JPN's copy is an onward release: the consent is named" "$($G items --home jpn --json)" '.[0].consent | length' 64
eq "an uncleared reader sees nothing of it" "$(count_at jpn sato)" 0
run $G ledger show --peer KOR --home jpn --json
jqeq "what JPN's reader was shown is logged as an access" "$out" \
	'[.entries[] | select(.kind == "access-grant" and .person == "yamada")] | length >= 1' true
eq "the hub's cleared reader sees it too" "$(count_at usa smith)" 1
run $G warn list --as smith --json --home usa
jqeq "with the relay it made" "$out" '.[0].relays[0].to + " " + .[0].relays[0].outcome' "JPN relayed"
expect 0 "the originator's reader sees what KOR published" $G warn list --as park --json --home kor
jqeq "one record" "$out" 'length' 1
run $G warn watch --as yamada --once --cot --home jpn
has "watch --cot gives CoT events" "$out" 'uid="KOR-20231218-0824"'
has "with the impact ellipse" "$out" '<ellipse major="18000" minor="6000" angle="87.2"/>'

# ---- the local API: the stream at JPN, publish at KOR ----
TY=$(signin jpn yamada)
TS=$(signin jpn sato)
TK=$(signin kor kreg)
TP=$(signin kor park)
[ -n "$TY" ] && [ "$TY" != null ] && [ -n "$TK" ] && [ "$TK" != null ] && ok "the readers and KOR's registry sign in" ||
	bad "sign in" "$TY $TK"
curl -skN --max-time 60 -H "Authorization: Bearer $TY" -D stream.hdr \
	"https://127.0.0.1:${port[jpn]}/v1/local/warnings/stream?since=0" >stream.out 2>/dev/null &
spid=$!
curl -skN --max-time 60 -H "Authorization: Bearer $TS" \
	"https://127.0.0.1:${port[jpn]}/v1/local/warnings/stream?since=0" >stream.sato 2>/dev/null &
spid2=$!
in_stream() { [ "$(grep -c '^event: warning' stream.out)" -ge "$1" ]; }
until_ok in_stream 1 && ok "the stream replays what JPN holds (since=0)" || bad "the stream replays" "$(cat stream.out)"
has "as server-sent events" "$(tr -d '\r' <stream.hdr)" "Content-Type: text/event-stream"
sed 's/KOR-20231218-0824/KOR-20231218-0830/' "$W" >api.json
code=$(C -o pub.out -w '%{http_code}' -H "Authorization: Bearer $TK" -H 'Content-Type: application/json' \
	--data-binary @api.json "https://127.0.0.1:${port[kor]}/v1/local/warnings")
eq "KOR's registry publishes through the API: 200" "$code" 200
jqeq "released to the hub" "$(cat pub.out)" '.published[0].to' USA
until_ok in_stream 2 && ok "JPN's open stream gets it as it arrives" || bad "the stream gets it" "$(tail -5 stream.out)"
last=$(grep '^data: ' stream.out | tail -1 | cut -c7-)
jqeq "the event is the record, with the warning" "$last" '.warning.id' KOR-20231218-0830
jqeq "and its chain" "$last" '[.chain[].party] | join(">")' "KOR>USA>JPN"
has "each event has its id" "$(cat stream.out)" "id: "
kill $spid $spid2 2>/dev/null
eq "an uncleared reader's stream shows nothing" "$(grep -c '^event: warning' stream.sato)" 0
code=$(C -o pub.out -w '%{http_code}' -H "Authorization: Bearer $TK" --data-binary @api.json \
	"https://127.0.0.1:${port[kor]}/v1/local/warnings")
eq "the same id through the API: 400" "$code" 400
has "in one line" "$(jq -r .error pub.out)" "published here already"
code=$(C -o pub.out -w '%{http_code}' -H "Authorization: Bearer $TK" --data-binary '{"version":1' \
	"https://127.0.0.1:${port[kor]}/v1/local/warnings")
eq "malformed JSON: 400" "$code" 400
code=$(C -o pub.out -w '%{http_code}' -H "Authorization: Bearer $TP" --data-binary @api.json \
	"https://127.0.0.1:${port[kor]}/v1/local/warnings")
eq "a reader may not publish: 403" "$code" 403
code=$(C -o pub.out -w '%{http_code}' --data-binary @api.json "https://127.0.0.1:${port[kor]}/v1/local/warnings")
eq "without credentials: 401" "$code" 401
code=$(C -o list.out -w '%{http_code}' -H "Authorization: Bearer $TY" "https://127.0.0.1:${port[jpn]}/v1/local/warnings?since=1")
eq "the records after a seq: 200" "$code" 200
jqeq "only the later one" "$(cat list.out)" '[.warnings[].warning.id] | join(",")' KOR-20231218-0830
code=$(C -o list.out -w '%{http_code}' -H "Authorization: Bearer $TY" "https://127.0.0.1:${port[jpn]}/v1/local/warnings?since=x")
eq "a bad seq: 400" "$code" 400
code=$(C -o rules.out -w '%{http_code}' -H "Authorization: Bearer $TY" "https://127.0.0.1:${port[usa]}/v1/local/warnings/rules")
eq "the rules are read through the API" "$code" 401

TY2=$(signin jpn yamada)
curl -skN --max-time 30 -H "Authorization: Bearer $TY2" \
	"https://127.0.0.1:${port[jpn]}/v1/local/warnings/stream" >stream2.out 2>/dev/null &
spid3=$!
until_ok grep -q '^retry:' stream2.out
C -X DELETE -o /dev/null -H "Authorization: Bearer $TY2" "https://127.0.0.1:${port[jpn]}/v1/session"
ended() { ! kill -0 $spid3 2>/dev/null; }
until_ok ended && ok "signing out ends the person's stream" || { bad "signing out ends the stream"; kill $spid3; }

# ---- the same id again, bad input: 400-like refusals, nothing stored ----
before=$(dbsum kor)
expect 1 "a second publication of the same id is refused" $G warn publish "$W" --home kor
has "saying so" "$err" "published here already"
sed 's/"lat": 39.0396/"lat": 91/' "$W" >bad.json
expect 1 "a latitude out of range is refused" $G warn publish bad.json --home kor
has "naming the member" "$err" "launch.lat"
sed 's/2023-12-17T23:25:10Z/2023-12-17T23:59:10Z/' "$W" | sed 's/KOR-20231218-0824/KOR-future/' >future.json
expect 1 "a track point ahead of the clock is refused" $G warn publish future.json --home kor
sed 's/"originator": "KOR"/"originator": "JPN"/' "$W" >other.json
expect 1 "another party's warning is not published here" $G warn publish other.json --home kor
sed 's/KOR-20231218-0824/KOR-untopical/; s/dprk-nuclear-missile-threats/logistics/' "$W" >notopic.json
expect 1 "a warning no rule sends is refused" $G warn publish notopic.json --home kor
has "naming the rule it lacks" "$err" "no standing rule"
eq "KOR's database is unchanged by all of them" "$(dbsum kor)" "$before"

# ---- a replay is shown once ----
b=$($G items --home jpn --json | jq -r '.[0].bundle')
code=$(curl -sk --cert usa/tls.crt --key usa/tls.key -o replay.out -w '%{http_code}' --data-binary @jpn/objects/$b.bundle \
	"https://127.0.0.1:${port[jpn]}/v1/peer/deliver-file?kind=bundle&id=$b")
eq "the hub's bundle delivered again is taken (200)" "$code" 200
jqeq "as a duplicate" "$(cat replay.out)" .duplicate true
eq "and shown once" "$(count_at jpn yamada)" 2

# ---- a relay the rules refuse: logged at the hub, KOR told ----
# logistics is outside TISA's scope: KOR may send it to the hub under the
# KOR-US agreement, but the hub may not pass it on under TISA
$G warn rule add --to USA --under TISA-2014 --topic logistics --home kor >/dev/null
$G warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic logistics --home usa >/dev/null
sed 's/KOR-20231218-0824/KOR-20231218-0900/; s/dprk-nuclear-missile-threats/logistics/' "$W" >w2.json
expect 0 "KOR publishes a warning of another topic to the hub" $G warn publish w2.json --home kor
refused_at_kor() { $G warn list --as kim --json --home kor | jq -e 'any(.[]; .kind == "relay-refusal")'; }
until_ok refused_at_kor && ok "KOR is told that the hub refused to relay it" ||
	bad "KOR is told" "$(tail -5 usa.err kor.err)"
run $G warn list --as kim --json --home kor
jqeq "by the hub, to JPN, with the rule" "$out" \
	'[.[] | select(.kind == "relay-refusal")][0] | .hub + " " + .to + " " + (.rule | startswith("onward.") | tostring)' "USA JPN true"
run $G ledger show --peer KOR --home usa --json
jqeq "the hub logs the refusal in its log for KOR" "$out" \
	'[.entries[] | select(.kind == "relay-refusal")][0].fields.to' JPN
run $G ledger show --peer USA --home kor --json
jqeq "and KOR logs what it was told in its log for the hub" "$out" \
	'[.entries[] | select(.kind == "relay-refusal")] | length' 1
eq "JPN got nothing of it" "$(count_at jpn yamada)" 2
expect 2 "a relay rule back to the originator is refused" \
	$G warn relay add --from KOR --to KOR --arrangement TISA-2014 --topic $TOPIC --home usa

# ---- a local sensor feed in Cursor on Target becomes warnings ----
LP=$(freeport)
$G warn listen --cot 127.0.0.1:$LP --under TISA-2014 --topic $TOPIC --classification 군사II급비밀 \
	--sensor "TPY-2 feed" --type srbm --confidence 70 --home kor >listen.out 2>listen.err &
pid[listen]=$!
for _ in $(seq 1 100); do grep -q listening listen.err && break; sleep 0.1; done
sensor_event() { # UID LAT: a plain sensor event (no gsomia detail), then its impact
	cat <<COT
<?xml version="1.0" encoding="UTF-8"?>
<event version="2.0" uid="$1" type="a-h-A-W-M" time="2023-12-17T23:39:00.000Z" start="2023-12-17T23:38:40.000Z" stale="2023-12-17T23:50:00.000Z" how="m-f"><point lat="$2" lon="125.7612" hae="0" ce="9999999.0" le="9999999.0"/><detail><remarks>sensor</remarks></detail></event>
<?xml version="1.0" encoding="UTF-8"?>
<event version="2.0" uid="$1.impact.1" type="u-d-c-e" time="2023-12-17T23:39:00.000Z" start="2023-12-17T23:39:00.000Z" stale="2023-12-17T23:50:00.000Z" how="m-f"><point lat="40.2" lon="131.9" hae="9999999.0" ce="9000" le="9999999.0"/><detail><link uid="$1" type="a-h-A-W-M" relation="p-p"/><shape><ellipse major="9000" minor="3000" angle="85"/></shape><__gsomia_impact time="2023-12-17T23:45:00.000Z"/></detail></event>
COT
}
{ sensor_event KOR-sensor-1 39.0396; echo '<event version="2.0" uid="broken"'; } >feed1.cot
printf '%s' "$(cat feed1.cot)" >/dev/tcp/127.0.0.1/$LP
sensor_event KOR-sensor-2 39.1 >/dev/tcp/127.0.0.1/$LP
sensor_at_jpn() { $G warn list --as yamada --json --home jpn | jq -e '[.[] | .warning.id | select(startswith("KOR-sensor-"))] | length == 2'; }
until_ok sensor_at_jpn && ok "the sensor's CoT events become warnings that reach JPN" ||
	bad "the sensor feed reaches JPN" "$(cat listen.err listen.out | tail -5)"
run $G warn list --as yamada --json --home jpn
jqeq "what the event does not say comes from the options" "$out" \
	'[.[] | select(.warning.id == "KOR-sensor-1")][0].warning | .type + " " + (.confidence | tostring) + " " + .sensor.name' \
	"srbm 70 TPY-2 feed"
jqeq "with the impact ellipse of its impact event" "$out" \
	'[.[] | select(.warning.id == "KOR-sensor-1")][0].warning.impacts[0].ellipse.semi_major' 9000
has "a broken event is reported, and the feed goes on" "$(cat listen.err)" "gsomia: warn listen:"
kill "${pid[listen]}" 2>/dev/null
expect 2 "listen takes only a loopback address" $G warn listen --cot 10.0.0.1:$LP --under TISA-2014 --topic $TOPIC \
	--classification 군사II급비밀 --home kor

# ---- a flood from one peer never delays another peer's warnings ----
# KOR's certificate trickles 18 uploads into JPN at once (each a few
# minutes long at that rate; 16 is its quota there, the rest are 429): the warning
# the hub relays meanwhile arrives while they still run.
head -c 300000 /dev/urandom >flood.bin
flood=""
for i in $(seq 1 18); do
	curl -sk --max-time 60 --cert kor/tls.crt --key kor/tls.key -H 'Expect:' --limit-rate 1K -o /dev/null \
		-w '%{http_code}\n' --data-binary @flood.bin \
		"https://127.0.0.1:${port[jpn]}/v1/peer/deliver-file?kind=memo&id=flood-$i" >>flood.codes 2>/dev/null &
	flood="$flood $!"
done
pids="$pids $flood"
sleep 1
sed 's/KOR-20231218-0824/KOR-during-flood/' "$W" >flood.json
expect 0 "KOR publishes while its certificate floods JPN" $G warn publish flood.json --home kor
flood_at_jpn() { $G warn list --as yamada --json --home jpn | jq -e 'any(.[]; .warning.id == "KOR-during-flood")'; }
until_ok flood_at_jpn && ok "the hub's relay reaches JPN during the flood" || bad "the relay reaches JPN during the flood"
running=0
for p in $flood; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
[ "$running" -ge 1 ] && ok "while the flood is still under way ($running uploads)" || bad "the flood had ended first"
for p in $flood; do kill "$p" 2>/dev/null; done
for p in $flood; do wait "$p" 2>/dev/null; done
has "KOR's uploads beyond its quota were turned away (429)" "$(cat flood.codes)" 429

# ---- the hub killed mid-stream: the warnings queue at KOR, then flow ----
for i in $(seq 1 12); do
	sed "s/KOR-20231218-0824/KOR-stream-$i/" "$W" >s$i.json
done
for i in 1 2 3 4; do $G warn publish s$i.json --home kor >/dev/null; done
kill -9 "${pid[usa]}"
wait "${pid[usa]}" 2>/dev/null
for i in $(seq 5 12); do $G warn publish s$i.json --home kor >/dev/null || bad "publish $i while the hub is down"; done
ok "KOR publishes while the hub is down"
serve usa || bad "the hub restarts" "$(tail -5 usa.err)"
until_ok has_n jpn yamada 17 && ok "every warning reaches JPN once the hub is back" ||
	bad "all arrive" "$(count_at jpn yamada) of 17; KOR: $($G outbox --home kor 2>&1 | tail -5); USA: $($G outbox --home usa 2>&1 | tail -5); $(tail -5 usa.err kor.err)"
run $G warn list --as yamada --json --home jpn
jqeq "none twice" "$out" '[.[] | select(.kind == "warning") | .warning.id] | unique | length' 17
jqeq "the stream arrived whole" "$out" '[.[] | .warning.id | select(startswith("KOR-stream-"))] | length' 12
for h in kor usa jpn; do
	expect 0 "$h's ledger verifies" $G ledger verify --home $h
done
finish
