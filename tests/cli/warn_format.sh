#!/usr/bin/env bash
# gsomia warn check: a missile warning in JSON or CoT is checked and
# printed in its canonical form; bad input is one line, exit 1
# (docs/warnings.md).
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples/warnings
AT=2023-12-17T23:40:00Z

expect 0 "the example warning is read" $G warn check "$EX/kor-dprk-2023-12-18.json" --at $AT
eq "its canonical form is the committed vector" "$out" "$(cat "$EX/canonical/kor-dprk-2023-12-18.json")"
canon=$out
run sh -c "cat '$EX/kor-dprk-2023-12-18.json' | $G warn check - --at $AT"
eq "standard input reads the same" "$out" "$canon"
printf '%s\n' "$canon" >canon.json
expect 0 "the canonical form reads back" $G warn check canon.json --at $AT
eq "to the same bytes" "$out" "$canon"
jqeq "it is JSON others read" "$canon" '.impacts[0].ellipse.semi_major' 18000

expect 0 "CoT events are written" $G warn check --to-cot "$EX/kor-dprk-2023-12-18.json" --at $AT
eq "they are the committed vector" "$out" "$(cat "$EX/cot/kor-dprk-2023-12-18.cot")"
printf '%s\n' "$out" >w.cot
[ "$(grep -c '<event ' w.cot)" = 2 ] && ok "one launch event and one impact event" || bad "event count" "$(cat w.cot)"
expect 0 "CoT events are read" $G warn check --cot w.cot --at $AT
eq "back to the same warning" "$out" "$canon"
if command -v xmllint >/dev/null; then
	csplit -s -z -f ev w.cot '/<?xml/' '{*}'
	fails_before=$fails
	for f in ev*; do xmllint --noout "$f" 2>/dev/null || bad "xmllint reads $f"; done
	[ "$fails" = "$fails_before" ] && ok "xmllint reads every event"
fi

# ---- refused: one line naming what and where, exit 1, nothing printed ----
refuse() { # WHAT NEEDLE FILE [OPTIONS]
	local what=$1 needle=$2 file=$3
	shift 3
	expect 1 "$what: exit 1" $G warn check "$file" --at $AT "$@"
	has "$what: says where" "$err" "$needle"
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && ok "$what: in one line" || bad "$what: one line" "$err"
	[ -z "$out" ] && ok "$what: prints nothing" || bad "$what: printed" "$out"
}
sed 's/"lat": 39.0396/"lat": 91/' "$EX/kor-dprk-2023-12-18.json" >lat.json
refuse "a latitude out of range" "lat.json: offset 388: launch.lat: 91 is out of range [-90, 90]" lat.json
sed 's/"version": 1,/"version": 1, "colour": "red",/' "$EX/kor-dprk-2023-12-18.json" >unknown.json
refuse "an unknown member" "unknown.json: offset 18: unknown member 'colour'" unknown.json
sed 's/"confidence": 90,/"confidence": 90, "confidence": 95,/' "$EX/kor-dprk-2023-12-18.json" >dup.json
refuse "a duplicate member" "member 'confidence' appears twice" dup.json
head -c 300 "$EX/kor-dprk-2023-12-18.json" >cut.json
refuse "a cut file" "cut.json: offset 299: a member name: the string is not closed" cut.json
refuse "a detection in the future" "detected: 2023-12-17T23:24:42.500Z is in the future (now 2023-12-17T23:24:00.000Z)" \
	"$EX/kor-dprk-2023-12-18.json" --at 2023-12-17T23:24:00Z
expect 0 "within the skew it is not" $G warn check "$EX/kor-dprk-2023-12-18.json" --at 2023-12-17T23:32:35Z --skew 5
refuse "a track point beyond the skew" "track[9].time" "$EX/kor-dprk-2023-12-18.json" --at 2023-12-17T23:32:35Z --skew 4
sed 's/lat="39.0396"/lat="-95"/' w.cot >lat.cot
refuse "a CoT latitude out of range" "lat.cot: event 1: 3: <point lat>: -95 is out of range [-90, 90]" lat.cot --cot
printf '<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<event/>\n' >xxe.cot
refuse "a DOCTYPE in CoT" "a DOCTYPE is not allowed" xxe.cot --cot
refuse "JSON read as CoT" "event 1: 1:1: not well-formed XML" "$EX/kor-dprk-2023-12-18.json" --cot
refuse "a missing file" "nothere.json" nothere.json

expect 2 "no file is bad usage" $G warn check
expect 2 "a bad --at is bad usage" $G warn check canon.json --at yesterday
expect 0 "help" $G warn --help
has "help names the format" "$out" "docs/warnings.md"
finish
