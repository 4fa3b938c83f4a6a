#!/usr/bin/env bash
# make demo's story, as a test: three nodes on loopback play it end to end
# (scripts/exercise.sh) and the narrative shows each decision of the story.
. "$(dirname "$0")/lib.sh"
run "$SRCDIR/scripts/exercise.sh"
eq "the exercise ends well" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n%s\n' "$out" "$err" | tail -30
has "a release both ways, JPN marks KOR's item with its own label" "$out" "特定秘密  originator Republic of Korea (군사II급비밀)  released by KOR"
has "KOR marks JPN's item with its own label" "$out" "군사III급비밀  originator Japan (秘)  released by JPN"
has "the uncleared officer is refused" "$out" "sato: refused"
has "the counterfactual refuses at midnight" "$out" "deny  [release.in-force]"
has "after the suspension the state" "$out" "notice_suspended"
has "the onward leg without consent is refused" "$out" "[onward.consent]"
has "with consent JPN holds it, originator KOR, released by USA" "$out" "極秘  originator Republic of Korea (군사II급비밀)  released by USA"
has "the topic gate" "$out" "[onward.topic-gate]"
has "the incident answered" "$out" "[results-sent]"
has "the withdrawal" "$out" "in_force"
has "every ledger entry on the exercise clocks" "$out" "the latest ledger entry of the three nodes: 2023-12-17T23:40:00Z"
has "August 2019: the warning goes straight to JPN under the GSOMIA in its notice period" "$out" \
	"KOR-20190824-0645 released to JPN under KOR-JPN-2016"
has "and to the hub under TISA" "$out" "KOR-20190824-0645 released to USA under US-KOR-1987"
has "JPN's reader sees it once" "$out" "KOR-20190824-0645 srbm from KOR"
has "the counterfactual termination refuses the warning to JPN, with the rule" "$out" \
	"not to JPN: refused: agreement 'KOR-JPN-2016' is terminated"
has "while the route through the hub still carries it" "$out" "KOR-20191128-1645 released to USA"
has "December 2023: JPN's reader sees the launch, relayed by the hub" "$out" \
	"JPN: mrbm, impact 40.2315N 138.5873E; KOR -> USA -> JPN; hops KOR->USA"
has "an uncleared reader is shown none" "$out" "sato (no clearance for it) is shown 0 warnings"
has "JPN's proof verified with its identity" "$out" "checkpoint signed by JPN"
has "KOR's proof verified with its identity" "$out" "checkpoint signed by KOR"
has "it ends with each node's console" "$(printf '%s' "$out" | tail -6)" "/console/   sign in as officer"
addr=$(printf '%s' "$out" | sed -n 's|.*\(https://127.0.0.1:[0-9]*/console/\).*|\1|p' | head -1)
[ -n "$addr" ] && ok "with its address" || bad "no console address"
eq "each node on its own loopback address (cookies are kept by host)" \
	"$(printf '%s' "$out" | grep -o 'https://127\.0\.0\.[0-9]*:[0-9]*/console/' | sed 's|:[0-9]*/console/||' | sort -u | wc -l)" 3
case "$out" in *" FAILED"*|*"not ok"*) bad "no ledger failed" ;; *) ok "no ledger failed" ;; esac
sleep 0.5
w=$(printf '%s' "$out" | sed -n 's/.*(homes in \(.*\)).*/\1/p' | head -1)
[ -n "$w" ] && ok "the exercise names its homes" || bad "the exercise names its homes"
left=0
for p in $(pgrep -f "gsomia serve"); do
	case "$(readlink /proc/$p/cwd 2>/dev/null)" in "$w"*) left=$((left + 1)) ;; esac
done
eq "nothing left running" "$left" 0
[ ! -e "$w" ] && ok "and nothing left on disk" || bad "homes left in $w"
finish
