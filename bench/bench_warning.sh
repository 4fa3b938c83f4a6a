#!/usr/bin/env bash
# Missile warnings KOR -> USA -> JPN on three exercise nodes served on
# loopback (mutual TLS between them), under TISA-2014 with Korea's standing
# consent to the United States for Japan: a publish rule at KOR (to USA
# under US-KOR-1987), a relay rule at USA (KOR to JPN under US-JPN-2007).
# Each warning is about 1 KiB of canonical JSON, released (sealed, signed,
# committed, in the ledger) at every hop and read by a cleared reader from
# JPN's stream (GET /v1/local/warnings/stream). bench/warning_load.c
# publishes and reads on one clock.
#
#   one at a time: 5 warnings/s for BENCH_ONE_SECS (default 5), one
#               connection: what a warning costs with no queue anywhere
#   latency:    paced BENCH_RATE warnings/s (default 200) for BENCH_LAT_SECS
#               (default 10) over up to BENCH_LAT_CONNS connections (default
#               8): p50/p90/p99/max from publish at KOR to the record read
#               from JPN's stream, and each stage from the record's chain;
#               targets p50 <= 5 ms, p99 <= 25 ms
#   throughput: as fast as BENCH_CONNS publishing connections (default 8)
#               go, for BENCH_SECS (default 60); then JPN must hold each one
#               exactly once (counted by id through GET /v1/local/warnings)
#               and each ledger must have its entry; target >= 2,000/s
#   floor:      measured in the same run: an HTTPS round trip over the same
#               mutual TLS (GET /v1/health, keep-alive, libcurl as the
#               courier uses it) on each hop, and this disk's fdatasync of
#               a 1 KiB append times the durable commits on the path
#   BENCH_SYNCS=1 also counts each node's fsync/fdatasync calls per warning
#               (perf trace, during the one-at-a-time run)
#
# Figures, not assertions: the machine is shared and noisy; `uptime`'s load
# is printed beside them. Exits 1 only when the run itself fails (a node
# that does not start, a warning refused or lost).
set -u
exec </dev/null
GSOMIA=${GSOMIA:-@GSOMIA@}
SRCDIR=${SRCDIR:-@SRCDIR@}
LOAD=${WARNING_LOAD:-@WARNING_LOAD@}
RATE=${BENCH_RATE:-200}
LAT_SECS=${BENCH_LAT_SECS:-10}
SECS=${BENCH_SECS:-60}
CONNS=${BENCH_CONNS:-8}
LAT_CONNS=${BENCH_LAT_CONNS:-8}
ONE_SECS=${BENCH_ONE_SECS:-5}
EX=$SRCDIR/examples
G=$GSOMIA
T=$(mktemp -d)
declare -A port pid
cleanup() {
	for h in "${!pid[@]}"; do kill "${pid[$h]}" 2>/dev/null; done
	for h in "${!pid[@]}"; do wait "${pid[$h]}" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T"
fail() { echo "bench_warning: $*"; exit 1; }
# The nodes' exercise clock: the day of the example launch (docs/warnings.md),
# after it. The records' instants are the machine's clock all the same.
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-12-18T08:40:00+09:00
unset GSOMIA_HOME
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
up() { for _ in $(seq 1 100); do curl -sk --max-time 2 -o /dev/null "$1/v1/health" && return 0; sleep 0.1; done; return 1; }
TOPIC=dprk-nuclear-missile-threats
# The set-up stops at its first failure and shows its log.
exec 3>&1 4>&2 >setup.log 2>&1
set -e
trap 'echo "bench_warning: setup failed at line $LINENO" >&3; tail -20 setup.log >&3; exit 1' ERR
for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	port[$h]=$(freeport)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" \
		--endpoint "https://127.0.0.1:${port[$h]}" --home $h
	$G party export --home $h -o $h.id
done
for a in kor jpn usa; do for b in kor jpn usa; do [ $a = $b ] || $G party import $b.id --home $a; done; done
$G agreement import "$EX/agreements/us-kor-1987" --home kor
$G agreement import "$EX/agreements/us-kor-1987" --home usa
$G agreement import "$EX/agreements/us-jpn-2007" --home jpn
$G agreement import "$EX/agreements/us-jpn-2007" --home usa
for h in kor jpn usa; do $G agreement import "$EX/agreements/tisa-2014" --home $h; done
# KOR's duty officer publishes; JPN's cleared reader watches the stream
$G facility add YONGSAN --name "Ministry of National Defense, Yongsan" --home kor
$G person add officer --name "KOR duty officer" --nationality KOR --employer KOR --facility YONGSAN \
	--role nsa-officer --role registry --home kor
GSOMIA_PERSON_PASSWORD=bench-kor $G person password officer --home kor
$G facility add ICHIGAYA --name "Joint Staff Office, Ichigaya" --home jpn
$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
	--duty topic:$TOPIC --facility ICHIGAYA --role reader --home jpn
GSOMIA_PERSON_PASSWORD=bench-yamada $G person password yamada --home jpn
# and an officer at each hub and recipient, to read their metrics
$G facility add PENTAGON --name "Pentagon" --home usa
$G person add officer --name "USA duty officer" --nationality USA --employer USA --facility PENTAGON \
	--role nsa-officer --home usa
$G person add officer --name "JPN duty officer" --nationality JPN --employer JPN --facility ICHIGAYA \
	--role nsa-officer --home jpn
for h in usa jpn; do GSOMIA_PERSON_PASSWORD=bench-$h $G person password officer --home $h; done
# Korea's standing consent: the United States may pass the topic on to Japan
$G consent grant --topic $TOPIC --to USA --third-party JPN --purpose missile-warning \
	--expires 2024-12-31T00:00:00+09:00 --text "TISA para. 4: standing approval for missile warnings" \
	-o consent.note --home kor
for h in usa jpn; do $G consent import consent.note --home $h; done
$G warn rule add --to USA --topic $TOPIC --under TISA-2014 --agreement US-KOR-1987 --home kor
$G warn relay add --from KOR --to JPN --arrangement TISA-2014 --topic $TOPIC \
	--agreement US-JPN-2007 --home usa
# the warning: the example launch with its track cut to five points,
# 1 KiB of canonical JSON; warning_load gives each copy its own id
jq -c '.track |= .[:5]' "$EX/warnings/kor-dprk-2023-12-18.json" |
	$G warn check - --at 2023-12-17T23:40:00Z >warning.json
trap - ERR
set +e
exec >&3 2>&4 3>&- 4>&-
K=https://127.0.0.1:${port[kor]}
U=https://127.0.0.1:${port[usa]}
J=https://127.0.0.1:${port[jpn]}
for h in kor usa jpn; do
	$G serve --home $h --listen "127.0.0.1:${port[$h]}" --witness-every 0 >$h.out 2>$h.err &
	pid[$h]=$!
done
for h in kor usa jpn; do up "https://127.0.0.1:${port[$h]}" || fail "$h did not start: $(tail -3 $h.err)"; done
session() { curl -sk "$1/v1/session" --data-binary "{\"person\":\"$2\",\"password\":\"$3\"}" | jq -r .token; }
ktok=$(session "$K" officer bench-kor)
jtok=$(session "$J" yamada bench-yamada)
declare -A otok=([kor]=$ktok [usa]=$(session "$U" officer bench-usa) [jpn]=$(session "$J" officer bench-jpn))
for t in "$ktok" "$jtok" "${otok[@]}"; do [ -n "$t" ] && [ "$t" != null ] || fail "sign-in failed"; done
# Each node's database commits so far (GET /v1/metrics): how many, and the
# actions they made durable.
commits() { # -> "kor_commits kor_actions usa_commits ..."
	local h
	for h in kor usa jpn; do
		curl -sk "https://127.0.0.1:${port[$h]}/v1/metrics" -H "Authorization: Bearer ${otok[$h]}" |
			awk '/^gsomia_commit_batch_actions_count / { c = $2 } /^gsomia_commit_batch_actions_sum / { s = $2 }
			     END { printf "%d %d ", c, s }'
	done
}

load() { uptime | sed 's/.*load average: //'; }
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$2"; }
load0=$(load)

# ---- the floor, in the same run ----
$LOAD sync "$T/kor" 1000 >sync.txt || fail "fdatasync probe failed"
$LOAD rtt "$U/v1/health" kor/tls.crt kor/tls.key 1000 >rtt1.txt || fail "round trip KOR -> USA failed"
$LOAD rtt "$J/v1/health" usa/tls.crt usa/tls.key 1000 >rtt2.txt || fail "round trip USA -> JPN failed"

run() { # NAME RATE SECS CONNS [WARMUP]
	$LOAD run --publish "$K" --token "$ktok" --stream "$J" --stream-token "$jtok" --template warning.json \
		--prefix "KOR-$1" --rate "$2" --secs "$3" --conns "$4" --warmup "${5:-20}" --ids "$1.ids" >"$1.txt" 2>"$1.err" ||
		fail "the $1 run failed: $(cat "$1.err")"
}
# ---- one at a time: what one warning costs, with no queue ----
# BENCH_SYNCS=1: each node's fsync and fdatasync calls counted by perf trace
# meanwhile (a little slower then).
tracers=""
if [ -n "${BENCH_SYNCS:-}" ]; then
	for h in kor usa jpn; do
		perf trace -e fsync,fdatasync -p "${pid[$h]}" -o "$h.syncs" 2>/dev/null &
		tracers="$tracers $!"
	done
	sleep 1
fi
run one 5 "$ONE_SECS" 1 5
for t in $tracers; do kill -INT "$t" 2>/dev/null; wait "$t" 2>/dev/null; done
# ---- latency: paced ----
c0=$(commits)
run lat "$RATE" "$LAT_SECS" "$LAT_CONNS"
load1=$(load)
c1=$(commits)
# ---- throughput: flat out ----
run tpt 0 "$SECS" "$CONNS"
load2=$(load)
c2=$(commits)

# Every warning JPN holds, by id, as the cleared reader sees them.
held() { # URL TOKEN -> ids, one a line
	local since=0 page next
	while :; do
		page=$(curl -sk "$1/v1/local/warnings?since=$since&limit=1000" -H "Authorization: Bearer $2") || return 1
		printf '%s' "$page" | jq -r '.warnings[].warning.id' || return 1
		next=$(printf '%s' "$page" | jq -r '.next')
		[ "$(printf '%s' "$page" | jq '.warnings | length')" -gt 0 ] && [ "$next" != "$since" ] || break
		since=$next
	done
}
held "$J" "$jtok" | sort >jpn.held || fail "could not list JPN's warnings"
cat one.ids lat.ids tpt.ids | sort >published.ids
once=$(comm -12 published.ids <(uniq -u jpn.held) | wc -l)
twice=$(uniq -d jpn.held | wc -l)
missing=$(comm -23 published.ids <(sort -u jpn.held) | wc -l)
total=$(wc -l <published.ids)

# The ledgers: a release and a receipt at every hop, for every warning.
entries() { # HOME PEER KIND
	$G ledger show --peer "$2" --home "$1" --json | jq --arg k "$3" '[.entries[] | select(.kind == $k)] | length'
}
led_kor=$(entries kor USA release) led_usa_in=$(entries usa KOR receipt)
led_usa_out=$(entries usa JPN release) led_jpn=$(entries jpn USA receipt)
percommit() { # BEFORE AFTER WARNINGS
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { split(a, x, " "); split(b, y, " "); split("KOR USA JPN", p, " ")
		for (i = 0; i < 3; i++) { dc = y[2 * i + 1] - x[2 * i + 1]; ds = y[2 * i + 2] - x[2 * i + 2]
			printf "%s %.2f (%.1f actions each)%s", p[i + 1], dc / n, dc ? ds / dc : 0, i < 2 ? ", " : "" } }'
}

# Durable commits on the path: KOR's release, USA's receipt, USA's onward
# release, JPN's receipt (each a commit with its ledger entry).
COMMITS=4
met() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? "met" : "NOT met" }'; }
atleast() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "met" : "NOT met" }'; }
f() { printf '%8.2f' "$(val "$1" "$2")"; }
echo "warnings of $(wc -c <warning.json) bytes (canonical JSON), KOR -> USA -> JPN under TISA-2014,"
echo "each released, received and relayed durably with its ledger entries; read from JPN's stream"
echo "load average: $load0 (start), $load1 (after latency), $load2 (after throughput); $(nproc) cores"
echo
latency() { # NAME TITLE
	echo "$2"
	echo "  rate achieved $(val publish_rate $1.txt)/s, $(val arrived $1.txt)/$(val sent $1.txt) arrived, the client late by up to $(val late_max $1.txt) ms"
	printf '  ms        p50 %s   p90 %s   p99 %s   max %s\n' "$(f lat_p50 $1.txt)" "$(f lat_p90 $1.txt)" \
		"$(f lat_p99 $1.txt)" "$(f lat_max $1.txt)"
	echo "  where the time goes (the nodes' instants are in whole ms), p50 / p99 ms:"
	for s in "ack:POST answered at KOR" "at_kor:publish -> KOR sent" "kor_usa:KOR sent -> USA received" \
		"at_usa:USA received -> USA sent" "usa_jpn:USA sent -> JPN received" "to_reader:JPN received -> read"; do
		printf '    %-34s %8.2f / %8.2f\n' "${s#*:}" "$(val ${s%%:*}_p50 $1.txt)" "$(val ${s%%:*}_p99 $1.txt)"
	done
}
latency one "one at a time, publish at KOR -> record on JPN's stream, paced 5/s for $ONE_SECS s"
echo
latency lat "latency, publish at KOR -> record on JPN's stream, paced $RATE/s for $LAT_SECS s"
echo "  target p50 <= 5 ms: $(met "$(val lat_p50 lat.txt)" 5); p99 <= 25 ms: $(met "$(val lat_p99 lat.txt)" 25)"
echo
echo "throughput, $CONNS publishing connections for $SECS s"
echo "  published $(val sent tpt.txt) in $(val publish_secs tpt.txt) s: $(val publish_rate tpt.txt)/s accepted at KOR"
echo "  arrived at JPN's stream $(val arrived tpt.txt) by $(val e2e_secs tpt.txt) s: $(val e2e_rate tpt.txt)/s end to end" \
	"  target >= 2000/s: $(atleast "$(val e2e_rate tpt.txt)" 2000)"
