#!/usr/bin/env bash
# gsomia person, facility and decide: registers and "would this be allowed?"
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
done
for h in kor jpn usa; do
	for P in KOR JPN USA; do $G party import "$EX/parties/$P.id" --home $h >/dev/null 2>&1; done
done
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G agreement import "$EX/agreements/us-kor-1987" --home usa >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null
$G agreement import "$EX/agreements/tisa-2014" --home usa >/dev/null

rel() { # AT LABEL [extra...]
	local at=$1 label=$2
	shift 2
	run $G decide release --agreement KOR-JPN-2016 --to JPN --classification "$label" \
		--purpose defence-cooperation --topic dprk-missiles --at "$at" --home kor --json "$@"
}
rel 2016-11-22T23:59:00+09:00 군사II급비밀
jqeq "release before EIF refused" "$out" .decision deny
jqeq "by the in-force rule" "$out" .rule release.in-force
eq "a deny exits 1" "$rc" 1
rel 2016-11-23T00:00:00+09:00 군사II급비밀
jqeq "release at EIF allowed" "$out" .decision permit
eq "a permit exits 0" "$rc" 0
rel 2019-11-23T00:00:01+09:00 군사II급비밀
jqeq "release after the suspension allowed" "$out" .decision permit
rel 2018-01-01 군사I급비밀
jqeq "grade I never released" "$out" .rule release.never
has "the reason names the label" "$(printf '%s' "$out" | jq -r .reason)" "군사I급비밀"
rel 2018-01-01 SECRET
eq "a label outside the scheme is an error" "$rc" 1
has "it names the label" "$err" "'SECRET'"
expect 2 "decide needs a decision kind" $G decide --home kor
expect 2 "release without --to" $G decide release --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose p --topic t --home kor
expect 1 "an unknown agreement" $G decide release --agreement NOPE --to JPN --classification 군사II급비밀 --purpose p --topic t --home kor
expect 1 "an unknown recipient" $G decide release --agreement KOR-JPN-2016 --to FRA --classification 군사II급비밀 --purpose p --topic t --home kor
has "it names the party" "$err" "'FRA'"

# The register at the Japanese node.
expect 0 "facility add" $G facility add ICHIGAYA --name "Joint Staff Office" --home jpn
expect 0 "cleared officer" $G person add yamada --name 山田花子 --nationality JPN --employer JPN \
	--psc 特定秘密 --psc-from 2015-01-01 --psc-until 2030-01-01 --duty topic:dprk-missiles \
	--facility ICHIGAYA --role reader --home jpn
expect 0 "uncleared officer" $G person add sato --name 佐藤一郎 --nationality JPN --employer JPN \
	--duty topic:dprk-missiles --facility ICHIGAYA --home jpn
expect 0 "a Korean national" $G person add kim --name 김민수 --nationality KOR --employer KOR \
	--psc 군사II급비밀 --duty topic:dprk-missiles --facility ICHIGAYA --home jpn
expect 0 "a low clearance" $G person add suzuki --name 鈴木 --nationality JPN --employer JPN \
	--psc 秘 --duty topic:dprk-missiles --facility ICHIGAYA --home jpn
expect 0 "an expired clearance" $G person add tanaka --name 田中 --nationality JPN --employer JPN \
	--psc 機密 --psc-until 2018-01-01 --duty topic:dprk-missiles --facility ICHIGAYA --home jpn
expect 0 "no need to know" $G person add ito --name 伊藤 --nationality JPN --employer JPN \
	--psc 機密 --duty topic:logistics --facility ICHIGAYA --home jpn
expect 0 "a dual national" $G person add park --name 朴 --nationality JPN --nationality KOR --employer JPN \
	--psc 機密 --duty topic:dprk-missiles --facility ICHIGAYA --home jpn
sum=$(dbsum jpn)
expect 1 "a PSC label outside the employer's scheme" $G person add x --name X --nationality JPN \
	--employer JPN --psc 군사II급비밀 --home jpn
