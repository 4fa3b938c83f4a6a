#!/usr/bin/env bash
# Labels the allies' tools read (docs/labels.md), between KOR and JPN:
# levels and annex rows from XML SPIFs; a release's STANAG 4774 labels
# bound to its payload by a signed STANAG 4778 binding, checked with the
# stock xmllint (against the project's schema of the subset) and xmlsec1;
# a classification taken from a label at release; the binding from the
# local API. Every bad input is one line, exit 1, and changes nothing.
. "$(dirname "$0")/lib.sh"
EX=$SRCDIR/examples
SCH=$SRCDIR/schemas
VEC=$SRCDIR/tests/data/labels
export GSOMIA_PASSPHRASE=example
MBID=urn:nato:stanag:4778:bindinginformation:1:0:MetadataBinding
KOR_POLICY=urn:oid:2.25.67063040280692152367391139728737801794
JPN_POLICY=urn:oid:2.25.253640067928503725326359405469762299823

# xverify PEM FILE: the stock xmlsec1 checks a binding with a public key
xverify() { xmlsec1 --verify --pubkey-pem "$1" --id-attr:Id "$MBID" "$2" >xmlsec.out 2>&1; }
# one_line "what": the last command failed with exit 1 and one line on stderr
one_line() {
	eq "$1: exit 1" "$rc" 1
	eq "$1: one line" "$(printf '%s\n' "$err" | wc -l)" 1
}

# ---- SPIFs -> levels ----
for P in KOR JPN; do
	expect 0 "$P's levels from its SPIF" $G party levels --from-spif "$EX/spif/$P.spif.xml"
	eq "they are examples/parties/$P.levels" "$out" "$(grep -v '^#' "$EX/parties/$P.levels")"
done
expect 0 "levels into a file" $G party levels --from-spif "$EX/spif/KOR.spif.xml" -o kor.levels
expect 0 "a node made from a SPIF's levels" $G init --party KOR --exercise --levels kor.levels --home kspif
has "its identity names the SPIF's policy" "$($G party export --home kspif)" "policy: $KOR_POLICY | KOR-MIL"
has "and certifies a label key" "$($G party export --home kspif)" "label-key: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
sed 's/hierarchy="2"/hierarchy="1"/' "$EX/spif/KOR.spif.xml" >kor-cycle.xml
expect 1 "a SPIF whose hierarchy is not a strict order is refused" $G party levels --from-spif kor-cycle.xml
one_line "hierarchy"
has "it says where and why" "$err" "kor-cycle.xml:23: '군사II급비밀' and '군사III급비밀' (line 14) have the same hierarchy 1"
{ echo '<!DOCTYPE SPIF [<!ENTITY x SYSTEM "file:///etc/passwd">]>'; sed 1d "$EX/spif/KOR.spif.xml"; } >kor-doctype.xml
expect 1 "a SPIF with a DOCTYPE is refused" $G party levels --from-spif kor-doctype.xml
has "before any entity is read" "$err" "a DOCTYPE is not allowed"
expect 1 "a refused SPIF gives no levels file" $G party levels --from-spif kor-cycle.xml -o refused.levels
[ ! -e refused.levels ] && ok "no levels file" || bad "a levels file was written"

# ---- two nodes, the agreement ----
for P in KOR JPN; do
	h=$(echo $P | tr A-Z a-z)
	$G init --party $P --exercise --keys "$EX/keys/$P.keys" --levels "$EX/parties/$P.levels" --home $h >/dev/null
	$G party export --home $h -o $P.id
done
$G party import JPN.id --home kor >/dev/null
$G party import KOR.id --home jpn >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home kor >/dev/null
$G agreement import "$EX/agreements/kor-jpn-2016" --home jpn >/dev/null
expect 0 "party show names KOR's policy" $G party show KOR --home jpn --json
jqeq "its URI" "$out" .policy "$KOR_POLICY"
jqeq "its name" "$out" .policy_name KOR-MIL
jqeq "and that the identity certifies a label key" "$out" .label_key true
$G init --party USA --exercise --home usa >/dev/null
expect 0 "an identity from before labels still imports" $G party import "$EX/parties/KOR.id" --home usa
expect 0 "and shows" $G party show KOR --home usa --json
jqeq "no policy" "$out" .policy null
jqeq "no label key" "$out" .label_key false
has "in text too" "$($G party show KOR --home jpn)" "policy $KOR_POLICY (KOR-MIL)"