printf '  latency under that load, ms: p50 %s   p99 %s   max %s\n' "$(f lat_p50 tpt.txt)" "$(f lat_p99 tpt.txt)" \
	"$(f lat_max tpt.txt)"
echo "  the client's own cost: $(val client_cpu_secs tpt.txt) CPU s ($(awk -v s="$(val client_cpu_share tpt.txt)" 'BEGIN { printf "%.0f", 100 * s }')% of one core)"
echo "  JPN holds, of $total published in the three runs: $once exactly once, $twice more than once, $missing missing"
echo "  ledger entries: KOR's releases to USA $led_kor, USA's receipts from KOR $led_usa_in, USA's releases to JPN $led_usa_out, JPN's receipts from USA $led_jpn"
echo "  database commits per warning (GET /v1/metrics): paced $(percommit "$c0" "$c1" "$(wc -l <lat.ids)")"
echo "                                                  flat out $(percommit "$c1" "$c2" "$(wc -l <tpt.ids)")"
echo
r1=$(val rtt_p50 rtt1.txt) r2=$(val rtt_p50 rtt2.txt) r1q=$(val rtt_p99 rtt1.txt) r2q=$(val rtt_p99 rtt2.txt)
s50=$(val sync_p50 sync.txt) s99=$(val sync_p99 sync.txt)
echo "floor, measured in this run"
printf '  HTTPS round trip, mutual TLS, keep-alive, GET /v1/health: KOR -> USA p50 %.2f p99 %.2f ms; USA -> JPN p50 %.2f p99 %.2f ms\n' \
	"$r1" "$r1q" "$r2" "$r2q"
