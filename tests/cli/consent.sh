#!/usr/bin/env bash
# The TISA route KOR -> USA -> JPN: KOR releases to the hub under
# US-KOR-1987; the hub passes the item on to JPN under US-JPN-2007 with
# --arrangement TISA-2014 only with KOR's signed consent, which JPN must
# hold too before it accepts the bundle. Refusals change nothing.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
$G party import "$EX/parties/USA.id" --home kor >/dev/null
$G party import "$EX/parties/JPN.id" --home kor >/dev/null
$G party import "$EX/parties/KOR.id" --home usa >/dev/null
$G party import "$EX/parties/JPN.id" --home usa >/dev/null
$G party import "$EX/parties/USA.id" --home jpn >/dev/null
$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home kor >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home jpn >/dev/null
for h in kor jpn usa; do $G agreement import "$EX/agreements/tisa-2014" --home $h >/dev/null; done
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-nuclear-missile-threats --facility ICHIGAYA --role reader --home jpn >/dev/null
head -c 150000 /dev/urandom >doc.bin
head -c 1000 /dev/urandom >other.bin
export GSOMIA_NOW=2023-05-01T10:00:00+09:00

# Leg 1: KOR -> USA under US-KOR-1987.
expect 0 "KOR releases a 군사II급비밀 item to the hub" $G release doc.bin --to USA --agreement US-KOR-1987 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-nuclear-missile-threats \
	--title "Launch assessment" -o k1.bundle --home kor --json
item=$(printf '%s' "$out" | jq -r .item)
expect 0 "USA receives it" $G receive k1.bundle --receipt k1.receipt --home usa --json
jqeq "marked SECRET at the hub" "$out" '.marking[0]' SECRET
jqeq "originator Republic of Korea" "$out" .originator "Republic of Korea"
# A second item outside the TISA topic gate.
expect 0 "KOR releases an item on another topic" $G release other.bin --to USA --agreement US-KOR-1987 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic pla-naval-movements -o k2.bundle --home kor --json
item2=$(printf '%s' "$out" | jq -r .item)
expect 0 "USA receives it" $G receive k2.bundle --home usa

# Leg 2 without consent: refused, nothing changes.
usum=$(dbsum usa)
expect 1 "leg 2 without KOR's consent is refused" $G release --item "$item" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 -o j1.bundle --home usa --json
jqeq "by the consent rule" "$out" .rule onward.consent
has "it says whose consent is missing" "$err" "holds no consent from KOR"
[ ! -e j1.bundle ] && ok "no bundle for a refusal" || bad "bundle written on refusal"
eq "the refusal changed nothing at USA" "$(dbsum usa)" "$usum"
expect 1 "the originator does not pass its own item on" $G release --item "$item" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 -o x.bundle --home kor
expect 2 "--item takes no FILE" $G release doc.bin --item "$item" --to JPN --agreement US-JPN-2007 -o x.bundle --home usa

# The hub asks; KOR grants for this item, JPN, this purpose, one month.
expect 0 "USA asks KOR for consent" $G consent request "$item" --for JPN --purpose defence-cooperation \
	--expires 2023-06-01T00:00:00+09:00 -o req.note --home usa --json
has "a signed request" "$(cat req.note)" "gsomia-consent-request/v1"
expect 1 "a holder cannot grant" $G consent grant req.note -o bad.note --home usa
expect 1 "JPN cannot answer a request addressed to KOR" $G consent grant req.note -o bad.note --home jpn
sed 's/^purpose defence-cooperation/purpose intelligence/' req.note >forged-req.note
ksum=$(dbsum kor)
expect 1 "a forged request is refused" $G consent grant forged-req.note -o bad.note --home kor
expect 2 "a consent needs an expiry" $G consent grant --item "$item" --to USA --third-party JPN \
	--purpose defence-cooperation -o bad.note --home kor
expect 2 "an option that contradicts the request" $G consent grant req.note --third-party CHN -o bad.note --home kor
eq "refusals changed nothing at KOR" "$(dbsum kor)" "$ksum"
[ ! -e bad.note ] && ok "no consent written for a refusal" || bad "note written"
expect 0 "KOR grants it" $G consent grant req.note -o consent.note --home kor --json
cid=$(printf '%s' "$out" | jq -r .id)
jqeq "granted" "$out" .decision granted
has "a signed consent note" "$(head -1 consent.note)" "gsomia-consent/v1"
has "naming the third party" "$(cat consent.note)" "third-party JPN"
has "and the expiry" "$(cat consent.note)" "expires 2023-05-31T15:00:00Z"
eq "its id is the SHA-256 of the note" "$(sha256sum consent.note | cut -c1-64)" "$cid"

