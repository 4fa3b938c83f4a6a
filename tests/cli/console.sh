#!/usr/bin/env bash
# The console's security model over real HTTPS: its built-in files with a
# strict Content-Security-Policy, the browser's cookie session (HttpOnly,
# Secure, SameSite=Strict), the CSRF token on every call by cookie that is
# not a GET, Origin checks, and uploads refused before a byte is kept.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example

PJ=$(freeport)
U=https://127.0.0.1:$PJ
C() { curl -sk --max-time 20 "$@"; }
# call METHOD PATH [curl options]: status in $code, body in $body, headers in hdrs.txt
call() {
	local m=$1 p=$2
	shift 2
	body=$(C -X "$m" -D hdrs.txt -o - -w '\n%{http_code}' "$@" "$U$p" 2>/dev/null) || true
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
header() { grep -i "^$1:" hdrs.txt | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }
wait_ready() {
	local i
	for i in $(seq 1 100); do
		C -o /dev/null "$U/v1/health" && return 0
		sleep 0.1
	done
	return 1
}

$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" --home jpn >/dev/null
$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
$G person add yamada --name "山田花子" --nationality JPN --employer JPN --facility ICHIGAYA \
	--role reader --psc 特定秘密 --duty topic:dprk-missiles --home jpn >/dev/null
$G person add reg --name "Registry" --nationality JPN --employer JPN --facility ICHIGAYA \
	--role registry --home jpn >/dev/null
$G person add aud --name "Auditor" --nationality JPN --employer JPN --facility ICHIGAYA \
	--role auditor --home jpn >/dev/null
for p in yamada reg aud; do GSOMIA_PERSON_PASSWORD="pw-of-$p" $G person password $p --home jpn >/dev/null; done
export GSOMIA_NOW=2019-11-01T10:00:00+09:00
mkdir -p jpn/tmp && echo "plaintext left by a crash" >jpn/tmp/open-left && touch jpn/tmp/.hidden
$G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
wait_ready && ok "JPN serves" || bad "JPN serves" "$(cat jpn.err)"
eq "a starting server clears what a dead one left in HOME/tmp" "$(ls -A jpn/tmp | wc -l)" 0
has "serve says where its console is" "$(cat jpn.out)" "web console at $U/console/"

# The console's files.
call GET /
eq "/ sends the browser to the console" "$code" 303
eq "at /console/" "$(header Location)" /console/
call GET /console/
eq "the console's page is served" "$code" 200
has "it is HTML" "$(header Content-Type)" text/html
csp=$(header Content-Security-Policy)
has "with a Content-Security-Policy" "$csp" "default-src 'none'"
has "scripts from the node only" "$csp" "script-src 'self'"
! printf '%s' "$csp" | grep -q "unsafe-inline\|unsafe-eval\|\*" && ok "no inline code, no wildcard" ||
	bad "the policy allows inline code or any origin" "$csp"
has "no framing" "$csp" "frame-ancestors 'none'"
eq "no sniffing" "$(header X-Content-Type-Options)" nosniff
eq "no referrer" "$(header Referrer-Policy)" no-referrer
C -o served.html "$U/console/index.html"
cmp -s served.html "$SRCDIR/console/index.html" && ok "the page is the one in console/, built in" ||
	bad "the served page differs from console/index.html"
! grep -qiE '<script>|<script [^>]*>[^<]|style=|https?://' served.html && ok "the page has no inline script, no style attribute, no external address" ||
	bad "the page holds inline code or an external address"
for f in $(sed -n 's/.*console_files = files(\(.*\))/\1/p' "$SRCDIR/console/meson.build" | tr -d "',"); do
	C -o got "$U/console/$f"
	cmp -s got "$SRCDIR/console/$f" || bad "console/$f is served as it is"
done
ok "every file of console/ is served as it is"
call GET /console/app.js
has "scripts are served as JavaScript" "$(header Content-Type)" text/javascript
call GET /console/../tls.key
[ "$code" = 404 ] || [ "$code" = 303 ] && ok "no way out of the console's files ($code)" || bad "a path outside was served" "$code"
call GET /console/nothing.js
eq "an unknown file is 404" "$code" 404
call POST /console/
eq "the console's files take GET only" "$code" 405
call GET /v1/health
has "API replies carry a policy that loads nothing" "$(header Content-Security-Policy)" "default-src 'none'"

# The browser's sign-in: a cookie the page cannot read, and a CSRF token.
call POST /v1/session/cookie --data-binary '{"person":"yamada","password":"wrong-password"}'
eq "a wrong password is 401" "$code" 401
[ -z "$(header Set-Cookie)" ] && ok "and sets no cookie" || bad "a failed sign-in set a cookie"
call POST /v1/session/cookie -H "Origin: https://evil.example" \
	--data-binary '{"person":"yamada","password":"pw-of-yamada"}'
eq "a sign-in from another origin is 403" "$code" 403
call POST /v1/session/cookie -H "Origin: $U" --data-binary '{"person":"yamada","password":"pw-of-yamada"}'
eq "a sign-in from the console's origin is 200" "$code" 200
cookie=$(header Set-Cookie)
has "it sets the session cookie, named for the node" "$cookie" "__Host-gsomia-JPN-exercise="
has "HttpOnly" "$cookie" HttpOnly
has "SameSite=Strict" "$cookie" SameSite=Strict
has "Secure" "$cookie" Secure
has "for the whole node" "$cookie" "Path=/"
jqeq "the reply has the CSRF token" "$body" '.csrf | test("^[A-Za-z0-9_-]{43}$")' true
jqeq "and not the session token" "$body" 'has("token")' false
csrf=$(printf '%s' "$body" | jq -r .csrf)
tok=$(printf '%s' "$cookie" | sed 's/^__Host-gsomia-JPN-exercise=\([^;]*\);.*/\1/')
[ "$tok" != "$csrf" ] && ok "the CSRF token is not the session token" || bad "they are the same"
CK=(-H "Cookie: __Host-gsomia-JPN-exercise=$tok")
call GET /v1/session "${CK[@]}"
eq "the cookie signs in later calls" "$code" 200
jqeq "who am I names the person" "$body" .name 山田花子
jqeq "and gives the CSRF token again (after a reload)" "$body" .csrf "$csrf"
call GET /v1/local/agreements "${CK[@]}"
eq "a GET by cookie needs no CSRF token" "$code" 200
q='{"agreement":"KOR-JPN-2016","originator":"KOR","classification":"군사II급비밀","purpose":"defence-cooperation","topic":"dprk-missiles"}'
call POST /v1/local/decide/access "${CK[@]}" --data-binary "$q"
eq "a POST by cookie without the CSRF token is 403" "$code" 403
has "it says what is missing" "$body" X-CSRF-Token
call POST /v1/local/decide/access "${CK[@]}" -H "X-CSRF-Token: ${csrf%?}x" --data-binary "$q"
eq "a wrong CSRF token is 403" "$code" 403
call POST /v1/local/decide/access "${CK[@]}" -H "X-CSRF-Token: $tok" --data-binary "$q"
eq "the session token is no CSRF token" "$code" 403
call POST /v1/local/decide/access "${CK[@]}" -H "X-CSRF-Token: $csrf" --data-binary "$q"
eq "with the CSRF token it is 200" "$code" 200
jqeq "and decides" "$body" .decision permit
call POST /v1/local/decide/access "${CK[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: https://evil.example" --data-binary "$q"
eq "from another origin, even with the token, 403" "$code" 403
call GET '/v1/local/agreements/KOR-JPN-2016/status?at=%FF%FE' "${CK[@]}"
eq "a bad ?at= of bytes that are not UTF-8 is 400" "$code" 400
has "and the sentence quotes it as '?'" "$body" "at '??' is not"
call GET /v1/session -H "Cookie: __Host-gsomia-KOR-exercise=$tok"
eq "another node's cookie name signs nobody in here" "$code" 401
call GET /v1/session -H "Cookie: __Host-gsomia-JPN-exercise=AAAA"
eq "a malformed cookie is 401" "$code" 401

# The one GET that may write (a proof signs a checkpoint first when none
# covers the entry) needs the CSRF token too.
call POST /v1/session/cookie -H "Origin: $U" --data-binary '{"person":"aud","password":"pw-of-aud"}'
acsrf=$(printf '%s' "$body" | jq -r .csrf)
atok=$(header Set-Cookie | sed 's/^__Host-gsomia-JPN-exercise=\([^;]*\);.*/\1/')
sum=$(dbsum jpn)
call GET '/v1/local/ledger/internal/proof?index=0' -H "Cookie: __Host-gsomia-JPN-exercise=$atok"
eq "a proof by cookie without the CSRF token is 403" "$code" 403
eq "and signs nothing" "$(dbsum jpn)" "$sum"
call GET '/v1/local/ledger/internal/proof?index=0' -H "Cookie: __Host-gsomia-JPN-exercise=$atok" -H "X-CSRF-Token: $acsrf"
eq "with it, 200" "$code" 200
jqeq "and the proof verifies" "$body" .verified true

# Sign out by cookie: CSRF first, then the cookie is cleared and dead.
sum=$(dbsum jpn)
call DELETE /v1/session "${CK[@]}"
eq "sign-out by cookie without the CSRF token is 403" "$code" 403
eq "and changes nothing" "$(dbsum jpn)" "$sum"
call DELETE /v1/session "${CK[@]}" -H "X-CSRF-Token: $csrf"
eq "sign-out with it is 200" "$code" 200
has "the cookie is cleared" "$(header Set-Cookie)" "Max-Age=0"
call GET /v1/session "${CK[@]}"
eq "the old cookie no longer signs in" "$code" 401

# A bearer token still works as before, without a CSRF token (no cookie:
# a browser never sends it on its own).
call POST /v1/session --data-binary '{"person":"reg","password":"pw-of-reg"}'
R=$(printf '%s' "$body" | jq -r .token)
call POST /v1/local/decide/release -H "Authorization: Bearer $R" --data-binary \
	'{"agreement":"KOR-JPN-2016","to":"KOR","classification":"特定秘密","purpose":"defence-cooperation","topic":"dprk-missiles"}'
eq "a bearer call needs no CSRF token" "$code" 200
ls jpn/tmp 2>/dev/null | grep -q . && bad "uploads left files behind" "$(ls jpn/tmp)" || ok "nothing is left in HOME/tmp"
finish
