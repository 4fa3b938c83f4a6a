#!/usr/bin/env bash
# Witnessing between two real nodes on loopback: KOR's checkpoint of its
# log for JPN is cosigned by JPN after JPN checks it (and the reverse);
# a later one is checked for consistency from the size cosigned before;
# a forged checkpoint is refused; a split view (two homes with the same
# keys that diverged) is refused, kept as evidence at the witness, and
# raised by 'ledger peers' (exit 1). The courier of 'serve' witnesses on
# its own.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
declare -A pid
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
start() { # HOME PORT [serve options]
	local h=$1 port=$2
	shift 2
	$G serve --home "$h" "$@" >"$h.out" 2>>"$h.err" &
	pid[$h]=$!
	wait_ready "$port"
}
stop() { kill "${pid[$1]:-}" 2>/dev/null; wait "${pid[$1]:-}" 2>/dev/null; unset "pid[$1]"; }

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
echo "first" >one.txt
for f in two three four five six; do echo "$f" >$f.txt; done
rel() { # FILE [HOME]: a release by KOR to JPN, delivered
	$G release "$1" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --deliver --home "${2:-kor}" --json
}
rel_offline() { # FILE HOME: a release kept as a file (its entry is in the log)
	$G release "$1" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles -o "$1.bundle" --home "$2" --json
}
size() { $G ledger show --peer "$2" --home "$1" --json | jq .size; }
peers() { $G ledger peers --home "$1" --json; }

start jpn "$PJ" --witness-every 0 && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
start kor "$PK" --witness-every 0 && ok "KOR serves" || bad "KOR serves" "$(cat kor.err)"
expect 0 "KOR releases and delivers to JPN" rel one.txt
K1=$(size kor JPN)
J1=$(size jpn KOR)
[ "$K1" -ge 2 ] && [ "$J1" -ge 2 ] && ok "both logs grew ($K1, $J1)" || bad "both logs grew" "$K1 $J1"

run $G ledger peers --home kor --json
eq "ledger peers: exit 0 with nothing raised" "$rc" 0
jqeq "before witnessing, JPN has cosigned nothing of KOR's log" "$out" '.[0].log.cosigned_by_peer' null
jqeq "and KOR's log size is shown" "$out" '.[0].log.size' "$K1"

# KOR has its log witnessed by JPN.
expect 0 "ledger witness JPN (KOR's log cosigned by JPN)" $G ledger witness JPN --home kor --json
jqeq "cosigned at KOR's size" "$out" .size "$K1"
jqeq "from nothing" "$out" .old_size 0
run peers kor
jqeq "KOR: JPN has cosigned its log up to $K1" "$out" '.[0].log.cosigned_by_peer.size' "$K1"
has "with the time of the cosignature" "$(printf '%s' "$out" | jq -r '.[0].log.cosigned_by_peer.at')" "2023-05-01T01:00:00Z"
J2=$(size jpn KOR)
eq "JPN cross-logged KOR's checkpoint (one more entry in its log for KOR)" "$J2" $((J1 + 1))
run peers jpn
jqeq "JPN: KOR's log verified up to $K1" "$out" '.[0].peer_log.verified.size' "$K1"
jqeq "JPN: and cosigned up to $K1" "$out" '.[0].peer_log.cosigned.size' "$K1"
jqeq "JPN: no evidence" "$out" '.[0].evidence | length' 0
jqeq "JPN: its own log not yet cosigned by KOR" "$out" '.[0].log.cosigned_by_peer' null
run $G ledger show --peer KOR --home jpn --json
jqeq "the cross-log entry names KOR's checkpoint" "$out" '.entries[-1].fields.size' "$K1"
jqeq "as a peer-checkpoint" "$out" '.entries[-1].kind' peer-checkpoint

