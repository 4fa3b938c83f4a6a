#!/usr/bin/env bash
# Art 17: a possible loss at JPN of an item KOR released; the notice goes
# to KOR at once, with the agreement's deadline; the investigation and the
# results follow, each signed and imported in order; a late notice is
# flagged. Then survival: in the counterfactual KOR-JPN history without
# the 2019 suspension (the agreement ends on 2019-11-23), a loss reported
# afterwards is still notified and investigated.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
# The counterfactual: no suspension, no withdrawal.
cp -r "$EX/agreements/kor-jpn-2016" cf
rm cf/notes/2019-11-22-KOR-suspension.note cf/notes/2023-03-21-KOR-withdrawal.note
$G party import "$EX/parties/JPN.id" --home kor >/dev/null
$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
$G agreement import cf --home kor >/dev/null
$G agreement import cf --home jpn >/dev/null
expect 0 "the counterfactual ends on 2019-11-23" $G agreement status KOR-JPN-2016 --at 2019-12-01T00:00:00+09:00 --home kor --json
jqeq "terminated" "$out" .state terminated
head -c 5000 /dev/urandom >doc.bin

GSOMIA_NOW=2019-10-01T10:00:00+09:00 expect 0 "KOR releases two items while in force" $G release doc.bin --to JPN \
	--agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles \
	-o b1.bundle --home kor --json
item1=$(printf '%s' "$out" | jq -r .item)
GSOMIA_NOW=2019-10-01T10:00:00+09:00 expect 0 "second item" $G release doc.bin --to JPN \
	--agreement KOR-JPN-2016 --classification 군사III급비밀 --purpose defence-cooperation --topic dprk-missiles \
	-o b2.bundle --home kor --json
item2=$(printf '%s' "$out" | jq -r .item)
export GSOMIA_NOW=2019-10-02T10:00:00+09:00
expect 0 "JPN receives the first" $G receive b1.bundle --home jpn
expect 0 "JPN receives the second" $G receive b2.bundle --home jpn
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null

# A possible loss, reported within the 24 hours.
export GSOMIA_NOW=2019-10-10T12:00:00+09:00
jsum=$(dbsum jpn)
expect 2 "a kind is required" $G incident report "$item1" --detected 2019-10-10T09:00:00+09:00 -o x.note --home jpn
expect 2 "an unknown kind" $G incident report "$item1" --kind misplaced --detected 2019-10-10T09:00:00+09:00 -o x.note --home jpn
expect 2 "detection in the future" $G incident report "$item1" --kind possible-loss --detected 2019-10-11T09:00:00+09:00 -o x.note --home jpn
expect 1 "an unknown item" $G incident report KOR-0000 --kind possible-loss --detected 2019-10-10T09:00:00+09:00 -o x.note --home jpn
expect 2 "the originator reports nothing to itself" $G incident report "$item1" --kind possible-loss \
	--detected 2019-10-10T09:00:00+09:00 -o x.note --home kor
eq "refusals changed nothing" "$(dbsum jpn)" "$jsum"
[ ! -e x.note ] && ok "no notice written for a refusal" || bad "notice written"
expect 0 "JPN reports a possible loss" $G incident report "$item1" --kind possible-loss \
	--detected 2019-10-10T09:00:00+09:00 --text "Not found at the monthly inventory" -o n1.note --home jpn --json
inc=$(printf '%s' "$out" | jq -r .incident)
jqeq "notified within the deadline" "$out" .late false
jqeq "24 hours from detection" "$out" .notify_deadline 2019-10-11T00:00:00Z
jqeq "the holding is suspended" "$out" .holding suspended
has "a signed notice" "$(head -1 n1.note)" "gsomia-incident/v1"
has "to the originator" "$(cat n1.note)" "originator KOR"
expect 0 "items at JPN" $G items show "$item1" --home jpn --json
jqeq "status suspended" "$out" .status suspended
jqeq "custody: incident notice" "$out" '.custody[-1].event' incident-notice
expect 1 "a suspended holding cannot be opened" $G open "$item1" --as yamada -o no.bin --home jpn --json
jqeq "by the status rule" "$out" .rule access.status

# At KOR.
ksum=$(dbsum kor)
sed 's/^kind possible-loss/kind possible-compromise/' n1.note >forged.note
expect 1 "a forged notice is refused" $G incident import forged.note --home kor
expect 1 "a notice is for the originator only" $G incident import n1.note --home usa
eq "nothing changed at KOR" "$(dbsum kor)" "$ksum"
expect 0 "KOR imports the notice" $G incident import n1.note --home kor --json
jqeq "not late" "$out" .late false
expect 0 "importing it again is harmless" $G incident import n1.note --home kor --json
jqeq "already held" "$out" .already_held true

