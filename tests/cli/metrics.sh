#!/usr/bin/env bash
# GET /v1/metrics: the Prometheus text format, read by the Prometheus
# client library's parser (Debian's python3-prometheus-client), for the
# roles that may read it (a monitor's long-lived token, an auditor), with
# figures that match what was done: requests by route and code, sign-in
# failures, the outbox per peer, deliveries and failures, ledger sizes,
# commit batch sizes.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00 GSOMIA_PERSON_PASSWORD=correct-horse
PY=/usr/bin/python3

PK=$(freeport)
PJ=$(freeport)
while [ "$PJ" = "$PK" ]; do PJ=$(freeport); done
U="https://127.0.0.1:$PK"
C() { curl -sk --max-time 10 "$@"; }
wait_ready() {
	local i
	for i in $(seq 1 100); do
		C -o /dev/null "https://127.0.0.1:$1/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
# status PATH [curl options]: the HTTP status, body in $body
status() {
	local path=$1
	shift
	body=$(C -o - -w '\n%{http_code}' "$@" "$U$path" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}

for P in KOR JPN; do
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
$G person add prom --name "Prometheus scraper" --nationality KOR --employer KOR --role monitor --home kor >/dev/null
$G person add lee --name "Lee Auditor" --nationality KOR --employer KOR --role auditor --home kor >/dev/null
$G person add park --name "Park Reader" --nationality KOR --employer KOR --role reader --home kor >/dev/null
$G person password lee --home kor >/dev/null
$G person password park --home kor >/dev/null

# ---- the monitor's token ----
expect 0 "a token for the monitor" $G metrics token prom --days 30 -o prom.token --home kor
eq "it is private" "$(stat -c %a prom.token)" 600
eq "one line" "$(wc -l <prom.token)" 1
expect 1 "no long-lived token for an auditor" $G metrics token lee -o lee.token --home kor
has "it says why" "$err" "whose one role is monitor"
[ ! -e lee.token ] && ok "and writes nothing" || bad "no token file"
expect 2 "the days are bounded" $G metrics token prom --days 401 -o x.token --home kor

# ---- a delivery that fails while JPN is down ----
echo "for JPN" >one.txt
expect 0 "KOR releases to JPN, who is down" $G release one.txt --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles --deliver --home kor
$G serve --home kor --witness-every 0 >kor.out 2>kor.err &
pids="$pids $!"
wait_ready "$PK" && ok "KOR serves" || bad "KOR serves" "$(cat kor.err)"
for _ in $(seq 1 3); do C -o /dev/null "$U/v1/health"; done
C -o /dev/null "$U/v1/nowhere"
for _ in 1 2; do C -o /dev/null -H 'Content-Type: application/json' \
	--data-binary '{"person":"lee","password":"wrong-password"}' "$U/v1/session"; done
AUD=$(C -H 'Content-Type: application/json' --data-binary '{"person":"lee","password":"correct-horse"}' \
	"$U/v1/session" | jq -r .token)
RDR=$(C -H 'Content-Type: application/json' --data-binary '{"person":"park","password":"correct-horse"}' \
	"$U/v1/session" | jq -r .token)

# ---- who may read it ----
status /v1/metrics
eq "without a session: 401" "$code" 401
status /v1/metrics -H "Authorization: Bearer $RDR"
eq "a reader may not: 403" "$code" 403
status /v1/metrics -H "Authorization: Bearer $AUD"
eq "an auditor may" "$code" 200
status /v1/metrics -H "Authorization: Bearer $(cat prom.token)"
eq "the monitor's token may" "$code" 200
printf '%s\n' "$body" >metrics.txt
ctype=$(C -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $(cat prom.token)" "$U/v1/metrics")
eq "in the text exposition format 0.0.4" "$ctype" "text/plain; version=0.0.4; charset=utf-8"
status "/v1/metrics?x=1" -H "Authorization: Bearer $(cat prom.token)"
eq "an unknown argument is 400" "$code" 400

# ---- read by a real parser ----
$PY - metrics.txt >parsed.json <<'EOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    out[fam.name] = {"type": fam.type, "help": fam.documentation,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in fam.samples]}
print(json.dumps(out))
EOF
[ $? = 0 ] && [ -s parsed.json ] && ok "the Prometheus client's parser reads it" || bad "parser" "$(head -20 metrics.txt)"
P=$(cat parsed.json)
# val NAME LABELS-JSON: the value of the sample NAME whose labels include LABELS
val() { printf '%s' "$P" | jq -r --arg n "$1" --argjson l "$2" \
	'[.[] | .samples[] | . as $s | select($s.name == $n and ($l | to_entries | all(.value == $s.labels[.key]))) |
	.value] | add // "none"'; }
jqeq "requests are a counter" "$P" '.gsomia_http_requests.type' counter
jqeq "latencies are a histogram" "$P" '.gsomia_http_request_duration_seconds.type' histogram
jqeq "commit batches are a histogram" "$P" '.gsomia_commit_batch_actions.type' histogram
jqeq "every family has its help" "$P" '[.[] | select(.help == "")] | length' 0
# wait_ready's check, then three
eq "the health checks, by route and code" "$(val gsomia_http_requests_total '{"route":"/v1/health","code":"200"}')" 4
st=$(val gsomia_start_time_seconds '{}')
awk -v s="$st" 'BEGIN { exit !(s > 1600000000) }' && ok "the server's start time ($st)" || bad "start time" "$st"
eq "a path no route has is 'unmatched', never the URL" "$(val gsomia_http_requests_total '{"route":"unmatched","code":"404"}')" 1
! grep -q nowhere metrics.txt && ok "(the URL a caller typed is no label)" || bad "URL as a label"
eq "the two failed sign-ins" "$(val gsomia_signin_failures_total '{"reason":"refused"}')" 2
eq "the latency histogram counts the health checks" \
	"$(val gsomia_http_request_duration_seconds_count '{"route":"/v1/health"}')" 4
eq "its +Inf bucket is its count" \
	"$(val gsomia_http_request_duration_seconds_bucket '{"route":"/v1/health","le":"+Inf"}')" 4
mono=$(printf '%s' "$P" | jq '[.gsomia_http_request_duration_seconds.samples[] |
	select(.name | endswith("_bucket")) | select(.labels.route == "/v1/health") | .value] |
	. as $v | [range(1; length) | $v[.] >= $v[. - 1]] | all')
eq "its buckets never go down" "$mono" true
eq "the release waits in the outbox for JPN" "$(val gsomia_outbox_pending '{"peer":"JPN"}')" 1
age=$(val gsomia_outbox_oldest_pending_age_seconds '{"peer":"JPN"}')
awk -v a="$age" 'BEGIN { exit !(a >= 0) }' && ok "with its age ($age s)" || bad "outbox age" "$age"
nfail=$(val gsomia_delivery_failures_total '{"peer":"JPN"}')
awk -v f="$nfail" 'BEGIN { exit !(f >= 1) }' && ok "the failed delivery attempt is counted ($nfail)" ||
	bad "delivery failures" "$nfail"
eq "the ledger's size for JPN" "$(val gsomia_ledger_entries '{"log":"JPN"}')" \
	"$($G ledger show --peer JPN --home kor --json | jq .size)"
eq "and for the internal log" "$(val gsomia_ledger_entries '{"log":"internal"}')" \
	"$($G ledger show --internal --home kor --json | jq .size)"
commits=$(val gsomia_commit_batch_actions_count '{}')
awk -v c="$commits" 'BEGIN { exit !(c >= 1) }' && ok "the server's commits are counted ($commits)" ||
	bad "commits" "$commits"
eq "each of one action: all in the bucket le=1" "$(val gsomia_commit_batch_actions_bucket '{"le":"1"}')" "$commits"
eq "the actions sum to the commits" "$(val gsomia_commit_batch_actions_sum '{}')" "$commits"

# ---- JPN comes up: the delivery is counted ----
$G serve --home jpn --witness-every 0 >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready "$PJ" && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
echo "for JPN again" >two.txt
expect 0 "a second release reaches JPN at once" $G release two.txt --to JPN --agreement KOR-JPN-2016 \
	--classification 군사II급비밀 --purpose defence-cooperation --topic dprk-missiles --deliver --home kor
status /v1/metrics -H "Authorization: Bearer $(cat prom.token)"
printf '%s\n' "$body" >metrics2.txt
# the first one waits for its next attempt (backoff) unless the courier took it already
n=$(sed -n 's/^gsomia_outbox_pending{peer="JPN"} //p' metrics2.txt)
d=$(sed -n 's/^gsomia_deliveries_total{peer="JPN",result="delivered"} //p' metrics2.txt)
[ "${d:-0}" -ge 1 ] && ok "the delivery to JPN is counted ($d)" || bad "deliveries" "$(grep deliveries metrics2.txt)"
eq "pending and delivered add up to the two releases" "$((n + d))" 2
if command -v promtool >/dev/null; then
	expect 0 "promtool check metrics finds nothing to say" sh -c 'promtool check metrics <metrics2.txt'
fi
finish