# ---- SPIFs -> annex rows ----
expect 0 "the SPIFs propose annex rows" $G agreement annex --from-spif "$EX/spif/KOR.spif.xml" "$EX/spif/JPN.spif.xml" \
	--row-names SECRET,CONFIDENTIAL --effective 2016-11-23 --home kor
eq "they are the KOR-JPN 2016 annex" "$(printf '%s\n' "$out" | grep -v '^#')" \
	"$(sed -n '/^\[annex 1/,$p' "$EX/agreements/kor-jpn-2016/agreement.txt")"
has "the proposal says it is one" "$out" "# A proposal to review: it binds no one until every party signs"
proposal=$out
expect 0 "seen from Japan: the same rows" $G agreement annex --from-spif "$EX/spif/JPN.spif.xml" "$EX/spif/KOR.spif.xml" \
	--row-names SECRET,CONFIDENTIAL --effective 2016-11-23 --home jpn
has "JPN first" "$out" "SECRET = JPN: 特定秘密, 極秘 | KOR: 군사II급비밀"
expect 0 "without names, the rows are named from the glosses" $G agreement annex --from-spif \
	"$EX/spif/KOR.spif.xml" "$EX/spif/JPN.spif.xml" --effective 2016-11-23 --home kor
has "a derived name" "$out" "MILITARY SECRET GRADE III = KOR: 군사III급비밀 | JPN: 秘"
# the proposal, put in a definition, is an agreement the format accepts
mkdir proposal
{ printf 'gsomia-agreement/v1\nid: KOR-JPN-PROPOSAL\ntitle: proposal\nparties: KOR JPN\nzone: +09:00\nsigned: 2016-11-23\n'
  printf '%s\n' "$proposal"; } >proposal/agreement.txt
$G party import JPN.id --home kspif >/dev/null 2>&1
expect 0 "the proposal makes a valid definition" $G agreement import proposal/agreement.txt --home kspif

# a one-way equivalence: Korea sends grade III as 極秘, Japan gives no way back
sed 's/lacv="4" applied="both"/lacv="3" applied="encrypt"/' "$EX/spif/KOR.spif.xml" >kor-oneway.xml
grep -v 'policyRef="KOR-MIL" lacv="3"' "$EX/spif/JPN.spif.xml" >jpn-oneway.xml
expect 0 "one-way equivalences are proposed as such" $G agreement annex --from-spif kor-oneway.xml jpn-oneway.xml \
	--effective 2016-11-23 --home kor
has "shown as one-way" "$out" "# one-way: KOR 군사III급비밀 is marked JPN 極秘 when KOR sends it (KOR's SPIF, encrypt), but not the reverse"
has "a protect-as cell" "$out" "= KOR: 군사III급비밀 | JPN: protect-as 極秘"
has "秘 has no equivalence left" "$out" "never = KOR: 군사I급비밀 | JPN: 機密, 秘"

sum_k=$(dbsum kor)
sed 's/policyRef="JPN-GOV" lacv="2"/policyRef="JPN-GOV" lacv="9"/' "$EX/spif/KOR.spif.xml" >kor-dangling.xml
expect 1 "a dangling equivalence (no such lacv) is refused" $G agreement annex --from-spif kor-dangling.xml \
	"$EX/spif/JPN.spif.xml" --home kor
one_line "dangling lacv"
has "it names the line" "$err" "kor-dangling.xml:24: '군사II급비밀' is equivalent to lacv 9 of policy 'JPN-GOV', which JPN's SPIF does not define"
sed 's/policyRef="JPN-GOV" lacv="2"/policyRef="JPN-DEF" lacv="2"/' "$EX/spif/KOR.spif.xml" >kor-noref.xml
expect 1 "an equivalence to no listed policy is refused" $G agreement annex --from-spif kor-noref.xml \
	"$EX/spif/JPN.spif.xml" --home kor
has "dangling policyRef" "$err" "policyRef 'JPN-DEF', which no equivalentPolicy names (a dangling equivalence)"
expect 1 "a SPIF whose order is a cycle is refused" $G agreement annex --from-spif kor-cycle.xml "$EX/spif/JPN.spif.xml" --home kor
one_line "cycle"
sed 's/id="2.25.67063040280692152367391139728737801794"/id="2.25.999"/' "$EX/spif/KOR.spif.xml" >kor-unknown.xml
expect 1 "a SPIF of a policy no registered party has is refused" $G agreement annex --from-spif kor-unknown.xml \
	"$EX/spif/JPN.spif.xml" --home kor