# The investigation and the results.
GSOMIA_NOW=2019-10-11T10:00:00+09:00 expect 0 "JPN starts the investigation" $G incident step "$inc" \
	--investigation "Registry and safe search under way" -o s1.note --home jpn
GSOMIA_NOW=2019-10-15T10:00:00+09:00 expect 0 "JPN sends the results and measures" $G incident step "$inc" \
	--result "Found misfiled in the registry; no compromise" --measures "Two-person inventory check" \
	--holding active -o s2.note --home jpn --json
jqeq "the holding is active again" "$out" .holding active
expect 2 "a result needs its measures" $G incident step "$inc" --result "x" -o x.note --home jpn
expect 2 "the originator does not investigate" $G incident step "$inc" --investigation "x" -o x.note --home kor
expect 1 "an unknown incident" $G incident step INC-JPN-0 --investigation "x" -o x.note --home jpn
ksum=$(dbsum kor)
expect 1 "steps are imported in order" $G incident import s2.note --home kor
eq "nothing changed at KOR" "$(dbsum kor)" "$ksum"
expect 0 "KOR imports the investigation step" $G incident import s1.note --home kor
expect 0 "KOR imports the results" $G incident import s2.note --home kor
expect 0 "KOR's list" $G incident list --home kor --json
jqeq "results sent" "$out" '.[0].state' results-sent
jqeq "three steps" "$out" '[.[0].steps[].step] | join(",")' notice,investigation,result
jqeq "the measures" "$out" '.[0].steps[2].measures' "Two-person inventory check"
jqeq "no deadline missed" "$out" '.[0].missed | length' 0
jqeq "investigation time-stamped" "$out" '.[0].investigation_started_at' 2019-10-11T01:00:00Z
jqeq "results time-stamped" "$out" '.[0].results_sent_at' 2019-10-15T01:00:00Z
expect 0 "the item can be opened again at JPN" $G open "$item1" --as yamada -o got.bin --home jpn
run $G ledger show --peer JPN --home kor --json
jqeq "KOR's log for JPN: three incident entries" "$out" '[.entries[] | select(.kind == "incident")] | length' 3
run $G ledger show --peer KOR --home jpn --json
jqeq "JPN's log for KOR: three incident entries" "$out" '[.entries[] | select(.kind == "incident")] | length' 3

# Survival: after the (counterfactual) termination nothing new is
# released, and a loss is still notified, late, and investigated.
export GSOMIA_NOW=2019-12-05T10:00:00+09:00
expect 1 "no release after termination" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles -o b3.bundle --home kor --json
jqeq "by the in-force rule" "$out" .rule release.in-force
expect 0 "JPN reports a confirmed loss after termination, three days late" $G incident report "$item2" \
	--kind confirmed-loss --detected 2019-12-02T09:00:00+09:00 --text "Courier pouch lost in transit" \
	-o n2.note --home jpn --json
inc2=$(printf '%s' "$out" | jq -r .incident)
jqeq "flagged late" "$out" .late true
jqeq "the holding is lost" "$out" .holding lost
has "late in the notice" "$(cat n2.note)" "late yes"
expect 0 "KOR still accepts the notice" $G incident import n2.note --home kor --json
jqeq "and sees it late" "$out" .late true
GSOMIA_NOW=2019-12-20T10:00:00+09:00 expect 0 "JPN sends the results after termination" $G incident step "$inc2" \
	--result "Pouch not recovered" --measures "Sealed double-wrapped pouches only" -o s3.note --home jpn
expect 0 "KOR imports them" $G incident import s3.note --home kor
expect 0 "KOR's list" $G incident list --home kor --json
jqeq "the late notification is shown as missed" "$out" "[.[] | select(.id == \"$inc2\")][0].missed[0]" notification
jqeq "with its deadline" "$out" "[.[] | select(.id == \"$inc2\")][0].notify_deadline" 2019-12-03T00:00:00Z
expect 0 "list as text" $G incident list --home kor
has "shows LATE" "$out" "LATE NOTIFICATION"
expect 0 "JPN's inventory" $G items show "$item2" --home jpn --json
jqeq "status lost" "$out" .status lost
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