# The cosigned checkpoint is kept, and the cosignature verifies as a note line.
n=$(dbq kor "SELECT count(*) FROM ledger_cosigned WHERE witness = 'JPN'")
eq "KOR keeps the cosigned checkpoint" "$n" 1
has "with JPN's witness cosignature line" "$(if on_pg; then dbq kor "SELECT convert_from(note, 'UTF8') FROM ledger_cosigned WHERE witness = 'JPN'"; else dbq kor "SELECT CAST(note AS TEXT) FROM ledger_cosigned WHERE witness = 'JPN'"; fi)" "— gsomia-exercise/JPN/witness "

expect 0 "witnessing again without growth sends nothing" $G ledger witness JPN --home kor --json
jqeq "already cosigned" "$out" .already true

# And the reverse: JPN's log witnessed by KOR.
expect 0 "ledger witness KOR (JPN's log cosigned by KOR)" $G ledger witness KOR --home jpn --json
jqeq "at JPN's size" "$out" .size "$J2"
run peers kor
jqeq "KOR: JPN's log verified up to $J2" "$out" '.[0].peer_log.verified.size' "$J2"
jqeq "KOR: and cosigned up to $J2" "$out" '.[0].peer_log.cosigned.size' "$J2"

# More entries, witnessed again: consistency is checked from the old size.
expect 0 "a second release" rel two.txt
K2=$(size kor JPN)
expect 0 "witness again" $G ledger witness JPN --home kor --json
jqeq "cosigned at the new size" "$out" .size "$K2"
jqeq "proved consistent from the size cosigned before" "$out" .old_size "$K1"
run peers jpn
jqeq "JPN: KOR's log now verified up to $K2" "$out" '.[0].peer_log.verified.size' "$K2"

# A forged checkpoint: a byte of the root flipped.
note=$($G ledger checkpoint --peer JPN --home kor)
forged=$(printf '%s\n' "$note" | awk 'NR == 3 { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) } { print }')
jq -n --arg c "$forged"$'\n' --argjson o "$K2" '{checkpoint: $c, old_size: $o, proof: []}' >forged.json
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o forged.out -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @forged.json "https://127.0.0.1:$PJ/v1/peer/checkpoint")
case "$code" in 4*) ok "a forged checkpoint is refused with $code" ;; *) bad "forged checkpoint" "HTTP $code $(cat forged.out)" ;; esac
has "as not signed by KOR" "$(cat forged.out)" "signature"
jq -n --arg c "$note"$'\n' '{checkpoint: $c, old_size: 1, proof: []}' >old.json
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o old.out -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @old.json "https://127.0.0.1:$PJ/v1/peer/checkpoint")
eq "a wrong old size is 409" "$code" 409
jqeq "naming the size last cosigned" "$(cat old.out)" .size "$K2"
code=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @old.json "https://127.0.0.1:$PJ/v1/peer/checkpoint")
eq "without a client certificate: 401" "$code" 401
jnote=$($G ledger checkpoint --peer KOR --home jpn)
jq -n --arg c "$jnote"$'\n' '{checkpoint: $c, old_size: 0, proof: []}' >own.json
code=$(curl -sk --cert kor/tls.crt --key kor/tls.key -o own.out -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @own.json "https://127.0.0.1:$PJ/v1/peer/checkpoint")
eq "a checkpoint that is not the caller's log is 403" "$code" 403
run peers jpn
jqeq "none of this is evidence" "$out" '.[0].evidence | length' 0

