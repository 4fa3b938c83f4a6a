# Thin wrappers around Meson. Each target first installs any missing
# Debian package by name, then configures, builds and runs.

# What each target needs, by Debian package name: the demo only what
# building and running need; the tests and the benchmarks add theirs.
BUILD_PACKAGES = meson ninja-build pkgconf gcc python3 libsodium-dev libsqlite3-dev \
	libjansson-dev libssl-dev libgnutls28-dev libmicrohttpd-dev libcurl4-gnutls-dev \
	libxml2-dev libpq-dev
DEMO_PACKAGES = $(BUILD_PACKAGES) jq curl
# The browser tests also need node and npm: Debian's, unless some are there.
NODE_PACKAGES := $(shell command -v node >/dev/null && command -v npm >/dev/null || echo nodejs npm)
TEST_PACKAGES = $(DEMO_PACKAGES) clang-14 libclang-rt-14-dev libcmocka-dev sqlite3 age \
	openssl chromium fonts-wqy-microhei xmlsec1 libxml2-utils $(NODE_PACKAGES) \
	systemd man-db groff-base bsdutils python3-prometheus-client postgresql
BENCH_PACKAGES = $(DEMO_PACKAGES) sqlite3 age minisign wrk hyperfine postgresql postgresql-contrib

.PHONY: all deps demo-deps test-deps bench-deps demo test bench fuzz fresh-debian clean install

all: build/build.ninja
	ninja -C build </dev/null

# scripts/deps.sh installs the missing ones (through sudo when not root,
# and says what to do when there is no sudo).
deps demo-deps:
	@./scripts/deps.sh $(DEMO_PACKAGES)
test-deps:
	@./scripts/deps.sh $(TEST_PACKAGES)
bench-deps:
	@./scripts/deps.sh $(BENCH_PACKAGES)

build/build.ninja:
	meson setup build </dev/null

build-asan/build.ninja:
	meson setup build-asan </dev/null -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug

# The binary, man pages, systemd units, bash completion and data in their
# places under PREFIX (default /usr/local), or under DESTDIR for a package
# (docs/operations.md "Install").
PREFIX ?= /usr/local
install: build/build.ninja
	meson configure build -Dprefix=$(PREFIX) </dev/null
	ninja -C build </dev/null
	meson install -C build --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR)) </dev/null

# KEEP=1 leaves the three exercise nodes and their consoles up.
demo: demo-deps all
	./build/gsomia demo $(if $(KEEP),--keep)

test: test-deps
	./scripts/test.sh

bench: bench-deps all
	./scripts/bench.sh

fuzz: test-deps
	./scripts/fuzz.sh 30

# A minimal Debian 12 root, a clone, and the README's two commands in it as
# root and as a user with sudo (about a quarter of an hour; not in `test`).
fresh-debian:
	./scripts/fresh-debian.sh

clean:
	rm -rf build build-asan build-fuzz
