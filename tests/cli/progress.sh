#!/usr/bin/env bash
# Progress bars on a terminal: release, receive, open, bundle export, backup
# and restore draw a bar with the rate and the time left when standard
# error is a terminal (here a pseudo-terminal made by script(1)); never in
# a pipe, never with --json. GSOMIA_PROGRESS_AFTER=0 draws every phase,
# however short, so that no assertion depends on how fast the machine is.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add JHQ --name "Joint Staff" --home jpn >/dev/null
$G person add sato --name "Sato" --nationality JPN --employer JPN --psc 特定秘密 --duty topic:dprk-missiles \
	--role reader --facility JHQ --home jpn >/dev/null
head -c 3000000 /dev/urandom >doc.bin

# tty CMD...: runs CMD under a pseudo-terminal; what it wrote is in $out
# with each carriage return as a line end, so that each frame is a line
tty() {
	local cmd
	cmd=$(printf '%q ' "$@")
	out=$(GSOMIA_PROGRESS_AFTER=0 script -qec "$cmd" /dev/null | tr '\r' '\n') && rc=0 || rc=$?
}
# frames LABEL: the frames of that phase's bar
frames() { printf '%s\n' "$out" | grep -a "^$1 "; }

rel=(release doc.bin --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation
	--topic dprk-missiles --home kor)
tty $G "${rel[@]}" -o doc.bundle
eq "release under a terminal succeeds" "$rc" 0
has "sealing shows a bar" "$(frames sealing)" "sealing    ["
has "with the percentage" "$(frames sealing | tail -1)" "100%"
has "the size" "$(frames sealing | tail -1)" "MiB"
has "the rate" "$(frames sealing | tail -1)" "/s"
has "the time left while it runs" "$(frames sealing | head -1)" "left"
has "and how long it took at the end" "$(frames sealing | tail -1)" "done in"
has "writing the bundle out is a phase too" "$(frames copying | tail -1)" "100%"
has "the command's own output follows the bars" "$out" "released item"
b=$($G bundle inspect doc.bundle --json | jq -r .bundle)

tty $G receive doc.bundle --home jpn
eq "receive under a terminal succeeds" "$rc" 0
has "receive: verifying shows a bar" "$(frames verifying | tail -1)" "100%"
item=$($G items --home jpn --json | jq -r '.[0].id')

tty $G open "$item" --as sato -o opened.bin --home jpn
eq "open under a terminal succeeds" "$rc" 0
# a v2 bundle opens in one verified pass: each chunk checked, then decrypted
eq "open: no separate verifying pass" "$(frames verifying | wc -l)" 0
has "open: decrypting" "$(frames decrypting | tail -1)" "100%"
cmp -s doc.bin opened.bin && ok "and the item is the document" || bad "opened item"

tty $G bundle export "$item" -o exported.bundle --home jpn
eq "bundle export under a terminal succeeds" "$rc" 0
has "bundle export: copying" "$(frames copying | tail -1)" "100%"

if ! on_pg; then # backups are SQLite's (docs/scale-out.md "Backups")
	tty $G backup --home jpn -o jpn.backup
	eq "backup under a terminal succeeds" "$rc" 0
	has "backup: backing up" "$(frames "backing up" | tail -1)" "100%"

	tty $G restore jpn.backup --home jpn2
	eq "restore under a terminal succeeds" "$rc" 0
	has "restore: verifying" "$(frames verifying | tail -1)" "100%"
	has "restore: restoring" "$(frames restoring | tail -1)" "100%"
fi

# ---- never in a pipe, never with --json ----
run $G "${rel[@]}" -o doc2.bundle
eq "in a pipe: the release succeeds" "$rc" 0
eq "with nothing on standard error" "$err" ""
tty $G "${rel[@]}" -o doc3.bundle --json
eq "with --json under a terminal: it succeeds" "$rc" 0
! printf '%s\n' "$out" | grep -aq '^sealing ' && ok "and draws no bar" || bad "no bar with --json" "$out"
jqeq "the output is only the JSON" "$(printf '%s\n' "$out" | tr -d '\n')" '.bundle | length' 32
out=$(GSOMIA_PROGRESS_AFTER=0 script -qec "$(printf '%q ' $G "${rel[@]}") -o doc4.bundle 2>err.txt" /dev/null)
eq "standard error to a file under a terminal: no bar" "$(cat err.txt)" ""

# ---- a short phase is drawn only after a second, by default ----
echo "small" >small.txt
tty env -u GSOMIA_PROGRESS_AFTER $G release small.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
	--purpose defence-cooperation --topic dprk-missiles --home kor -o small.bundle
out=$(env -u GSOMIA_PROGRESS_AFTER script -qec "$(printf '%q ' $G release small.txt --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles --home kor -o small2.bundle)" \
	/dev/null | tr '\r' '\n')
! printf '%s\n' "$out" | grep -aq '^sealing ' && ok "a release of a few bytes draws no bar by default" || bad "no bar" "$out"
finish