# A split view: a copy of KOR's home (same keys) diverges from KOR.
stop kor
copy_home kor kor2
expect 0 "KOR appends an entry" rel_offline three.txt kor
expect 0 "the copy appends a different one" rel_offline four.txt kor2
eq "both at the same size" "$(size kor2 JPN)" "$(size kor JPN)"
K3=$(size kor JPN)
expect 0 "JPN cosigns KOR's checkpoint at $K3" $G ledger witness JPN --home kor --json
jqeq "at $K3" "$out" .size "$K3"
before=$(size jpn KOR)
expect 1 "the copy's checkpoint of the same size is refused" $G ledger witness JPN --home kor2
has "as a split view" "$err" "split view"
has "kept as evidence" "$err" "evidence"
has "and HTTP 422" "$err" "422"
eq "JPN logged the inconsistency in its log for KOR" "$(size jpn KOR)" $((before + 1))
run $G ledger show --peer KOR --home jpn --json
jqeq "as a peer-checkpoint entry with inconsistent=yes" "$out" '.entries[-1].fields.inconsistent' yes
expect 1 "ledger peers at JPN exits 1" $G ledger peers --home jpn --json
jqeq "one piece of evidence" "$out" '.[0].evidence | length' 1
jqeq "the problem" "$out" '.[0].evidence[0].problem' split-view
jqeq "both checkpoints kept" "$out" '[.[0].evidence[0].held_size, .[0].evidence[0].new_size] | map(tostring) | join(" ")' "$K3 $K3"
has "the held one is KOR's cosigned checkpoint" "$(printf '%s' "$out" | jq -r '.[0].evidence[0].held_checkpoint')" "gsomia-exercise/KOR/ledger/JPN"
has "and the message names KOR" "$err" "INCONSISTENT: KOR"
expect 1 "ledger peers (text) exits 1" $G ledger peers --home jpn
has "raised loudly" "$out" "INCONSISTENT"
expect 1 "sending it again is refused again" $G ledger witness JPN --home kor2
eq "and logged once" "$(size jpn KOR)" $((before + 1))
expect 0 "the copy grows further" rel_offline five.txt kor2
expect 1 "a larger checkpoint of the copy is not proved consistent" $G ledger witness JPN --home kor2
has "refused as unproved" "$err" "not proved consistent"
run peers jpn
eq "ledger peers still exits 1" "$rc" 1
jqeq "a second piece of evidence" "$out" '.[0].evidence | length' 2
jqeq "its problem" "$out" '.[0].evidence[1].problem' unproved
run peers jpn
jqeq "JPN still holds KOR's real checkpoint" "$out" '.[0].peer_log.verified.size' "$K3"
expect 0 "KOR's peers show nothing wrong on KOR's side" $G ledger peers --home kor

# The courier witnesses on its own.
stop jpn
start jpn "$PJ" --witness-every 1 && ok "JPN serves, witnessing every second" || bad "JPN serves" "$(cat jpn.err)"
start kor "$PK" --witness-every 1 && ok "KOR serves, witnessing every second" || bad "KOR serves" "$(cat kor.err)"
expect 0 "another release" rel six.txt
# what each courier must get cosigned: up to the last entry that is not a
# cross-logged peer checkpoint (those wait for the next real entry)
real() { $G ledger show --peer "$2" --home "$1" --json | jq '[.entries[] | select(.kind != "peer-checkpoint") | .index] | max + 1'; }
K4=$(real kor JPN)
J4=$(real jpn KOR)
cosigned() { peers "$1" 2>/dev/null | jq '.[0].log.cosigned_by_peer.size'; }
for i in $(seq 1 60); do
	[ "$(cosigned kor)" -ge "$K4" ] && [ "$(cosigned jpn)" -ge "$J4" ] && break
	sleep 0.25
done
c=$(cosigned kor)
[ "$c" -ge "$K4" ] && ok "KOR's courier had its log cosigned by JPN ($c >= $K4)" || bad "KOR's courier" "$c < $K4"
c=$(cosigned jpn)
[ "$c" -ge "$J4" ] && ok "and JPN's courier its log by KOR ($c >= $J4)" || bad "JPN's courier" "$c < $J4"
sleep 3
k5=$(size kor JPN)
j5=$(size jpn KOR)
sleep 3
eq "KOR's log is quiet" "$(size kor JPN)" "$k5"
eq "JPN's log is quiet" "$(size jpn KOR)" "$j5"
has "the courier said so" "$(cat kor.err)" "event=witness-cosigned peer=JPN"
stop kor
stop jpn
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
finish
