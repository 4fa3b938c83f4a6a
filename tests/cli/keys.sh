#!/usr/bin/env bash
# Party keys change and get compromised (docs/keys.md): KOR rotates its
# keys; JPN imports the rotation note (signed by the old key and the new)
# and then the new identity; receipts, notes, bundles and checkpoints made
# before stay verifiable, new ones verify under the new key. A compromise
# of the old key since an instant flags what JPN received signed by it
# since then and refuses it; bad input (a rotation not signed by the old
# key, a compromise of an unknown key) changes nothing. Also: the
# recipient's choice among equivalent markings, a contractor's periodic
# inspection, and 'gsomia attention'.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example
for P in KOR JPN; do
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
head -c 3000 /dev/urandom >doc.bin
rel() { $G release doc.bin --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles -o "$1" --home kor --json | jq -r .item; }

# The recipient's choice among equivalent markings (Art 4).
export GSOMIA_NOW=2023-05-01T10:00:00+09:00
item0=$(rel b0.bundle)
jsum=$(dbsum jpn)
expect 1 "a marking that is not an equivalent is refused" $G receive b0.bundle --marking 秘 --home jpn
has "naming the candidates" "$err" "(特定秘密, 極秘)"
eq "nothing stored" "$(dbsum jpn)" "$jsum"
expect 0 "JPN marks it 極秘 instead of the default 特定秘密" $G receive b0.bundle --marking 極秘 --home jpn --json
jqeq "marked 極秘" "$out" '.marking[0]' 極秘
expect 0 "items shows it" $G items show "$item0" --home jpn --json
jqeq "the holding's marking" "$out" '.marking[0]' 極秘

# Before the rotation: an item, its receipt.
export GSOMIA_NOW=2023-05-10T10:00:00+09:00
item1=$(rel b1.bundle)
rel b1b.bundle >/dev/null
expect 0 "JPN receives the first item" $G receive b1.bundle --receipt r1.receipt --home jpn
expect 0 "KOR reclassifies item0 (signed by the key later reported compromised)" \
	$G reclassify notice "$item0" --to 군사III급비밀 -o rc-old.note --home kor

# KOR rotates its keys.
export GSOMIA_NOW=2023-06-01T10:00:00+09:00
old_fpr=$($G party show KOR --home kor --json | jq -r .fingerprint)
expect 0 "KOR rotates its keys" $G party rotate -o kor.rotation --home kor --json
new_fpr=$(printf '%s' "$out" | jq -r .new_fingerprint)
jqeq "from the old key" "$out" .old_fingerprint "$old_fpr"
has "a rotation note" "$(head -1 kor.rotation)" "gsomia-key-rotation/v1"
eq "signed twice: the old key and the new" "$(grep -c '^— gsomia-exercise/KOR ' kor.rotation)" 2
$G party export -o KOR2.id --home kor
expect 0 "KOR's own ledger still verifies" $G ledger verify --home kor
expect 0 "KOR still imports the receipt made before" $G receipt import r1.receipt --home kor

# Bad input at JPN changes nothing.
jsum=$(dbsum jpn)
expect 1 "the new identity before its rotation note" $G party import KOR2.id --home jpn
has "says to import the rotation first" "$err" "rotation note"
# a rotation note not signed by the old key: keep only the new key's line
grep -v "^— " kor.rotation >unsigned.rotation
tail -1 kor.rotation >>unsigned.rotation
expect 1 "a rotation note not signed by the old key" $G party import unsigned.rotation --home jpn
has "one line naming the old key" "$err" "not signed by KOR's old key"
sed 's/^effective 2023/effective 2022/' kor.rotation >forged.rotation
expect 1 "an altered rotation note" $G party import forged.rotation --home jpn
expect 1 "a compromise of an unknown key" $G party compromised KOR --since 2023-05-15 --key "0000 1111 2222 3333 4444 5555 6666 7777" --home jpn
has "unknown key" "$err" "unknown key"
expect 1 "a compromise of an unknown party" $G party compromised CHN --since 2023-05-15 --home jpn
eq "refusals changed nothing at JPN" "$(dbsum jpn)" "$jsum"

expect 0 "JPN imports the rotation note, then the new identity" $G party import kor.rotation KOR2.id --home jpn
has "the new fingerprint" "$out" "$new_fpr"
expect 0 "JPN's key history for KOR" $G party keys KOR --home jpn --json
jqeq "two keys" "$out" 'length' 2
jqeq "the new one current" "$out" '.[1].current' true

