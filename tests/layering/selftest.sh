#!/bin/sh
# scripts/layering.sh on a made-up tree: a lower floor that includes a
# higher one, and a face that includes the store, are each named on one
# line with file and line; an allowlist entry lets one pass; one that no
# longer happens fails. TAP.
set -u
script=${SRCDIR:?}/scripts/layering.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT INT TERM
mkdir -p "$t/scripts" "$t/src/core" "$t/src/util" "$t/src/cli" "$t/src/node"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
fail=0
echo "1..6"

printf '#include "util/err.h"\n#include "core/time.h"\n' >"$t/src/core/time.c"
printf '#include "core/time.h"\n#include "node/node.h"\n#include "store/store.h"\n' >"$t/src/node/node.c"
printf '#include <stdio.h>\n' >"$t/src/util/err.h"
out=$("$script" "$t" 2>&1) && ok "a tree within its floors passes" || no "a tree within its floors passes: $out"

printf '#include "util/err.h"\n\n#include "node/node.h"\n' >"$t/src/core/bad.c"
out=$("$script" "$t" 2>&1); rc=$?
[ $rc = 1 ] && ok "a lower floor including a higher one fails" || no "exit $rc: $out"
echo "$out" | grep -qx "src/core/bad.c:3: core includes node/node.h" && ok "named as file:line: floor includes header" || no "$out"
rm "$t/src/core/bad.c"

printf '#include "store/store.h"\n' >"$t/src/cli/cmd_x.c"
out=$("$script" "$t" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -qx "src/cli/cmd_x.c:1: cli includes store/store.h" && ok "a face including the store fails" || no "exit $rc: $out"

printf '# known\nsrc/cli/cmd_x.c: store/store.h\n' >"$t/scripts/layering.allow"
out=$("$script" "$t" 2>&1) && ok "an allowed violation passes" || no "$out"

rm "$t/src/cli/cmd_x.c"
out=$("$script" "$t" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "is no longer a violation: remove the line" && ok "a stale allowlist line fails" || no "exit $rc: $out"
exit $fail
