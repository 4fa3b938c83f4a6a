#!/usr/bin/env bash
# gsomia ledger: every node action lands in a Merkle log; checkpoints, proofs
# and their offline verification; tampering with proofs, checkpoints and the
# database is caught and named.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
KJ=$EX/agreements/kor-jpn-2016
export GSOMIA_PASSPHRASE=example
export GSOMIA_NOW=2019-11-22T18:00:00+09:00

# Two exercise homes with the example keys, so the example agreement verifies.
for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	expect 0 "init $P" $G init --party $P --exercise --keys "$EX/keys/$P.keys" \
		--levels "$EX/parties/$P.levels" --home $h
	$G party export --home $h -o $h.id
done
expect 0 "KOR imports JPN" $G party import jpn.id --home kor
expect 0 "JPN imports KOR" $G party import kor.id --home jpn
expect 0 "re-importing is harmless" $G party import jpn.id --home kor
expect 0 "KOR imports the agreement" $G agreement import "$KJ" --home kor
expect 0 "JPN imports the agreement" $G agreement import "$KJ" --home jpn
expect 0 "a facility" $G facility add ICHIGAYA --name "Joint Staff Office" --home jpn
expect 0 "a person" $G person add yamada --name 山田花子 --nationality JPN --employer JPN \
	--psc 特定秘密 --psc-from 2015-01-01 --psc-until 2030-01-01 --duty topic:dprk-missiles \
	--facility ICHIGAYA --role reader --home jpn

# list and show
expect 0 "ledger list" $G ledger list --home kor --json
jqeq "two logs: JPN and internal" "$out" '[.[].origin] | join(",")' \
	"gsomia-exercise/KOR/ledger/JPN,gsomia-exercise/KOR/ledger/internal"
expect 0 "ledger show (internal)" $G ledger show --home kor --json
jqeq "node-init then agreement-import" "$out" '[.entries[].kind] | join(",")' "key-event,agreement-import"
jqeq "init records the mode" "$out" '.entries[0].fields.mode' exercise
jqeq "entries carry the exercise clock" "$out" '.entries[1].time' 2019-11-22T09:00:00Z
jqeq "init is on the exercise clock too" "$out" '.entries[0].time' 2019-11-22T09:00:00Z
jqeq "entries carry a 16-byte nonce" "$out" '.entries[0].nonce | length' 32
expect 0 "ledger show --peer JPN" $G ledger show --peer JPN --home kor --json
jqeq "the peer's log opens with its identity" "$out" '.entries[0].kind + " " + .entries[0].item' "party-import JPN"
jqeq "re-import added nothing" "$out" '.size' 1
expect 0 "ledger show (text)" $G ledger show --internal --home jpn
has "text shows kinds" "$out" "person"
has "text shows the origin" "$out" "gsomia-exercise/JPN/ledger/internal  size 4"
jqeq "JPN logged facility, person" "$($G ledger show --home jpn --json)" \
	'[.entries[].kind] | join(",")' "key-event,agreement-import,facility,person"
expect 2 "a bad peer code is bad usage" $G ledger show --peer kr --home kor
expect 0 "a peer without entries shows an empty log" $G ledger show --peer USA --home kor --json
jqeq "size 0" "$out" .size 0
expect 0 "and verifies as empty" $G ledger verify --peer USA --home kor
has "it says so" "$out" "no entries yet"
expect 1 "but has nothing to checkpoint" $G ledger checkpoint --peer USA --home kor
has "it says why" "$err" "no entries yet"
expect 2 "the node's own code is not a peer" $G ledger show --peer KOR --home kor

