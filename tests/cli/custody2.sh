#!/usr/bin/env bash
# The rest of the custody chain (docs/rules.md): JPN copies and
# translates an item KOR released to it, KOR reclassifies it and JPN applies
# the notice to the item, its copies and its translation, then JPN destroys
# everything (key first, then the ciphertext) and returns a second item.
# Every refusal exits 1, says why, and changes nothing.
. "$(dirname "$0")/lib.sh"
kor_jpn_homes
$G person add sato --name 佐藤一郎 --nationality JPN --employer JPN --duty topic:dprk-missiles \
	--facility ICHIGAYA --home jpn >/dev/null
$G person add tanaka --name 田中次郎 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-missiles --facility ICHIGAYA --role translator --home jpn >/dev/null
$G person add kato --name 加藤三郎 --nationality JPN --employer JPN --facility ICHIGAYA --role registry --home jpn >/dev/null
head -c 100000 /dev/urandom >doc.bin
printf 'ミサイル発射評価（翻訳）\n' >trans.txt
export GSOMIA_NOW=2023-05-01T10:00:00+09:00

expect 0 "KOR releases a SECRET item" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles \
	--title "Launch assessment" -o b1.bundle --home kor --json
item=$(printf '%s' "$out" | jq -r .item)
expect 0 "JPN receives it" $G receive b1.bundle --receipt r1.receipt --home jpn
bundle=$(jq -r .bundle <<<"$($G items show "$item" --json --home jpn)")

# Reproduction (Art 14).
expect 0 "a cleared officer copies it" $G copy "$item" --by yamada --home jpn --json
jqeq "the copy is ITEM-c1" "$out" '.items[0]' "$item-c1"
n=$($G items --home jpn --json | jq length)
expect 1 "an uncleared officer may not copy it" $G copy "$item" --by sato --home jpn --json
jqeq "by the access rule" "$out" .rule access.psc-none
has "with a reason" "$err" "refused"
eq "no copy made" "$($G items --home jpn --json | jq length)" "$n"
expect 1 "an unknown person copies nothing" $G copy "$item" --by nobody --home jpn
expect 2 "copy needs --by" $G copy "$item" --home jpn
expect 2 "a silly count" $G copy "$item" --by yamada --count 0 --home jpn
expect 0 "two more copies at once" $G copy "$item" --by yamada --count 2 --facility ICHIGAYA --home jpn --json
jqeq "numbered on" "$out" '.items | join(",")' "$item-c2,$item-c3"
expect 0 "the inventory" $G items --home jpn --json
jqeq "the original counts its copies" "$out" ".[] | select(.id == \"$item\") | .copies" 3
jqeq "a copy is linked to its original" "$out" ".[] | select(.id == \"$item-c1\") | .copy_of" "$item"
jqeq "and keeps the markings" "$out" ".[] | select(.id == \"$item-c1\") | .marking | join(\",\")" 特定秘密
jqeq "and the originator" "$out" ".[] | select(.id == \"$item-c1\") | .originator" KOR
jqeq "and shares the ciphertext" "$out" ".[] | select(.id == \"$item-c1\") | .bundle" "$bundle"
jqeq "custody of the original" "$out" ".[] | select(.id == \"$item\") | [.custody[].event] | join(\",\")" \
	"received,copied,copied,copied"
expect 0 "a copy opens for a cleared officer" $G open "$item-c1" --as yamada -o c1.bin --home jpn
cmp -s doc.bin c1.bin && ok "the copy is the document" || bad "copy differs"
expect 1 "and not for an uncleared one" $G open "$item-c1" --as sato -o no.bin --home jpn

# Translation (Art 15).
n=$($G items --home jpn --json | jq length)
expect 1 "a cleared officer who is not a translator may not translate" $G translate "$item" --by yamada \
	--language ja --file trans.txt --home jpn --json
jqeq "by the translator rule" "$out" .rule translate.role
has "citing Art 15" "$err" "Art 15"
eq "no translation made" "$($G items --home jpn --json | jq length)" "$n"
expect 1 "an uncleared person may not translate" $G translate "$item" --by sato --language ja --file trans.txt --home jpn --json
jqeq "by the access rule" "$out" .rule access.psc-none
expect 1 "the originator's own translations are not Art 15's" $G translate "$item" --by nobody --language ja \
	--file trans.txt --home kor --json
