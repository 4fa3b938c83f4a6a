#!/usr/bin/env bash
# "Would this be allowed?" gets exactly the answer the action gets at the
# same instant, over a table of cases (release, access, use for another
# purpose, onward release through the TISA hub); the originator's consents
# for access by a third country's national and for another purpose are
# applied end to end and shown with the item; allowing dual nationals
# never admits a third country.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
KJ=$EX/agreements/kor-jpn-2016
export GSOMIA_PASSPHRASE=example
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
for h in kor jpn usa; do
	for P in KOR JPN USA; do $G party import "$EX/parties/$P.id" --home $h >/dev/null 2>&1; done
done
$G agreement import "$EX/agreements/us-kor-1987" --home kor >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home jpn >/dev/null
for h in kor jpn usa; do $G agreement import "$EX/agreements/tisa-2014" --home $h >/dev/null; done

# A second KOR-JPN agreement that admits dual nationals of the parties,
# signed by both and in force from 2020-01-10.
sed -e 's/^id: KOR-JPN-2016/id: KOR-JPN-2020/' -e 's/^signed: 2016-11-23/signed: 2020-01-10/' \
	-e 's/^dual-nationals: refuse/dual-nationals: allow/' "$KJ/agreement.txt" >kj20.txt
for h in kor jpn; do
	$G agreement import kj20.txt --home $h >/dev/null
	$G agreement sign KOR-JPN-2020 --home $h -o $h.sig
done
$G agreement import jpn.sig --home kor >/dev/null
$G agreement import kor.sig --home jpn >/dev/null
$G agreement note domestic-procedures-complete --agreement KOR-JPN-2020 --to JPN \
	--delivered 2020-01-10T10:00:00+09:00 --home kor -o kd.note
$G agreement note domestic-procedures-complete --agreement KOR-JPN-2020 --to KOR \
	--delivered 2020-01-10T11:00:00+09:00 --home jpn -o jd.note
$G agreement import jd.note --home kor >/dev/null
$G agreement import kd.note --home jpn >/dev/null
run $G agreement status KOR-JPN-2020 --home jpn --at 2023-05-01 --json
jqeq "the dual-nationals agreement is in force" "$out" .state in_force

$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
TOPIC=dprk-nuclear-missile-threats
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:$TOPIC --facility ICHIGAYA --role reader --home jpn >/dev/null
$G person add smith --name "Ken Smith" --nationality JPN --nationality USA --employer JPN --psc 特定秘密 \
	--duty topic:$TOPIC --facility ICHIGAYA --role reader --home jpn >/dev/null
$G person add kimura --name 木村 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty purpose:training --facility ICHIGAYA --role reader --home jpn >/dev/null
head -c 5000 /dev/urandom >doc.bin
export GSOMIA_NOW=2023-05-01T10:00:00+09:00

# same WHAT RULE QUESTION... -- ACTION...: gsomia decide QUESTION and the
# ACTION, at the same instant, give the same decision and rule (RULE).
same() {
	local what=$1 want=$2 q=() qd qr
	shift 2
	while [ "$1" != -- ]; do q+=("$1"); shift; done
	shift
	run $G decide "${q[@]}" --json
	qd=$(printf '%s' "$out" | jq -r .decision)
	qr=$(printf '%s' "$out" | jq -r .rule)
	eq "$what: asked, $want" "$qr" "$want"
	run "$@" --json
	eq "$what: acting, the same answer" "$(printf '%s' "$out" | jq -r '.decision + " " + .rule')" "$qd $qr"
}

# ---- release, at the originator ----
same "grade I is never released" release.never \
	release --agreement KOR-JPN-2020 --to JPN --classification 군사I급비밀 --purpose defence-cooperation \
	--topic $TOPIC --home kor -- \
	$G release doc.bin --to JPN --agreement KOR-JPN-2020 --classification 군사I급비밀 \
	--purpose defence-cooperation --topic $TOPIC -o never.bundle --home kor
same "grade II is released" release.permit \
	release --agreement KOR-JPN-2020 --to JPN --classification 군사II급비밀 --purpose defence-cooperation \
	--topic $TOPIC --home kor -- \
	$G release doc.bin --to JPN --agreement KOR-JPN-2020 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic $TOPIC --title "Launch assessment" -o a.bundle --home kor
item=$(printf '%s' "$out" | jq -r .item)
expect 0 "JPN receives it" $G receive a.bundle --home jpn
same "before the agreement is in force" release.in-force \
	release --agreement KOR-JPN-2020 --to JPN --classification 군사II급비밀 --purpose defence-cooperation \
	--topic $TOPIC --at 2020-01-09T12:00:00+09:00 --home kor -- \
	env GSOMIA_NOW=2020-01-09T12:00:00+09:00 $G release doc.bin --to JPN --agreement KOR-JPN-2020 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic $TOPIC -o early.bundle --home kor

# ---- access at the holder: dual nationals and the third country ----
same "a cleared Japanese officer" access.permit \
	access --person yamada --item "$item" --home jpn -- $G open "$item" --as yamada -o y.bin --home jpn
