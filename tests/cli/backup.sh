#!/usr/bin/env bash
# Backup and restore that peers can check: a backup taken while KOR serves,
# ten releases after it that JPN receives and cosigns, then KOR restored
# from that backup. The restored log is shorter than what JPN cosigned, so
# KOR refuses to append and says which entries are missing, until its
# officer signs a restoration notice, which JPN receives, records and
# shows. Bad backups (truncated, altered, another node's) and a non-empty
# home are refused with one line, nothing restored.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
declare -A pid
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
# Backups are SQLite's: on PostgreSQL 'gsomia backup' refuses and names
# PostgreSQL's own tools (docs/scale-out.md "Backups"); the rest of this
# test is played on SQLite homes.
if on_pg; then
	$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --levels "$EX/parties/KOR.levels" --home pgkor >/dev/null
	expect 1 "a node on PostgreSQL refuses 'gsomia backup'" $G backup --home pgkor -o pg.backup
	has "naming PostgreSQL's own tools" "$err" "pg_basebackup"
	[ ! -e pg.backup ] && ok "and writes no file" || bad "a backup file was written"
	G=$GSOMIA
fi
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
start() { # HOME PORT
	$G serve --home "$1" --witness-every 0 >"$1.out" 2>>"$1.err" &
	pid[$1]=$!
	wait_ready "$2"
}
stop() { kill "${pid[$1]:-}" 2>/dev/null; wait "${pid[$1]:-}" 2>/dev/null; unset "pid[$1]"; }

for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	port=$PK
	[ $P = JPN ] && port=$PJ
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:$port" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
rel() { # FILE: a release by KOR to JPN, delivered
	$G release "$1" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --deliver --home kor --json
}
size() { $G ledger show --peer "$2" --home "$1" --json | jq .size; }

start jpn "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
start kor "$PK" && ok "KOR serves" || bad "KOR serves" "$(cat kor.err)"
echo "before the backup" >first.txt
expect 0 "KOR releases to JPN" rel first.txt
expect 0 "JPN cosigns KOR's log" $G ledger witness JPN --home kor

# ---- the backup, while KOR serves ----
expect 0 "a backup while serving" $G backup --home kor -o kor.backup --json
jqeq "it names the node" "$out" .party KOR
B=$(size kor JPN)
eq "the backup file is private" "$(stat -c %a kor.backup)" 600
head -1 kor.backup | grep -q '^gsomia-backup/v1 [0-9]*$' && ok "it starts with its format line" ||
	bad "format line" "$(head -c 40 kor.backup)"
grep -aq "^party KOR$" kor.backup && ok "the manifest is readable without keys" || bad "manifest readable"
! grep -aq "before the backup" kor.backup && ! grep -aq "SQLite format" kor.backup &&
	ok "the contents are sealed (no plaintext, no database)" || bad "sealed"

for i in $(seq 1 10); do
	echo "after the backup $i" >r$i.txt
	rel r$i.txt >/dev/null || bad "release $i"
done
ok "ten releases after the backup"
expect 0 "JPN cosigns them" $G ledger witness JPN --home kor
N=$(size kor JPN)
[ "$N" -ge $((B + 10)) ] && ok "KOR's log for JPN grew from $B to $N" || bad "log grew" "$B -> $N"
eq "JPN holds eleven items" "$($G items --home jpn --json | jq length)" 11

# ---- bad backups and homes: one line, nothing restored ----
cp kor.backup cut.backup
truncate -s -100 cut.backup
expect 1 "a truncated backup is refused" $G restore cut.backup --home r1
has "it says truncated" "$err" "truncated"
eq "in one line" "$(printf '%s\n' "$err" | wc -l)" 1
[ ! -e r1 ] && ok "nothing restored" || bad "nothing restored" "$(ls r1)"
cp kor.backup flip.backup
flip_byte flip.backup $(($(stat -c %s flip.backup) - 3000))
expect 1 "an altered payload is refused" $G restore flip.backup --home r1
has "it says altered" "$err" "altered"
[ ! -e r1 ] && ok "nothing restored" || bad "nothing restored"
cp kor.backup man.backup
off=$(grep -abo "^schema " man.backup | head -1 | cut -d: -f1)
flip_byte man.backup $((off + 7))
expect 1 "an altered manifest is refused" $G restore man.backup --home r1
has "its signature does not verify" "$err" "does not verify"
expect 0 "a backup of USA" $G backup --home usa -o usa.backup
expect 1 "another node's backup cannot replace KOR's home" $G restore usa.backup --home kor --force
has "it says so" "$err" "sealed to that node"
expect 1 "the wrong passphrase is refused" env GSOMIA_PASSPHRASE=wrong $G restore kor.backup --home r1
[ ! -e r1 ] && ok "nothing restored" || bad "nothing restored"
ls | grep -q 'restoring' && bad "no staging directory is left" "$(ls)" || ok "no staging directory is left"

