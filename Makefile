# Thin wrappers around Meson. Each target first installs any missing
# Debian package by name, then configures, builds and runs.

DEB_PACKAGES = meson ninja-build pkgconf gcc clang-14 libclang-rt-14-dev \
	libsodium-dev libsqlite3-dev sqlite3 libjansson-dev libcmocka-dev \
	libssl-dev libgnutls28-dev libmicrohttpd-dev libcurl4-gnutls-dev wrk \
	age minisign jq hyperfine python3 curl openssl chromium fonts-wqy-microhei
# The browser tests also need node and npm: Debian's, unless some are there.
NODE_PACKAGES := $(shell command -v node >/dev/null && command -v npm >/dev/null || echo nodejs npm)
DEB_PACKAGES += $(NODE_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps demo test bench fuzz clean

all: build/build.ninja
	ninja -C build </dev/null

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build/build.ninja:
	meson setup build </dev/null

build-asan/build.ninja:
	meson setup build-asan </dev/null -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug

# KEEP=1 leaves the three exercise nodes and their consoles up.
demo: deps all
	./build/gsomia demo $(if $(KEEP),--keep)

test: deps
	./scripts/test.sh

bench: deps all
	./scripts/bench.sh

fuzz: deps
	./scripts/fuzz.sh 30

clean:
	rm -rf build build-asan build-fuzz
