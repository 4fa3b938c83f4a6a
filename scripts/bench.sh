#!/usr/bin/env bash
# Runs every benchmark in build/bench/. Each prints its figures beside the
# target and the anchor measured in the same run. Figures, not assertions:
# this machine is shared and noisy.
set -u
# Meson asks the compiler for its include paths with `cc -E -v -`, which
# reads standard input: never let it read ours.
exec </dev/null
cd "$(dirname "$0")/.."
status=0
for b in build/bench/bench_*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "== ${b##*/}"
	"$b" || status=1
	echo
done
exit $status
