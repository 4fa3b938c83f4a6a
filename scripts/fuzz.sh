#!/usr/bin/env bash
# Builds every harness in fuzz/ with clang (libFuzzer + ASan + UBSan) and
# runs each for a bounded time (seconds, default 10) on a copy of its seed
# corpus. Prints "fuzz ok NAME" per harness; exits 1 on any crash.
set -u
# Meson asks the compiler for its include paths with `cc -E -v -`, which
# reads standard input: never let it read ours.
exec </dev/null
cd "$(dirname "$0")/.."
secs=${1:-10}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang-14 meson setup build-fuzz -Dfuzz=true -Dbuildtype=debug -Db_lundef=false \
		-Dc_args='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all' \
		-Dc_link_args='-fsanitize=address,undefined' >/dev/null || exit 1
fi
ninja -C build-fuzz >build-fuzz.ninja.log 2>&1 || { cat build-fuzz.ninja.log; exit 1; }
status=0
for bin in build-fuzz/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	work=$(mktemp -d)
	cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
	mkdir -p fuzz/crashes
	if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=fuzz/crashes/"$name"- "$work" >"$work.log" 2>&1; then
		echo "fuzz ok $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | tail -1 | awk '{print $2}') runs)"
	else
		echo "fuzz FAILED $name"
		tail -30 "$work.log"
		status=1
	fi
	rm -rf "$work" "$work.log"
done
exit $status
