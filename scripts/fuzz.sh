#!/usr/bin/env bash
# Builds every harness in fuzz/ with clang (libFuzzer + ASan + UBSan) and
# runs each for a bounded time (seconds, default 10) on a copy of its seed
# corpus. Prints "fuzz ok NAME" per harness as it goes, then a table of
# executions and executions per second for every harness; exits 1 on any
# crash.
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
summary=""
stat() { # LOG NAME: one libFuzzer final statistic
	grep -o "stat::$2: *[0-9]*" "$1" | tail -1 | awk '{print $2}'
}
for bin in build-fuzz/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	work=$(mktemp -d)
	cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
	# the key file harness starts from a file sealed at the fuzzing
	# build's costs, whose MAC verifies (fuzz/seed_keyfile.c)
	if [ "$name" = keyfile ]; then
		build-fuzz/fuzz/seed_keyfile >"$work/sealed-at-fuzzing-costs" || status=1
	fi
	mkdir -p fuzz/crashes
	if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=fuzz/crashes/"$name"- "$work" >"$work.log" 2>&1; then
		result=ok
		echo "fuzz ok $name ($(stat "$work.log" number_of_executed_units) runs)"
	else
		result=FAILED
		echo "fuzz FAILED $name"
		tail -30 "$work.log"
		status=1
	fi
	summary+=$(printf '%-18s %12s %10s/s  %s' "$name" "$(stat "$work.log" number_of_executed_units)" \
		"$(stat "$work.log" average_exec_per_sec)" "$result")$'\n'
	rm -rf "$work" "$work.log"
done
echo
echo "executions per harness ($secs s each):"
printf '%-18s %12s %12s  %s\n' harness executions rate result
printf '%s' "$summary"
exit $status