# ---- the restore: KOR is stopped, its home restored from the old backup ----
expect 1 "a home that is being served is not replaced" $G restore kor.backup --home kor --force
has "it says to stop the server first" "$err" "is being served: stop the server"
[ -z "$(ls -d kor.before-restore-* 2>/dev/null)" ] && ok "and nothing was moved" || bad "nothing moved"
stop kor
expect 1 "a restore into a home that holds a node is refused" $G restore kor.backup --home kor
has "it says why and how" "$err" "--force"
expect 0 "the restore with --force" $G restore kor.backup --home kor --force --json
jqeq "the old home is kept aside" "$out" '.aside | test("kor.before-restore-")' true
aside=$(printf '%s' "$out" | jq -r .aside)
[ -f "$aside/gsomia.db" ] && ok "with its database" || bad "aside kept"
jqeq "JPN's log is found behind" "$out" '.logs[] | select(.peer == "JPN") | .state' behind
jqeq "by the sizes" "$out" '.logs[] | select(.peer == "JPN") | "\(.size) \(.held)"' "$B $N"
has "it says which entries are missing" "$err" "entries $B to $((N - 1)) are missing"
has "and which peer cosigned them" "$err" "JPN cosigned $N"
eq "the restored log has the backup's size" "$(size kor JPN)" "$B"
expect 0 "the restored ledger verifies" $G ledger verify --home kor
eq "the item from before the backup is there" "$($G items --home kor --json | jq length)" 1
expect 1 "'restore check' exits 1 while held" $G restore check --home kor
has "and says so" "$err" "HELD: JPN"

echo "a new release" >new.txt
expect 1 "a release to JPN is refused while held" $G release new.txt --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles -o new.bundle --home kor
has "the refusal names the missing entries" "$err" "entries $B to $((N - 1)) are missing"
has "and what to do" "$err" "restore notice"
[ ! -e new.bundle ] && ok "no bundle was written" || bad "no bundle"
eq "and the log did not grow" "$(size kor JPN)" "$B"
expect 0 "the internal log is not held (a person can be registered)" $G person add kim --name Kim \
	--nationality KOR --employer KOR --role auditor --home kor

# ---- the restoration notice ----
start kor "$PK" && ok "the restored KOR serves" || bad "KOR serves" "$(cat kor.err)"
expect 0 "the officer records a restoration notice" $G restore notice --home kor \
	--text "disk failure on 2023-05-01; restored from the nightly backup" --json
jqeq "for JPN" "$out" '.notices[0].peer' JPN
jqeq "and it was delivered" "$out" .delivered 1
expect 0 "JPN shows the notice" $G ledger peers --home jpn
has "as a restoration by KOR" "$out" "RESTORED: KOR restored its log"
has "with the entries JPN had cosigned and are lost" "$out" "entries $B to $((N - 1)) that this node had cosigned are lost"
has "and the officer's words" "$out" "disk failure"
expect 0 "JPN's restore status lists it" $G restore status --home jpn --json
jqeq "received from KOR" "$out" '.restorations[0] | "\(.party) \(.lost_from) \(.lost_to) \(.made_here)"' "KOR $B $N false"
run $G ledger show --peer KOR --home jpn --json
jqeq "JPN logged it in its log for KOR" "$out" '[.entries[] | select(.kind == "restoration")] | length' 1
run $G ledger show --peer JPN --home kor --json
jqeq "KOR logged it in its log for JPN" "$out" '[.entries[] | select(.kind == "restoration")] | length' 1
expect 0 "KOR's restore status: noticed" $G restore status --home kor --json
jqeq "the log for JPN is noticed" "$out" '.hold.logs[] | select(.peer == "JPN") | .state' noticed

expect 0 "KOR releases to JPN again" rel new.txt
eq "JPN holds it" "$($G items --home jpn --json | jq length)" 12
expect 0 "JPN cosigns KOR's new history" $G ledger witness JPN --home kor
expect 0 "no inconsistency is raised at JPN" $G ledger peers --home jpn --json
jqeq "no evidence kept" "$out" '[.[].evidence[]] | length' 0
expect 0 "the same notice delivered again changes nothing" $G outbox send --home kor
run $G ledger show --peer KOR --home jpn --json
jqeq "still one restoration at JPN" "$out" '[.entries[] | select(.kind == "restoration")] | length' 1
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor

# ---- a restore that lost nothing the peer cosigned: no hold ----
stop kor
expect 0 "a fresh backup" $G backup --home kor -o kor2.backup
expect 0 "restored into an empty home" $G restore kor2.backup --home kor-copy --json
jqeq "JPN's log is whole" "$out" '.logs[] | select(.peer == "JPN") | .state' ok
jqeq "nothing is held" "$out" .held false
expect 0 "'restore check' exits 0" $G restore check --home kor-copy
finish