printf '  fdatasync of a 1 KiB append on this disk: p50 %.2f p99 %.2f ms; x %d commits on the path: %.2f / %.2f ms\n' \
	"$s50" "$s99" "$COMMITS" "$(awk -v a="$s50" -v c=$COMMITS 'BEGIN { print a * c }')" "$(awk -v a="$s99" -v c=$COMMITS 'BEGIN { print a * c }')"
printf '  floor of one warning (two round trips + %d fdatasyncs): p50 %.2f ms, p99 %.2f ms\n' "$COMMITS" \
	"$(awk -v a="$r1" -v b="$r2" -v s="$s50" -v c=$COMMITS 'BEGIN { print a + b + s * c }')" \
	"$(awk -v a="$r1q" -v b="$r2q" -v s="$s99" -v c=$COMMITS 'BEGIN { print a + b + s * c }')"
if [ -n "${BENCH_SYNCS:-}" ]; then
	n1=$(wc -l <one.ids)
	sk=$(grep -c 'fsync\|fdatasync' kor.syncs) su=$(grep -c 'fsync\|fdatasync' usa.syncs) sj=$(grep -c 'fsync\|fdatasync' jpn.syncs)
	printf '  fsync/fdatasync calls per warning, one at a time (perf trace): KOR %.1f, USA %.1f, JPN %.1f; all of them: %.2f ms at p50\n' \
		"$(awk -v a="$sk" -v n="$n1" 'BEGIN { print a / n }')" "$(awk -v a="$su" -v n="$n1" 'BEGIN { print a / n }')" \
		"$(awk -v a="$sj" -v n="$n1" 'BEGIN { print a / n }')" "$(awk -v a=$((sk + su + sj)) -v n="$n1" -v s="$s50" 'BEGIN { print a / n * s }')"
fi
for l in "$led_kor" "$led_usa_in" "$led_usa_out" "$led_jpn"; do [ "$l" = "$total" ] || fail "a ledger lacks entries"; done
[ "$missing" = 0 ] && [ "$twice" = 0 ] && [ "$(val refused lat.txt)" = 0 ] && [ "$(val refused tpt.txt)" = 0 ] ||
	fail "warnings lost, doubled or refused (first error: $(val error tpt.txt) $(val error lat.txt))"