# After: old things still verify, new ones under the new key.
export GSOMIA_NOW=2023-06-02T10:00:00+09:00
item2=$(rel b2.bundle)
expect 0 "JPN receives an item signed by the new key" $G receive b2.bundle --receipt r2.receipt --home jpn
expect 0 "KOR imports its receipt" $G receipt import r2.receipt --home kor
expect 0 "the agreement's signatures and notes still verify at JPN" $G agreement status KOR-JPN-2016 --home jpn --json
jqeq "in force" "$out" .state in_force
expect 0 "the item of before the rotation still opens" $G open "$item1" --as yamada -o o1.bin --home jpn
expect 0 "the item of after opens" $G open "$item2" --as yamada -o o2.bin --home jpn
cmp -s o2.bin doc.bin && ok "its plaintext" || bad "wrong plaintext"
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor

# KOR's old key was compromised since 2023-05-05: JPN flags what came signed by it since.
expect 1 "KOR cannot declare its current key compromised" $G party compromised KOR --since 2023-06-01T12:00:00+09:00 \
	--home kor
has "says to rotate first" "$err" "rotate first"
expect 0 "KOR declares its old key compromised since 2023-05-05" $G party compromised KOR \
	--since 2023-05-05T00:00:00+09:00 --key "$old_fpr" --text "Key material copied" -o kor.compromise --home kor --json
expect 0 "JPN imports KOR's compromise note" $G party import kor.compromise --home jpn --json
jqeq "one item flagged" "$out" '.flagged_items | length' 1
jqeq "the one received from the old key after the compromise" "$out" '.flagged_items[0]' "$item1"
expect 0 "importing it again is harmless" $G party import kor.compromise --home jpn --json
jqeq "already held" "$out" .already_held true
expect 0 "items shows the flag" $G items show "$item1" --home jpn --json
jqeq "key_compromise" "$out" .key_compromise.fingerprint "$old_fpr"
jqeq "a custody event" "$out" '.custody[-1].event' key-compromise
expect 0 "items as text" $G items --home jpn
has "shows KEY COMPROMISED" "$out" "KEY COMPROMISED: signed by KOR's key $old_fpr"
expect 1 "a flagged item is refused" $G open "$item1" --as yamada -o no.bin --home jpn --json
jqeq "by key.compromised" "$out" .rule key.compromised
expect 0 "an item signed before the compromise is not flagged" $G items show "$item0" --home jpn --json
jqeq "no flag" "$out" '.key_compromise' null
expect 0 "the item signed by the new key still opens" $G open "$item2" --as yamada -o o3.bin --home jpn
run $G ledger show --peer KOR --home jpn --json
jqeq "the compromise in JPN's ledger" "$out" \
	'[.entries[] | select(.kind == "key-event" and .fields.event == "key-compromise")][0].fields["flagged-items"]' 1
# A bundle signed by the compromised key at an instant after the compromise is refused.
jsum=$(dbsum jpn)
expect 1 "a bundle signed by the old key after its compromise is refused" $G receive b1b.bundle --home jpn
has "naming the compromise" "$err" "reported compromised since"
eq "nothing changed at JPN" "$(dbsum jpn)" "$jsum"
# So is a reclassification notice signed by it after the compromise.
expect 1 "a notice signed by the old key after its compromise is refused" \
	$G reclassify apply rc-old.note --home jpn --json
jqeq "by reclassify.signature" "$out" .rule reclassify.signature
has "saying the key is not trusted" "$err" "is not trusted"
eq "nothing changed at JPN" "$(dbsum jpn)" "$jsum"

# Contractors' periodic inspections (Art 16(g)) and what needs attention.
$G facility add MHI --name "Contractor" --contractor --checklist abcdefghijklmno \
	--initial-inspection 2022-06-01T00:00:00+09:00 --home jpn >/dev/null
expect 1 "an inspection in the future" $G facility inspect MHI --at 2024-01-01 --home jpn
expect 1 "a government facility has no Art 16 inspection" $G facility inspect ICHIGAYA --home jpn
expect 0 "a periodic inspection is recorded" $G facility inspect MHI --at 2023-05-20T00:00:00+09:00 --home jpn
expect 0 "facility show" $G facility show MHI --home jpn --json
jqeq "the inspection" "$out" .periodic_inspection 2023-05-19T15:00:00Z
expect 0 "attention at KOR" $G attention --within 90d --home kor --json
jqeq "the notice deadline of 2023-08-24" "$out" '.counts["notice-deadline"]' 1
expect 0 "attention at JPN within 30 days" $G attention --home jpn --json
jqeq "nothing for notices yet" "$out" '.counts["notice-deadline"]' 0
expect 2 "a bad window" $G attention --within 30x --home jpn
finish
