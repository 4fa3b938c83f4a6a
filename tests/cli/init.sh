#!/usr/bin/env bash
# gsomia init and party: homes, keys, identities, and refusals.
. "$(dirname "$0")/lib.sh"

expect 0 "init makes a home" $G init --party KOR --home kor
has "init prints the fingerprint" "$out" "fingerprint "
has_db kor && [ -f kor/keys.sealed ] && ok "home holds database and sealed keys" || bad "home files"
eq "key file is private" "$(stat -c %a kor/keys.sealed)" "600"
if on_pg; then
	eq "the home names its PostgreSQL database" "$(grep -c '^db postgresql://' kor/db.conf)" 1
	eq "db.conf is private" "$(stat -c %a kor/db.conf)" "600"
else
	eq "database is in WAL mode" "$(sqlite3 kor/gsomia.db 'PRAGMA journal_mode')" "wal"
fi
grep -q '^sealed ' kor/keys.sealed && ok "keys are sealed" || bad "keys sealed" "$(head -3 kor/keys.sealed)"
! grep -q "$GSOMIA_PASSPHRASE" kor/keys.sealed && ok "passphrase not in key file" || bad "passphrase leaked"
sum=$(dbsum kor)
expect 1 "init on an existing home refuses" $G init --party KOR --home kor
has "it says why" "$err" "already exists"
eq "existing home unchanged" "$(dbsum kor)" "$sum"
GSOMIA_HOME=$T/envhome expect 0 "GSOMIA_HOME names the home" $G init --party JPN
has_db envhome && ok "home made at GSOMIA_HOME" || bad "GSOMIA_HOME"
expect 2 "init without --party is bad usage" $G init --home x
expect 2 "a bad party code is bad usage" $G init --party korea --home x
expect 2 "an unknown scheme needs --levels" $G init --party FRA --home x
[ ! -e x ] && ok "nothing left after a refused init" || bad "partial home left"
printf 'level: TRÈS SECRET | TRES SECRET | top secret\nlevel: SECRET | SECRET | secret\n' >fra.levels
expect 0 "--levels gives a scheme" $G init --party FRA --levels fra.levels --name "French Republic" --zone +01:00 --home fra
GSOMIA_PASSPHRASE= expect 2 "no passphrase and no terminal is bad usage" $G init --party USA --home usa </dev/null
printf 'from-a-file\n' >pass.txt
GSOMIA_PASSPHRASE= expect 0 "--passphrase-file works" $G init --party USA --home usa --passphrase-file pass.txt

expect 0 "party export" $G party export --home kor -o kor.id
has "identity is a signed note" "$(cat kor.id)" "— gsomia/KOR "
expect 0 "party import" $G party import kor.id --home envhome
has "import shows the fingerprint" "$out" "fingerprint"
expect 0 "party list --json" $G party list --home envhome --json
jqeq "both parties listed" "$out" '[.[].code] | join(",")' "JPN,KOR"
expect 0 "party show --json" $G party show KOR --home envhome --json
jqeq "scheme carried" "$out" '.scheme[1].label' "군사II급비밀"
jqeq "gloss carried" "$out" '.scheme[0].gloss' "military secret grade I"
expect 0 "re-importing the same identity is harmless" $G party import kor.id --home envhome

sum=$(dbsum envhome)
sed 's/Republic of Korea/Republic of Koreb/' kor.id >forged.id
expect 1 "a forged identity is refused" $G party import forged.id --home envhome
has "it says the signature fails" "$err" "does not verify"
head -c 100 kor.id >trunc.id
expect 1 "a truncated identity is refused" $G party import trunc.id --home envhome
$G init --party KOR --home kor2 >/dev/null
$G party export --home kor2 -o kor2.id
expect 1 "another key for a known party is refused" $G party import kor2.id --home envhome
has "it names the party" "$err" "'KOR'"
eq "refusals changed nothing" "$(dbsum envhome)" "$sum"

$G init --party KOR --exercise --home ex >/dev/null
$G party export --home ex -o ex.id
expect 1 "a real node refuses an exercise identity" $G party import ex.id --home envhome
has "it says exercise" "$err" "exercise"
GSOMIA_NOW=2019-01-01T00:00:00Z expect 2 "a real node refuses GSOMIA_NOW" $G agreement list --home kor
GSOMIA_NOW=2019-01-01T00:00:00Z expect 0 "an exercise node honours GSOMIA_NOW" $G agreement list --home ex
expect 2 "unknown command is bad usage" $G frobnicate
expect 0 "help" $G --help
has "help lists commands" "$out" "agreement"
for c in init party agreement person facility decide; do
	expect 0 "$c --help" $G $c --help
done
expect 1 "a home that does not exist" $G party list --home nowhere
has "it says where" "$err" "nowhere"
finish
