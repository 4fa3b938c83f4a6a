#!/usr/bin/env bash
# The TISA route KOR -> USA -> JPN with three real nodes serving on
# loopback: KOR's reclassification notice reaches every holder along the
# route the item took (the hub applies it and forwards it, signed, to JPN;
# JPN verifies KOR's signature and the hub's), and an incident report about
# an item received through the hub goes to the hub and to the originator.
# Forged, misrouted or unforwarded notices are refused and change nothing.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
TOPIC=dprk-nuclear-missile-threats
declare -A port pid
for h in kor usa jpn; do port[$h]=$(freeport); done
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
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
	$G serve --home "$1" --witness-every 0 >"$1.out" 2>>"$1.err" &
	pid[$1]=$!
	wait_ready "${port[$1]}"
}
# until CMD...: waits (at most 10 s) until CMD succeeds
until_ok() { for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
label_is() { [ "$($G items --home "$1" --json | jq -r '.[0].label')" = "$2" ]; } # HOME LABEL
incidents_are() { [ "$($G incident list --home "$1" --json | jq length)" = "$2" ]; } # HOME COUNT

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
	--facility ICHIGAYA --role reader --role registry --role nsa-officer --home jpn >/dev/null
head -c 3000 /dev/urandom >doc.bin
for h in kor usa jpn; do serve $h || bad "$h serves" "$(cat $h.err)"; done

# The route: KOR -> USA, then USA -> JPN with KOR's consent.
expect 0 "KOR releases to the hub" $G release doc.bin --to USA --agreement US-KOR-1987 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic $TOPIC --deliver --home kor --json
item=$(printf '%s' "$out" | jq -r .item)
eq "USA holds it" "$($G items --home usa --json | jq -r '.[0].marking | join(",")')" SECRET
$G consent grant --item "$item" --to USA --third-party JPN --purpose defence-cooperation \
	--expires 2023-12-31T00:00:00+09:00 -o consent.note --home kor >/dev/null
for h in usa jpn; do $G consent import consent.note --home $h >/dev/null; done
expect 0 "the hub passes it on to JPN" $G release --item "$item" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 --deliver --home usa
eq "JPN holds it, 極秘" "$($G items --home jpn --json | jq -r '.[0].marking | join(",")')" 極秘

# ---- reclassification along the route ----
expect 0 "KOR reclassifies its item and delivers the notice" $G reclassify notice "$item" --to 군사III급비밀 \
	-o n1.note --deliver --home kor --json
jqeq "to the party it released the item to" "$out" '[.deliveries[].to] | join(",")' USA
until_ok label_is usa 군사III급비밀 &&
	ok "the hub applied it" || bad "the hub applied it" "$(cat usa.err)"
eq "the hub marks it CONFIDENTIAL" "$($G items --home usa --json | jq -r '.[0].marking | join(",")')" CONFIDENTIAL
until_ok label_is jpn 군사III급비밀 &&
	ok "the hub forwarded it and JPN applied it" || bad "JPN applied it" "$(cat jpn.err; cat usa.err)"
run $G items show "$item" --home jpn --json
jqeq "JPN marks it 秘 (US-JPN annex, from the hub's CONFIDENTIAL)" "$out" '.marking | join(",")' 秘
jqeq "the true originator stays named" "$out" .originator_name "Republic of Korea"
jqeq "the history names the hub that forwarded it" "$out" '.reclassifications[0].forwarded_by' USA
jqeq "and KOR's notice itself" "$out" '.reclassifications[0].notice_sha256' "$(sha256sum n1.note | cut -c1-64)"
run $G ledger show --peer JPN --home usa --json
jqeq "the hub logs the forward in its log for JPN" "$out" \
	'[.entries[] | select(.kind == "reclassification" and .fields["forwarded-to"] == "JPN")] | length' 1
run $G outbox --home usa --json
jqeq "the hub's forward was delivered" "$out" '[.[] | select(.kind == "reclassification")][0].state' delivered

# By hand: the notice alone is refused at JPN, the hub's forward applies.
for h in kor usa jpn; do kill "${pid[$h]}"; wait "${pid[$h]}" 2>/dev/null; done
pid=()
export GSOMIA_NOW=2023-07-01T10:00:00+09:00
expect 0 "KOR reclassifies again" $G reclassify notice "$item" --to 군사II급비밀 -o n2.note --home kor
jsum=$(dbsum jpn)
expect 1 "JPN refuses the notice alone for an item that came through the hub" \
	$G reclassify apply n2.note --home jpn --json
jqeq "by the forward rule" "$out" .rule reclassify.forward
has "saying who must forward it" "$err" "must come forwarded and signed by USA"
eq "nothing changed at JPN" "$(dbsum jpn)" "$jsum"
expect 0 "the hub applies it and forwards it" $G reclassify apply n2.note --home usa --json
fwd=$(printf '%s' "$out" | jq -r '.forwards[0].file')
jqeq "to JPN" "$out" '.forwards[0].to' JPN
has "a signed forward" "$(head -1 "$fwd")" "gsomia-reclassification-forward/v1"
sed 's/^label SECRET$/label TOP SECRET/' "$fwd" >forged.note
expect 1 "a forward altered on the way is refused" $G reclassify apply forged.note --home jpn --json
jqeq "by the forward rule" "$out" .rule reclassify.forward
python3 - "$fwd" n1.note swapped.note <<'PY'
import sys, base64
fwd, other, dst = sys.argv[1:]
lines = open(fwd, encoding='utf-8').read().split('\n')
i = next(k for k, l in enumerate(lines) if l.startswith('notice-file '))
lines[i] = 'notice-file ' + base64.b64encode(open(other, 'rb').read()).decode()
open(dst, 'w', encoding='utf-8').write('\n'.join(lines))
PY
expect 1 "a forward carrying another notice than it names is refused" $G reclassify apply swapped.note --home jpn --json
jqeq "by the forward rule" "$out" .rule reclassify.forward
expect 1 "KOR does not apply a forward of its own notice" $G reclassify apply "$fwd" --home kor --json
eq "refusals changed nothing at JPN" "$(dbsum jpn)" "$jsum"
expect 0 "JPN applies the hub's forward" $G reclassify apply "$fwd" --home jpn --json
jqeq "marked 極秘 again" "$out" .marking 極秘
expect 0 "the same forward again changes nothing" $G reclassify apply "$fwd" --home jpn --json
jqeq "already applied" "$out" .already_applied true
cp "$fwd" fwd.seed

# ---- an incident about an item received through the hub ----
expect 0 "JPN reports a possible loss" $G incident report "$item" --kind possible-loss \
	--detected 2023-07-01T08:00:00+09:00 -o inc.note --home jpn --json
jqeq "the hub that provided it is named" "$out" .provider USA
expect 0 "the originator imports it" $G incident import inc.note --home kor --json
jqeq "as originator" "$out" .role originator
expect 0 "the hub imports it" $G incident import inc.note --home usa --json
jqeq "as the party that provided it" "$out" .role provider
run $G ledger show --peer USA --home jpn --json
jqeq "JPN logs it for the hub too" "$out" '[.entries[] | select(.kind == "incident")] | length' 1
expect 0 "JPN steps the investigation" $G incident step "$(jq -r .id <<<"$($G incident list --home jpn --json | jq '.[0]')")" \
	--investigation "safes searched" -o inc2.note --home jpn
expect 0 "the hub takes the step in order" $G incident import inc2.note --home usa
# Through the local API, the holder's report is queued for both.
for h in kor usa jpn; do serve $h; done
GSOMIA_PERSON_PASSWORD=pw-of-yamada $G person password yamada --home jpn >/dev/null
tok=$(C -X POST "https://127.0.0.1:${port[jpn]}/v1/session" --data-binary '{"person":"yamada","password":"pw-of-yamada"}' | jq -r .token)
code=$(C -o inc.json -w '%{http_code}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	-X POST "https://127.0.0.1:${port[jpn]}/v1/local/incidents" \
	--data-binary "{\"item\":\"$item\",\"kind\":\"confirmed-loss\",\"detected\":\"2023-07-01T09:00:00+09:00\"}")
eq "the report is accepted" "$code" 200
run $G outbox --home jpn --json
jqeq "queued for the originator and the hub" "$out" '[.[] | select(.kind == "incident") | .peer] | sort | join(",")' KOR,USA
until_ok incidents_are usa 2 &&
	ok "the hub received it" || bad "the hub received it" "$(cat usa.err)"
until_ok incidents_are kor 2 &&
	ok "the originator received it" || bad "the originator received it" "$(cat kor.err)"
finish
