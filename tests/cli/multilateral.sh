#!/usr/bin/env bash
# A four-party agreement, as its treaty officers would run it: DEU, FRA, NLD
# and POL sign; NLD gives notice and leaves a year later while the others go
# on; SWE accedes, accepted by the depositary DEU; the bad notes of
# docs/lifecycle.md are refused with one line and change nothing.
. "$(dirname "$0")/lib.sh"

levels() { # CODE TOP SECRET CONFIDENTIAL
	printf 'level: %s | %s | top secret\nlevel: %s | %s | secret\nlevel: %s | %s | confidential\n' \
		"$2" "$2" "$3" "$3" "$4" "$4" >"$1.levels"
}
levels DEU "STRENG GEHEIM" GEHEIM VS-VERTRAULICH
levels FRA "TRES SECRET" SECRET CONFIDENTIEL
levels NLD "STG. ZEER GEHEIM" "STG. GEHEIM" "STG. CONFIDENTIEEL"
levels POL "SCISLE TAJNE" TAJNE POUFNE
levels SWE "KVALIFICERAT HEMLIG" HEMLIG KONFIDENTIELL
levels ITA SEGRETISSIMO SEGRETO RISERVATISSIMO
P="DEU FRA NLD POL SWE ITA"
for c in $P; do
	h=$(echo $c | tr A-Z a-z)
	$G init --party $c --zone +01:00 --exercise --levels $c.levels --home $h >/dev/null || bad "init $c"
	$G party export -o $c.id --home $h >/dev/null 2>&1 || bad "export $c"
done
for c in $P; do
	h=$(echo $c | tr A-Z a-z)
	for o in $P; do [ $o = $c ] || $G party import $o.id --home $h >/dev/null 2>&1 || bad "$c imports $o"; done
done

mkdir -p fa/signatures fa/notes fa/parties
cp DEU.id FRA.id NLD.id POL.id SWE.id fa/parties/
cat >fa/agreement.txt <<'DEF'
gsomia-agreement/v1
id: EU-FA-2020
title: Framework agreement on the protection of classified information
parties: DEU FRA NLD POL
zone: +01:00
signed: 2020-01-15
entry-into-force: days-after-notes 30
term: indefinite
notice: 1 year
accession: by-depositary
depositary: DEU
marking: keep-original
[annex 1 effective 2020-01-15]
SECRET = DEU: GEHEIM | FRA: SECRET | NLD: STG. GEHEIM | POL: TAJNE
CONFIDENTIAL = DEU: VS-VERTRAULICH | FRA: CONFIDENTIEL | NLD: STG. CONFIDENTIEEL | POL: POUFNE
DEF
note() { # HOME FILE KIND DELIVERED [options...]
	local h=$1 f=$2 k=$3 at=$4
	shift 4
	$G agreement note $k --agreement EU-FA-2020 --delivered "$at" -o "$f" --home $h "$@" >/dev/null 2>&1
}
for c in DEU FRA NLD POL; do
	h=$(echo $c | tr A-Z a-z)
	$G agreement import fa/agreement.txt --home $h >/dev/null || bad "$c imports the text"
	$G agreement sign EU-FA-2020 -o fa/signatures/$c.sig --home $h >/dev/null 2>&1 || bad "$c signs"
done
note deu fa/notes/1-DEU.note domestic-procedures-complete 2020-02-01T10:00:00+01:00
note fra fa/notes/2-FRA.note domestic-procedures-complete 2020-02-10T10:00:00+01:00
note nld fa/notes/3-NLD.note domestic-procedures-complete 2020-03-02T10:00:00+01:00
note pol fa/notes/4-POL.note domestic-procedures-complete 2020-03-02T16:00:00+01:00
[ "$(ls fa/notes | wc -l)" = 4 ] && ok "four domestic notes made" || bad "four domestic notes made"
# each party's node holds the signed text and the notes
for h in fra nld pol; do $G agreement import fa --home $h >/dev/null 2>&1 || bad "$h imports the signed text"; done

st() { # AT -> $out: status JSON of the directory
	run $G agreement status fa --at "$1" --json
}
m() { # PARTY FIELD -> a member's field in $out
	printf '%s' "$out" | jq -r ".members[] | select(.party == \"$1\") | .$2"
}
st 2020-03-31T23:59:59+01:00
jqeq "signed, not yet in force" "$out" .state signed
jqeq "four members listed" "$out" '.members | length' 4
eq "NLD a signatory before entry into force" "$(m NLD state)" signatory
st 2020-04-01T00:00:00+01:00
jqeq "in force 30 days after the later note" "$out" .state in_force
jqeq "every party in force" "$out" '[.members[].state] | unique | join(",")' in_force
eq "members since 2020-04-01T00:00+01:00" "$(m POL joined_at)" 2020-03-31T23:00:00Z

