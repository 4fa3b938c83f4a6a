#!/usr/bin/env bash
# gsomia agreement: import, sign, note, status — on the shipped examples and
# on damaged copies of them. Every lifecycle vector of docs/lifecycle.md is asserted through the CLI.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
KJ=$EX/agreements/kor-jpn-2016
export GSOMIA_PASSPHRASE=example

st() { # AT -> $out JSON of status of the example directory
	run $G agreement status "$KJ" --at "$1" --json
}

st 2016-11-22T23:59:00+09:00
jqeq "before EIF: signed, not in force" "$out" .state signed
st 2016-11-23T00:00:00+09:00
jqeq "EIF at 00:00 local on 2016-11-23" "$out" .state in_force
jqeq "term 1" "$out" .term 1
jqeq "term 1 ends 2017-11-23T00:00+09:00" "$out" .term_end 2017-11-22T15:00:00Z
jqeq "notice deadline 2017-08-24" "$out" .notice_deadline 2017-08-24
st 2019-08-23T17:00:00+09:00
jqeq "after the notice: notice_pending" "$out" .state notice_pending
jqeq "ends 2019-11-23T00:00+09:00 = 2019-11-22T15:00:00Z" "$out" .terminates_at 2019-11-22T15:00:00Z
jqeq "events listed in order" "$out" '[.events[].kind] | join(",")' "domestic-procedures-complete,domestic-procedures-complete,termination-notice"
st 2019-11-22T23:59:59+09:00
jqeq "suspended before expiry" "$out" .state notice_suspended
st 2019-11-23T00:00:01+09:00
jqeq "no termination; term 4 begins" "$out" .term 4
jqeq "still suspended in term 4" "$out" .state notice_suspended
jqeq "terminates_at null while suspended" "$out" .terminates_at null
st 2023-03-21T16:00:00+09:00
jqeq "after the withdrawal: in_force" "$out" .state in_force
jqeq "next notice deadline 2023-08-24" "$out" .notice_deadline 2023-08-24
jqeq "term 7" "$out" .term 7
jqeq "five notes applied" "$out" '.events | length' 5
run $G agreement status "$KJ" --at 2023-03-21 --json
jqeq "a bare date is midnight in the agreement's zone" "$out" .at 2023-03-20T15:00:00Z
expect 0 "text status" $G agreement status "$KJ" --at 2019-08-24
has "text status names the state" "$out" "notice_pending"
for a in us-kor-1987 us-jpn-2007 tisa-2014; do
	run $G agreement status "$EX/agreements/$a" --at 2019-01-01 --json
	jqeq "$a is in force in 2019" "$out" .state in_force
done
run $G agreement status "$EX/agreements/tisa-2014" --at 2014-12-28 --json
jqeq "TISA not yet in force the day before signature" "$out" .state signed

# The counterfactual: the same history without the suspension.
cp -r "$KJ" cf
rm cf/notes/2019-11-22-KOR-suspension.note cf/notes/2023-03-21-KOR-withdrawal.note
run $G agreement status cf --at 2019-11-23T00:00:00+09:00 --json
jqeq "without suspension: terminated at midnight" "$out" .state terminated
run $G agreement status cf --at 2019-11-22T23:59:59+09:00 --json
jqeq "one second earlier: still pending" "$out" .state notice_pending

# Missing and forged signatures.
cp -r "$KJ" unsigned && rm unsigned/signatures/JPN.sig
run $G agreement status unsigned --at 2020-01-01 --json
jqeq "one signature missing: draft" "$out" .state draft
jqeq "it names the missing party" "$out" .missing_signatures JPN
cp -r "$KJ" forged
sed -i 's/^title: Agreement/title: An agreement/' forged/signatures/JPN.sig
expect 1 "a signature over other bytes is refused" $G agreement status forged --at 2020-01-01
has "it names the file" "$err" "JPN.sig"
cp -r "$KJ" forged2
python3 - forged2/signatures/KOR.sig <<'PY'
import sys, base64
p = sys.argv[1]
lines = open(p, encoding='utf-8').read().split('\n')
i = max(k for k, l in enumerate(lines) if l.startswith('\u2014 '))
name, sig = lines[i][2:].rsplit(' ', 1)
raw = bytearray(base64.b64decode(sig)); raw[10] ^= 1
lines[i] = '\u2014 ' + name + ' ' + base64.b64encode(bytes(raw)).decode()
open(p, 'w', encoding='utf-8').write('\n'.join(lines))
PY
expect 1 "a flipped signature bit is refused" $G agreement status forged2
has "it says the signature does not verify" "$err" "does not verify"

