#!/usr/bin/env bash
# The home's files as they are found: a command that only reads never
# makes, rebuilds or migrates the database (an empty, missing or older one
# is refused with one line and left as it was); a damaged database or TLS
# key is named in one line; the database and its -wal and -shm files are
# private (0600); a serving node drops the passphrase from its environment.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
export GSOMIA_PASSPHRASE=example GSOMIA_NOW=2023-05-01T10:00:00+09:00
umask 022 # as most users have it: what is private must be made so

$G init --party KOR --exercise --keys "$EX/keys/KOR.keys" --levels "$EX/parties/KOR.levels" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
# one line: exactly one line on stderr
one_line() { eq "$1" "$(printf '%s\n' "$err" | grep -c .)" 1; }
# reads HOME: each command that only reads, on HOME; all must fail alike
reads() {
	local h=$1 c
	for c in "items" "agreement list" "agreement status KOR-JPN-2016" "party list" "party export" \
		"ledger list" "ledger verify" "outbox" "attention" "person list" "facility list" \
		"consent list" "incident list" "visit list"; do
		# shellcheck disable=SC2086
		run $G $c --home "$h"
		[ "$rc" = 1 ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] && case "$err" in *"$2"*) true ;; *) false ;; esac ||
			{ bad "'gsomia $c' on $3 fails in one line saying so" "exit $rc: $err"; continue; }
	done
	ok "every command that only reads, on $3, fails in one line: $2"
}

if ! on_pg; then
# ---- modes ----
eq "gsomia.db is made private" "$(stat -c %a kor/gsomia.db)" 600
chmod 644 kor/gsomia.db
expect 0 "a command that changes the node on an older home's 0644 database" \
	$G facility add YONGSAN --name "Ministry of National Defense" --home kor
eq "makes it private" "$(stat -c %a kor/gsomia.db)" 600

# ---- an empty database: left as it is ----
cp -r kor empty
: >empty/gsomia.db
rm -f empty/gsomia.db-wal empty/gsomia.db-shm
reads empty "holds no node" "an empty gsomia.db"
has "naming the file" "$err" "empty/gsomia.db"
expect 1 "a command that writes refuses it too" $G facility add X --name x --home empty
one_line "in one line"
eq "the empty database is still empty" "$(stat -c %s empty/gsomia.db)" 0
[ ! -e empty/gsomia.db-wal ] && [ ! -e empty/gsomia.db-shm ] && ok "and no journal was made beside it" ||
	bad "a journal was made" "$(ls empty)"

# ---- a missing database: none is made ----
cp -r kor missing
rm -f missing/gsomia.db missing/gsomia.db-wal missing/gsomia.db-shm
reads missing "gsomia.db is missing" "a home without gsomia.db"
[ ! -e missing/gsomia.db ] && ok "no database was made" || bad "a database was made" "$(ls -l missing)"

# ---- an older schema: a read does not migrate it ----
cp -r kor older
sqlite3 older/gsomia.db 'PRAGMA user_version = 7'
v=$(sqlite3 older/gsomia.db 'PRAGMA user_version')
reads older "older than this program" "a database of an older schema"
eq "the schema is left as it was" "$(sqlite3 older/gsomia.db 'PRAGMA user_version')" "$v"

# ---- a home that is only read ----
cp -r kor readonly
before=$(sha256sum readonly/gsomia.db)
expect 0 "items on a healthy home" $G items --home readonly
expect 0 "ledger verify" $G ledger verify --home readonly
eq "reads leave the database byte for byte" "$(sha256sum readonly/gsomia.db)" "$before"

