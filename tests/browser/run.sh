#!/usr/bin/env bash
# End-to-end tests of the web console in headless Chromium, against real
# exercise nodes served on loopback: KOR and JPN, USA as the hub of the
# missile warnings, and a second JPN with thousands of holdings.
#
# Usage: tests/browser/run.sh [SCREENSHOT_DIR]
#   GSOMIA=path/to/gsomia      the binary (default build/gsomia)
#   GSOMIA_BROWSER_KEEP=1      leave the nodes up after the tests (Ctrl-C ends them)
#   GSOMIA_BROWSER_STRICT=1    a test whose endpoint the node lacks fails instead of skipping
#   GSOMIA_BROWSER_ONLY=REGEX  run only the tests whose name matches (and those before them
#                              that they build on are run anyway when marked so in spec.mjs)
#   GSOMIA_BROWSER_HOLDINGS=N  holdings the third node is filled with (default 5000)
#
# Installs Debian's chromium and the npm dependencies (playwright-core) if
# they are missing, prints TAP lines ("ok N - ...", "not ok N - ...",
# "# SKIP ..."), keeps a screenshot of every step in SCREENSHOT_DIR
# (default build/browser-screenshots/) and exits non-zero on any failure.
set -eu
exec </dev/null
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
G=${GSOMIA:-$root/build/gsomia}
case $G in /*) ;; *) G=$PWD/$G ;; esac
shots=${1:-$root/build/browser-screenshots}
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)
rm -f "$shots"/[0-9][0-9]-*.png # this run's screenshots only
EX=$root/examples
KJ=$EX/agreements/kor-jpn-2016

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if [ ! -x /usr/bin/chromium ]; then
	echo "# installing chromium"
	$SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Korean and Japanese labels need a CJK face (the console names no font file).
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ko 2>/dev/null)" ]; then
	echo "# installing fonts-wqy-microhei"
	$SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null || true
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "# installing nodejs and npm"
	$SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# The version package.json pins (one that runs on Debian 12's Node 18); an
# older checkout's node_modules with another version is replaced.
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$here/package.json")
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$here/node_modules/playwright-core/package.json" 2>/dev/null | head -1)
if [ "$have" != "$want" ]; then
	echo "# npm ci (playwright-core $want, node $(node --version))"
	(cd "$here" && npm ci --engine-strict --no-audit --no-fund --loglevel=error >/dev/null) ||
		{ echo "not ok 1 - npm ci failed: playwright-core $want with node $(node --version)"; exit 1; }
fi
[ -x "$G" ] || { echo "not ok 1 - no gsomia binary at $G"; exit 1; }

export GSOMIA_PASSPHRASE=example
unset GSOMIA_HOME
W=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
cd "$W"

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ready() {
	for _ in $(seq 1 200); do
		curl -sk --max-time 2 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.05
	done
	return 1
}
quiet() { "$@" >/dev/null; }

# Two exercise nodes that know each other, with the KOR-JPN agreement and
# its 2016 notes: in force, its term running to 23 November 2019; and a
# trilateral agreement USA has left.
declare -A port
for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	port[$h]=$(freeport)
	quiet "$G" init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:${port[$h]}" --home $h
	"$G" party export --home $h -o $h.id
done
quiet "$G" party import jpn.id --home kor
quiet "$G" party import kor.id --home jpn
for h in kor jpn; do
	quiet "$G" agreement import "$KJ/agreement.txt" --home $h
	for s in "$KJ"/signatures/*.sig; do quiet "$G" agreement import "$s" --home $h; done
	for n in "$KJ"/notes/2016-*.note; do quiet "$G" agreement import "$n" --home $h; done
done

# A trilateral agreement (docs/lifecycle.md, "Members"): KOR, JPN and USA
# from 2017-03-01; USA gave notice and left at the first anniversary, KOR and
# JPN go on. USA's node only signs and makes its notes; it is not served.
port[usa]=$(freeport)
quiet "$G" init --party USA --exercise --keys "$EX/keys/USA.keys" --levels "$EX/parties/USA.levels" \
	--endpoint "https://127.0.0.1:${port[usa]}" --home usa
"$G" party export --home usa -o usa.id
for h in kor jpn; do quiet "$G" party import usa.id --home $h; quiet "$G" party import $h.id --home usa; done
mkdir -p tri/signatures tri/notes
cat >tri/agreement.txt <<'DEF'
gsomia-agreement/v1
id: TRI-2017
title: Trilateral agreement on the protection of classified military information (exercise)
parties: KOR JPN USA
zone: +09:00
signed: 2017-02-01
accession: by-all-members
[annex 1 effective 2017-02-01]
SECRET = KOR: 군사II급비밀 | JPN: 特定秘密 | USA: SECRET
DEF
for h in kor jpn usa; do
	quiet "$G" agreement import tri/agreement.txt --home $h
	quiet "$G" agreement sign TRI-2017 -o tri/signatures/$h.sig --home $h
done
for h in kor jpn usa; do quiet "$G" agreement import tri --home $h; done
trinote() { # HOME KIND DELIVERED
	quiet "$G" agreement note "$2" --agreement TRI-2017 --delivered "$3" -o "tri/notes/$1-$2.note" --home "$1" 2>/dev/null
}
trinote kor domestic-procedures-complete 2017-02-20T10:00:00+09:00
trinote jpn domestic-procedures-complete 2017-02-25T10:00:00+09:00
trinote usa domestic-procedures-complete 2017-03-01T10:00:00+09:00
quiet "$G" agreement import tri --home usa
trinote usa termination-notice 2017-06-01T10:00:00+09:00
for h in kor jpn; do quiet "$G" agreement import tri --home $h; done

# People, with roles and passwords. JPN: yamada is cleared (特定秘密) and
# needs to know dprk-missiles; sato has no clearance.
quiet "$G" facility add ICHIGAYA --name "Joint Staff Office, Ichigaya" --home jpn
quiet "$G" facility add YONGSAN --name "Ministry of National Defense, Yongsan" --home kor
jperson() { # ID NAME ROLE [options]
	local id=$1 name=$2 role=$3
	shift 3
	quiet "$G" person add "$id" --name "$name" --nationality JPN --employer JPN --facility ICHIGAYA \
		--role "$role" --home jpn "$@"
}
kperson() {
	local id=$1 name=$2 role=$3
	shift 3
	quiet "$G" person add "$id" --name "$name" --nationality KOR --employer KOR --facility YONGSAN \
		--role "$role" --home kor "$@"
}
jperson yamada 山田花子 reader --psc 特定秘密 --duty topic:dprk-missiles
jperson sato 佐藤一郎 reader --duty topic:dprk-missiles
# ito's clearance ends within 60 days of the clock: work waiting lists it
jperson ito 伊藤清 reader --psc 秘 --psc-until 2019-12-10 --duty topic:dprk-missiles
jperson suzuki 鈴木登録 registry
jperson tanaka 田中監査 auditor
jperson kato 加藤保安 nsa-officer
kperson kim 김등록 registry
kperson park 박보안 nsa-officer
for p in yamada sato suzuki tanaka kato; do GSOMIA_PERSON_PASSWORD="pw-of-$p" quiet "$G" person password $p --home jpn; done
for p in kim park; do GSOMIA_PERSON_PASSWORD="pw-of-$p" quiet "$G" person password $p --home kor; done

# The exercise clock: 1 November 2019, three weeks before the end of the
# term; the notice deadline for that term has passed, the next one is 2020's.
export GSOMIA_NOW=2019-11-01T00:00:00+09:00

# Missile warnings through the hub (docs/warnings.md): KOR publishes under
# TISA to USA by a standing rule, USA relays them to JPN by its relay rule
# with KOR's standing consent; JPN's nakamura is cleared for them (the hub's
# SECRET is 極秘 at JPN) and needs to know their topic, sato is not cleared.
# USA is served as the hub. A binary without the warning channel skips it
# (the browser tests then skip their warnings tests, or fail them with
# GSOMIA_BROWSER_STRICT=1).
warnings=
if "$G" warn rule list --home kor >/dev/null 2>&1; then
	warnings=1
	WTOPIC=dprk-nuclear-missile-threats
	for h in kor usa; do quiet "$G" agreement import "$EX/agreements/us-kor-1987" --home $h; done
	for h in usa jpn; do quiet "$G" agreement import "$EX/agreements/us-jpn-2007" --home $h; done
	for h in kor usa jpn; do quiet "$G" agreement import "$EX/agreements/tisa-2014" --home $h; done
	jperson nakamura 中村美咲 reader --psc 特定秘密 --duty topic:$WTOPIC
	GSOMIA_PERSON_PASSWORD=pw-of-nakamura quiet "$G" person password nakamura --home jpn
	# KOR's choi reads KOR's warnings, and the hub's refusals of them
	kperson choi 최경보 reader --psc 군사II급비밀 --duty topic:$WTOPIC --duty topic:logistics
	GSOMIA_PERSON_PASSWORD=pw-of-choi quiet "$G" person password choi --home kor
	quiet "$G" warn rule add --to USA --under TISA-2014 --topic $WTOPIC --home kor
	quiet "$G" warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic $WTOPIC --home usa
	# logistics is outside TISA's scope: KOR may send such a warning to the
	# hub under the KOR-US agreement, but the hub may not pass it on
	quiet "$G" warn rule add --to USA --under TISA-2014 --topic logistics --home kor
	quiet "$G" warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic logistics --home usa
	quiet "$G" consent grant --topic $WTOPIC --to USA --third-party JPN --purpose missile-warning \
		--expires 2020-12-31T00:00:00+09:00 -o standing.note --home kor
	for h in usa jpn; do quiet "$G" consent import standing.note --home $h; done
	# the example warning of 18 December 2023, moved to the exercise's
	# clock: the same launch, 31 October 2019 at 23:24 KST
	sed -e 's/KOR-20231218-0824/KOR-20191031-2324/' -e 's/2023-12-18T08:/2019-10-31T23:/' \
		-e 's/2023-12-17T23:/2019-10-31T14:/g' "$EX/warnings/kor-dprk-2023-12-18.json" >warning.json
fi

# One item already held at JPN (released with the command line), so that the
# reader's view has something to show whatever the node's endpoints.
echo "assessment of the launch of 31 October 2019 (exercise text)" >seed.txt
quiet "$G" release seed.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --title "Launch assessment 2019-10-31" \
	-o seed.bundle --home kor
quiet "$G" receive seed.bundle --home jpn
# A bundle to bring to JPN by hand (the receive form).
echo "order of battle annex (exercise text)" >hand.txt
quiet "$G" release hand.txt --to JPN --agreement KOR-JPN-2016 --classification 군사III급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --title "Carried by hand" -o hand.bundle --home kor

# A third node, JPN again, with the agreement's whole history (the notice
# of 2019-08-23, its suspension of 2019-11-22, the withdrawal of 2023) and
# thousands of holdings of its own, released to KOR over thirty months:
# the timeline's periods, the countdowns while a notice runs, what-if
# without a note, and the holdings table. Filling it takes a while; it is
# done beside the other tests, and the node serves once it is full.
port[hist]=$(freeport)
quiet "$G" init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" --home hist
quiet "$G" party import kor.id --home hist
quiet "$G" agreement import "$KJ/agreement.txt" --home hist
for s in "$KJ"/signatures/*.sig "$KJ"/notes/*.note; do quiet "$G" agreement import "$s" --home hist; done
quiet "$G" facility add ICHIGAYA --name "Joint Staff Office, Ichigaya" --home hist
for p in "kato 加藤保安 nsa-officer" "suzuki 鈴木登録 registry" "tanaka 田中監査 auditor"; do
	set -- $p
	quiet "$G" person add "$1" --name "$2" --nationality JPN --employer JPN --facility ICHIGAYA --role "$3" --home hist
	GSOMIA_PERSON_PASSWORD="pw-of-$1" quiet "$G" person password "$1" --home hist
done
many=$(dirname "$G")/tests/browser/many_releases
holdings=${GSOMIA_BROWSER_HOLDINGS:-5000}
(
	t0=$(date +%s)
	"$many" hist "$holdings" KOR KOR-JPN-2016 特定秘密 極秘 秘 >hist-fill.log 2>&1 &
	fill=$!
	trap 'kill $fill 2>/dev/null; exit 1' TERM
	wait $fill || { echo "filling failed" >>hist-fill.log; exit 1; }
	echo "$holdings holdings in $(($(date +%s) - t0)) s" >hist-filled
	exec "$G" serve --home hist --listen "127.0.0.1:${port[hist]}" --witness-every 0 >hist.log 2>&1
) &
pids="$pids $!"

served="kor jpn${warnings:+ usa}"
for h in $served; do
	"$G" serve --home $h --listen "127.0.0.1:${port[$h]}" --witness-every 2 >$h.log 2>&1 &
	pids="$pids $!"
done
for h in $served; do
	ready "${port[$h]}" || { echo "not ok 1 - node $h did not start"; cat $h.log; exit 1; }
done

export GSOMIA_BROWSER_KOR="https://127.0.0.1:${port[kor]}"
export GSOMIA_BROWSER_JPN="https://127.0.0.1:${port[jpn]}"
export GSOMIA_BROWSER_SHOTS=$shots
export GSOMIA_BROWSER_WORK=$W
export GSOMIA_BROWSER_BUNDLE=$W/hand.bundle
export GSOMIA_BROWSER_HIST="https://127.0.0.1:${port[hist]}"
export GSOMIA_BROWSER_HOLDINGS=$holdings
# the warning channel: the binary and KOR's home to publish with, and the warning
export GSOMIA_BROWSER_GSOMIA=$G
export GSOMIA_BROWSER_KOR_HOME=$W/kor
export GSOMIA_BROWSER_WARNING=${warnings:+$W/warning.json}
[ -n "$warnings" ] && export GSOMIA_BROWSER_USA="https://127.0.0.1:${port[usa]}"
echo "# KOR $GSOMIA_BROWSER_KOR  JPN $GSOMIA_BROWSER_JPN  JPN with the whole history $GSOMIA_BROWSER_HIST  homes in $W  screenshots in $shots"
rc=0
node "$here/spec.mjs" || rc=$?
if [ "${GSOMIA_BROWSER_KEEP:-}" = 1 ]; then
	echo "# nodes up: KOR $GSOMIA_BROWSER_KOR/console/  JPN $GSOMIA_BROWSER_JPN/console/ (Ctrl-C to stop)"
	wait
fi
exit $rc
