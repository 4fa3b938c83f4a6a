#!/usr/bin/env bash
# The console's map data (docs/warnings.md, "The console's live view"): the
# build step turns the Natural Earth extract kept in console/data/ into the
# module coast.js, and refuses a broken file in one line, leaving no module.
. "$(dirname "$0")/lib.sh"
A=$SRCDIR/scripts/map-asset.py
DATA=$SRCDIR/console/data/east-asia-50m.geojson

expect 0 "the kept extract builds" python3 "$A" "$DATA" coast.js
m=$(cat coast.js)
has "the module says where its data came from" "$m" "Natural Earth 1:50m"
has "the module holds Korea's land" "$m" 'party: "KOR"'
has "the module holds Japan's land" "$m" 'party: "JPN"'
has "the module holds the DPRK's land" "$m" 'party: "PRK"'
has "the module exports the coastline" "$m" "export const COAST = ["
# every number is an integer of hundredths of a degree, inside the box
python3 - coast.js <<'PY' && ok "every coordinate is inside 117E-151E, 23N-49N" || bad "a coordinate outside the box"
import re, sys
text = open(sys.argv[1]).read()
body = text.split("export const LAND", 1)[1]
arrays = re.findall(r"\[(-?\d+(?:,-?\d+)+)\]", body)
assert len(arrays) > 50, len(arrays)
for a in arrays:
    v = [int(x) for x in a.split(",")]
    assert len(v) % 2 == 0
    for lon, lat in zip(v[::2], v[1::2]):
        assert 11700 <= lon <= 15100 and 2300 <= lat <= 4900, (lon, lat)
PY
if command -v node >/dev/null; then
	# as .mjs: Node 18 (Debian 12's) takes a .js file outside a "type":
	# "module" package for CommonJS; the browser is told by the page
	cp coast.js coast.mjs
	n=$(node --input-type=module -e "import { LAND, COAST } from '$T/coast.mjs'; console.log(LAND.length, COAST.length)" 2>&1)
	case "$n" in
	[1-9]*" "[1-9]*) ok "the module loads in JavaScript ($n)" ;;
	*) bad "the module loads in JavaScript" "$n" ;;
	esac
fi
expect 0 "the same input gives the same module" python3 "$A" "$DATA" again.js
if cmp -s coast.js again.js; then ok "the module is made byte for byte the same"; else bad "two builds differ"; fi

# refuse BROKEN-FILE "what" "words of the error"
refuse() {
	rm -f out.js
	expect 1 "$2: refused" python3 "$A" "$1" out.js
	has "$2: one line naming it" "$err" "$3"
	eq "$2: one line" "$(printf '%s\n' "$err" | wc -l)" 1
	if [ -e out.js ] || ls out.js.tmp >/dev/null 2>&1; then bad "$2: a module was left"; else ok "$2: no module left"; fi
}
sed '0,/\[\[\[\[/s//[[[[160.5,25.46],[/' "$DATA" >outside.geojson
refuse outside.geojson "a point outside the box" "feature 0 (CHN), polygon 0, point 0: 160.5, 25.46 is outside the bbox"
sed '0,/"party":"CHN",/s///' "$DATA" >noparty.geojson
refuse noparty.geojson "a land without its party" "feature 0: a land feature needs a party code"
head -c 20000 "$DATA" >cut.geojson
refuse cut.geojson "a file cut short" "cut.geojson:"
sed '0,/"MultiPolygon"/s//"Polygon"/' "$DATA" >kind.geojson
refuse kind.geojson "a geometry of another kind" "feature 0: expected a land MultiPolygon or a coastline MultiLineString"
sed '0,/\[119.82,25.46\]/s//[119.82,"25.46"]/' "$DATA" >string.geojson
refuse string.geojson "a coordinate that is a string" "feature 0 (CHN), polygon 0, point 0: not [lon, lat]"
finish