# NLD gives notice: it leaves a year later; the agreement goes on.
note nld fa/notes/5-NLD.note termination-notice 2021-06-15T12:00:00+01:00 || bad "NLD's notice"
st 2021-06-15T12:00:00+01:00
jqeq "a notice pending" "$out" .state notice_pending
jqeq "the agreement itself does not end" "$out" .terminates_at null
eq "NLD's notice pending" "$(m NLD state)" notice_pending
eq "NLD leaves a year after receipt" "$(m NLD leaves_at)" 2022-06-15T11:00:00Z
st 2022-06-15T12:00:00+01:00
jqeq "in force among the others" "$out" .state in_force
eq "NLD withdrawn" "$(m NLD state)" withdrawn
eq "at the end of its notice" "$(m NLD left_at)" 2022-06-15T11:00:00Z
eq "DEU still a member" "$(m DEU state)" in_force
eq "POL still a member" "$(m POL state)" in_force
has "the reason names the members" "$(printf '%s' "$out" | jq -r .reason)" "members: DEU FRA POL; NLD left at 2022-06-15T12:00:00+01:00"
expect 0 "text status" $G agreement status fa --at 2022-07-01
has "lists each member" "$out" "NLD  withdrawn (left 2022-06-15T12:00:00+01:00)"

# The history at DEU's node; releases per pair.
expect 0 "DEU imports the directory" $G agreement import fa --home deu --json
jqeq "four notes new to DEU (the others' domestic notes, NLD's notice)" "$out" .notes 4
run $G agreement status EU-FA-2020 --home deu --at 2022-07-01 --json
eq "the home agrees: NLD withdrawn" "$(m NLD state)" withdrawn
rel() { # TO AT
	run $G decide release --agreement EU-FA-2020 --to "$1" --classification GEHEIM \
		--purpose defence --topic any --at "$2" --home deu --json
}
rel POL 2022-07-01
jqeq "DEU->POL after NLD left: permitted" "$out" .decision permit
rel NLD 2022-07-01
jqeq "DEU->NLD after NLD left: refused" "$out" .decision deny
jqeq "by release.member" "$out" .rule release.member
has "saying when NLD left" "$(printf '%s' "$out" | jq -r .reason)" "NLD left agreement 'EU-FA-2020' at 2022-06-15T12:00:00+01:00"
rel NLD 2022-06-01
jqeq "DEU->NLD before: permitted" "$out" .decision permit

# Bad input: one line, exit 1, nothing stored.
for h in fra nld pol; do $G agreement import fa --home $h >/dev/null 2>&1 || bad "$h imports the history"; done
sum=$(dbsum fra)
expect 1 "an accession by a member is refused" \
	$G agreement note accession --agreement EU-FA-2020 --delivered 2022-07-01T10:00:00+01:00 --home fra
eq "one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "it says FRA is a member" "$err" "'FRA' is already a member; an accession is for a state that is not"
eq "nothing stored at FRA" "$(dbsum fra)" "$sum"
sum=$(dbsum nld)
expect 1 "a notice from a party that left is refused" \
	$G agreement note termination-notice --agreement EU-FA-2020 --delivered 2022-07-01T10:00:00+01:00 --home nld
eq "one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "it says NLD left" "$err" "'NLD' left it at 2022-06-15T12:00:00+01:00, when its notice of termination took effect"
eq "nothing stored at NLD" "$(dbsum nld)" "$sum"
# the same notice made elsewhere (NLD's keys on a node that never saw its
# first notice) is refused on import by a node that did
$G init --party NLD --zone +01:00 --exercise --levels NLD.levels --keys nld/keys.sealed --home nld2 >/dev/null
for o in DEU FRA POL; do $G party import $o.id --home nld2 >/dev/null 2>&1; done
mkdir -p early/notes && cp -r fa/agreement.txt fa/signatures fa/parties early/ && cp fa/notes/[1-4]-*.note early/notes/
$G agreement import early --home nld2 >/dev/null || bad "nld2 imports the early history"
note nld2 late-NLD.note termination-notice 2022-07-01T10:00:00+01:00 || bad "nld2 makes the notice"
sum=$(dbsum deu)
expect 1 "that notice is refused on import" $G agreement import late-NLD.note --home deu
eq "one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "it says NLD left" "$err" "'NLD' left it at 2022-06-15T12:00:00+01:00"
eq "nothing stored at DEU" "$(dbsum deu)" "$sum"

