#!/usr/bin/env bash
# Bundles (docs/bundle-format.md) through the command line: a release is a
# v2 bundle whose payload the stock `age` opens; `bundle verify` checks a
# whole bundle or the part of one received so far against its sender's
# key; each region damaged (manifest, chunk-hash section, age header,
# each chunk) or the file cut is refused by `receive` with one line that
# names it, and nothing is stored; a v1 bundle (sealed by the version 1
# writer, tests/cli/data/v1-kor-jpn.bundle) is still received and opened.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
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

# 300 000 bytes: with the inner header, five chunks of 64 KiB
head -c 300000 /dev/urandom >doc.bin
expect 0 "KOR releases it" $G release doc.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles -o b.bundle --home kor --json
item=$(printf '%s' "$out" | jq -r .item)
has "the bundle is version 2" "$(head -1 b.bundle)" "gsomia-bundle/v2 "
expect 0 "inspect" $G bundle inspect b.bundle --json
jqeq "format 2" "$out" .format 2
jqeq "five chunks" "$out" .chunks 5
root=$(printf '%s' "$out" | jq -r .payload_root)
psize=$(printf '%s' "$out" | jq -r .payload_size)
eq "a 64-digit root" "${#root}" 64
has "the manifest carries the root" "$(head -c 2000 b.bundle | tr -d '\0')" "payload-root $root"
expect 0 "inspect as text" $G bundle inspect b.bundle
has "names the chunk-tree root" "$out" "chunk-tree root $root"

# the payload is a standard age file
if command -v age >/dev/null; then
	expect 0 "JPN exports its age identity" $G key export-age-identity -o jpn.agekey --home jpn
	tail -c "$psize" b.bundle | age -d -i jpn.agekey >stock.out 2>age.err
	eq "stock age -d opens the payload" "$?" 0
	cmp -s <(tail -c 300000 stock.out) doc.bin && ok "and the document is at its end" || bad "age output differs"
fi

# verify: whole, then every prefix that a delivery could leave
expect 0 "bundle verify: whole" $G bundle verify b.bundle --home jpn
has "says verified" "$out" "verified: bundle"
size=$(stat -c %s b.bundle)
hdr=$(head -1 b.bundle | wc -c)
mlen=$(head -1 b.bundle | cut -d' ' -f2)
sec=$(printf '%s' "$(head -c $((hdr + mlen)) b.bundle | grep -a '^chunk-hashes ')" | cut -d' ' -f2)
eq "six hashes in the section" "$sec" 192
pay=$((hdr + mlen + sec))
chunk0=$((pay + 168 + 16))
head -c $((chunk0 + 2 * 65552 + 100)) b.bundle >part.bundle
expect 1 "bundle verify: a part is not a whole bundle" $G bundle verify part.bundle --home jpn --json
jqeq "its verified prefix ends at the last whole chunk" "$out" .verified_bytes $((chunk0 + 2 * 65552))
has "the reason names the chunk" "$err" "truncated in chunk 2 of 5"
eq "on one line" "$(printf '%s\n' "$err" | wc -l)" 1

# damage, region by region: refused with one line naming it, nothing stored
sum=$(dbsum jpn)
objs=$(ls jpn/objects 2>/dev/null | wc -l)
flip() { # OFFSET -> bad.bundle
	cp b.bundle bad.bundle
	printf "$(printf '\\x%02x' $(( $(od -An -tu1 -j "$1" -N1 b.bundle) ^ 1 )))" |
		dd of=bad.bundle bs=1 seek="$1" conv=notrunc status=none
}
refused() { # DESCRIPTION NEEDLE
	expect 1 "$1 is refused" $G receive bad.bundle --receipt bad.receipt --home jpn
	has "$1: the reason names it" "$err" "$2"
	eq "$1: on one line" "$(printf '%s\n' "$err" | wc -l)" 1
}
flip $((hdr + 40)); refused "a manifest byte" "manifest"
flip $((hdr + mlen + 5)); refused "a byte of the chunk-hash section" "chunk-hash section does not match the signed payload-root"
flip $((pay + 30)); refused "a byte of the age header" "age header does not match its hash (leaf 0)"
flip $((pay + 170)); refused "a byte of the payload nonce" "age header does not match its hash (leaf 0)"
for k in 0 1 2 3 4; do
	flip $((chunk0 + k * 65552 + 7))
	refused "a byte of chunk $k" "chunk $k does not match its hash"
done
cp part.bundle bad.bundle; refused "a bundle cut in chunk 2" "truncated in chunk 2 of 5"
head -c $((pay + 10)) b.bundle >bad.bundle; refused "a bundle cut in the age header" "truncated in the age header"
head -c $((hdr + mlen + 50)) b.bundle >bad.bundle; refused "a bundle cut in the section" "truncated in the chunk-hash section"
eq "nothing changed at JPN" "$(dbsum jpn)" "$sum"
eq "nothing stored in its objects" "$(ls jpn/objects 2>/dev/null | wc -l)" "$objs"
[ ! -e bad.receipt ] && ok "no receipt for a damaged bundle" || bad "receipt written"

run $G items --home kor --json
jqeq "KOR records the payload-root as the release's digest" "$out" '.[0].payload_sha256' "$root"
expect 0 "JPN receives the good one" $G receive b.bundle --receipt b.receipt --home jpn --json
run $G items --home jpn --json
jqeq "JPN records the same digest" "$out" '.[0].payload_sha256' "$root"
has "the receipt carries it" "$(cat b.receipt)" "payload-sha256 $root"
expect 0 "KOR imports the receipt: it matches the release" $G receipt import b.receipt --home kor
expect 0 "a cleared officer opens it in one verified pass" $G open "$item" --as yamada -o got.bin --home jpn --json
cmp -s doc.bin got.bin && ok "the document comes out intact" || bad "document differs"

# version 1 is still read: inspected, verified, received, opened
V1=$SRCDIR/tests/cli/data/v1-kor-jpn.bundle
expect 0 "a v1 bundle is inspected" $G bundle inspect "$V1" --json
jqeq "format 1" "$out" .format 1
jqeq "with its payload SHA-256" "$out" '.payload_sha256 | length' 64
v1item=$(printf '%s' "$out" | jq -r .item)
expect 0 "a v1 bundle verifies" $G bundle verify "$V1" --home jpn
expect 0 "a v1 bundle is received" $G receive "$V1" --receipt v1.receipt --home jpn --json
jqeq "as the item it names" "$out" .item "$v1item"
expect 0 "and opened" $G open "$v1item" --as yamada -o v1.out --home jpn --json
eq "to its document" "$(cat v1.out)" "A report sealed by the version 1 writer."
has "its receipt carries the v1 payload SHA-256)" "$(cat v1.receipt)" "payload-sha256 $(jq -r .payload_sha256 <<<"$($G bundle inspect "$V1" --json)")"
finish
