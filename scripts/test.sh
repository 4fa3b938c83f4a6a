#!/usr/bin/env bash
# The whole suite: unit and command-line tests in the normal build and
# again under ASan+UBSan, then each fuzz harness for a short bounded time,
# then the console's browser tests (tests/browser/run.sh).
# Ends with a plain "N passed, N failed" line.
set -u
# Meson asks the compiler for its include paths with `cc -E -v -`, which
# reads standard input: never let it read ours.
exec </dev/null
cd "$(dirname "$0")/.."

passed=0
failed=0
# Everything the suite makes in a temporary directory goes into one of its
# own, which must be empty at the end: a test that leaves a file fails.
suite_tmp=$(mktemp -d "${TMPDIR:-/tmp}/gsomia-suite.XXXXXX")
export TMPDIR=$suite_tmp
count() { # testlog.json -> adds to passed/failed
	local p f
	p=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$1")
	f=$(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")] | length' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
}

run_suite() { # builddir, setup args...
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
	# A build configured by `make demo` before cmocka was installed has no
	# unit tests: configure it again now that `make test` installed it.
	if ! jq -e 'any(.[]; .name == "cmocka")' "$dir/meson-info/intro-dependencies.json" >/dev/null 2>&1; then
		meson setup --reconfigure "$dir" >/dev/null || { failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
		cat "$dir.ninja.log"
		echo "build failed in $dir"
		failed=$((failed + 1))
		return
	fi
	# Sanitized builds run several times slower: give them more time.
	meson test -C "$dir" --print-errorlogs --num-processes 2 \
		--timeout-multiplier "${TIMEOUT_MULTIPLIER:-1}" ${SUITE_ARGS:-} || true
	count "$dir/meson-logs/testlog.json"
	if ! jq -e -s 'any(.[]; .name | startswith("gsomia:unit /"))' "$dir/meson-logs/testlog.json" >/dev/null; then
		echo "no unit test ran in $dir (is libcmocka-dev installed?)"
		failed=$((failed + 1))
	fi
}

# The normal build runs the command-line tests on both stores (suite pg:
# PostgreSQL, docs/scale-out.md); the sanitizers look at the C on SQLite.
run_suite build
SUITE_ARGS="--no-suite pg" TIMEOUT_MULTIPLIER=4 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug

if [ -x scripts/fuzz.sh ]; then
	if out=$(./scripts/fuzz.sh "${GSOMIA_FUZZ_SECONDS:-10}" 2>&1); then
		n=$(printf '%s\n' "$out" | grep -c '^fuzz ok')
		passed=$((passed + n))
	else
		printf '%s\n' "$out" | tail -40
		n=$(printf '%s\n' "$out" | grep -c '^fuzz ok')
		passed=$((passed + n))
		failed=$((failed + 1))
	fi
fi

# The console in headless Chromium against two real nodes (tests/browser/run.sh):
# each "ok" line counts as passed, each "not ok" as failed; skipped ones
# (endpoints a node does not serve) count as neither.
if [ -x tests/browser/run.sh ] && [ -x build/gsomia ]; then
	out=$(GSOMIA_BROWSER_STRICT=1 GSOMIA=build/gsomia ./tests/browser/run.sh build/browser-screenshots 2>&1) || true
	n=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -vc '# SKIP' || true)
	f=$(printf '%s\n' "$out" | grep -c '^not ok' || true)
	passed=$((passed + n))
	failed=$((failed + f))
	if [ "$n" -eq 0 ] && [ "$f" -eq 0 ]; then
		# the runner failed before any test ran (no browser, no node...)
		printf '%s\n' "$out" | tail -20
		failed=$((failed + 1))
	else
		printf '%s\n' "$out" | grep -E '^(not ok|ok .*# SKIP)|^#' | head -60
	fi
fi

left=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 2>/dev/null | head -20)
if [ -n "$left" ]; then
	echo "left behind in the temporary directory by the suite:"
	printf '  %s\n' $left
	failed=$((failed + 1))
fi
rm -rf "$suite_tmp"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