has "unknown policy" "$err" "policy urn:oid:2.25.999 ('KOR-MIL') is not the policy of any registered party"
sed 's/name="군사I급비밀"/name="군사0급비밀"/' "$EX/spif/KOR.spif.xml" >kor-level.xml
expect 1 "a classification that is not a level of the scheme is refused" $G agreement annex --from-spif kor-level.xml \
	"$EX/spif/JPN.spif.xml" --home kor
has "never guessed" "$err" "'군사0급비밀' is not a level of KOR's scheme; refused"
expect 1 "one SPIF twice is refused" $G agreement annex --from-spif "$EX/spif/KOR.spif.xml" "$EX/spif/KOR.spif.xml" --home kor
expect 2 "annex needs two SPIFs" $G agreement annex --from-spif "$EX/spif/KOR.spif.xml" --home kor
eq "no proposal changed the database" "$(dbsum kor)" "$sum_k"

# ---- export: a bundle's labels bound to its payload ----
export GSOMIA_NOW=2019-11-28T17:34:56+09:00
echo "Hello, JPN." >doc.txt
$G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 --purpose defence-cooperation \
	--topic dprk-missiles --title "Launch report" -o b1.bundle --home kor >/dev/null
$G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사III급비밀 --purpose defence-cooperation \
	--topic dprk-missiles -o b2.bundle --home kor >/dev/null
expect 0 "KOR binds its bundle's labels" $G label export b1.bundle -o b1.bdo --home kor --json
jqeq "signed by KOR" "$out" .signer KOR
jqeq "the originator's label: KOR's policy" "$out" .originator_label.policy_uri "$KOR_POLICY"
jqeq "the originator's classification" "$out" .originator_label.classification 군사II급비밀
jqeq "releasable to the parties of the release" "$out" '.originator_label.categories[0].values | join(",")' KOR,JPN
jqeq "created when the bundle was" "$out" .originator_label.created 2019-11-28T08:34:56Z
jqeq "reviewed ten years later" "$out" .originator_label.review 2029-11-28T08:34:56Z
jqeq "one alternative label: JPN's equivalent" "$out" '.alternative_labels | map(.policy + " " + .classification) | join(",")' "JPN-GOV 特定秘密"
# the SHA-256 of the age payload, the bundle's last payload-size bytes, as any tool computes it
ni="ni:///sha-256;$(tail -c "$($G bundle inspect b1.bundle --json | jq -r .payload_size)" b1.bundle |
	openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')"
jqeq "the data reference is the bundle's payload digest" "$out" .data_reference "$ni"
expect 0 "xmllint: the binding is valid under the project's schema" xmllint --noout --schema "$SCH/stanag4778-binding-subset.xsd" b1.bdo
expect 0 "the third party's key file, from its identity" $G label key KOR --home jpn -o kor.pem
xverify kor.pem b1.bdo && ok "xmlsec1 verifies the binding with KOR's label key" || bad "xmlsec1 refused" "$(tail -5 xmlsec.out)"
has "both references checked" "$(cat xmlsec.out)" "SignedInfo References (ok/all): 2/2"
# a third party holding only KOR's identity file, and stock tools
{ echo "-----BEGIN PUBLIC KEY-----"; awk '/^label-key: /{print $2}' KOR.id | fold -w64; echo "-----END PUBLIC KEY-----"; } >kor-from-id.pem
xverify kor-from-id.pem b1.bdo && ok "xmlsec1 verifies it with the key in KOR's identity file" || bad "xmlsec1 refused" "$(tail -5 xmlsec.out)"
$G label key JPN --home kor -o jpn.pem
xverify jpn.pem b1.bdo && bad "xmlsec1 took JPN's key for KOR's" || ok "xmlsec1 refuses another party's key"
sed 's/>特定秘密</>極秘</' b1.bdo >b1-altered.bdo
xverify kor.pem b1-altered.bdo && bad "xmlsec1 took an altered label" || ok "xmlsec1 refuses an altered label"
expect 0 "JPN verifies the binding and that it binds b1.bundle" $G label verify b1.bdo --bundle b1.bundle --home jpn --json
jqeq "signer" "$out" .signer KOR
jqeq "the payload is checked" "$out" .payload_checked true
jqeq "the item" "$out" .item "$($G bundle inspect b1.bundle --json | jq -r .item)"
expect 0 "verify in text" $G label verify b1.bdo --home jpn
has "says who signed" "$out" "b1.bdo: binding verified: signed by KOR"
sum_j=$(dbsum jpn)
expect 1 "a binding whose digest is not the bundle's payload is refused" $G label verify b1.bdo --bundle b2.bundle --home jpn
one_line "another bundle"
has "it says so" "$err" "the binding's data reference $ni is not the payload digest of b2.bundle"
expect 1 "an altered binding is refused" $G label verify b1-altered.bdo --home jpn
one_line "altered"
has "it says where" "$err" "b1-altered.bdo:12: the digest of the labels and data reference does not match its reference"
expect 1 "a binding signed by a key no registered identity certifies is refused" $G label verify b1.bdo --home kspif
has "it says why" "$err" "signed by a label key that no registered party's identity certifies"
cp b1.bdo b1-flipped.bdo
flip_byte b1-flipped.bdo 3000
expect 1 "a flipped byte is refused" $G label verify b1-flipped.bdo --home jpn
one_line "flipped"
eq "verifying changed nothing" "$(dbsum jpn)" "$sum_j"

