#!/usr/bin/env bash
# A crash between any two steps of release or receive leaves the whole
# action or none of it. GSOMIA_FAULT=<point> ends the process at that point
# as a power cut would (util/fault.h); the next command on the home
# completes or undoes what was interrupted.
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
echo "document" >doc.txt
rel() { $G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles -o "$1" --home kor; }
count() { $G items --home "$1" --json | jq length; }
objects() { ls "$1/objects" 2>/dev/null | wc -l; }

GSOMIA_FAULT=release-sealed expect 99 "crash after sealing, before the commit" rel x.bundle
eq "no item after the crash" "$(count kor)" 0
eq "no object left" "$(objects kor)" 0
expect 0 "the ledger still verifies" $G ledger verify --home kor

GSOMIA_FAULT=release-committed expect 99 "crash after the commit, before the bundle is in place" rel y.bundle
eq "the release is held" "$(count kor)" 1
eq "its bundle was put in place" "$(ls kor/objects)" "$($G items --home kor --json | jq -r '.[0].bundle').bundle"
item=$($G items --home kor --json | jq -r '.[0].id')
expect 0 "the bundle can be exported again" $G bundle export "$item" -o y.bundle --home kor
expect 0 "and it is whole" $G bundle inspect y.bundle
expect 0 "the ledger verifies" $G ledger verify --home kor

# A group commit's batch (node/commit.h): the records are durable, no
# file of the batch is in place yet.
GSOMIA_FAULT=batch-committed expect 99 "crash after a batch's commit, before its bundles are in place" rel z.bundle
eq "both releases are held" "$(count kor)" 2
eq "the new bundle was put in place" "$(objects kor)" 2
eq "nothing pending is left" "$(ls kor/objects | grep -c tmp)" 0
z=$($G items --home kor --json | jq -r --arg y "$item" '.[] | select(.id != $y) | .id')
expect 0 "that bundle can be exported" $G bundle export "$z" -o z.bundle --home kor
expect 0 "and it is whole" $G bundle inspect z.bundle
expect 0 "the ledger verifies" $G ledger verify --home kor

GSOMIA_FAULT=receive-stored expect 99 "crash at JPN before the commit" $G receive y.bundle --receipt r.receipt --home jpn
eq "nothing held at JPN" "$(count jpn)" 0
eq "no object left at JPN" "$(objects jpn)" 0
[ ! -e r.receipt ] && ok "no receipt" || bad "receipt after crash"

GSOMIA_FAULT=receive-committed expect 99 "crash at JPN after the commit, before the receipt" $G receive y.bundle --receipt r.receipt --home jpn
eq "the item is held" "$(count jpn)" 1
eq "its bundle is in place" "$(objects jpn)" 1
[ ! -e r.receipt ] && ok "the receipt was not written yet" || bad "receipt"
expect 0 "receiving again writes the receipt" $G receive y.bundle --receipt r.receipt --home jpn --json
jqeq "held once" "$out" .already_held true
expect 0 "KOR accepts that receipt" $G receipt import r.receipt --home kor
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor
# A release that delivers records its outbox entry in the same transaction:
# a crash leaves both or neither, never a release that is never sent.
$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" \
	--endpoint https://127.0.0.1:9 --home j2 >/dev/null
$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --levels "$EX/parties/KOR.levels" --home k2 >/dev/null
$G party export --home j2 -o j2.id
$G party import j2.id --home k2 >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home k2 >/dev/null
relq() { $G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --deliver --home k2; }
queued() { $G outbox --home k2 --json | jq length; }
GSOMIA_FAULT=release-sealed expect 99 "a delivered release: crash before the commit" relq
eq "no item" "$(count k2)" 0
eq "nothing queued" "$(queued)" 0
GSOMIA_FAULT=release-committed expect 99 "a delivered release: crash after the commit" relq
eq "the release is held" "$(count k2)" 1
eq "and queued with it" "$(queued)" 1
run $G outbox --home k2 --json
jqeq "for JPN" "$out" '.[0].peer' JPN
jqeq "the release's bundle" "$out" '.[0].ref' "$($G items --home k2 --json | jq -r '.[0].bundle')"
[ -s "k2/objects/$($G items --home k2 --json | jq -r '.[0].bundle').bundle" ] && ok "the file it names is in place" ||
	bad "the queued file is missing"
expect 0 "KOR's ledger verifies" $G ledger verify --home k2

# A pending file is a crash's leftover only when no other process has the
# home open: while a server runs, a command must not take the file a
# delivery being received has just written (it would be lost when its
# receipt commits). Once the server is gone, the next command clears it.
P3=$(freeport)
$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" \
	--endpoint "https://127.0.0.1:$P3" --home j3 >/dev/null
$G serve --home j3 --witness-every 0 >j3.out 2>j3.err &
spid=$!
pids="$pids $spid"
for _ in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$P3/v1/health" && break; sleep 0.1; done
mkdir -p j3/objects
pending=j3/objects/0123456789abcdef0123456789abcdef.bundle.tmp
echo "a delivery under way" >$pending
expect 0 "a command while the server runs" $G items --home j3
[ -e $pending ] && ok "leaves the server's pending file alone" || bad "the pending file was taken"
kill $spid
wait $spid 2>/dev/null
expect 0 "a command once the server is gone" $G items --home j3
[ ! -e $pending ] && ok "clears what nobody is receiving any more" || bad "the leftover stays"
finish
