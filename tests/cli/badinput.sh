#!/usr/bin/env bash
# Bad input at a serving node: what peers and the node's own people send
# that is not what it should be. A close() that fails while a delivery is
# kept closes the descriptor once; a damaged bundle gets the codes
# docs/api.md lists, the same through every route that takes one.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00

PJ=$(freeport)
J=https://127.0.0.1:$PJ
# call METHOD URL [curl options]: the status in $code, the body in $body
call() {
	local m=$1 url=$2
	shift 2
	body=$(curl -sk --max-time 60 -X "$m" -o - -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
wait_ready() {
	local i
	for i in $(seq 1 100); do
		curl -sk --max-time 5 -o /dev/null "$J/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
# serve_jpn [env assignments...]: starts JPN's server, its pid in $jpid
serve_jpn() {
	env "$@" $G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
	jpid=$!
	pids="$pids $jpid"
	wait_ready
}
stop_jpn() {
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
}
KC=(--cert kor/tls.crt --key kor/tls.key)

for P in KOR JPN USA; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	$G party export --home $h -o $h.id
done
$G party import jpn.id --home kor >/dev/null
$G party import kor.id --home jpn >/dev/null
$G party import jpn.id --home usa >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G agreement import "$EX/agreements/us-jpn-2007" --home usa >/dev/null

# ---- a close() that fails: the descriptor is closed once ----
# The preloaded close() fails for the inbox's temporary files
# (tests/cli/close_fails.c); before the fix the server closed the same
# number again, which in a threaded server may be another request's file.
serve_jpn LD_PRELOAD="$CLOSE_FAILS_SO" CLOSE_FAILS=/inbox/.tmp- \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" &&
	ok "JPN serves with a failing close()" || bad "JPN serves with a failing close()" "$(cat jpn.err)"
call POST "$J/v1/peer/deliver" "${KC[@]}" -H 'Content-Type: application/json' \
	--data-binary '{"kind":"receipt","id":"R-close","body_b64":"aGVsbG8="}'
eq "a delivery whose file cannot be closed is 500" "$code" 500
has "saying why" "$body" "inbox: Input/output error"
call GET "$J/v1/health"
eq "and the server still runs" "$code" 200
! grep -q "closed twice" jpn.err && ok "no descriptor was closed twice" || bad "closed twice" "$(cat jpn.err)"
eq "nothing is left in the inbox" "$(ls -A jpn/inbox | wc -l)" 0
stop_jpn

finish
