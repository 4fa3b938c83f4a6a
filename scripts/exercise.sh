#!/usr/bin/env bash
# The three-nation exercise: KOR, JPN and USA exercise nodes serving on
# loopback, playing the 2016-2023 story of the KOR-JPN GSOMIA and the TISA
# route through the United States. Every release travels between the nodes
# over mutual TLS through the senders' outboxes; receipts come back in the
# replies. Prints a narrative, exits 0 and leaves nothing running.
# Usage: scripts/exercise.sh [--keep]   (--keep: leave the nodes up and print their addresses)
set -eu
exec </dev/null
cd "$(dirname "$0")/.."
G=${GSOMIA:-$PWD/build/gsomia}
EX=$PWD/examples
KJ=$EX/agreements/kor-jpn-2016
keep=${1:-}
export GSOMIA_PASSPHRASE=example
unset GSOMIA_HOME
W=$(mktemp -d)
cd "$W"
declare -A port pid
cleanup() {
	for h in "${!pid[@]}"; do kill "${pid[$h]}" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ "$keep" = --keep ] || rm -rf "$W"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ind() { sed 's/^/   /'; }
# Each node on its own loopback address: a browser keeps cookies by host,
# not by port, so nodes sharing one host would see each other's session
# cookies (docs/console.md).
declare -A addr=([kor]=127.0.0.1 [jpn]=127.0.0.2 [usa]=127.0.0.3)
freeport() { python3 -c 'import socket, sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"; }
ready() { for _ in $(seq 1 100); do curl -sk --max-time 2 -o /dev/null "https://$1/v1/health" && return 0; sleep 0.05; done; return 1; }
serve_all() { # the exercise clock of every node moves to $GSOMIA_NOW
	for h in kor jpn usa; do
		[ -n "${pid[$h]:-}" ] && { kill "${pid[$h]}"; wait "${pid[$h]}" 2>/dev/null || true; }
		"$G" serve --home $h >>$h.log 2>&1 &
		pid[$h]=$!
	done
	for h in kor jpn usa; do ready "${addr[$h]}:${port[$h]}" || { echo "node $h did not start"; cat $h.log; exit 1; }; done
}
items() { "$G" items --home "$1" --json | jq -r '.[] | "   \(.id)  \(.marking | join(", "))  originator \(.originator_name) (\(.label))  released by \(if (.released_by // "") == "" then "-" else .released_by end)  [\(.status)]"'; }
quiet() { "$@" >/dev/null; }

# Every node's clock is the exercise's, from the first command: its ledger
# holds only instants of the story (2017-2023).
export GSOMIA_NOW=2017-03-01T09:00:00+09:00
say "Three exercise nodes on loopback, from the example keys (homes in $W)"
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	port[$h]=$(freeport "${addr[$h]}")
	quiet "$G" init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://${addr[$h]}:${port[$h]}" --home $h
	"$G" party export --home $h -o $h.id
	echo "   $P  https://${addr[$h]}:${port[$h]}  fingerprint $("$G" party show $P --home $h --json | jq -r .fingerprint)"
done
for a in kor jpn usa; do for b in kor jpn usa; do [ $a = $b ] || quiet "$G" party import $b.id --home $a; done; done
for h in kor jpn; do
	quiet "$G" agreement import "$KJ/agreement.txt" --home $h
	for s in "$KJ"/signatures/*.sig; do quiet "$G" agreement import "$s" --home $h; done
	for n in "$KJ"/notes/2016-*.note; do quiet "$G" agreement import "$n" --home $h; done
done
quiet "$G" agreement import "$EX/agreements/us-kor-1987" --home kor
quiet "$G" agreement import "$EX/agreements/us-kor-1987" --home usa
quiet "$G" agreement import "$EX/agreements/us-jpn-2007" --home jpn
quiet "$G" agreement import "$EX/agreements/us-jpn-2007" --home usa
for h in kor jpn usa; do quiet "$G" agreement import "$EX/agreements/tisa-2014" --home $h; done
quiet "$G" facility add ICHIGAYA --name "Joint Staff Office, Ichigaya" --home jpn
quiet "$G" person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:dprk-missiles --duty topic:dprk-nuclear-missile-threats --facility ICHIGAYA --role reader --home jpn
quiet "$G" person add sato --name 佐藤一郎 --nationality JPN --employer JPN --duty topic:dprk-missiles \
	--facility ICHIGAYA --role reader --home jpn
quiet "$G" facility add YONGSAN --name "Ministry of National Defense, Yongsan" --home kor
quiet "$G" person add park --name 박지훈 --nationality KOR --employer KOR --psc 군사II급비밀 \
	--duty topic:dprk-missiles --facility YONGSAN --role reader --home kor
quiet "$G" facility add PENTAGON --name "Pentagon" --home usa
# Each node's officer runs it from the web console (docs/console.md): NSA
# officer, registry and auditor at once in an exercise. Exercise passwords
# only: they are printed at the end.
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	f=$(case $P in KOR) echo YONGSAN;; JPN) echo ICHIGAYA;; USA) echo PENTAGON;; esac)
	quiet "$G" person add officer --name "$P duty officer" --nationality $P --employer $P --facility $f \
		--role nsa-officer --role registry --role auditor --home $h
	GSOMIA_PERSON_PASSWORD="exercise-$h" quiet "$G" person password officer --home $h
done
for p in yamada sato; do GSOMIA_PERSON_PASSWORD="exercise-$p" quiet "$G" person password $p --home jpn; done
GSOMIA_PERSON_PASSWORD="exercise-park" quiet "$G" person password park --home kor

export GSOMIA_NOW=2017-03-06T09:00:00+09:00
serve_all
say "March 2017: the KOR-JPN GSOMIA is in force; releases both ways, markings converted"
"$G" agreement status KOR-JPN-2016 --home kor | head -2 | ind
echo "assessment of the launch of 6 March 2017" >k1.txt
echo "tracking data, sea of Japan, 6 March 2017" >j1.txt
"$G" release k1.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles --title "Launch assessment" --deliver --home kor | ind
"$G" release j1.txt --to KOR --agreement KOR-JPN-2016 --classification 秘 --purpose defence-cooperation \
	--topic dprk-missiles --title "Tracking data" --deliver --home jpn | ind
echo "   held at JPN:"; items jpn
echo "   held at KOR:"; items kor
k1=$("$G" items --home jpn --json | jq -r '.[] | select(.originator == "KOR") | .id' | head -1)
"$G" open "$k1" --as yamada -o opened.txt --home jpn 2>&1 | ind
echo "   yamada (特定秘密) opens $k1: $(cat opened.txt)"
"$G" open "$k1" --as sato -o refused.txt --home jpn 2>&1 | sed 's/^gsomia: /   sato: /' || true
"$G" outbox --home kor | ind

export GSOMIA_NOW=2019-08-23T17:00:00+09:00
say "23 August 2019: Korea gives notice of termination"
for h in kor jpn; do quiet "$G" agreement import "$KJ/notes/2019-08-23-KOR-termination-notice.note" --home $h; done
"$G" agreement status KOR-JPN-2016 --home jpn | head -4 | ind
export GSOMIA_NOW=2019-08-24T07:00:00+09:00
serve_all
say "24 August 2019, 06:45 KST: a launch; KOR's warning still goes to JPN under the GSOMIA, and through the United States under TISA"
# the standing rules, set once by each node's officer (docs/warnings.md)
quiet "$G" warn rule add --to USA --under TISA-2014 --topic dprk-nuclear-missile-threats --home kor
quiet "$G" warn rule add --to JPN --under TISA-2014 --agreement KOR-JPN-2016 --topic dprk-nuclear-missile-threats --home kor
quiet "$G" warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic dprk-nuclear-missile-threats --home usa
# Korea's standing consent: its warnings of the topic may go on to Japan
"$G" consent grant --topic dprk-nuclear-missile-threats --to USA --third-party JPN --purpose missile-warning \
	--expires 2024-12-31T00:00:00+09:00 --text "TISA para. 4: standing approval for missile warnings" \
	-o warning-consent.note --home kor >/dev/null
for h in usa jpn; do quiet "$G" consent import warning-consent.note --home $h; done
"$G" warn publish "$EX/warnings/kor-dprk-2019-08-24.json" --home kor | ind
# both copies held at JPN, and the warning shown there (its row is written
# just after the receipt of the first copy)
seen_twice() { [ "$("$G" warn list --as officer --json --home usa | jq length)" -ge 1 ] &&
	[ "$("$G" items --home jpn --json | jq '[.[] | select(.name == "KOR-20190824-0645.warning.txt")] | length')" = 2 ] &&
	"$G" warn list --as yamada --json --home jpn | jq -e 'any(.[]; .warning.id == "KOR-20190824-0645")' >/dev/null; }
for _ in $(seq 1 300); do seen_twice && break; sleep 0.1; done
echo "   at JPN, yamada (特定秘密) sees it once, though it came both ways:"
"$G" warn list --as yamada --json --home jpn |
	jq -r '.[] | "   \(.warning.id) \(.warning.type) from \(.from): \([.chain[].party] | join(" -> ")), marked \(.banner_recipient)"'
say "The counterfactual: had Korea not suspended its notice, a launch on 28 November 2019"
# on a copy of KOR's home at that instant: what would have been decided
cp -a kor kor-counterfactual
sed 's/2019-08-23T21:/2019-11-28T07:/g; s/2019-08-24T06:45:20+09:00/2019-11-28T16:45:20+09:00/; s/KOR-20190824-0645/KOR-20191128-1645/' \
	"$EX/warnings/kor-dprk-2019-08-24.json" >w-counterfactual.json
GSOMIA_NOW=2019-11-28T17:00:00+09:00 "$G" warn publish w-counterfactual.json --home kor-counterfactual | ind || true
rm -rf kor-counterfactual
say "The counterfactual: without a suspension, at midnight on 23 November 2019"
"$G" agreement status KOR-JPN-2016 --home kor --at 2019-11-23T00:00:00+09:00 | head -2 | ind
"$G" decide release --agreement KOR-JPN-2016 --to JPN --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles --at 2019-11-23T00:00:00+09:00 --home kor | ind || true

say "22 November 2019, 18:00 KST: Korea suspends its notice; after midnight a release goes through"
for h in kor jpn; do quiet "$G" agreement import "$KJ/notes/2019-11-22-KOR-suspension.note" --home $h; done
export GSOMIA_NOW=2019-11-23T00:00:01+09:00
serve_all
"$G" agreement status KOR-JPN-2016 --home kor | head -3 | ind
echo "launch of 28 November 2019: first assessment" >k2.txt
"$G" release k2.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles --title "Second assessment" --deliver --home kor | ind

export GSOMIA_NOW=2020-06-01T10:00:00+09:00
serve_all
say "June 2020, TISA: KOR -> USA under US-KOR 1987, then USA -> JPN under US-JPN 2007"
echo "DPRK SLBM test: assessment (exercise text)" >k3.txt
out=$("$G" release k3.txt --to USA --agreement US-KOR-1987 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-nuclear-missile-threats --title "SLBM assessment" --deliver --home kor --json)
k3=$(printf '%s' "$out" | jq -r .item)
echo "   KOR released $k3 to USA; USA marks it $(printf '%s' "$out" | jq -r .banner_recipient)"
echo "   USA passes it on to JPN without Korea's consent:"
"$G" release --item "$k3" --to JPN --agreement US-JPN-2007 --arrangement TISA-2014 --deliver --home usa 2>&1 |
	sed 's/^gsomia: /     /' || true
"$G" consent grant --item "$k3" --to USA --third-party JPN --purpose defence-cooperation \
	--expires 2020-12-31T00:00:00+09:00 --text "TISA para. 4: approval to pass on to Japan" -o consent.note --home kor >/dev/null
for h in usa jpn; do quiet "$G" consent import consent.note --home $h; done
echo "   Korea grants its written consent (imported at USA and JPN); USA passes it on:"
"$G" release --item "$k3" --to JPN --agreement US-JPN-2007 --arrangement TISA-2014 --deliver --home usa | ind
echo "   held at JPN:"; items jpn
echo "   a topic outside TISA's gate:"
"$G" decide onward --arrangement TISA-2014 --originator KOR --to JPN --classification 군사II급비밀 \
	--purpose defence-cooperation --topic logistics --home usa | ind || true

export GSOMIA_NOW=2020-07-01T08:00:00+09:00
say "July 2020: a possible loss at JPN, reported to the originator, investigated and answered"
"$G" incident report "$k1" --kind possible-loss --detected 2020-07-01T06:30:00+09:00 \
	--text "folder not found at the morning inventory" -o inc1.note --home jpn | ind
quiet "$G" incident import inc1.note --home kor
inc=$("$G" incident list --home jpn --json | jq -r '.[0].id')
GSOMIA_NOW=2020-07-02T12:00:00+09:00 "$G" incident step "$inc" --investigation "registry and safes searched" -o inc2.note --home jpn | ind
GSOMIA_NOW=2020-07-03T12:00:00+09:00 "$G" incident step "$inc" --result "found misfiled in the same safe; no compromise" \
	--measures "two-person inventory of that safe" --holding active -o inc3.note --home jpn | ind
for f in inc2.note inc3.note; do quiet "$G" incident import $f --home kor; done
"$G" incident list --home kor | ind

export GSOMIA_NOW=2023-03-21T16:00:00+09:00
say "21 March 2023: Korea withdraws both notes"
for h in kor jpn; do quiet "$G" agreement import "$KJ/notes/2023-03-21-KOR-withdrawal.note" --home $h; done
"$G" agreement status KOR-JPN-2016 --home kor | head -4 | ind

export GSOMIA_NOW=2023-12-18T08:40:00+09:00
serve_all
say "18 December 2023, 08:24 KST: the real-time warning mechanism; KOR's sensors, relayed by the US hub to Japan"
# the trilateral mechanism: KOR's system connected to the hub's, the hub's to JPN's
direct=$("$G" warn rule list --json --home kor | jq -r '.[] | select(.to == "JPN") | .id')
"$G" warn rule remove "$direct" --home kor | ind
out=$(curl -sk --max-time 10 -X POST --data-binary '{"person":"officer","password":"exercise-kor"}' \
	"https://${addr[kor]}:${port[kor]}/v1/session")
tok=$(printf '%s' "$out" | jq -r .token)
curl -sk --max-time 10 -H "Authorization: Bearer $tok" --data-binary @"$EX/warnings/kor-dprk-2023-12-18.json" \
	"https://${addr[kor]}:${port[kor]}/v1/local/warnings" |
	jq -r '.published[] | "   released to \(.to) under \(.agreement), marked \(.banner_recipient) there"'
arrived() { "$G" warn list --as yamada --json --home jpn | jq -e 'any(.[]; .warning.id == "KOR-20231218-0824" and (.chain | length) == 3)'; }
for _ in $(seq 1 300); do arrived >/dev/null && break; sleep 0.1; done
"$G" warn list --as yamada --json --home jpn | jq -r '[.[] | select(.warning.id == "KOR-20231218-0824")][-1] |
	"   JPN: \(.warning.type), impact \(.warning.impacts[0].lat)N \(.warning.impacts[0].lon)E; \([.chain[].party] | join(" -> ")); hops \([.hops[] | "\(.from)->\(.to) \(.ms) ms"] | join(", "))"'
"$G" warn list --as sato --json --home jpn | jq -r '"   sato (no clearance for it) is shown \(length) warnings"'

say "Every ledger verified, and cross-checked with the other party's identity"
for h in kor jpn usa; do "$G" ledger verify --home $h | sed "s/^/   $(echo $h | tr a-z A-Z) /"; done
idx=$("$G" ledger show --peer KOR --home jpn --json | jq '[.entries[] | select(.kind == "receipt")][0].index')
"$G" ledger prove "$idx" --peer KOR --home jpn -o jpn-receipt.proof
echo "   JPN's proof of its first receipt, checked with JPN's identity only:"
"$G" ledger verify-proof jpn-receipt.proof --identity jpn.id | ind
idx=$("$G" ledger show --peer JPN --home kor --json | jq '[.entries[] | select(.kind == "release")][0].index')
"$G" ledger prove "$idx" --peer JPN --home kor -o kor-release.proof
echo "   KOR's proof of its first release, checked with KOR's identity only:"
"$G" ledger verify-proof kor-release.proof --identity kor.id | ind
"$G" outbox --home kor | ind
"$G" outbox --home usa | ind
last=$(for h in kor jpn usa; do
	for q in $("$G" ledger list --home $h --json | jq -r '.[].peer // empty'); do
		"$G" ledger show --peer "$q" --home $h --json | jq -r '.entries[].time'
	done
	"$G" ledger show --internal --home $h --json | jq -r '.entries[].time'
done | sort | tail -1)
echo "   the latest ledger entry of the three nodes: $last (each node's exercise clock)"

export GSOMIA_NOW=2023-12-18T10:00:00+09:00
serve_all
say "The web console of each node (self-signed certificates: accept them once in the browser)"
for h in kor jpn usa; do
	echo "   $(echo $h | tr a-z A-Z)  https://${addr[$h]}:${port[$h]}/console/   sign in as officer / exercise-$h"
done
echo "   readers: yamada / exercise-yamada and sato / exercise-sato at JPN, park / exercise-park at KOR"
if [ "$keep" = --keep ]; then
	say "The nodes stay up (Ctrl-C to stop them); homes in $W, passphrase 'example'"
	for h in kor jpn usa; do echo "   $(echo $h | tr a-z A-Z)  https://${addr[$h]}:${port[$h]}/  --home $W/$h"; done
	wait
else
	echo "   (they stop now: 'make demo KEEP=1' or 'gsomia demo --keep' keeps them up)"
fi
