# Shared by the command-line tests: run gsomia as a user would, in a
# temporary directory, and count what passes and fails.
set -u
: "${GSOMIA:?GSOMIA must name the gsomia binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
G=$GSOMIA
T=$(mktemp -d)
# servers a test starts: add their pids to $pids, and they are stopped at exit
pids=""
PGT=""
# the test's PostgreSQL cluster, if any, stopped and removed (a test with
# its own EXIT trap calls it too)
pg_stop() { [ -z "$PGT" ] || "$SRCDIR/scripts/pg-cluster.sh" stop "$PGT"; }
stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap stop_all EXIT
cd "$T"
unset GSOMIA_HOME GSOMIA_NOW
export GSOMIA_PASSPHRASE=test-passphrase
fails=0
checks=0

# GSOMIA_TEST_DB=pg: the same test on the PostgreSQL store
# (docs/scale-out.md). A throwaway cluster is started for the test, and
# every 'gsomia init' without --db gets a database of its own in it.
if [ "${GSOMIA_TEST_DB:-sqlite}" = pg ]; then
	PGT=$(mktemp -d /tmp/gsomia-pg.XXXXXX)
	"$SRCDIR/scripts/pg-cluster.sh" start "$PGT" >/dev/null || { echo "Bail out! no PostgreSQL cluster"; exit 1; }
	mkdir -p "$T/.pg"
	{
		echo '#!/bin/sh'
		echo 'if [ "$1" = init ]; then'
		echo '	case " $* " in'
		echo '	*" --db "*|*" --help "*) ;;'
		echo "	*) uri=\$(\"$SRCDIR/scripts/pg-cluster.sh\" createdb \"$PGT\" \"node\$(date +%s%N)\$\$\") || exit 1"
		echo '	   set -- "$@" --db "$uri" ;;'
		echo '	esac'
		echo 'fi'
		echo "exec \"$GSOMIA\" \"\$@\""
	} >"$T/.pg/gsomia"
	chmod +x "$T/.pg/gsomia"
	G="$T/.pg/gsomia"
fi

# whether this run is on the PostgreSQL store (a check of SQLite's own
# files is SQLite's; the same behaviour is checked on both)
on_pg() { [ -n "$PGT" ]; }
# has_db HOME: the home has its database (SQLite's file, or db.conf)
has_db() { [ -f "$1/gsomia.db" ] || [ -f "$1/db.conf" ]; }

# dbq HOME SQL: runs SQL on the home's database, either store; a
# PostgreSQL boolean prints as SQLite's 1 or 0
dbq() {
	if [ -f "$1/db.conf" ]; then
		"$SRCDIR/scripts/pg-cluster.sh" psql "$(sed -n 's/^db //p' "$1/db.conf")" -At -c "$2" | sed 's/^t$/1/; s/^f$/0/'
	else
		sqlite3 "$1/gsomia.db" "$2"
	fi
}
# dbdump HOME: the whole database as text
dbdump() {
	if [ -f "$1/db.conf" ]; then
		"$SRCDIR/scripts/pg-cluster.sh" dump "$(sed -n 's/^db //p' "$1/db.conf")"
	else
		sqlite3 "$1/gsomia.db" .dump
	fi
}

# copy_home SRC DST: a copy of a home; on PostgreSQL with a database of
# its own, copied from SRC's (no server may have SRC's open)
copy_home() {
	cp -a "$1" "$2"
	if [ -f "$1/db.conf" ]; then
		local old name new
		old=$(sed -n 's/^db //p' "$1/db.conf")
		name=$(printf '%s' "$old" | sed 's|.*@/||; s|?.*||')
		new=copy$(date +%s%N)
		"$SRCDIR/scripts/pg-cluster.sh" psql "$(printf '%s' "$old" | sed "s|@/$name?|@/postgres?|")" \
			-c "CREATE DATABASE $new TEMPLATE $name"
		old=$(printf '%s' "$old" | sed "s|@/$name?|@/$new?|")
		sed -i "s|^db .*|db ${old//&/\\&}|" "$2/db.conf"
	fi
}

ok() { checks=$((checks + 1)); echo "ok - $1"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '#   %s\n' "$2"; return 0; }

# run CMD...: runs, keeps stdout in $out, stderr in $err, status in $rc
run() {
	out=$("$@" 2>"$T/.err") && rc=0 || rc=$?
	err=$(cat "$T/.err")
}

# expect RC "description" CMD...
expect() {
	local want=$1 what=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok "$what"; else bad "$what" "exit $rc, wanted $want; stderr: $err; stdout: ${out:0:400}"; fi
}

# has "description" HAYSTACK NEEDLE
has() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) bad "$1" "'$3' not in: ${2:0:600}" ;;
	esac
}

# eq "description" GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', wanted '$3'"; fi
}

# jqeq "description" JSON FILTER WANT
jqeq() {
	local got
	got=$(printf '%s' "$2" | jq -r "$3" 2>&1)
	eq "$1" "$got" "$4"
}

# dbsum HOME: a digest of the database's content, to show nothing changed
dbsum() {
	if [ -f "$1/db.conf" ]; then
		# every row but the commit counters, and no sequence positions
		# (a rolled-back insert moves them, as it moves no SQLite rowid)
		"$SRCDIR/scripts/pg-cluster.sh" dump "$(sed -n 's/^db //p' "$1/db.conf")" |
			grep -v -e '^--' -e '^SET ' -e 'setval' -e 'set_config' -e '^$' -e '^.restrict' -e '^.unrestrict' |
			sed '/^COPY public.gsomia_versions/,/^\\\.$/d' | sha256sum | cut -c1-16
		return
	fi
	sqlite3 "$1/gsomia.db" .dump | grep -v '^INSERT INTO events' | sha256sum | cut -c1-16
}

# flip_byte FILE OFFSET: damages FILE by flipping the low bit of one byte
# (an XOR always changes it; writing a fixed value may not)
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\x%02x' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# kor_jpn_homes: exercise homes kor and jpn made from the example keys,
# each knowing the other and holding the KOR-JPN agreement; at JPN the
# facility ICHIGAYA and yamada, a reader cleared 特定秘密 for dprk-missiles
kor_jpn_homes() {
	local P h
	EX=$SRCDIR/examples
	export GSOMIA_PASSPHRASE=example
	for P in KOR JPN; do
		h=$(echo $P | tr A-Z a-z)
		$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	done
	$G party import "$EX/parties/JPN.id" --home kor >/dev/null
	$G party import "$EX/parties/KOR.id" --home jpn >/dev/null
	$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
	$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
	$G facility add ICHIGAYA --name "Joint Staff Office" --home jpn >/dev/null
	$G person add yamada --name 山田花子 --nationality JPN --employer JPN --psc 特定秘密 \
		--duty topic:dprk-missiles --facility ICHIGAYA --role reader --home jpn >/dev/null
}

# freeport: a TCP port free on 127.0.0.1 now
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

finish() {
	echo "1..$checks"
	echo "# $checks checks, $fails failed"
	[ "$fails" -eq 0 ]
}
