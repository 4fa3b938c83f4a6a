#!/usr/bin/env bash
# One node, two serve processes, one PostgreSQL primary with a synchronous
# streaming standby (docs/scale-out.md). A stream of releases goes to both
# processes; the primary is killed with kill -9 in the middle of it; the
# standby is promoted; the processes reconnect to it by themselves. Every
# release that was acknowledged is there, the ledgers verify, what JPN
# witnessed before is consistent with what the new primary serves, and the
# deliveries resume without a duplicate. Also: the database out of reach
# at start, a home pointed at another party's database, a database that
# already holds a node.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
PGC=$SRCDIR/scripts/pg-cluster.sh
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
N=${GSOMIA_FAILOVER_RELEASES:-40} # releases in the stream
KILL_AT=12                         # acknowledged ones before the kill

P=$(mktemp -d /tmp/gsomia-primary.XXXXXX)
S=$(mktemp -d /tmp/gsomia-standby.XXXXXX)
clusters_stop() { "$PGC" stop "$P"; "$PGC" stop "$S"; }
trap 'clusters_stop; stop_all' EXIT

"$PGC" start "$P" >/dev/null && ok "the primary runs" || bad "the primary runs"
"$PGC" psql "$("$PGC" uri "$P")" -c "CREATE DATABASE kor" && ok "KOR's database made" || bad "kor db"
"$PGC" standby "$P" "$S" s1 && ok "a streaming standby of it runs" || bad "the standby runs"
"$PGC" sync "$P" s1 && ok "commits wait for the standby (synchronous)" || bad "synchronous standby"
# both hosts: libpq takes the one that accepts writes
KDB="postgresql://gsomia@/kor?host=$P,$S&port=5432,5432&target_session_attrs=read-write&connect_timeout=2"