# what the stock tools say about the project's known-answer files
xverify "$VEC/kor-label-vector.pem" "$VEC/kor-jpn-vector.bdo" && ok "xmlsec1 verifies the test vector" || bad "test vector" "$(tail -5 xmlsec.out)"
expect 0 "xmllint: the vector binding is valid" xmllint --noout --schema "$SCH/stanag4778-binding-subset.xsd" "$VEC/kor-jpn-vector.bdo"
expect 0 "xmllint: the vector label is valid" xmllint --noout --schema "$SCH/stanag4774-label-subset.xsd" "$VEC/kor-originator-label.xml"
grep -v CreationDateTime "$VEC/kor-originator-label.xml" >no-created.xml
expect 3 "xmllint: a label without CreationDateTime is not" xmllint --noout --schema "$SCH/stanag4774-label-subset.xsd" no-created.xml
sed 's/Type="PERMISSIVE"/Type="permissive"/' "$VEC/kor-originator-label.xml" >lower.xml
xmllint --noout --schema "$SCH/stanag4774-label-subset.xsd" lower.xml >/dev/null 2>&1 && bad "xmllint took Type=permissive" ||
	ok "xmllint: nor one with a lower-case category type"

# a holding: JPN binds what it holds, with its own marking and key
$G receive b1.bundle --home jpn >/dev/null
IT1=$($G bundle inspect b1.bundle --json | jq -r .item)
expect 0 "JPN binds the labels of its holding" $G label export "$IT1" -o h1.bdo --home jpn --json
jqeq "signed by JPN" "$out" .signer JPN
jqeq "the originator's label stays KOR's" "$out" .originator_label.classification 군사II급비밀
jqeq "JPN's label is its marking" "$out" '.alternative_labels[0].classification' 特定秘密
jqeq "the same payload" "$out" .data_reference "$ni"
xverify jpn.pem h1.bdo && ok "xmlsec1 verifies JPN's binding with JPN's key" || bad "xmlsec1 refused" "$(tail -5 xmlsec.out)"
expect 0 "KOR verifies JPN's binding against its bundle" $G label verify h1.bdo --bundle b1.bundle --home kor --json
jqeq "signer JPN" "$out" .signer JPN
expect 0 "xmllint: JPN's binding is valid" xmllint --noout --schema "$SCH/stanag4778-binding-subset.xsd" h1.bdo
expect 0 "KOR binds the labels of its own item" $G label export "$IT1" -o k1.bdo --home kor --json
jqeq "signed by KOR" "$out" .signer KOR
jqeq "JPN's default label" "$out" '.alternative_labels[0].classification' 特定秘密
jqeq "the same payload as the bundle's" "$out" .data_reference "$ni"
sum_k=$(dbsum kor)
expect 1 "no binding for an item not held" $G label export KOR-0000000000000000 -o none.bdo --home kor
cp b1.bundle bad.bundle
flip_byte bad.bundle $(($(stat -c %s b1.bundle) - 10))
expect 1 "no binding for a damaged bundle" $G label export bad.bundle -o bad.bdo --home kor
[ ! -e bad.bdo ] && [ ! -e none.bdo ] && ok "and no file" || bad "a refused export wrote a file"
expect 2 "export needs -o" $G label export b1.bundle --home kor
eq "exports changed nothing" "$(dbsum kor)" "$sum_k"

