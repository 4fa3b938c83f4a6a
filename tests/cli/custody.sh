#!/usr/bin/env bash
# Issue 3's story end to end: KOR releases a SECRET item to JPN (bundle
# carried by hand), JPN receives and marks it, a cleared officer opens it,
# an uncleared officer and a Korean national are refused, the receipt goes
# back, and both ledgers prove each side. Then damaged bundles and receipts.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
$G party import "$EX/parties/JPN.id" --home kor >/dev/null
$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
$G person add sato --name 佐藤一郎 --nationality JPN --employer JPN --duty topic:dprk-missiles \
	--facility ICHIGAYA --home jpn >/dev/null
$G person add kim --name 김민수 --nationality KOR --employer KOR --psc 군사II급비밀 \
	--duty topic:dprk-missiles --facility ICHIGAYA --home jpn >/dev/null
head -c 200000 /dev/urandom >doc.bin
export GSOMIA_NOW=2023-05-01T10:00:00+09:00

expect 0 "KOR releases a SECRET item to JPN" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles \
	--title "Launch assessment" -o b1.bundle --home kor --json
item=$(printf '%s' "$out" | jq -r .item)
jqeq "the banner says how JPN will mark it" "$out" .banner_recipient 特定秘密
expect 0 "bundle inspect needs no keys" $G bundle inspect b1.bundle --json
jqeq "manifest: originator" "$out" .originator KOR
jqeq "manifest: banner in the originator's scheme" "$out" .banner_originator 군사II급비밀
jqeq "manifest: not verified by inspect" "$out" .verified false
expect 0 "bundle inspect text shows the banner" $G bundle inspect b1.bundle
has "banner top" "$(echo "$out" | head -1)" "군사II급비밀 // 特定秘密"
has "banner bottom" "$(echo "$out" | tail -1)" "군사II급비밀 // 特定秘密"
! grep -q "$(head -c 32 doc.bin | base64)" b1.bundle && ok "the bundle does not hold the plaintext" || bad "plaintext in bundle"

# Damaged bundles, through the command line: a sample of the first line,
# a sample of the manifest, the age header and the payload (test_bundle
# flips every byte of a bundle's header and manifest in process); each is
# refused and nothing changes at JPN.
sum=$(dbsum jpn)
hdr=$(head -1 b1.bundle | wc -c)
mlen=$(head -1 b1.bundle | awk '{print $2}')
size=$(stat -c %s b1.bundle)
flipped=0
refused=0
for off in $(seq 0 3 $((hdr - 1))) $(seq $hdr 53 $((hdr + mlen - 1))) $(seq $((hdr + mlen)) 59 $((hdr + mlen + 200))) $(seq $((hdr + mlen + 300)) 4099 $((size - 1))) $((size - 1)); do
	cp b1.bundle bad.bundle
	flip_byte bad.bundle $off
	flipped=$((flipped + 1))
	if ! $G receive bad.bundle --receipt bad.receipt --home jpn >/dev/null 2>&1; then refused=$((refused + 1)); fi
done
eq "every flipped byte is refused ($flipped tried)" "$refused" "$flipped"
head -c $((size - 100)) b1.bundle >trunc.bundle
expect 1 "a truncated bundle is refused" $G receive trunc.bundle --home jpn
eq "damaged bundles changed nothing" "$(dbsum jpn)" "$sum"
[ ! -e bad.receipt ] && ok "no receipt for a damaged bundle" || bad "receipt written"
expect 1 "a node that is not the recipient refuses it" $G receive b1.bundle --home usa
has "it says so" "$err" "unknown party"

expect 0 "JPN receives it" $G receive b1.bundle --receipt r1.receipt --home jpn --json
jqeq "marked with JPN's own equivalent" "$out" '.marking[0]' 特定秘密
jqeq "and the originating party's name" "$out" .originator "Republic of Korea"
expect 0 "receiving it again holds it once" $G receive b1.bundle --home jpn --json
jqeq "already held" "$out" .already_held true
expect 0 "items at JPN" $G items --home jpn --json
jqeq "one holding" "$out" length 1
jqeq "originator KOR" "$out" '.[0].originator' KOR
jqeq "status active" "$out" '.[0].status' active
jqeq "custody: received" "$out" '.[0].custody[0].event' received
[ -z "$(ls jpn/objects | grep -v bundle)" ] && ok "only the bundle (ciphertext) is stored" || bad "other files in objects"
! grep -rqa "$(head -c 24 doc.bin | od -An -tx1 | tr -d ' \n')" jpn/gsomia.db && ok "no plaintext in the database" || bad "plaintext in db"