PK1=$(freeport)
PK2=$(freeport)
PJ=$(freeport)
wait_ready() {
	local i
	for i in $(seq 1 150); do
		curl -sk --max-time 5 -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
call() {
	local port=$1 m=$2 p=$3
	shift 3
	body=$(curl -sk --max-time 60 -X "$m" -o - -w '\n%{http_code}' "$@" "https://127.0.0.1:$port$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}

expect 0 "KOR's home on the replicated database" $G init --party KOR --exercise --keys "$EX/keys/KOR.keys" \
	--levels "$EX/parties/KOR.levels" --endpoint "https://127.0.0.1:$PK1" --home kor --db "$KDB"
$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" \
	--endpoint "https://127.0.0.1:$PJ" --home jpn >/dev/null
$G party export --home kor -o kor.id
$G party export --home jpn -o jpn.id
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add YONGSAN --name "Ministry of National Defense" --home kor >/dev/null
$G person add kreg --name kreg --nationality KOR --employer KOR --facility YONGSAN --role registry --home kor >/dev/null
GSOMIA_PERSON_PASSWORD=pw-of-kreg $G person password kreg --home kor >/dev/null

# ---- refusals at start ----
expect 1 "init on a database that already holds a node is refused" $G init --party USA --exercise \
	--keys "$EX/keys/USA.keys" --levels "$EX/parties/USA.levels" --home usa2 --db "$KDB"
has "it says the database holds a node" "$err" "already holds a node"
[ ! -e usa2 ] && ok "no home was left behind" || bad "usa2 left behind"
$G init --party USA --exercise --keys "$EX/keys/USA.keys" --levels "$EX/parties/USA.levels" --home usa \
	--db "$("$PGC" createdb "$P" usa)" >/dev/null
sum=$(dbsum kor)
cp -a usa usa-wrong
sed -i "s|^db .*|db ${KDB//&/\\&}|" usa-wrong/db.conf
expect 1 "a home pointed at another party's database is refused" $G items --home usa-wrong
has "it names both parties" "$err" "holds the node of KOR"
has "and this home's" "$err" "not this home's USA"
expect 1 "serve refuses it too" $G serve --home usa-wrong --listen 127.0.0.1:$(freeport)
eq "KOR's database is unchanged" "$(dbsum kor)" "$sum"
cp -a kor kor-away
sed -i "s|^db .*|db postgresql://gsomia@/kor?host=$T/nowhere|" kor-away/db.conf
expect 1 "a database out of reach at start: exit 1" $G serve --home kor-away --listen 127.0.0.1:$(freeport)
has "one clear line" "$err" "cannot reach the database"
eq "only one line" "$(printf '%s\n' "$err" | wc -l)" 1

# ---- two serve processes, one node ----
$G serve --home jpn --witness-every 0 >jpn.out 2>jpn.err &
pids="$pids $!"
for port in $PK1 $PK2; do
	$G serve --home kor --listen "127.0.0.1:$port" --witness-every 0 >>kor-$port.out 2>>kor-$port.err &
	pids="$pids $!"
	[ $port = $PK2 ] && k2pid=$!
done
wait_ready $PJ && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
wait_ready $PK1 && wait_ready $PK2 && ok "two KOR serve processes share the home" ||
	bad "two KOR serve processes" "$(cat kor-*.err)"
call $PK1 POST /v1/session --data-binary '{"person":"kreg","password":"pw-of-kreg"}'
TOKEN=$(printf '%s' "$body" | jq -r .token)
call $PK2 GET /v1/local/items -H "Authorization: Bearer $TOKEN"
eq "signed in at one process, signed in at the other" "$code" 200

expect 0 "JPN witnesses KOR's log before the failover" $G ledger witness JPN --home kor --json
W1=$(printf '%s' "$out" | jq -r '.size // .checkpoint.size // empty')

# The stream: each release is sent until it is acknowledged (200), to one
# process and then the other. What is answered meanwhile is kept.
meta() {
	jq -rn --arg t "doc $1" '{"agreement":"KOR-JPN-2016","to":"JPN","classification":"군사II급비밀",
		"purpose":"defence-cooperation","topic":"dprk-missiles","title":$t} | tojson | @uri'
}
stream() {
	local i port tries
	for i in $(seq 1 "$N"); do
		echo "document $i $RANDOM" >"doc$i.bin"
		for tries in $(seq 1 200); do
			port=$PK1
			[ $(((i + tries) % 2)) = 0 ] && port=$PK2
			call $port POST /v1/local/release -H "Authorization: Bearer $TOKEN" \
				-H 'Content-Type: application/octet-stream' -H "X-Gsomia-Release: $(meta "$i")" \
				--data-binary "@doc$i.bin"
			echo "$i $port $code" >>answers.txt
			if [ "$code" = 200 ]; then
				printf '%s %s\n' "$(printf '%s' "$body" | jq -r .item)" "$(printf '%s' "$body" | jq -r .bundle)" >>acked.txt
				break
			fi
			sleep 0.2
		done
	done
	echo done >stream.done
}
[ -n "${GSOMIA_KEEP_FAILED:-}" ] && trap 'cp -a "$T" "$GSOMIA_KEEP_FAILED.$$"; clusters_stop; stop_all' EXIT
: >acked.txt
: >answers.txt
stream &
spid=$!
for _ in $(seq 1 600); do [ "$(wc -l <acked.txt)" -ge $KILL_AT ] && break; sleep 0.1; done
"$PGC" kill "$P" && ok "the primary is killed (kill -9) in the middle of the stream" || bad "kill"
killed_at=$(wc -l <acked.txt)
sleep 1
"$PGC" promote "$S" && ok "the standby is promoted" || bad "promote"
# and then one of the two serve processes dies too: the other takes its
# part of the stream, and the deliveries it had taken
for _ in $(seq 1 600); do [ "$(wc -l <acked.txt)" -ge $((killed_at + 8)) ] && break; sleep 0.1; done
kill -9 "$k2pid" && ok "one serve process is killed (kill -9) too" || bad "kill serve"
{ wait "$k2pid"; } 2>/dev/null
wait "$spid"
[ -f stream.done ] && eq "every release of the stream was acknowledged in the end" "$(wc -l <acked.txt)" "$N" ||
	bad "the stream ended"
[ "$(wc -l <acked.txt)" -gt "$killed_at" ] && ok "releases were acknowledged after the failover" ||
	bad "nothing after the failover" "$(tail -5 answers.txt)"
eq "every answer was 200 or 503 (none 500), or no answer from the killed process" \
	"$(awk -v p=$PK2 '$3 != 200 && $3 != 503 && !($2 == p && $3 == "000")' answers.txt | wc -l)" 0
grep -q ' 503$' answers.txt && ok "while no primary took writes, 503" || ok "(no request fell in the gap)"

# Every acknowledged release is on the new primary, once.
run $G items --home kor --json
got=$(printf '%s' "$out" | jq -r '.[].id' | sort)
missing=$(cut -d' ' -f1 acked.txt | sort | comm -23 - <(printf '%s\n' "$got"))
eq "every acknowledged release is on the new primary" "$missing" ""
expect 0 "KOR's ledger verifies on the new primary" $G ledger verify --home kor
expect 0 "JPN witnesses KOR's log again: consistent with what it cosigned before" \
	$G ledger witness JPN --home kor --json
W2=$(printf '%s' "$out" | jq -r '.size // .checkpoint.size // empty')
[ -n "$W1" ] && [ -n "$W2" ] && [ "$W2" -gt "$W1" ] && ok "the witnessed log grew from $W1 to $W2" ||
	bad "witnessed sizes" "before '$W1' after '$W2'"
run $G ledger peers --home jpn --json
jqeq "JPN holds no evidence against KOR" "$out" '[.[] | .evidence | length] | add // 0' 0

# The deliveries resume: JPN holds each acknowledged bundle once.
delivered() {
	local held
	held=$($G items --home jpn --json | jq -r '.[].bundle' | sort)
	[ -z "$(cut -d' ' -f2 acked.txt | sort | comm -23 - <(printf '%s\n' "$held"))" ]
}
for _ in $(seq 1 240); do delivered && break; sleep 0.25; done
delivered && ok "JPN holds every acknowledged release" || bad "JPN is missing releases"
run $G items --home jpn --json
eq "each bundle once at JPN" "$(printf '%s' "$out" | jq '[.[].bundle] | length')" \
	"$(printf '%s' "$out" | jq '[.[].bundle] | unique | length')"
eq "JPN's ledger logs each receipt once" "$(dbq jpn "SELECT count(*) FROM ledger_entries WHERE kind = 'receipt'")" \
	"$(printf '%s' "$out" | jq length)"
expect 0 "JPN's ledger verifies" $G ledger verify --home jpn
finish