jqeq "translate.originator" "$out" .rule translate.originator
expect 2 "translate needs its options" $G translate "$item" --by tanaka --home jpn
expect 0 "a cleared translator translates into Japanese" $G translate "$item" --by tanaka --language ja \
	--file trans.txt --home jpn --json
jqeq "the translation is ITEM-t1" "$out" .item "$item-t1"
jqeq "with the note in Japanese" "$out" .translation_note "この翻訳には大韓民国の秘密軍事情報が含まれている"
expect 0 "the translation in the inventory" $G items show "$item-t1" --home jpn --json
jqeq "linked to its original" "$out" .translation_of "$item"
jqeq "same markings" "$out" '.marking | join(",")' 特定秘密
jqeq "same originator" "$out" .originator KOR
jqeq "the language" "$out" .language ja
jqeq "the note stored" "$out" .translation_note "この翻訳には大韓民国の秘密軍事情報が含まれている"
tbundle=$(printf '%s' "$out" | jq -r .bundle)
[ -f "jpn/objects/$tbundle.bundle" ] && ok "the translation is sealed under objects/" || bad "no translation object"
! grep -q "ミサイル" "jpn/objects/$tbundle.bundle" && ok "and only its ciphertext is stored" || bad "plaintext translation stored"
expect 0 "the translation opens for a cleared officer" $G open "$item-t1" --as yamada -o t1.txt --home jpn
cmp -s trans.txt t1.txt && ok "the translation comes out intact" || bad "translation differs"
expect 0 "a translation into Korean" $G translate "$item" --by tanaka --language ko --file trans.txt --home jpn --json
jqeq "says so in Korean" "$out" .translation_note "이 번역물에는 대한민국의 군사비밀정보가 포함되어 있다"
expect 0 "into French (the English note)" $G translate "$item" --by tanaka --language fr --file trans.txt --home jpn --json
jqeq "in English" "$out" .translation_note "This translation contains classified military information of the Republic of Korea"
expect 0 "the inventory again" $G items --home jpn --json
jqeq "copies and translations count against the original" "$out" ".[] | select(.id == \"$item\") | .copies" 6

# Reclassification (Art 6(g)): only the originator, by a signed notice.
expect 1 "JPN cannot reclassify KOR's item" $G reclassify notice "$item" --to 秘 -o x.note --home jpn --json
jqeq "originator only" "$out" .rule reclassify.originator-only
[ ! -e x.note ] && ok "no notice written" || bad "notice written"
expect 1 "KOR cannot move it to grade I (never releasable)" $G reclassify notice "$item" --to 군사I급비밀 -o x.note --home kor --json
jqeq "by the annex" "$out" .rule marking.never
expect 1 "nor to a label outside its scheme" $G reclassify notice "$item" --to 秘 -o x.note --home kor --json
jqeq "by the label rule" "$out" .rule reclassify.label
expect 0 "KOR downgrades it to grade III" $G reclassify notice "$item" --to 군사III급비밀 -o n1.note --home kor --json
head -1 n1.note | grep -qx "gsomia-reclassification/v1" && ok "the notice format" || bad "notice format"
grep -q "^label 군사III급비밀$" n1.note && grep -q "^previous 군사II급비밀$" n1.note && ok "names the labels" || bad "labels"
grep -q "^— gsomia-exercise/KOR " n1.note && ok "signed by KOR" || bad "not signed"
expect 0 "KOR's own record" $G items show "$item" --home kor --json
jqeq "is reclassified" "$out" .label 군사III급비밀
jqeq "custody: reclassified" "$out" '.custody[-1].event' reclassified
run $G ledger show --peer JPN --home kor --json
jqeq "logged for JPN" "$out" '[.entries[].kind] | last' reclassification

sum=$(dbsum jpn)
sed 's/^label 군사III급비밀$/label 군사II급비밀/' n1.note >forged.note
expect 1 "a forged notice is refused" $G reclassify apply forged.note --home jpn --json
jqeq "by its signature" "$out" .rule reclassify.signature
has "saying so" "$err" "does not verify"
jpnsig=$(tail -1 r1.receipt)
{ sed -n '1,/^$/p' n1.note; echo "$jpnsig"; } >jpnsigned.note
expect 1 "a notice signed by another party is refused" $G reclassify apply jpnsigned.note --home jpn --json
jqeq "by its signature" "$out" .rule reclassify.signature
has "not signed by the originator" "$err" "not signed by KOR"
{ sed -n '1,/^$/p' n1.note | sed 's/^originator KOR$/originator JPN/'; echo "$jpnsig"; } >jpnorig.note
expect 1 "a notice claiming another originator is refused" $G reclassify apply jpnorig.note --home jpn --json
jqeq "by its signature" "$out" .rule reclassify.signature
printf 'not a note\n' >junk.note
expect 1 "junk is refused" $G reclassify apply junk.note --home jpn
expect 1 "the originator does not apply its own notice" $G reclassify apply n1.note --home kor --json
jqeq "it already did" "$out" .rule reclassify.originator-only
eq "refused notices changed nothing" "$(dbsum jpn)" "$sum"

