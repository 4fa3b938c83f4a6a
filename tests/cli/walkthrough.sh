#!/usr/bin/env bash
# Runs every sh block of docs/walkthrough.md (or of $DOC) in order, in one
# shell, from a copy of the repository's examples, as a reader would. A
# block passes when every command in it succeeds, or, for a block marked
# "sh refused", when its command exits with status 1.
. "$(dirname "$0")/lib.sh"
mkdir -p repo/build
cp -r "$SRCDIR/examples" repo/
[ -d "$SRCDIR/schemas" ] && cp -r "$SRCDIR/schemas" repo/
ln -s "$G" repo/build/gsomia
cd repo
DOC=${DOC:-docs/walkthrough.md}
python3 - "$SRCDIR/$DOC" >blocks.sh <<'PY'
import sys, re
text = open(sys.argv[1], encoding='utf-8').read()
name = sys.argv[1].rsplit('/', 1)[-1].removesuffix('.md')
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
        print(f'if [ $rc = 0 ]; then {{ {c} ; }} >>block{n}.out 2>&1 || rc=$?; fi')
    want = 1 if refused else 0
    print(f'if [ $rc = {want} ]; then ok "{name} block {n}"; else bad "{name} block {n}" "exit $rc, wanted {want}: $(tail -3 block{n}.out)"; fi')
PY
. ./blocks.sh
finish