# verify, checkpoint, prove, consistency
expect 0 "ledger verify (all logs)" $G ledger verify --home kor --json
jqeq "verified" "$out" .verified true
jqeq "both logs" "$out" '.logs | length' 2
expect 0 "checkpoint" $G ledger checkpoint --home kor -o cp1
has "checkpoint is a signed note named by origin" "$(cat cp1)" "— gsomia-exercise/KOR/ledger/internal "
eq "checkpoint size line" "$(sed -n 2p cp1)" "2"
expect 0 "checkpoint again: same one" $G ledger checkpoint --home kor
eq "no new signature for the same size" "$out" "$(cat cp1)"
GSOMIA_PASSPHRASE=wrong expect 0 "an unchanged log needs no passphrase" $G ledger checkpoint --home kor
expect 0 "checkpoint --json" $G ledger checkpoint --home kor --json
jqeq "json size" "$out" .size 2
jqeq "json carries the note" "$out" .checkpoint "$(cat cp1)"
expect 0 "prove entry 1" $G ledger prove 1 --home kor -o p1.proof
eq "proof header" "$(head -1 p1.proof)" "c2sp.org/tlog-proof@v1"
has "proof names its index" "$(cat p1.proof)" "index 1"
expect 0 "verify-proof, no home needed" $G ledger verify-proof p1.proof --identity kor.id --json --home /nonexistent
jqeq "proof verified" "$out" .verified true
jqeq "proof shows the entry" "$out" .entry.kind agreement-import
jqeq "proof names the log" "$out" .origin gsomia-exercise/KOR/ledger/internal
expect 0 "prove on the JPN log" $G ledger prove 0 --peer JPN --home kor -o pj.proof
expect 0 "it verifies" $G ledger verify-proof pj.proof --identity kor.id
has "text says verified" "$out" "verified: entry 0 is in gsomia-exercise/KOR/ledger/JPN"
expect 0 "consistency 1 2" $G ledger consistency 1 2 --home kor --json
jqeq "consistent" "$out" .consistent true
expect 0 "consistency 0 2" $G ledger consistency 0 2 --home kor
expect 1 "consistency past the end" $G ledger consistency 1 99 --home kor
expect 2 "consistency needs numbers" $G ledger consistency a b --home kor
expect 1 "prove past the end" $G ledger prove 99 --home kor
has "it says how many" "$err" "has no entry 99"
expect 2 "verify-proof needs --identity" $G ledger verify-proof p1.proof