jsum=$(dbsum jpn)
same "a JPN+USA dual national, dual nationals allowed" access.third-country \
	access --person smith --item "$item" --home jpn -- $G open "$item" --as smith -o s.bin --home jpn
has "saying why" "$err" "Ken Smith is a national of USA, a third country, and holds no consent from the originator"
[ ! -e s.bin ] && ok "nothing decrypted for the refusal" || bad "s.bin written"
expect 0 "KOR consents to access by a USA national at JPN" $G consent grant --kind access --item "$item" --to JPN \
	--third-party USA --purpose defence-cooperation --expires 2023-06-01T00:00:00+09:00 -o access.note --home kor
expect 0 "JPN imports the access consent" $G consent import access.note --home jpn
same "with the originator's consent for that nationality" access.permit \
	access --person smith --item "$item" --home jpn -- $G open "$item" --as smith -o s.bin --home jpn
cmp -s doc.bin s.bin && ok "the document opens" || bad "document differs"
GSOMIA_NOW=2023-06-02T10:00:00+09:00 same "after the consent expires" access.consent-expired \
	access --person smith --item "$item" --home jpn -- $G open "$item" --as smith -o s2.bin --home jpn

# ---- use for another purpose (Art 5) ----
same "a purpose the item was not released for" use.purpose-consent \
	access --person kimura --item "$item" --purpose training --home jpn -- \
	$G open "$item" --as kimura --purpose training -o k.bin --home jpn
has "saying whose consent is missing" "$err" "JPN holds no consent from KOR for that purpose"
expect 0 "KOR consents to its use for training" $G consent grant --kind use --item "$item" --to JPN \
	--purpose training --expires 2023-06-01T00:00:00+09:00 -o use.note --home kor
expect 0 "JPN imports the use consent" $G consent import use.note --home jpn
same "with the use consent" access.permit \
	access --person kimura --item "$item" --purpose training --home jpn -- \
	$G open "$item" --as kimura --purpose training -o k.bin --home jpn
has "the reason names the consent" "$(printf '%s' "$out" | jq -r .reason)" "for 'training' (by the originator's consent)"
same "opened for the purpose released for, a training duty is no need-to-know" access.need-to-know \
	access --person kimura --item "$item" --home jpn -- $G open "$item" --as kimura -o k2.bin --home jpn
GSOMIA_NOW=2023-06-02T10:00:00+09:00 same "the use consent expired" use.purpose-consent-expired \
	access --person kimura --item "$item" --purpose training --home jpn -- \
	$G open "$item" --as kimura --purpose training -o k3.bin --home jpn
run $G ledger show --peer KOR --home jpn --json
jqeq "an opening for another purpose is logged with it" "$out" \
	'[.entries[] | select(.kind == "access-grant" and .fields.purpose == "training")] | length' 1

# ---- the consents are shown with the item ----
expect 0 "items show" $G items show "$item" --home jpn --json
jqeq "both consents are listed" "$out" '[.consents[].kind] | sort | join(",")' "access,use"
jqeq "the access consent names the nationality" "$out" '.consents[] | select(.kind == "access") | .third_party' USA
jqeq "with its state now" "$out" '.consents[] | select(.kind == "use") | .state' valid
expect 0 "items show, text" $G items show "$item" --home jpn
has "a line per consent" "$out" "access granted by KOR to JPN, third party USA for 'defence-cooperation', valid"

# ---- onward release at the hub (TISA) ----
expect 0 "KOR releases an item to the hub" $G release doc.bin --to USA --agreement US-KOR-1987 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic $TOPIC -o b.bundle --home kor --json
item2=$(printf '%s' "$out" | jq -r .item)
expect 0 "USA receives it" $G receive b.bundle --home usa
LEG=(--to JPN --agreement US-JPN-2007 --arrangement TISA-2014)
same "leg 2 without KOR's consent" onward.consent \
	onward --item "$item2" "${LEG[@]}" --home usa -- $G release --item "$item2" "${LEG[@]}" -o j0.bundle --home usa
expect 0 "KOR consents to the onward leg" $G consent grant --item "$item2" --to USA --third-party JPN \
	--purpose defence-cooperation --expires 2023-06-01T00:00:00+09:00 -o onward.note --home kor
expect 0 "the hub imports it" $G consent import onward.note --home usa
same "leg 2 with KOR's consent" release.permit \
	onward --item "$item2" "${LEG[@]}" --home usa -- $G release --item "$item2" "${LEG[@]}" -o j1.bundle --home usa
GSOMIA_NOW=2023-06-02T10:00:00+09:00 same "leg 2 after the consent expired" onward.consent-expired \
	onward --item "$item2" "${LEG[@]}" --home usa -- $G release --item "$item2" "${LEG[@]}" -o j2.bundle --home usa
expect 2 "onward --item needs the leg's agreement, as the action does" $G decide onward --item "$item2" --to JPN --home usa
unset GSOMIA_NOW
finish