# Leg 2 still refused until the hub holds the consent.
expect 1 "not yet imported at the hub: refused" $G release --item "$item" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 -o j1.bundle --home usa
sed 's/^expires 2023-05-31T15:00:00Z/expires 2024-05-31T15:00:00Z/' consent.note >forged.note
usum=$(dbsum usa)
expect 1 "a consent with a changed expiry is refused" $G consent import forged.note --home usa
has "the signature does not verify" "$err" "does not verify"
expect 1 "a consent signed by the hub itself is refused" $G consent import req.note --home usa
eq "nothing changed at USA" "$(dbsum usa)" "$usum"
expect 0 "USA imports KOR's consent" $G consent import consent.note --home usa --json
jqeq "verified and held" "$out" .already_held false
expect 0 "importing it again is harmless" $G consent import consent.note --home usa --json
jqeq "already held" "$out" .already_held true
expect 0 "consent list at USA" $G consent list --home usa --json
jqeq "the grant is valid now" "$out" '[.[] | select(.decision == "granted")][0].state' valid
jqeq "the request is listed" "$out" '[.[] | select(.decision == "requested")] | length' 1

# Topic gate: a consent does not open a route outside the arrangement's topics.
expect 0 "KOR grants for the other item too" $G consent grant --item "$item2" --to USA --third-party JPN \
	--purpose defence-cooperation --expires 2023-06-01T00:00:00+09:00 -o consent2.note --home kor
expect 0 "USA imports it" $G consent import consent2.note --home usa
usum=$(dbsum usa)
expect 1 "an item outside the TISA topic gate is refused" $G release --item "$item2" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 -o j2.bundle --home usa --json
jqeq "by the topic gate" "$out" .rule onward.topic-gate
eq "nothing changed" "$(dbsum usa)" "$usum"
expect 1 "an arrangement is not an agreement for the leg" $G release --item "$item" --to JPN --agreement TISA-2014 \
	-o j2.bundle --home usa --json
jqeq "by the arrangement rule" "$out" .rule release.arrangement

# Leg 2 with the consent.
expect 0 "leg 2 with KOR's consent" $G release --item "$item" --to JPN --agreement US-JPN-2007 \
	--arrangement TISA-2014 -o j1.bundle --home usa --json
jqeq "JPN will mark it 極秘 (US-JPN annex)" "$out" .banner_recipient 極秘
expect 0 "the onward bundle" $G bundle inspect j1.bundle --json
jqeq "originator stays KOR" "$out" .originator KOR
jqeq "sender is the hub" "$out" .sender USA
jqeq "under US-JPN-2007" "$out" .agreement US-JPN-2007
jqeq "names the consent" "$out" .consent "$cid"
jqeq "banner: the originator's label" "$out" .banner_originator 군사II급비밀
! grep -q "$(head -c 32 doc.bin | base64)" j1.bundle && ok "no plaintext in the bundle" || bad "plaintext in bundle"
[ -z "$(ls usa/objects | grep -v '\.bundle$')" ] && ok "no plaintext left in the hub's objects" || bad "stray files at the hub"
run $G ledger show --peer JPN --home usa --json
jqeq "the hub's log for JPN records the release" "$out" '[.entries[] | select(.kind == "release")] | length' 1
run $G ledger show --peer KOR --home usa --json
jqeq "and its log for KOR, request, consent and onward release" "$out" \
	'[.entries[].kind] | map(select(. != "party-import")) | join(",")' "receipt,receipt,consent-request,consent-grant,consent-grant,release"