has "it names the label and the scheme" "$err" "'군사II급비밀' in the scheme of JPN"
expect 1 "an unknown facility" $G person add x --name X --nationality JPN --employer JPN --facility NOWHERE --home jpn
expect 1 "an unknown employer" $G person add x --name X --nationality FRA --employer FRA --home jpn
expect 1 "a bad nationality code" $G person add x --name X --nationality japan --employer JPN --home jpn
eq "refused registrations changed nothing" "$(dbsum jpn)" "$sum"
expect 0 "person list --json" $G person list --home jpn --json
jqeq "seven persons" "$out" 'length' 7
expect 0 "person show --json" $G person show yamada --home jpn --json
jqeq "PSC level kept" "$out" .psc.level 特定秘密
jqeq "duties kept" "$out" '.duties[0].value' dprk-missiles
expect 0 "facility show --json" $G facility show ICHIGAYA --home jpn --json
jqeq "register holds them" "$out" '.register | length' 7

acc() { # PERSON [AT]
	run $G decide access --agreement KOR-JPN-2016 --originator KOR --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --person "$1" --at "${2:-2023-04-01}" --home jpn --json
}
acc yamada
jqeq "a cleared Japanese officer may open a Korean SECRET item" "$out" .decision permit
acc sato
jqeq "an uncleared officer is refused" "$out" .rule access.psc-none
acc kim
jqeq "a Korean national is refused at the Japanese node" "$out" .rule access.nationality
acc suzuki
jqeq "a PSC below the item's level is refused" "$out" .rule access.psc-level
has "the reason compares the labels" "$(printf '%s' "$out" | jq -r .reason)" "秘"
acc tanaka
jqeq "an expired PSC is refused" "$out" .rule access.psc-expired
acc ito
jqeq "no need-to-know is refused" "$out" .rule access.need-to-know
acc park
jqeq "a dual national is refused under KOR-JPN" "$out" .rule access.dual-national
acc yamada 2025-06-01
jqeq "a cleared officer in 2025" "$out" .decision permit
# A date-only --psc-until is valid all that day, in the employer's zone.
expect 0 "a PSC valid until a date" $G person add mori --name 森 --nationality JPN --employer JPN \
	--psc 特定秘密 --psc-from 2019-01-01 --psc-until 2019-06-01 --duty topic:dprk-missiles --facility ICHIGAYA --home jpn
run $G person show mori --home jpn --json
jqeq "until the end of that day, +09:00" "$out" .psc.valid_until 2019-06-01T15:00:00Z
jqeq "from its start, +09:00" "$out" .psc.valid_from 2018-12-31T15:00:00Z
acc mori 2019-06-01T23:59:59+09:00
jqeq "valid at the last second of the day" "$out" .decision permit
acc mori 2019-06-02T00:00:00+09:00
jqeq "expired at midnight" "$out" .rule access.psc-expired
expect 0 "facility unregister" $G facility unregister ICHIGAYA yamada --home jpn
acc yamada
jqeq "off the register, refused" "$out" .rule access.facility-register
expect 1 "unregistering twice" $G facility unregister ICHIGAYA yamada --home jpn

# TISA at the US hub: the onward leg to Japan needs Korea's consent.
run $G decide onward --arrangement TISA-2014 --originator KOR --to JPN --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-nuclear-missile-threats --at 2019-01-01 --home usa --json
jqeq "onward KOR->USA->JPN without KOR's consent is refused" "$out" .rule onward.consent
run $G decide onward --arrangement TISA-2014 --originator KOR --to JPN --classification 군사II급비밀 \
	--purpose defence-cooperation --topic logistics --at 2019-01-01 --home usa --json
jqeq "TISA's topic gate" "$out" .rule onward.topic-gate
run $G decide onward --arrangement TISA-2014 --originator USA --to JPN --classification SECRET \
	--purpose defence-cooperation --topic dprk-nuclear-missile-threats --at 2019-01-01 --home usa --json
jqeq "the originator needs no consent" "$out" .decision permit
finish