# ---- release --label: the classification from a STANAG 4774 label ----
label() { # FILE URI NAME CLASSIFICATION CATEGORY-XML [ROOT]
	local root=${6:-originatorConfidentialityLabel}
	cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<slab:$root xmlns:slab="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0" ReviewDateTime="2029-11-28T00:00:00Z">
  <slab:ConfidentialityInformation>
    <slab:PolicyIdentifier$2>$3</slab:PolicyIdentifier>
    <slab:Classification>$4</slab:Classification>$5
  </slab:ConfidentialityInformation>
  <slab:CreationDateTime>2019-11-28T00:00:00Z</slab:CreationDateTime>
</slab:$root>
EOF
}
REL='<slab:Category Type="PERMISSIVE" TagName="Releasable To"><slab:GenericValue>KOR</slab:GenericValue><slab:GenericValue>JPN</slab:GenericValue></slab:Category>'
label ok.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사III급비밀 "$REL"
expect 0 "xmllint: the hand-written label is valid" xmllint --noout --schema "$SCH/stanag4774-label-subset.xsd" ok.xml
expect 0 "a release takes its classification from a label" $G release doc.txt --label ok.xml --to JPN \
	--agreement KOR-JPN-2016 --purpose defence-cooperation --topic dprk-missiles -o b3.bundle --home kor --json
jqeq "JPN will mark it as the annex says" "$out" .banner_recipient 秘
IT3=$(printf '%s' "$out" | jq -r .item)
expect 0 "the item" $G items show "$IT3" --home kor --json
jqeq "is held at the label's classification" "$out" .label 군사III급비밀
sum_k=$(dbsum kor)
refuse_label() { # WHAT FILE MESSAGE
	expect 1 "$1" $G release doc.txt --label "$2" --to JPN --agreement KOR-JPN-2016 --purpose defence-cooperation \
		--topic dprk-missiles -o refused.bundle --home kor
	one_line "$1"
	has "$1: why" "$err" "$3"
}
label p.xml " URI=\"$JPN_POLICY\"" JPN-GOV 秘 "$REL"
refuse_label "a label of another policy is refused" p.xml "the label's policy $JPN_POLICY ('JPN-GOV') is not KOR's policy"
label n.xml "" KOR-MIL 군사III급비밀 "$REL"
refuse_label "a label that names its policy without its OID is refused" n.xml "without its urn:oid: URI; refused, not guessed"
label c.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사IV급비밀 "$REL"
refuse_label "an unknown classification is refused" c.xml "'군사IV급비밀' is not a classification of KOR's policy"
label g.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사III급비밀 '<slab:Category Type="RESTRICTIVE" TagName="Special Handling"><slab:GenericValue>ALPHA</slab:GenericValue></slab:Category>'
refuse_label "an unknown category is refused" g.xml "unknown category 'Special Handling' in the label"
label u.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사III급비밀 '<slab:Category Type="PERMISSIVE" TagName="Releasable To"><slab:GenericValue>KOR</slab:GenericValue><slab:GenericValue>USA</slab:GenericValue></slab:Category>'
refuse_label "a label not releasable to the recipient is refused" u.xml "the label does not make the item releasable to JPN"
label x.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사III급비밀 '<slab:Category Type="PERMISSIVE" TagName="Releasable To"><slab:GenericValue>JPN</slab:GenericValue><slab:GenericValue>XAA</slab:GenericValue></slab:Category>'
refuse_label "a label releasable to an unknown party is refused" x.xml "names XAA, which is not a registered party"
label a.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사III급비밀 "$REL" alternativeConfidentialityLabel
refuse_label "an alternative label is refused" a.xml "release takes the originator's label"
{ echo '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'; sed 1d ok.xml; } >dt.xml
refuse_label "a label with a DOCTYPE is refused" dt.xml "a DOCTYPE is not allowed (no DTD, no entities)"
head -c 300 ok.xml >cut.xml
refuse_label "a malformed label is refused" cut.xml "not well-formed XML"
grep -v CreationDateTime ok.xml >nc.xml
refuse_label "a label without CreationDateTime is refused" nc.xml "the label has no CreationDateTime"
label never.xml " URI=\"$KOR_POLICY\"" KOR-MIL 군사I급비밀 "$REL"
expect 1 "a label's classification still goes through the release rules" $G release doc.txt --label never.xml --to JPN \
	--agreement KOR-JPN-2016 --purpose defence-cooperation --topic dprk-missiles -o refused.bundle --home kor
