#!/usr/bin/env bash
# Runs every sh block of docs/operations.md in order, in one shell, from a
# directory that holds the build as the page expects ('build', installed
# from with meson install --destdir), as an operator rehearsing would. A
# block passes when every command in it succeeds, or, for a block marked
# "sh refused", when its command exits with status 1.
. "$(dirname "$0")/lib.sh"
: "${BUILDDIR:?BUILDDIR must name the build directory}"
mkdir repo
ln -s "$BUILDDIR" repo/build
cd repo
export PORT
PORT=$(freeport)
unset GSOMIA_PASSPHRASE
python3 - "$SRCDIR/docs/operations.md" >blocks.sh <<'PY'
import sys, re
text = open(sys.argv[1], encoding='utf-8').read()
for n, m in enumerate(re.finditer(r'```sh( refused)?\n(.*?)```', text, re.S), 1):
    refused = bool(m.group(1))
    cmds, cur = [], ''
    for line in m.group(2).splitlines():
        if line.endswith('\\'):
            cur += line[:-1] + ' '
            continue
        cur += line
        if cur.strip():
            cmds.append(cur)
        cur = ''
    print('rc=0')
    for c in cmds:
        # a command put in the background ends with '&', which takes no ';'
        sep = '' if c.rstrip().endswith('&') else ' ;'
        print(f'if [ $rc = 0 ]; then {{ {c}{sep} }} >>block{n}.out 2>&1 || rc=$?; fi')
    want = 1 if refused else 0
    print(f'if [ $rc = {want} ]; then ok "operations block {n}"; else bad "operations block {n}" "exit $rc, wanted {want}: $(tail -3 block{n}.out)"; fi')
PY
. ./blocks.sh
# the page stops its server and removes its directory; if a block failed
# before it did, do it here
[ -n "${SERVE:-}" ] && kill "$SERVE" 2>/dev/null
[ -n "${W:-}" ] && rm -rf "$W"
[ "$(grep -c 'ok "operations block' blocks.sh)" -ge 10 ] && ok "the page has its blocks" || bad "blocks"
has "the backup's first line" "$(cat block*.out)" "gsomia-backup/v1 "
has "the restore said what it restored" "$(cat block*.out)" "restored KOR (fingerprint"
has "and that the home it replaced is kept" "$(cat block*.out)" "is kept as"
has "the report names the agreement" "$(cat block*.out)" "KOR-JPN-2016, term 7"
finish