GSOMIA_NOW=2023-05-01T09:00:00+09:00 expect 1 "a notice from the future is refused" $G reclassify apply n1.note --home jpn --json
jqeq "by its instant" "$out" .rule reclassify.instant
expect 0 "JPN applies KOR's notice" $G reclassify apply n1.note --home jpn --json
jqeq "marked 秘" "$out" .marking 秘
jqeq "on the item, its copies and its translations" "$out" '.applied_to | length' 7
expect 0 "the inventory after the notice" $G items --home jpn --json
jqeq "the item is 秘" "$out" ".[] | select(.id == \"$item\") | .marking | join(\",\")" 秘
jqeq "its originator's label" "$out" ".[] | select(.id == \"$item\") | .label" 군사III급비밀
jqeq "the copy is 秘" "$out" ".[] | select(.id == \"$item-c1\") | .marking | join(\",\")" 秘
jqeq "the translation is 秘" "$out" ".[] | select(.id == \"$item-t1\") | .marking | join(\",\")" 秘
jqeq "every one of them" "$out" "[.[] | select(.marking == [\"秘\"])] | length" 7
jqeq "custody: reclassified by KOR" "$out" ".[] | select(.id == \"$item-t1\") | .custody[-1] | [.event, .actor] | join(\" \")" "reclassified KOR"
sum=$(dbsum jpn)
expect 0 "applying it again changes nothing" $G reclassify apply n1.note --home jpn --json
jqeq "already applied" "$out" .already_applied true
eq "nothing changed" "$(dbsum jpn)" "$sum"
run $G ledger show --peer KOR --home jpn --json
jqeq "JPN's log for KOR has the custody chain" "$out" \
	'[.entries[].kind] | map(select(. == "copy" or . == "translation" or . == "reclassification")) | unique | join(",")' \
	"copy,reclassification,translation"

# Destruction (Art 6(h), 13): the key first, then the ciphertext.
sum=$(dbsum jpn)
expect 1 "the original goes only after its copies" $G destroy "$item" --by kato --method shredding --witness yamada --home jpn --json
jqeq "custody.copies" "$out" .rule custody.copies
has "naming them" "$err" "$item-c1"
expect 1 "no one witnesses their own destruction" $G destroy "$item-c1" --by kato --method shredding --witness kato --home jpn --json
jqeq "custody.witness" "$out" .rule custody.witness
expect 1 "an unknown witness" $G destroy "$item-c1" --by kato --method shredding --witness nobody --home jpn
expect 2 "a destruction needs its witness" $G destroy "$item-c1" --by kato --method shredding --home jpn
expect 2 "and its method" $G destroy "$item-c1" --by kato --witness yamada --home jpn
eq "refusals changed nothing" "$(dbsum jpn)" "$sum"
expect 0 "a copy is destroyed" $G destroy "$item-c1" --by kato --method shredding --witness yamada --home jpn --json
jqeq "the key is destroyed" "$out" .key destroyed
jqeq "the shared ciphertext stays" "$out" .ciphertext "kept (shared)"
[ -f "jpn/objects/$bundle.bundle" ] && ok "the original's object is still there" || bad "shared object removed"
eq "the copy's key is NULL" "$(dbq jpn "SELECT file_key IS NULL FROM items WHERE id = '$item-c1'")" 1
expect 0 "the original still opens" $G open "$item" --as yamada -o again.bin --home jpn
expect 1 "the destroyed copy does not" $G open "$item-c1" --as yamada -o no.bin --home jpn --json
jqeq "access.status" "$out" .rule access.status
for c in c2 c3 t1 t2 t3; do
	run $G destroy "$item-$c" --by kato --method "shredding" --witness yamada --home jpn
	[ "$rc" = 0 ] || bad "destroy $item-$c" "$err"