# Homes from the example keys import and verify the examples.
$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --home kor >/dev/null
$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --home jpn >/dev/null
$G init --party USA --exercise --keys "$EX/keys/USA.keys" --home usa >/dev/null
expect 1 "an agreement with unknown parties is refused" $G agreement import "$KJ" --home kor
has "it names the unknown party" "$err" "unknown party 'JPN'"
eq "nothing stored" "$($G agreement list --home kor)" ""
for h in kor jpn usa; do
	for P in KOR JPN USA; do $G party import "$EX/parties/$P.id" --home $h >/dev/null; done
done
expect 0 "import the KOR-JPN directory" $G agreement import "$KJ" --home kor --json
jqeq "two signatures stored" "$out" .signatures 2
jqeq "five notes stored" "$out" .notes 5
expect 0 "importing again is harmless" $G agreement import "$KJ" --home kor --json
jqeq "nothing new the second time" "$out" .notes 0
run $G agreement status KOR-JPN-2016 --home kor --at 2023-03-21T16:00:00+09:00 --json
jqeq "the home gives the same state" "$out" .state in_force
jqeq "and the same deadline" "$out" .notice_deadline 2023-08-24
expect 0 "USA imports TISA" $G agreement import "$EX/agreements/tisa-2014" --home usa
expect 1 "USA is not a party to KOR-JPN" $G agreement import "$KJ" --home usa
has "it says so" "$err" "not a party"
expect 0 "agreement list --json" $G agreement list --home kor --json
jqeq "listed" "$out" '.[0].id' KOR-JPN-2016

# Notes given through a home; refusals change nothing.
cp -r "$KJ" partial && rm partial/notes/2019-11-22-KOR-suspension.note partial/notes/2023-03-21-KOR-withdrawal.note
expect 0 "JPN imports the history up to the notice" $G agreement import partial --home jpn
sum=$(dbsum jpn)
GSOMIA_NOW=2019-11-23T09:00:00+09:00 expect 1 "JPN cannot suspend KOR's notice after termination" \
	$G agreement note suspension --agreement KOR-JPN-2016 --to KOR --home jpn
has "it says the agreement is terminated" "$err" "terminated"
expect 1 "a note on a terminated agreement is refused on import too" \
	$G agreement import "$KJ/notes/2023-03-21-KOR-withdrawal.note" --home jpn
eq "refused notes changed nothing" "$(dbsum jpn)" "$sum"
GSOMIA_NOW=2019-11-23T09:00:00+09:00 expect 1 "nothing to withdraw for JPN" \
	$G agreement note withdrawal --withdraws notice --agreement KOR-JPN-2016 --home jpn
expect 0 "KOR's real history then arrives" $G agreement import "$KJ/notes/2019-11-22-KOR-suspension.note" --home jpn
run $G agreement status KOR-JPN-2016 --home jpn --at 2020-01-01 --json
jqeq "the suspension applies" "$out" .state notice_suspended

