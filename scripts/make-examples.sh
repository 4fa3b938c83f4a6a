#!/usr/bin/env bash
# Regenerates the signed example files in examples/ from the EXAMPLE KEYS
# in examples/keys/ (passphrase "example"; exercise identities, so no real
# node will ever accept them). Ed25519 signatures are deterministic: run
# twice, the files come out byte for byte the same.
set -eu
cd "$(dirname "$0")/.."
G=${GSOMIA:-$PWD/build/gsomia}
export GSOMIA_PASSPHRASE=example
unset GSOMIA_HOME GSOMIA_NOW
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p examples/keys examples/parties

for P in KOR JPN USA; do
	if [ ! -f examples/keys/$P.keys ]; then
		"$G" init --party $P --exercise --home "$tmp/gen-$P" >/dev/null
		cp "$tmp/gen-$P/keys.sealed" examples/keys/$P.keys
	fi
	"$G" init --party $P --exercise --keys examples/keys/$P.keys \
		--levels examples/parties/$P.levels --home "$tmp/$P" >/dev/null
	"$G" party export --home "$tmp/$P" -o examples/parties/$P.id
done
for P in KOR JPN USA; do
	for Q in KOR JPN USA; do
		[ $P = $Q ] || "$G" party import examples/parties/$Q.id --home "$tmp/$P" >/dev/null
	done
done

# sign DIR ID PARTIES...: every party imports the definition and signs it.
sign() {
	local dir=$1 id=$2
	shift 2
	rm -rf "$dir/signatures" "$dir/parties" "$dir/notes"
	mkdir -p "$dir/signatures" "$dir/parties"
	for P in "$@"; do
		"$G" agreement import "$dir/agreement.txt" --home "$tmp/$P" >/dev/null
		"$G" agreement sign "$id" --home "$tmp/$P" -o "$dir/signatures/$P.sig"
		cp examples/parties/$P.id "$dir/parties/"
	done
}

# note DIR FILE PARTY KIND ARGS...: PARTY gives a diplomatic note; the
# other parties receive it.
note() {
	local dir=$1 file=$2 party=$3 kind=$4 Q
	shift 4
	mkdir -p "$dir/notes"
	"$G" agreement note "$kind" --home "$tmp/$party" -o "$dir/notes/$file" "$@" 2>/dev/null
	for Q in KOR JPN USA; do
		[ $Q = $party ] || "$G" agreement import "$dir/notes/$file" --home "$tmp/$Q" >/dev/null 2>&1 || true
	done
}

d=examples/agreements/kor-jpn-2016
sign $d KOR-JPN-2016 KOR JPN
note $d 2016-11-23-KOR-domestic-procedures.note KOR domestic-procedures-complete \
	--agreement KOR-JPN-2016 --to JPN --delivered 2016-11-23T11:00:00+09:00 \
	--text "Republic of Korea: internal legal procedures for entry into force completed (Art. 21(1))"
note $d 2016-11-23-JPN-domestic-procedures.note JPN domestic-procedures-complete \
	--agreement KOR-JPN-2016 --to KOR --delivered 2016-11-23T11:00:00+09:00 \
	--text "Japan: internal legal procedures for entry into force completed (Art. 21(1))"
note $d 2019-08-23-KOR-termination-notice.note KOR termination-notice \
	--agreement KOR-JPN-2016 --to JPN --delivered 2019-08-23T16:00:00+09:00 \
	--text "Note verbale handed by the First Vice Foreign Minister to the Ambassador of Japan: intention to terminate (Art. 21(3))"
note $d 2019-11-22-KOR-suspension.note KOR suspension \
	--agreement KOR-JPN-2016 --to JPN --delivered 2019-11-22T18:00:00+09:00 \
	--text "The effect of the notice of 23 August 2019 is suspended, on the condition that the agreement can be terminated at any time"
note $d 2023-03-21-KOR-withdrawal.note KOR withdrawal \
	--agreement KOR-JPN-2016 --to JPN --delivered 2023-03-21T15:00:00+09:00 --withdraws both \
	--text "Both notes of 2019 (the notice of termination and its suspension) are withdrawn"

sign examples/agreements/us-kor-1987 US-KOR-1987 USA KOR
sign examples/agreements/us-jpn-2007 US-JPN-2007 USA JPN
sign examples/agreements/tisa-2014 TISA-2014 KOR JPN USA
echo "examples regenerated"