done
[ ! -f "jpn/objects/$tbundle.bundle" ] && ok "a translation's own object is removed" || bad "translation object left"
expect 0 "then the original is destroyed" $G destroy "$item" --by kato --method "shredding and burning" --witness yamada --home jpn --json
jqeq "its ciphertext removed" "$out" .ciphertext removed
[ ! -e "jpn/objects/$bundle.bundle" ] && ok "the object file is gone" || bad "object still there"
eq "the key is NULL" "$(dbq jpn "SELECT file_key IS NULL FROM items WHERE id = '$item'")" 1
eq "no key is left for the family" "$(dbq jpn "SELECT count(*) FROM items WHERE id LIKE '$item%' AND file_key IS NOT NULL")" 0
expect 0 "the record says who, when, how and the witness" $G items show "$item" --home jpn --json
jqeq "status" "$out" .status destroyed
jqeq "who" "$out" .disposal.by kato
jqeq "how" "$out" .disposal.method "shredding and burning"
jqeq "witness" "$out" .disposal.witness yamada
jqeq "when" "$out" .disposal.at 2023-05-01T01:00:00Z
jqeq "custody: destroyed" "$out" '.custody[-1] | [.event, .actor, .detail] | join("|")' \
	"destroyed|kato|method shredding and burning; witness yamada"
expect 1 "opening it is refused" $G open "$item" --as yamada -o no.bin --home jpn --json
jqeq "access.status" "$out" .rule access.status
sum=$(dbsum jpn)
expect 1 "copying it is refused" $G copy "$item" --by yamada --home jpn --json
jqeq "custody.status" "$out" .rule custody.status
has "saying it was destroyed" "$err" "was destroyed"
expect 1 "translating it is refused" $G translate "$item" --by tanaka --language ja --file trans.txt --home jpn --json
jqeq "custody.status" "$out" .rule custody.status
expect 1 "destroying it again is refused" $G destroy "$item" --by kato --method shredding --witness yamada --home jpn --json
jqeq "custody.status" "$out" .rule custody.status
expect 1 "returning it is refused" $G return "$item" --by kato --home jpn --json
jqeq "custody.status" "$out" .rule custody.status
expect 0 "KOR reclassifies again" $G reclassify notice "$item" --to 군사II급비밀 -o n2.note --home kor
GSOMIA_NOW=2023-05-01T10:00:01+09:00 expect 1 "a notice for a destroyed item is refused" $G reclassify apply n2.note --home jpn --json
jqeq "custody.status" "$out" .rule custody.status
eq "the refusals changed nothing" "$(dbsum jpn)" "$sum"
[ ! -e no.bin ] && ok "nothing decrypted" || bad "file written"

# Return (Art 6(h)).
expect 0 "KOR releases a second item" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사III급비밀 --purpose defence-cooperation --topic dprk-missiles -o b2.bundle --home kor --json
item2=$(printf '%s' "$out" | jq -r .item)
expect 0 "JPN receives it" $G receive b2.bundle --receipt r2.receipt --home jpn
bundle2=$(jq -r .bundle <<<"$($G items show "$item2" --json --home jpn)")
expect 1 "KOR has no one to return its own item to" $G return "$item2" --by nobody --home kor --json
jqeq "custody.return" "$out" .rule custody.return
expect 0 "JPN returns it" $G return "$item2" --by kato --method courier --witness yamada --home jpn --json
jqeq "status" "$out" .status returned
[ ! -e "jpn/objects/$bundle2.bundle" ] && ok "the object file is gone" || bad "object still there"
eq "the key is NULL" "$(dbq jpn "SELECT file_key IS NULL FROM items WHERE id = '$item2'")" 1
expect 0 "the record" $G items show "$item2" --home jpn --json
jqeq "returned to KOR" "$out" .disposal.to KOR
jqeq "custody: returned" "$out" '.custody[-1] | [.event, .actor, .detail] | join("|")' \
	"returned|kato|to KOR by courier; witness yamada"
expect 1 "opening it is refused" $G open "$item2" --as yamada -o no.bin --home jpn --json
jqeq "access.status" "$out" .rule access.status
expect 1 "copying it is refused" $G copy "$item2" --by yamada --home jpn
has "saying it was returned" "$err" "was returned"

run $G ledger show --peer KOR --home jpn --json
jqeq "JPN's log for KOR records destruction and return" "$out" \
	'[.entries[].kind] | map(select(. == "destruction" or . == "return")) | unique | join(",")' "destruction,return"
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