expect 0 "a cleared Japanese officer opens it" $G open "$item" --as yamada -o got.bin --home jpn --json
cmp -s doc.bin got.bin && ok "the document comes out intact" || bad "document differs"
expect 1 "an uncleared officer is refused" $G open "$item" --as sato -o no1.bin --home jpn --json
jqeq "with the reason" "$out" .rule access.psc-none
expect 1 "a Korean national is refused" $G open "$item" --as kim -o no2.bin --home jpn --json
jqeq "with the reason" "$out" .rule access.nationality
[ ! -e no1.bin ] && [ ! -e no2.bin ] && ok "refusals write nothing" || bad "file written on refusal"
expect 1 "an unknown person" $G open "$item" --as nobody -o no3.bin --home jpn
expect 1 "an unknown item" $G open KOR-0000 --as yamada -o no4.bin --home jpn

run $G ledger show --peer KOR --home jpn --json
jqeq "JPN's log for KOR: grant and refusals recorded" "$out" '[.entries[].kind] | join(",")' \
	"party-import,receipt,access-grant,access-refusal,access-refusal"

# The receipt goes back to KOR.
sed 's/^received /received 1/' r1.receipt >forged.receipt
expect 1 "a forged receipt is refused" $G receipt import forged.receipt --home kor
expect 1 "a receipt for another node is refused" $G receipt import r1.receipt --home usa
expect 0 "KOR imports the receipt" $G receipt import r1.receipt --home kor
expect 0 "importing it again is harmless" $G receipt import r1.receipt --home kor
expect 0 "KOR's inventory" $G items --home kor --json
jqeq "the release has its receipt" "$out" '.[0].releases[0].receipt' true
jqeq "custody: released then receipt" "$out" '[.[0].custody[].event] | join(",")' "released,receipt"

# Each side proves its side of the exchange, to anyone holding its identity.
$G party export --home kor -o kor.id
$G party export --home jpn -o jpn.id
run $G ledger show --peer JPN --home kor --json
ri=$(printf '%s' "$out" | jq '[.entries[] | select(.kind == "release")][0].index')
expect 0 "KOR proves its release entry" $G ledger prove "$ri" --peer JPN --home kor -o release.proof
expect 0 "anyone verifies KOR's proof with KOR's identity" $G ledger verify-proof release.proof --identity kor.id --json
expect 1 "KOR's proof does not verify as JPN's" $G ledger verify-proof release.proof --identity jpn.id
run $G ledger show --peer KOR --home jpn --json
ci=$(printf '%s' "$out" | jq '[.entries[] | select(.kind == "receipt")][0].index')
expect 0 "JPN proves its receipt entry" $G ledger prove "$ci" --peer KOR --home jpn -o receipt.proof
expect 0 "anyone verifies JPN's proof with JPN's identity" $G ledger verify-proof receipt.proof --identity jpn.id --json
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn

# The stock age tool decrypts the payload with the exported identity.
expect 0 "export the age identity" $G key export-age-identity -o jpn.agekey --home jpn
eq "the identity file is private" "$(stat -c %a jpn.agekey)" 600
tail -c +$((hdr + mlen + 1)) b1.bundle >payload.age
if age -d -i jpn.agekey -o payload.out payload.age 2>age.err; then
	ok "age -d decrypts the payload"
	# The plaintext is the inner signed header followed by the document.
	cmp -s <(tail -c 200000 payload.out) doc.bin && ok "the document follows the inner header" || bad "age plaintext differs"
else
	bad "age -d decrypts the payload" "$(cat age.err)"
fi

# After the termination of an agreement nothing new is released, and what
# was released stays protected.
GSOMIA_NOW=2019-11-23T00:00:00+09:00 expect 0 "a release after the suspension (2019-11-23T00:00)" $G release doc.bin --to JPN \
	--agreement KOR-JPN-2016 --classification 군사III급비밀 --purpose defence-cooperation --topic dprk-missiles -o b2.bundle --home kor
GSOMIA_NOW=2018-01-01T00:00:00+09:00 expect 1 "grade I is never released" $G release doc.bin --to JPN \
	--agreement KOR-JPN-2016 --classification 군사I급비밀 --purpose defence-cooperation --topic dprk-missiles -o b3.bundle --home kor --json
jqeq "by the never rule" "$out" .rule release.never
[ ! -e b3.bundle ] && ok "no bundle for a refusal" || bad "bundle written on refusal"
expect 2 "release needs its options" $G release doc.bin --to JPN --home kor
expect 1 "release of a missing file" $G release nofile --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose p --topic t -o x.bundle --home kor
GSOMIA_PASSPHRASE=wrong expect 1 "a wrong passphrase releases nothing" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose p --topic t -o x.bundle --home kor
finish