# JPN accepts only with the consent held.
jsum=$(dbsum jpn)
expect 1 "JPN refuses it without the consent" $G receive j1.bundle --receipt j1.receipt --home jpn
has "saying it cannot verify the consent" "$err" "cannot verify it"
eq "nothing changed at JPN" "$(dbsum jpn)" "$jsum"
[ ! -e j1.receipt ] && ok "no receipt for a refusal" || bad "receipt written"
expect 1 "a request is not a consent" $G consent import req.note --home jpn
expect 0 "JPN imports KOR's consent" $G consent import consent.note --home jpn
expect 0 "JPN receives the onward bundle" $G receive j1.bundle --receipt j1.receipt --home jpn --json
jqeq "JPN's own marking" "$out" '.marking[0]' 極秘
jqeq "the true originator" "$out" .originator "Republic of Korea"
expect 0 "JPN's inventory" $G items --home jpn --json
jqeq "originator KOR" "$out" '.[0].originator' KOR
jqeq "released by the hub" "$out" '.[0].released_by' USA
jqeq "under US-JPN-2007" "$out" '.[0].agreement' US-JPN-2007
jqeq "original label kept" "$out" '.[0].label' 군사II급비밀
jqeq "the consent recorded" "$out" '.[0].consent' "$cid"
expect 0 "a cleared Japanese officer opens it" $G open "$item" --as yamada -o got.bin --home jpn
cmp -s doc.bin got.bin && ok "the document crossed both legs intact" || bad "document differs"
expect 0 "the hub imports JPN's receipt" $G receipt import j1.receipt --home usa
expect 0 "the hub's ledger verifies" $G ledger verify --home usa
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn

# Expiry: a consent valid for a day, used after it.
GSOMIA_NOW=2023-05-02T10:00:00+09:00 expect 0 "KOR grants a one-day consent for a third item" \
	$G consent grant --topic dprk-nuclear-missile-threats --to USA --third-party JPN --purpose training \
	--expires 2023-05-03T10:00:00+09:00 -o short.note --home kor
GSOMIA_NOW=2023-05-02T10:00:00+09:00 expect 0 "KOR releases the third item" $G release other.bin --to USA \
	--agreement US-KOR-1987 --classification 군사III급비밀 --purpose training --topic dprk-nuclear-missile-threats \
	-o k3.bundle --home kor --json
item3=$(printf '%s' "$out" | jq -r .item)
GSOMIA_NOW=2023-05-02T10:00:00+09:00 expect 0 "USA receives it" $G receive k3.bundle --home usa
expect 0 "USA imports the topic consent" $G consent import short.note --home usa
expect 0 "JPN imports the topic consent" $G consent import short.note --home jpn
GSOMIA_NOW=2023-05-02T12:00:00+09:00 expect 0 "within its validity the class consent allows leg 2" \
	$G release --item "$item3" --to JPN --agreement US-JPN-2007 --arrangement TISA-2014 -o j3.bundle --home usa
usum=$(dbsum usa)
GSOMIA_NOW=2023-05-04T10:00:00+09:00 expect 1 "after its expiry it is refused" \
	$G release --item "$item3" --to JPN --agreement US-JPN-2007 --arrangement TISA-2014 -o j4.bundle --home usa --json
jqeq "as expired" "$out" .rule onward.consent-expired
eq "nothing changed" "$(dbsum usa)" "$usum"
GSOMIA_NOW=2023-05-04T10:00:00+09:00 expect 0 "a bundle released while it was valid is still received" \
	$G receive j3.bundle --home jpn --json
jqeq "marked 秘" "$out" '.marking[0]' 秘
GSOMIA_NOW=2023-05-04T10:00:00+09:00 run $G consent list --home usa --json
jqeq "listed as expired" "$out" '[.[] | select(.decision == "granted" and .topic == "dprk-nuclear-missile-threats")][0].state' expired

# A refusal is recorded and never counts.
expect 0 "USA asks again for the other item" $G consent request "$item2" --for JPN --purpose defence-cooperation \
	-o req2.note --home usa
expect 0 "KOR refuses" $G consent refuse req2.note --text "Not for onward release" -o refusal.note --home kor --json
jqeq "refused" "$out" .decision refused
expect 0 "USA records the refusal" $G consent import refusal.note --home usa --json
jqeq "as a refusal" "$out" .decision refused
run $G ledger show --peer KOR --home usa --json
jqeq "the refusal is in the hub's log for KOR" "$out" '[.entries[] | select(.kind == "consent-refusal")] | length' 1
run $G ledger show --peer USA --home kor --json
jqeq "KOR's log for USA: grants and refusal" "$out" \
	'[.entries[] | select(.kind | startswith("consent"))] | map(.kind) | join(",")' \
	"consent-grant,consent-grant,consent-grant,consent-refusal"
finish