# Offline verification refuses tampering, exit 1, and changes nothing.
sum=$(dbsum kor)
expect 1 "another party's identity" $G ledger verify-proof p1.proof --identity jpn.id
has "it says whose log" "$err" "not a ledger of party 'JPN'"
sed '3s/^index 1$/index 0/' p1.proof >bad-index.proof
expect 1 "a proof for another index" $G ledger verify-proof bad-index.proof --identity kor.id
python3 - <<'EOF'
data = open('p1.proof', 'rb').read()
lines = data.split(b'\n')
# flip one byte of the first proof hash (line 4), keeping it base64
h = bytearray(lines[3]); h[5] = ord('A') if h[5] != ord('A') else ord('B'); lines[3] = bytes(h)
open('flip-hash.proof', 'wb').write(b'\n'.join(lines))
# flip one byte of the entry in the extra line
lines = data.split(b'\n')
e = bytearray(lines[1]); e[20] = ord('A') if e[20] != ord('A') else ord('B'); lines[1] = bytes(e)
open('flip-entry.proof', 'wb').write(b'\n'.join(lines))
# flip one byte of the checkpoint root (the line before the last blank line)
lines = data.split(b'\n')
i = lines.index(b'', 4) + 3
r = bytearray(lines[i]); r[3] = ord('A') if r[3] != ord('A') else ord('B'); lines[i] = bytes(r)
open('flip-checkpoint.proof', 'wb').write(b'\n'.join(lines))
open('truncated.proof', 'wb').write(data[:len(data) // 2])
EOF
expect 1 "a flipped proof hash" $G ledger verify-proof flip-hash.proof --identity kor.id
has "it says not included" "$err" "not proved included"
expect 1 "a flipped byte in the entry" $G ledger verify-proof flip-entry.proof --identity kor.id
expect 1 "a flipped byte in the checkpoint" $G ledger verify-proof flip-checkpoint.proof --identity kor.id
has "it says the signature fails" "$err" "signature does not verify"
expect 1 "a truncated proof" $G ledger verify-proof truncated.proof --identity kor.id
expect 1 "not a proof at all" $G ledger verify-proof kor.id --identity kor.id
has "it names the file" "$err" "kor.id"
eq "refusals changed nothing" "$(dbsum kor)" "$sum"

# A proof for the wrong size: the entry's proof at size 2 under a checkpoint
# of size 3.
$G person add kim --name 김민수 --nationality KOR --employer KOR --home kor >/dev/null 2>&1 ||
	$G facility add YONGSAN --name "Ministry of National Defense" --home kor >/dev/null
expect 0 "checkpoint at the new size" $G ledger checkpoint --home kor -o cp2
expect 0 "consistency of the two checkpoints" $G ledger consistency "$(sed -n 2p cp1)" "$(sed -n 2p cp2)" --home kor
{ sed -n '1,/^$/p' p1.proof; cat cp2; } >wrong-size.proof
expect 1 "a proof for the wrong size" $G ledger verify-proof wrong-size.proof --identity kor.id
# A checkpoint from another key: JPN's note put in KOR's proof.
$G ledger checkpoint --home jpn -o jcp >/dev/null
{ sed -n '1,/^$/p' p1.proof; cat jcp; } >other-key.proof
expect 1 "a checkpoint from another node" $G ledger verify-proof other-key.proof --identity kor.id

# Tampering with the database: verify fails and names the entry.
copy_home kor kor-t
if on_pg; then
	dbq kor-t "UPDATE ledger_entries SET entry = overlay(entry PLACING 'KOR-JPN-2017'::bytea FROM position('KOR-JPN-2016'::bytea IN entry) FOR 12) WHERE idx = 1 AND log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/internal')" >/dev/null
else
	dbq kor-t "UPDATE ledger_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'KOR-JPN-2016', 'KOR-JPN-2017') AS BLOB) WHERE idx = 1 AND log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/internal')"
fi
expect 1 "an altered entry fails verify" $G ledger verify --home kor-t
has "it names the entry" "$err" "entry 1"
has "it names the log" "$err" "gsomia-exercise/KOR/ledger/internal"
expect 1 "verify --json also fails" $G ledger verify --home kor-t --json
jqeq "and says so" "$out" .verified false
expect 1 "the node refuses to prove from it" $G ledger prove 1 --home kor-t
copy_home kor kor-c
if on_pg; then
	dbq kor-c "UPDATE ledger_checkpoints SET note = convert_to(replace(convert_from(note, 'UTF8'), chr(10) || '2' || chr(10), chr(10) || '1' || chr(10)), 'UTF8') WHERE size = 2" >/dev/null
else
	dbq kor-c "UPDATE ledger_checkpoints SET note = CAST(replace(CAST(note AS TEXT), char(10) || '2' || char(10), char(10) || '1' || char(10)) AS BLOB) WHERE size = 2"
fi
expect 1 "an altered checkpoint fails verify" $G ledger verify --home kor-c
has "it names the checkpoint" "$err" "checkpoint at size 2"
copy_home kor kor-d
dbq kor-d "DELETE FROM ledger_entries WHERE idx = (SELECT max(idx) FROM ledger_entries WHERE log = ledger_entries.log) AND log = (SELECT id FROM ledger_logs WHERE origin LIKE '%/internal')"
expect 1 "a removed entry fails verify" $G ledger verify --home kor-d
expect 0 "the untouched home still verifies" $G ledger verify --home kor
expect 0 "ledger --help" $G ledger --help
expect 2 "unknown subcommand" $G ledger frob --home kor
finish