# SWE accedes: it holds the text (the agreement is open to accession).
expect 0 "SWE imports the agreement it accedes to" $G agreement import fa --home swe
sum=$(dbsum swe)
expect 1 "but does not sign a version that does not list it" $G agreement sign EU-FA-2020 --home swe
has "it says so" "$err" "does not list SWE among its parties"
eq "nothing stored at SWE" "$(dbsum swe)" "$sum"
note swe fa/notes/6-SWE.note accession 2023-02-01T10:00:00+01:00 || bad "SWE's accession"
expect 0 "DEU imports SWE's accession" $G agreement import fa/notes/6-SWE.note --home deu
run $G agreement status EU-FA-2020 --home deu --at 2023-02-02 --json
eq "SWE acceding" "$(m SWE state)" acceding
eq "by accession" "$(m SWE original)" false
$G agreement import fa/notes/6-SWE.note --home nld >/dev/null 2>&1 || bad "NLD imports it"
$G agreement import fa/notes/6-SWE.note --home fra >/dev/null 2>&1 || bad "FRA imports it"
# an accession accepted by a non-member: by NLD, which left; by ITA, never a party
sum=$(dbsum nld)
expect 1 "an acceptance by a party that left is refused" $G agreement note accession-acceptance \
	--acceding SWE --agreement EU-FA-2020 --delivered 2023-02-10T10:00:00+01:00 --home nld
eq "one line" "$(printf '%s\n' "$err" | wc -l)" 1
has "it says NLD left" "$err" "'NLD' left it at"
eq "nothing stored at NLD" "$(dbsum nld)" "$sum"
$G agreement import fa --home ita >/dev/null 2>&1 || bad "ITA holds the text"
sum=$(dbsum ita)
expect 1 "an acceptance by a state that is not a party is refused" $G agreement note accession-acceptance \
	--acceding SWE --agreement EU-FA-2020 --delivered 2023-02-10T10:00:00+01:00 --home ita
has "it says ITA is not a party" "$err" "party 'ITA' is not a party"
eq "nothing stored at ITA" "$(dbsum ita)" "$sum"
sum=$(dbsum fra)
expect 1 "an acceptance by a member that is not the depositary is refused" $G agreement note accession-acceptance \
	--acceding SWE --agreement EU-FA-2020 --delivered 2023-02-10T10:00:00+01:00 --home fra
has "it names the depositary" "$err" "only the depositary DEU accepts an accession, not 'FRA'"
eq "nothing stored at FRA" "$(dbsum fra)" "$sum"
expect 2 "an acceptance needs --acceding" $G agreement note accession-acceptance \
	--agreement EU-FA-2020 --home deu
note deu fa/notes/7-DEU.note accession-acceptance 2023-02-20T10:00:00+01:00 --acceding SWE || bad "DEU accepts"
st 2023-02-20T10:00:00+01:00
eq "accepted: still acceding" "$(m SWE state)" acceding
eq "accepted at" "$(m SWE accepted_at)" 2023-02-20T09:00:00Z
eq "a member 30 days later at 00:00" "$(m SWE joined_at)" 2023-03-21T23:00:00Z
st 2023-03-22T00:00:00+01:00
eq "SWE a member" "$(m SWE state)" in_force
jqeq "five parties listed" "$out" '[.members[].party] | join(" ")' "DEU FRA NLD POL SWE"

# The last but one leaving: FRA, POL and SWE give notice; the agreement
# ends when DEU alone would remain.
note fra fa/notes/8-FRA.note termination-notice 2024-01-10T10:00:00+01:00 || bad "FRA's notice"
note pol fa/notes/9-POL.note termination-notice 2024-02-10T10:00:00+01:00 || bad "POL's notice"
$G agreement import fa --home swe >/dev/null 2>&1 || bad "SWE imports the history"
note swe fa/notes/a-SWE.note termination-notice 2024-03-10T10:00:00+01:00 || bad "SWE's notice"
st 2024-03-10T10:00:00+01:00
jqeq "three notices pending" "$out" '[.members[] | select(.state == "notice_pending")] | length' 3
jqeq "the agreement ends when the last but one leaves" "$out" .terminates_at 2025-03-10T09:00:00Z
st 2025-02-10T10:00:00+01:00
jqeq "after FRA and POL left: in force between DEU and SWE" "$out" .state notice_pending
eq "POL withdrawn" "$(m POL state)" withdrawn
st 2025-03-10T10:00:00+01:00
jqeq "terminated" "$out" .state terminated
eq "DEU terminated with it" "$(m DEU state)" terminated
eq "SWE terminated" "$(m SWE state)" terminated
eq "FRA withdrawn earlier" "$(m FRA state)" withdrawn

# A bilateral agreement reports its two members and nothing else changes.
run $G agreement status "$SRCDIR/examples/agreements/kor-jpn-2016" --at 2019-11-23T00:00:00+09:00 --json
jqeq "KOR-JPN: two members" "$out" '[.members[] | .party + ":" + .state] | join(" ")' "KOR:notice_suspended JPN:in_force"
finish
