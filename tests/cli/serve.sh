#!/usr/bin/env bash
# gsomia serve and peer: two real nodes on loopback, mutual TLS by pinned
# keys, and the refusals: no certificate, a stranger's certificate, a
# wrong pin, an oversized or malformed body.
. "$(dirname "$0")/lib.sh"

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done

# curl as a stranger would use it: TLS only, no trust, short timeouts.
C() { curl -sk --max-time 10 "$@"; }
# status URL [curl options]: the HTTP status, body in $body
status() {
	local url=$1
	shift
	body=$(C -o - -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
# wait_ready PORT: polls /v1/health until the server answers
wait_ready() {
	local i
	for i in $(seq 1 100); do
		C -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}

expect 0 "init KOR with an endpoint" $G init --party KOR --exercise --endpoint "https://127.0.0.1:$PK" --home kor
expect 0 "init JPN with an endpoint" $G init --party JPN --exercise --endpoint "https://127.0.0.1:$PJ" --home jpn
eq "the TLS key is private" "$(stat -c %a kor/tls.key)" 600
$G party export --home kor -o kor.id
$G party export --home jpn -o jpn.id
has "the identity carries the endpoint" "$(cat kor.id)" "endpoint: https://127.0.0.1:$PK"
pin=$(openssl x509 -in kor/tls.crt -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
has "the identity pins the TLS key as openssl computes it" "$(cat kor.id)" "tls-pin: sha256//$pin"
expect 0 "KOR imports JPN" $G party import jpn.id --home kor
expect 0 "JPN imports KOR" $G party import kor.id --home jpn

$G serve --home kor >kor.out 2>kor.err &
pids="$pids $!"
$G serve --home jpn --pidfile jpn.pid >jpn.out 2>jpn.err &
jpid=$!
pids="$pids $jpid"
wait_ready "$PK" && ok "KOR serves" || bad "KOR serves" "$(cat kor.err)"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
has "serve says where it listens" "$(cat jpn.out)" "listening on https://127.0.0.1:$PJ"
eq "the pidfile names the server" "$(cat jpn.pid)" "$jpid"
expect 1 "a second server on the same port fails" $G serve --home jpn --listen "127.0.0.1:$PJ"
has "it says it cannot listen" "$err" "cannot listen"

status "https://127.0.0.1:$PJ/v1/health"
eq "health needs no certificate" "$code" 200
jqeq "health names the party" "$body" '.party + " " + (.exercise|tostring)' "JPN true"

expect 0 "peer ping JPN from KOR" $G peer ping JPN --home kor
has "JPN knows us as KOR" "$out" "JPN at https://127.0.0.1:$PJ knows us as KOR"
expect 0 "peer ping KOR from JPN --json" $G peer ping KOR --home jpn --json
jqeq "KOR knows us as JPN" "$out" .we_are JPN

W="https://127.0.0.1:$PJ/v1/peer/whoami"
D="https://127.0.0.1:$PJ/v1/peer/deliver"
status "$W"
eq "whoami without a certificate is 401" "$code" 401
jqeq "with a JSON error" "$body" '.error | length > 0' true
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=rogue" -days 1 \
	-keyout rogue.key -out rogue.crt 2>/dev/null
status "$W" --cert rogue.crt --key rogue.key
eq "whoami with a stranger's certificate is 403" "$code" 403
status "$W" --cert jpn/tls.crt --key jpn/tls.key
eq "JPN's own certificate is no peer of JPN" "$code" 403
status "$W" --cert kor/tls.crt --key kor/tls.key
eq "KOR's certificate is 200" "$code" 200
jqeq "JPN sees peer KOR" "$body" .peer KOR

# Keep-alive: two requests, one connection (the two-step handler).
v=$(C -v --cert kor/tls.crt --key kor/tls.key "$W" "$W" 2>&1 >/dev/null)
has "two requests share one connection" "$v" "Re-using existing connection"

K=(--cert kor/tls.crt --key kor/tls.key -H 'Content-Type: application/json')
msg=$(printf 'memo R-1 from KOR' | base64 -w0)
status "$D" "${K[@]}" --data-binary "{\"kind\":\"memo\",\"id\":\"R-1\",\"body_b64\":\"$msg\"}"
eq "a kind the node does not act on is refused: 400" "$code" 400
has "saying which" "$body" "takes no deliveries of kind 'memo'"
status "$D" "${K[@]}" --data-binary '{"kind":"receipt","id":"R-1","body_b64":"aGVsbG8="}'
eq "a receipt that is no receipt is refused" "$code" 400
status "$D" --cert rogue.crt --key rogue.key --data-binary "{\"kind\":\"receipt\",\"id\":\"R-2\",\"body_b64\":\"\"}"
eq "a stranger cannot deliver" "$code" 403
status "$D" --data-binary "{\"kind\":\"receipt\",\"id\":\"R-2\",\"body_b64\":\"\"}"
eq "nor can an anonymous client" "$code" 401
head -c $((5 << 20)) /dev/zero | tr '\0' 'A' >big.json
status "$D" "${K[@]}" --data-binary @big.json
eq "an oversized body is 413" "$code" 413
# Without a length up front (chunked), the cap holds while reading.
status "$D" "${K[@]}" -H 'Transfer-Encoding: chunked' --data-binary @big.json
eq "an oversized chunked body is 413" "$code" 413
status "$D" "${K[@]}" --data-binary '{"kind":"receipt","id":'
eq "malformed JSON is 400" "$code" 400
jqeq "the error says where" "$body" '.error | test("^1:")' true
status "$D" "${K[@]}" --data-binary '{"kind":"receipt","id":"R-3","id":"R-4","body_b64":""}'
eq "a duplicate key is 400" "$code" 400
status "$D" "${K[@]}" --data-binary '{"kind":"receipt","id":"../x","body_b64":""}'
eq "an id that is a path is 400" "$code" 400
status "$D" "${K[@]}" --data-binary '{"kind":"receipt","id":"R-5","body_b64":"!!!"}'
eq "bad base64 is 400" "$code" 400
eq "refused deliveries left nothing in the inbox" "$(ls -A jpn/inbox | wc -l)" 0

# The same, streamed: the raw body, kind and id in the query.
F="https://127.0.0.1:$PJ/v1/peer/deliver-file"
head -c $((5 << 20)) /dev/urandom >big.bin
status "$F?kind=receipt&id=F-0" --cert kor/tls.crt --key kor/tls.key --data-binary @big.bin
eq "only a bundle may be larger than 4 MiB: 413" "$code" 413
status "$F?kind=memo&id=F-1" --cert kor/tls.crt --key kor/tls.key --data-binary 'x'
eq "a kind the node does not act on is refused: 400" "$code" 400
status "$F?kind=bundle&id=F-1" --cert kor/tls.crt --key kor/tls.key --data-binary @big.bin
eq "5 MiB that are no bundle are refused as a damaged bundle: 422" "$code" 422
status "$F?kind=receipt&id=F-2" --data-binary 'x'
eq "an anonymous file delivery is 401" "$code" 401
status "$F?kind=receipt&id=F-2" --cert rogue.crt --key rogue.key --data-binary 'x'
eq "a stranger's is 403" "$code" 403
status "$F?kind=receipt&id=../F-2" --cert kor/tls.crt --key kor/tls.key --data-binary 'x'
eq "an id that is a path is 400" "$code" 400
status "$F?id=F-2" --cert kor/tls.crt --key kor/tls.key --data-binary 'x'
eq "no kind is 400" "$code" 400
eq "refused file deliveries left nothing in the inbox" "$(ls -A jpn/inbox | wc -l)" 0
eq "nor anything in HOME/tmp" "$(ls -A jpn/tmp | wc -l)" 0
status "https://127.0.0.1:$PJ/v1/nothing"
eq "an unknown path is 404" "$code" 404
status "$W" "${K[@]}" --data-binary '{}'
eq "the wrong method is 405" "$code" 405

# A client pinning another key refuses the server: USA's identity points
# at JPN's address but pins USA's own key.
expect 0 "init USA pointing at JPN's port" $G init --party USA --exercise --endpoint "https://127.0.0.1:$PJ" --home usa
$G party export --home usa -o usa.id
$G party import usa.id --home kor >/dev/null
expect 1 "peer ping refuses a server whose key is not the pinned one" $G peer ping USA --home kor
has "it says the key does not match" "$err" "does not match the tls-pin"
status "$W" --cert kor/tls.crt --key kor/tls.key --pinnedpubkey "sha256//$pin"
eq "curl pinning the wrong key does not connect" "$code" 000
expect 2 "peer ping without a code is bad usage" $G peer ping --home kor
expect 1 "peer ping an unknown party" $G peer ping FRA --home kor
expect 2 "serve with a bad listen address is bad usage" $G serve --home kor --listen nowhere

kill -TERM "$jpid"
wait "$jpid" && ok "SIGTERM stops the server cleanly" || bad "SIGTERM stops the server cleanly" "$(cat jpn.err)"
[ ! -e jpn.pid ] && ok "the pidfile is removed" || bad "pidfile left"
status "https://127.0.0.1:$PJ/v1/health"
eq "nothing listens any more" "$code" 000
finish
