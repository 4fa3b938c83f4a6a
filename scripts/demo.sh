#!/usr/bin/env bash
# The KOR–JPN GSOMIA from signature (2016) to the withdrawal of Korea's
# notes (2023), played on two exercise nodes made from the example keys.
# Each step imports what the parties exchanged and prints the agreement's
# state and reason, and what the decision engine says about a release.
set -eu
cd "$(dirname "$0")/.."
G=${GSOMIA:-$PWD/build/gsomia}
EX=$PWD/examples/agreements/kor-jpn-2016
export GSOMIA_PASSPHRASE=example
unset GSOMIA_HOME
# Exercise nodes: the clock starts before the agreement is signed.
export GSOMIA_NOW=2016-11-20T09:00:00+09:00
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
status() { # AT
	"$G" agreement status KOR-JPN-2016 --home kor --at "$1" --json |
		jq -r '"   \(.at)  state: \(.state)  term: \(.term // "-")  notice deadline: \(.notice_deadline // "-")  ends: \(.terminates_at // .term_end // "-")\n   reason: \(.reason)"'
}
release() { # AT LABEL
	local r
	r=$("$G" decide release --agreement KOR-JPN-2016 --to JPN --classification "$2" \
		--purpose defence-cooperation --topic dprk-missiles --at "$1" --home kor --json || true)
	printf '%s' "$r" | jq -r --arg l "$2" '"   release of a \($l) item to JPN at \(.at): \(.decision) [\(.rule)]\n     \(.reason)"'
}

say "Two exercise nodes, KOR and JPN, from the example keys"
"$G" init --party KOR --exercise --keys "$EX/../../keys/KOR.keys" --home kor >/dev/null
"$G" init --party JPN --exercise --keys "$EX/../../keys/JPN.keys" --home jpn >/dev/null
"$G" party import "$EX/parties/JPN.id" --home kor | sed 's/^/   /'
"$G" party import "$EX/parties/KOR.id" --home jpn | sed 's/^/   /'

say "23 November 2016, Seoul: the agreement is signed by both parties"
for h in kor jpn; do
	"$G" agreement import "$EX/agreement.txt" --home $h >/dev/null
	"$G" agreement import "$EX/signatures" --home $h >/dev/null 2>&1 ||
		for s in "$EX"/signatures/*.sig; do "$G" agreement import "$s" --home $h >/dev/null; done
done
status 2016-11-22T23:59:00+09:00
release 2016-11-22T23:59:00+09:00 군사II급비밀

say "Both domestic-procedures notes are exchanged the same day: entry into force"
for n in "$EX"/notes/2016-11-23-*.note; do "$G" agreement import "$n" --home kor >/dev/null; done
status 2016-11-23T00:00:00+09:00
release 2016-11-23T00:00:00+09:00 군사II급비밀
release 2016-11-23T00:00:00+09:00 군사I급비밀
status 2018-12-01T00:00:00+09:00

say "23 August 2019: Korea gives written notice of termination (deadline: 24 August)"
"$G" agreement import "$EX/notes/2019-08-23-KOR-termination-notice.note" --home kor >/dev/null
status 2019-08-23T17:00:00+09:00
release 2019-11-22T23:59:59+09:00 군사III급비밀

say "The counterfactual: had Korea not suspended its notice, at midnight on 23 November 2019"
status 2019-11-23T00:00:00+09:00
release 2019-11-23T00:00:00+09:00 군사II급비밀

say "22 November 2019, 18:00 KST: Korea suspends its notice, six hours before expiry"
"$G" agreement import "$EX/notes/2019-11-22-KOR-suspension.note" --home kor >/dev/null
status 2019-11-22T18:00:00+09:00
status 2019-11-23T00:00:01+09:00
release 2019-11-23T00:00:01+09:00 군사II급비밀
status 2020-11-23T12:00:00+09:00

say "21 March 2023: Korea withdraws both notes of 2019"
"$G" agreement import "$EX/notes/2023-03-21-KOR-withdrawal.note" --home kor >/dev/null
status 2023-03-21T16:00:00+09:00

say "Who may open a Korean 군사II급비밀 item at the Japanese node?"
"$G" agreement import "$EX" --home jpn >/dev/null
"$G" facility add ICHIGAYA --name "Joint Staff Office, Ichigaya" --home jpn >/dev/null
"$G" person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--psc-until 2030-01-01 --duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
"$G" person add sato --name 佐藤一郎 --nationality JPN --employer JPN \
	--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
"$G" person add kim --name 김민수 --nationality KOR --employer KOR --psc 군사II급비밀 \
	--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
for p in yamada sato kim; do
	"$G" decide access --agreement KOR-JPN-2016 --originator KOR --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --person $p \
		--at 2023-04-01T09:00:00+09:00 --home jpn --json |
		jq -r '"   \(.decision) [\(.rule)] \(.reason)"' || true
done
say "April 2023: Korea releases a 군사II급비밀 assessment to Japan (bundle carried by hand)"
echo "Assessment of the launch of 13 April 2023 (exercise text)" >assessment.txt
GSOMIA_NOW=2023-04-14T09:00:00+09:00 "$G" release assessment.txt --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles \
	--title "Launch assessment" -o assessment.bundle --home kor | sed 's/^/   /'
"$G" bundle inspect assessment.bundle | sed 's/^/   /'
say "Japan receives it: verified, ciphertext stored, marked with its own equivalent"
GSOMIA_NOW=2023-04-14T11:00:00+09:00 "$G" receive assessment.bundle --receipt assessment.receipt --home jpn | sed 's/^/   /'
item=$("$G" items --home jpn --json | jq -r '.[0].id')
for p in yamada sato kim; do
	if out=$(GSOMIA_NOW=2023-04-14T14:00:00+09:00 "$G" open "$item" --as $p -o opened-$p.txt --home jpn 2>&1); then
		echo "   $p opens it: $(cat opened-$p.txt)"
	else
		echo "   $p: ${out#gsomia: }"
	fi
done
say "The receipt goes back; each ledger proves its side"
"$G" receipt import assessment.receipt --home kor | sed 's/^/   /'
"$G" ledger show --peer KOR --home jpn | sed 's/^/   /'
"$G" ledger verify --home kor | sed 's/^/   KOR /'
"$G" ledger verify --home jpn | sed 's/^/   JPN /'
say "done: every step above is a signed note, a decision or a ledger entry anyone can replay"