# A note by a party that is not a party: USA writes about KOR-JPN.
$G agreement import "$KJ/agreement.txt" --home usa 2>/dev/null || true
cat >usa-note.txt <<'NOTE'
gsomia-note/v1
agreement KOR-JPN-2016
kind termination-notice
from USA
to JPN
delivered 2019-08-20T10:00:00+09:00
exercise yes
NOTE
mkdir -p nonparty && cp -r "$KJ"/* nonparty/
python3 - usa-note.txt nonparty/notes/2019-08-20-USA.note <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
import base64
open(dst, 'w', encoding='utf-8').write(open(src, encoding='utf-8').read() + '\n\u2014 gsomia-exercise/USA ' + base64.b64encode(bytes(68)).decode() + '\n')
PY
expect 1 "a note from a non-party is refused" $G agreement status nonparty
has "it names the sender" "$err" "'USA'"

# Malformed definitions: file:line:column, exit 1, nothing stored.
sed 's/^zone: +09:00/zone: +9/' "$KJ/agreement.txt" >bad-zone.txt
sum=$(dbsum kor)
expect 1 "a malformed zone is refused" $G agreement import bad-zone.txt --home kor
has "with file:line:column" "$err" "bad-zone.txt:9:"
sed 's/^parties: KOR JPN/parties: KOR XYZ/' "$KJ/agreement.txt" >bad-party.txt
expect 1 "an unknown party in the annex is refused" $G agreement import bad-party.txt --home kor
has "naming the value" "$err" "JPN"
eq "malformed files changed nothing" "$(dbsum kor)" "$sum"
printf 'hello\n' >junk.txt
expect 1 "a file that is neither definition nor note" $G agreement import junk.txt --home kor
has "says where" "$err" "junk.txt:1:1"
expect 2 "an unknown note kind is bad usage" $G agreement note terminate --agreement KOR-JPN-2016 --home kor
expect 2 "a withdrawal needs --withdraws" $G agreement note withdrawal --agreement KOR-JPN-2016 --home kor
expect 2 "status with a bad instant" $G agreement status "$KJ" --at yesterday
expect 1 "status of an unknown agreement" $G agreement status NOPE --home kor
has "names it" "$err" "'NOPE'"
GSOMIA_PASSPHRASE=wrong expect 1 "a wrong passphrase cannot sign" $G agreement sign KOR-JPN-2016 --home kor
has "it says so" "$err" "passphrase"
# A replay applies what applies: a verified note the rules ignore (here
# KOR's 2023 withdrawal, delivered after the termination that happens
# without the suspension) is listed with its reason, not fatal.
cp -r "$KJ" nosusp && rm nosusp/notes/2019-11-22-KOR-suspension.note
expect 0 "status of a directory holding a note the rules ignore" $G agreement status nosusp --at 2024-01-01 --json
jqeq "what applies applies" "$out" .state terminated
jqeq "the ignored note is listed" "$out" '.ignored[0].kind' withdrawal
jqeq "by whom" "$out" '.ignored[0].from' KOR
has "with its reason" "$(printf '%s' "$out" | jq -r '.ignored[0].reason')" "terminated at 2019-11-23T00:00:00+09:00"
jqeq "it is not among the events applied" "$out" '.events | length' 3
expect 0 "the text status lists it too" $G agreement status nosusp --at 2024-01-01
has "as ignored" "$out" "ignored: withdrawal note by KOR delivered 2023-03-21T15:00:00+09:00"
jqeq "before its delivery it is not listed" "$($G agreement status nosusp --at 2020-01-01 --json)" '.ignored | length' 0

# A backdated note: the whole history is replayed with it in its place,
# and a note that would leave another not applying is refused, naming it;
# nothing is stored, and the agreement stays verifiable.
sum=$(dbsum kor)
GSOMIA_NOW=2024-01-01T00:00:00+09:00 expect 1 "a backdated termination notice is refused" \
	$G agreement note termination-notice --agreement KOR-JPN-2016 --to JPN \
	--delivered 2018-01-01T10:00:00+09:00 --home kor -o back.note
has "naming the note that would no longer apply" "$err" "termination-notice note by KOR delivered 2019-08-23T16:00:00+09:00"
eq "on one line" "$(printf '%s\n' "$err" | wc -l)" 1
eq "nothing stored" "$(dbsum kor)" "$sum"
eq "no file written" "$([ -e back.note ] && echo yes || echo no)" no
expect 0 "the agreement still replays" $G agreement status KOR-JPN-2016 --home kor --json
jqeq "in force" "$(GSOMIA_NOW=2024-01-01T00:00:00+09:00 $G agreement list --home kor --json)" '.[0].state' in_force
# The same note made by a node that holds only the 2016 history (where it
# applies) is refused on import by a node holding the whole history.
$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --home kor2 >/dev/null
for P in KOR JPN; do $G party import "$EX/parties/$P.id" --home kor2 >/dev/null; done
cp -r "$KJ" h2016 && rm h2016/notes/2019-* h2016/notes/2023-*
$G agreement import h2016 --home kor2 >/dev/null
GSOMIA_NOW=2018-01-02T00:00:00+09:00 expect 0 "where the history ends in 2016, the 2018 notice applies" \
	$G agreement note termination-notice --agreement KOR-JPN-2016 --to JPN \
	--delivered 2018-01-01T10:00:00+09:00 --home kor2 -o back.note
sum=$(dbsum kor)
expect 1 "a node holding the 2019 notice refuses to import it" $G agreement import back.note --home kor
has "naming the note it would displace" "$err" "termination-notice note by KOR delivered 2019-08-23T16:00:00+09:00"
eq "nothing stored" "$(dbsum kor)" "$sum"

# A note kept here and never given out can be discarded; once given out
# (written to a file, exported, queued) it stands.
export GSOMIA_NOW=2023-06-01T10:00:00+09:00
expect 0 "a note kept here only" $G agreement note termination-notice --agreement KOR-JPN-2016 --to JPN --keep --home kor
kept=$(printf '%s' "$out" | grep -o '[0-9a-f]\{64\}')
jqeq "it applies at once" "$($G agreement status KOR-JPN-2016 --home kor --json)" .state notice_pending
expect 0 "it can be discarded" $G agreement note discard "${kept:0:16}" --home kor --json
jqeq "which one" "$out" .discarded "$kept"
jqeq "the agreement is back in force" "$($G agreement status KOR-JPN-2016 --home kor --json)" .state in_force
expect 1 "it is gone" $G agreement note export "$kept" --home kor
$G agreement note termination-notice --agreement KOR-JPN-2016 --to JPN --keep --home kor >kept1.txt
k1=$(grep -o '[0-9a-f]\{64\}' kept1.txt)
$G agreement note suspension --agreement KOR-JPN-2016 --to JPN --delivered 2023-06-01T11:00:00+09:00 --keep --home kor >kept2.txt
k2=$(grep -o '[0-9a-f]\{64\}' kept2.txt)
expect 1 "a note a later one relies on cannot be discarded first" $G agreement note discard "$k1" --home kor
has "naming the note that would no longer apply" "$err" "suspension note by KOR delivered 2023-06-01T11:00:00+09:00"
expect 0 "the later one first" $G agreement note discard "$k2" --home kor
expect 0 "then the notice" $G agreement note discard "$k1" --home kor
expect 0 "another note kept" $G agreement note termination-notice --agreement KOR-JPN-2016 --to JPN --keep --home kor
kept=$(printf '%s' "$out" | grep -o '[0-9a-f]\{64\}')
expect 0 "exported" $G agreement note export "$kept" -o given.note --home kor
expect 0 "JPN imports what was given" $G agreement import given.note --home jpn
sum=$(dbsum kor)
expect 1 "a note given out cannot be discarded" $G agreement note discard "$kept" --home kor
has "it says so" "$err" "given out"
expect 1 "nor a note another party made" $G agreement note discard "$(sha256sum "$KJ/notes/2016-11-23-JPN-domestic-procedures.note" | cut -c1-16)" --home kor
has "it says whose it is" "$err" "is by JPN"
expect 1 "nor one of this party's imported from elsewhere" $G agreement note discard "$(sha256sum "$KJ/notes/2019-08-23-KOR-termination-notice.note" | cut -c1-16)" --home kor
has "it was given out" "$err" "given out"
eq "refusals changed nothing" "$(dbsum kor)" "$sum"
expect 1 "an unknown note" $G agreement note discard 0123456789abcdef --home kor
expect 2 "discard takes the id" $G agreement note discard --home kor
unset GSOMIA_NOW
finish