# ---- noise inside the database ----
cp -r kor noisy
# over the page that holds the parties, the first thing a command reads
page=$(sqlite3 noisy/gsomia.db 'PRAGMA page_size')
root=$(sqlite3 noisy/gsomia.db "SELECT rootpage FROM sqlite_master WHERE name = 'parties'")
head -c "$page" /dev/urandom | dd of=noisy/gsomia.db bs="$page" seek=$((root - 1)) conv=notrunc status=none
expect 1 "items on a database with noise inside" $G items --home noisy
one_line "fails in one line"
has "saying the database is damaged" "$err" "database '$T/noisy/gsomia.db' is damaged"
run $G facility add X --name x --home noisy
has "a command that writes says the same" "$err" "is damaged"

else
# ---- the same on PostgreSQL (docs/scale-out.md) ----
URI=$(sed -n 's/^db //p' kor/db.conf)
NAME=$(printf '%s' "$URI" | sed 's|.*@/||; s|?.*||')
eq "db.conf is private" "$(stat -c %a kor/db.conf)" 600
# a database with no node in it: left as it is
"$SRCDIR/scripts/pg-cluster.sh" psql "$URI" -c "CREATE DATABASE ${NAME}empty"
cp -r kor empty
sed -i "s|@/$NAME?|@/${NAME}empty?|" empty/db.conf
reads empty "holds no node" "an empty database"
expect 1 "a command that writes refuses it too" $G facility add X --name x --home empty
one_line "in one line"
eq "the empty database is still empty" "$(dbq empty "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
# an older schema: a read does not migrate it
copy_home kor older
dbq older "UPDATE gsomia_schema SET version = 8" >/dev/null
reads older "older than this program" "a database of an older schema"
eq "the schema is left as it was" "$(dbq older "SELECT version FROM gsomia_schema")" 8
# a db.conf that is damaged
cp -r kor badconf
sed -i '/^party /d' badconf/db.conf
reads badconf "is damaged" "a home whose db.conf is damaged"
# reads leave the database as it was
sum=$(dbsum kor)
expect 0 "items on a healthy home" $G items --home kor
expect 0 "ledger verify" $G ledger verify --home kor
eq "reads leave the database as it was" "$(dbsum kor)" "$sum"

fi

# ---- a damaged TLS key ----
cp -r kor cut
head -c 100 kor/tls.key >cut/tls.key
expect 1 "serve with a truncated tls.key fails" $G serve --home cut --listen 127.0.0.1:0
one_line "in one line"
has "naming the file" "$err" "cut/tls.key: not a usable TLS private key"
$G init --party JPN --exercise --keys "$EX/keys/JPN.keys" --levels "$EX/parties/JPN.levels" --home jpn >/dev/null
cp jpn/tls.key cut/tls.key
expect 1 "serve with another node's tls.key fails" $G serve --home cut --listen 127.0.0.1:0
one_line "in one line"
has "saying they do not belong together" "$err" "cut/tls.key is not the key of"

# ---- a serving node: private journal files, no passphrase in its environment ----
$G serve --home kor --listen 127.0.0.1:0 >serve.out 2>serve.err &
spid=$!
pids="$pids $spid"
for _ in $(seq 1 100); do grep -q listening serve.out && break; sleep 0.1; done
has "KOR serves" "$(cat serve.out)" "listening on"
if ! on_pg; then
	eq "gsomia.db-wal is private" "$(stat -c %a kor/gsomia.db-wal)" 600
	eq "gsomia.db-shm is private" "$(stat -c %a kor/gsomia.db-shm)" 600
fi
env=$(tr '\0' '\n' </proc/$spid/environ)
case "$env" in *GSOMIA_PASSPHRASE*) bad "the server's environment still names the passphrase" ;; *) ok "the server dropped GSOMIA_PASSPHRASE from its environment" ;; esac
! grep -qa "$GSOMIA_PASSPHRASE" /proc/$spid/environ && ok "nor holds its value there" || bad "the passphrase is in /proc/PID/environ"
has "while the rest of it stays" "$env" "GSOMIA_NOW=$GSOMIA_NOW"
kill "$spid"
wait "$spid" 2>/dev/null

finish