has "never released" "$err" "[release.never]"
expect 2 "--label and --classification together are refused" $G release doc.txt --label ok.xml --classification 군사III급비밀 \
	--to JPN --agreement KOR-JPN-2016 --purpose p --topic t -o refused.bundle --home kor
[ ! -e refused.bundle ] && ok "no refused release wrote a bundle" || bad "a refused release wrote a bundle"
eq "no refused release changed the database" "$(dbsum kor)" "$sum_k"

# ---- the local API offers each holding's binding ----
$G person add reg --name reg --nationality JPN --employer JPN --role registry --home jpn >/dev/null
$G person add rd --name rd --nationality JPN --employer JPN --role reader --home jpn >/dev/null
GSOMIA_PERSON_PASSWORD=pw-of-reg $G person password reg --home jpn >/dev/null
GSOMIA_PERSON_PASSWORD=pw-of-rd $G person password rd --home jpn >/dev/null
PJ=$(freeport)
$G serve --home jpn --listen "127.0.0.1:$PJ" >jpn.out 2>jpn.err &
pids="$pids $!"
for i in $(seq 1 100); do curl -sk -o /dev/null "https://127.0.0.1:$PJ/v1/health" && break; sleep 0.1; done
tok() { curl -sk "https://127.0.0.1:$PJ/v1/session" --data-binary "{\"person\":\"$1\",\"password\":\"$2\"}" | jq -r .token; }
R=$(tok reg pw-of-reg)
RD=$(tok rd pw-of-rd)
code=$(curl -sk -o api.bdo -D api.headers -w '%{http_code}' -H "Authorization: Bearer $R" \
	"https://127.0.0.1:$PJ/v1/local/items/$IT1/binding")
eq "GET /v1/local/items/ID/binding: 200" "$code" 200
has "an XML file" "$(cat api.headers)" "application/xml"
has "named for the item, with EXERCISE on an exercise node" "$(cat api.headers)" "filename=\"EXERCISE $IT1.bdo\""
xverify jpn.pem api.bdo && ok "xmlsec1 verifies the binding the API gave" || bad "xmlsec1 refused" "$(tail -5 xmlsec.out)"
expect 0 "KOR verifies it against the bundle" $G label verify api.bdo --bundle b1.bundle --home kor
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $RD" "https://127.0.0.1:$PJ/v1/local/items/$IT1/binding")
eq "a reader may not ask for it: 403" "$code" 403
code=$(curl -sk -o notfound.json -w '%{http_code}' -H "Authorization: Bearer $R" "https://127.0.0.1:$PJ/v1/local/items/KOR-0000000000000000/binding")
eq "an item not held: 404" "$code" 404
jqeq "with a sentence" "$(cat notfound.json)" '.error | contains("KOR-0000000000000000")' true
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $R" "https://127.0.0.1:$PJ/v1/local/items/$IT1/binding?x=1")
eq "an unknown argument: 400" "$code" 400
items=$(curl -sk -H "Authorization: Bearer $R" "https://127.0.0.1:$PJ/v1/local/items")
jqeq "the inventory names each holding's bundle (the console's link)" "$items" "[.items[] | select(.id == \"$IT1\") | .bundle] | length" 1
# once destroyed, there is no payload left to bind
expect 0 "JPN destroys the item" $G destroy "$IT1" --by reg --method shredding --witness rd --home jpn
code=$(curl -sk -o gone.json -w '%{http_code}' -H "Authorization: Bearer $R" "https://127.0.0.1:$PJ/v1/local/items/$IT1/binding")
eq "the API: 409 for a destroyed item" "$code" 409
jqeq "it says why" "$(cat gone.json)" '.error | contains("was destroyed")' true
expect 1 "nor on the command line" $G label export "$IT1" -o gone.bdo --home jpn
has "it says why" "$err" "item '$IT1' was destroyed: there is no payload left to bind a label to"
! grep -q 'Sanitizer\|runtime error' jpn.err && ok "the server reported no memory error" ||
	bad "the server reported a memory error" "$(head -c 3000 jpn.err)"
finish
