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
#   latency:    paced BENCH_RATE warnings/s (default 200) for BENCH_LAT_SECS
#               (default 10): p50/p90/p99/max from publish at KOR to the
#               record read from JPN's stream; targets p50 <= 5 ms, p99 <= 25 ms
#   throughput: as fast as BENCH_CONNS publishing connections (default 8)
#               go, for BENCH_SECS (default 60); then JPN must hold each one
#               exactly once (counted by id through GET /v1/local/warnings);
#               target >= 2,000/s
#   floor:      measured in the same run: an HTTPS round trip over the same
#               mutual TLS (GET /v1/health, keep-alive, libcurl as the
#               courier uses it) on each hop, and this disk's fdatasync of
#               a 1 KiB append times the durable commits on the path
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

# ---- latency: paced ----
c0=$(commits)
$LOAD run --publish "$K" --token "$ktok" --stream "$J" --stream-token "$jtok" --template warning.json \
	--prefix KOR-LAT --rate "$RATE" --secs "$LAT_SECS" --conns "$CONNS" --ids lat.ids >lat.txt 2>lat.err ||
	fail "latency run failed: $(cat lat.err)"
load1=$(load)
c1=$(commits)

# ---- throughput: flat out ----
$LOAD run --publish "$K" --token "$ktok" --stream "$J" --stream-token "$jtok" --template warning.json \
	--prefix KOR-TPT --rate 0 --secs "$SECS" --conns "$CONNS" --ids tpt.ids >tpt.txt 2>tpt.err ||
	fail "throughput run failed: $(cat tpt.err)"
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
cat lat.ids tpt.ids | sort >published.ids
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
echo "latency, publish at KOR -> record on JPN's stream, paced $RATE/s for $LAT_SECS s"
echo "  rate achieved $(val publish_rate lat.txt)/s, $(val arrived lat.txt)/$(val sent lat.txt) arrived, client late by up to $(val late_max lat.txt) ms"
printf '  ms        p50 %s   p90 %s   p99 %s   max %s\n' "$(f lat_p50 lat.txt)" "$(f lat_p90 lat.txt)" \
	"$(f lat_p99 lat.txt)" "$(f lat_max lat.txt)"
echo "  target p50 <= 5 ms: $(met "$(val lat_p50 lat.txt)" 5); p99 <= 25 ms: $(met "$(val lat_p99 lat.txt)" 25)"
echo "  where the time goes (machine clock, ms resolution on the nodes' instants), p50 / p99 ms:"
for s in "ack:POST answered at KOR" "at_kor:publish -> KOR sent" "kor_usa:KOR sent -> USA received" \
	"at_usa:USA received -> USA sent" "usa_jpn:USA sent -> JPN received" "to_reader:JPN received -> read" \
	"hop1:record's hop KOR -> USA" "hop2:record's hop USA -> JPN"; do
	printf '    %-34s %8.2f / %8.2f\n' "${s#*:}" "$(val ${s%%:*}_p50 lat.txt)" "$(val ${s%%:*}_p99 lat.txt)"
done
echo
echo "throughput, $CONNS publishing connections for $SECS s"
echo "  published $(val sent tpt.txt) in $(val publish_secs tpt.txt) s: $(val publish_rate tpt.txt)/s accepted at KOR"
echo "  arrived at JPN's stream $(val arrived tpt.txt) by $(val e2e_secs tpt.txt) s: $(val e2e_rate tpt.txt)/s end to end" \
	"  target >= 2000/s: $(atleast "$(val e2e_rate tpt.txt)" 2000)"
printf '  latency under that load, ms: p50 %s   p99 %s   max %s\n' "$(f lat_p50 tpt.txt)" "$(f lat_p99 tpt.txt)" \
	"$(f lat_max tpt.txt)"
echo "  the client's own cost: $(val client_cpu_secs tpt.txt) CPU s ($(awk -v s="$(val client_cpu_share tpt.txt)" 'BEGIN { printf "%.0f", 100 * s }')% of one core)"
echo "  JPN holds, of $total published in both runs: $once exactly once, $twice more than once, $missing missing"
echo "  ledger entries: KOR's releases to USA $led_kor, USA's receipts from KOR $led_usa_in, USA's releases to JPN $led_usa_out, JPN's receipts from USA $led_jpn"
echo "  database commits per warning: paced $(percommit "$c0" "$c1" "$(wc -l <lat.ids)")"
echo "                                flat out $(percommit "$c1" "$c2" "$(wc -l <tpt.ids)")"
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
for l in "$led_kor" "$led_usa_in" "$led_usa_out" "$led_jpn"; do [ "$l" = "$total" ] || fail "a ledger lacks entries"; done
[ "$missing" = 0 ] && [ "$twice" = 0 ] && [ "$(val refused lat.txt)" = 0 ] && [ "$(val refused tpt.txt)" = 0 ] ||
	fail "warnings lost, doubled or refused (first error: $(val error tpt.txt) $(val error lat.txt))"
