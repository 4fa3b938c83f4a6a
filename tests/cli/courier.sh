#!/usr/bin/env bash
# The courier with deliveries in flight (docs/api.md "The outbox"): many
# bundles queued at KOR go to JPN several at once over kept connections,
# and each is delivered exactly once (JPN holds each once, its ledger logs
# each receipt once, every receipt comes back). A peer that was down gets
# its backlog at once when it returns: the first delivery that succeeds
# after failures makes the rest due, and the same pass takes them all.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
N=30 M=20

PJ=$(freeport)
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
jpid=""
start_jpn() {
	$G serve --home jpn --witness-every 0 >>jpn.out 2>>jpn.err &
	jpid=$!
	pids="$pids $jpid"
	wait_ready "$PJ"
}
stop_jpn() {
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
	for _ in $(seq 1 50); do
		curl -sk --max-time 1 -o /dev/null "https://127.0.0.1:$PJ/v1/health" || return 0
		sleep 0.1
	done
}

for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:$PJ" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
rel() {
	echo "document $1" >"doc$1.txt"
	$G release "doc$1.txt" --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles --deliver --home kor --json >/dev/null
}
held() { $G items --home jpn --json | jq length; }
pending() { dbq kor "SELECT count(*) FROM outbox WHERE state = 'pending'"; }
# receipt entries in JPN's ledger, and how many distinct bundles they name
receipts_logged() { dbq jpn "SELECT count(*) FROM ledger_entries WHERE kind = 'receipt'"; }

# ---- many queued, all delivered once, several in flight ----
for i in $(seq 1 $N); do rel $i || bad "release $i"; done
eq "$N releases wait while JPN is down" "$(pending)" $N
# as if queued and never tried: each goes straight, without asking first
dbq kor "UPDATE outbox SET attempts = 0, next_at = 0"
start_jpn && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
expect 0 "KOR sends its outbox, 8 in flight" $G outbox send --in-flight 8 --home kor --json
jqeq "every one delivered" "$out" .delivered $N
jqeq "none to retry" "$out" .retry 0
eq "JPN holds $N" "$(held)" $N
eq "each bundle once" "$($G items --home jpn --json | jq '[.[].bundle] | unique | length')" $N
eq "JPN's ledger logs $N receipts" "$(receipts_logged)" $N
run $G items --home kor --json
jqeq "every receipt came back to KOR" "$out" '[.[] | .releases[] | select(.receipt == true)] | length' $N
expect 0 "a second send" $G outbox send --home kor --json
jqeq "finds nothing due" "$out" .delivered 0
eq "JPN still holds $N" "$(held)" $N
expect 2 "--in-flight 0 is bad usage" $G outbox send --in-flight 0 --home kor
expect 2 "--in-flight 65 is bad usage" $G outbox send --in-flight 65 --home kor

# ---- the backlog after an outage goes at once ----
stop_jpn
for i in $(seq $((N + 1)) $((N + M))); do rel $i || bad "release $i"; done
expect 0 "KOR tries again while JPN is down" $G outbox send --home kor --json
jqeq "nothing delivered" "$out" .delivered 0
eq "$M wait" "$(pending)" $M
eq "each tried and failed" "$(dbq kor "SELECT min(attempts) > 0 FROM outbox WHERE state = 'pending'")" 1
# each in its own backoff, an hour off; only the oldest is due now
dbq kor "UPDATE outbox SET next_at = next_at + 3600 WHERE state = 'pending';
	UPDATE outbox SET next_at = 0 WHERE rowid = (SELECT min(rowid) FROM outbox WHERE state = 'pending')"
start_jpn && ok "JPN comes back" || bad "JPN comes back" "$(cat jpn.err)"
expect 0 "KOR sends once" $G outbox send --home kor --json
jqeq "the whole backlog is delivered in that one pass" "$out" .delivered $M
eq "nothing waits" "$(pending)" 0
eq "JPN holds $((N + M))" "$(held)" $((N + M))
eq "each bundle once" "$($G items --home jpn --json | jq '[.[].bundle] | unique | length')" $((N + M))
eq "JPN's ledger logs $((N + M)) receipts" "$(receipts_logged)" $((N + M))
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
expect 0 "KOR's ledger verifies" $G ledger verify --home kor

# ---- a backlog not woken: entries in their backoff wait ----
stop_jpn
rel $((N + M + 1)); rel $((N + M + 2))
expect 0 "KOR tries while JPN is down" $G outbox send --home kor --json
dbq kor "UPDATE outbox SET next_at = next_at + 3600 WHERE state = 'pending'"
start_jpn
expect 0 "KOR sends" $G outbox send --home kor --json
jqeq "nothing is due before its backoff ends" "$out" .delivered 0
eq "both wait" "$(pending)" 2
finish
