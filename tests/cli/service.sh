#!/usr/bin/env bash
# gsomia serve as a service: the sd_notify protocol (READY, WATCHDOG,
# RELOADING, STOPPING) on a socket as systemd gives it, the passphrase from
# a credential and the one line when it is missing, SIGHUP reloading the
# identities, SIGTERM stopping cleanly while a delivery is in flight (the
# delivery is finished and kept, no new connection is taken), and the
# key=value log lines with journald's priority prefix.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
PY=/usr/bin/python3

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
C() { curl -sk --max-time 10 "$@"; }
wait_ready() {
	local i
	for i in $(seq 1 100); do
		C -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
# wait_for FILE TEXT: until FILE holds TEXT (at most 10 s)
wait_for() {
	local i
	for i in $(seq 1 100); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

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

# A notification socket, as systemd gives one: every datagram, one line.
$PY - "$T/notify.sock" "$T/notify.log" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
EOF
pids="$pids $!"
for _ in $(seq 1 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done

# ---- the passphrase from a credential ----
mkdir creds empty
printf 'example\n' >creds/passphrase
chmod 600 creds/passphrase
expect 1 "without its credential the service stops" env -u GSOMIA_PASSPHRASE CREDENTIALS_DIRECTORY="$T/empty" \
	$G serve --home kor --listen "127.0.0.1:$PK"
eq "with one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "saying what is missing" "$err" "the credential 'passphrase' is not in $T/empty"

# ---- readiness and the watchdog ----
touch kor.err
env -u GSOMIA_PASSPHRASE CREDENTIALS_DIRECTORY="$T/creds" NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000 \
	JOURNAL_STREAM="$(stat -c '%d:%i' kor.err)" $G serve --home kor >kor.out 2>>kor.err &
kpid=$!
pids="$pids $kpid"
wait_ready "$PK" && ok "with its credential the service serves" || bad "serves" "$(cat kor.err)"
wait_for notify.log "READY=1" && ok "it tells the manager READY=1" || bad "READY=1" "$(cat notify.log)"
has "with a status line" "$(cat notify.log)" "STATUS=serving on https://127.0.0.1:$PK"
wait_for notify.log "WATCHDOG=1" && ok "and feeds the watchdog" || bad "WATCHDOG=1" "$(cat notify.log)"
head -1 kor.err | grep -q '^<6>level=info event=listening address=127.0.0.1:' &&
	ok "under journald a log line starts with its priority" || bad "journald line" "$(head -3 kor.err)"

P2=$(freeport)
expect 1 "a second server on the same home is refused" $G serve --home kor --listen "127.0.0.1:$P2"
has "it says the home is served" "$err" "is already served by another process"

# ---- SIGHUP: the identities again ----
expect 0 "USA's identity is imported while KOR serves" $G party import usa.id --home kor
kill -HUP "$kpid"
wait_for kor.err "event=reloaded" && ok "SIGHUP reloads" || bad "reload" "$(cat kor.err)"
has "and counts the parties it now knows" "$(cat kor.err)" "event=reloaded parties=3"
has "the manager heard RELOADING=1" "$(cat notify.log)" "RELOADING=1 | MONOTONIC_USEC="
[ "$(grep -c 'READY=1' notify.log)" -ge 2 ] && ok "and READY=1 after it" || bad "READY after reload" "$(cat notify.log)"
kill -0 "$kpid" 2>/dev/null && ok "the server still runs" || bad "still runs"
expect 0 "and still answers its peers" $G peer ping KOR --home jpn

# ---- SIGTERM while a delivery is in flight ----
$G serve --home jpn >jpn.out 2>jpn.err &
jpid=$!
pids="$pids $jpid"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
head -c 1500000 /dev/urandom >big.bin
expect 0 "KOR releases a 1.5 MB item to JPN" $G release big.bin --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles -o big.bundle --home kor
b=$($G bundle inspect big.bundle --json | jq -r .bundle)
# KOR's certificate, slowly: the upload takes several seconds
C --cert kor/tls.crt --key kor/tls.key --limit-rate 300K -o upload.out -w '%{http_code}' --data-binary @big.bundle \
	"https://127.0.0.1:$PJ/v1/peer/deliver-file?kind=bundle&id=$b" >upload.code &
upid=$!
# a bundle arrives into HOME/partial (kept and checked as it comes, docs/api.md)
for _ in $(seq 1 100); do ls jpn/partial/KOR-* >/dev/null 2>&1 && break; sleep 0.05; done
ls jpn/partial/KOR-* >/dev/null 2>&1 && ok "the delivery is on its way" || bad "upload started"
kill -TERM "$jpid"
wait_for jpn.err "event=stopping" && ok "SIGTERM: JPN is stopping" || bad "stopping" "$(cat jpn.err)"
has "with the delivery in flight" "$(cat jpn.err)" "in-flight=1"
code=$(C -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PJ/v1/health" || true)
[ "$code" = 000 ] && ok "no new connection is taken while it stops" || bad "new connection refused" "HTTP $code"
wait "$upid"
eq "the delivery in flight was finished" "$(cat upload.code)" 200
jqeq "and its receipt came back" "$(cat upload.out)" '.receipt_b64 | length > 0' true
wait "$jpid"
eq "JPN exited 0" "$?" 0
has "it said it stopped" "$(tail -1 jpn.err)" "level=info event=stopped"
eq "what it took is kept" "$($G items --home jpn --json | jq length)" 1
expect 0 "and its ledger verifies" $G ledger verify --home jpn

# ---- SIGTERM on KOR: the manager hears STOPPING=1 ----
kill -TERM "$kpid"
wait "$kpid"
eq "KOR exited 0" "$?" 0
has "the manager heard STOPPING=1" "$(cat notify.log)" "STOPPING=1"
has "the log says so, with journald's priority" "$(cat kor.err)" "<6>level=info event=stopped"

# ---- the log lines are key=value, one per line ----
bad_lines=$(grep -v '^time=[0-9T:Z-]* level=[a-z]* event=[a-z-]*' jpn.err | grep -v '^$' || true)
eq "every line of JPN's log is key=value" "$bad_lines" ""
finish
