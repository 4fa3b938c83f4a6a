#!/usr/bin/env bash
# The README's two commands on a really fresh Debian 12, as a new user would
# run them: a minimal bookworm root (debootstrap --variant=minbase, plus only
# git, make and ca-certificates), a clone of this repository's HEAD, then
# `make demo` and `make test` — once as root, and once, in a second fresh
# root, as a user who has sudo. Before the user is given sudo, `make demo`
# must stop and say what to do.
#
# Usage (as root): scripts/fresh-debian.sh [WORKDIR]   (default /var/tmp/gsomia-fresh-debian)
#
# apt and npm reach the same registries as on this machine: the root gets
# this machine's apt sources and configuration, its extra CA certificates
# and its npm configuration. Downloaded packages are kept in WORKDIR/apt-cache
# and shared by both roots. Prints each step's time and each run's
# "N passed, N failed"; exits 1 if any step failed. Takes about a quarter
# of an hour on a quiet 2-core machine; not part of `make test`.
set -eu
[ "$(id -u)" = 0 ] || { echo "fresh-debian: run as root (debootstrap, chroot and mounts need it)" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/var/tmp/gsomia-fresh-debian}
user=officer
failures=0

elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
# step "what" CMD...: runs CMD with its output in WORKDIR/logs, prints the time
step() {
	local what=$1 t0 rc log
	shift
	t0=$(date +%s)
	log=$work/logs/$(printf '%s' "$what" | tr -c 'A-Za-z0-9' '-').log
	if "$@" >"$log" 2>&1; then rc=0; else rc=$?; fi
	printf '%-46s %8s  %s\n' "$what" "$(elapsed "$t0")" "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc, $log)")"
	return $rc
}

# The Debian mirror this machine's apt uses for bookworm.
mirror=$( (cat /etc/apt/sources.list 2>/dev/null; cat /etc/apt/sources.list.d/*.sources 2>/dev/null) |
	awk '/^URIs:/ { u = $2 } /^Suites:.*bookworm( |$)/ && u { print u; exit }
	     /^deb .*bookworm / { print $2; exit }')
mirror=${mirror:-http://deb.debian.org/debian}

command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

unmount_all() {
	local r
	for r in "$work"/root-*; do
		[ -d "$r" ] || continue
		for m in var/cache/apt/archives dev/shm dev/pts dev sys proc; do
			mountpoint -q "$r/$m" 2>/dev/null && umount -l "$r/$m"
		done
	done
	return 0
}
trap unmount_all EXIT
unmount_all
rm -rf "$work"/root-* "$work/base" "$work/logs"
mkdir -p "$work/logs" "$work/apt-cache"
chmod 0755 "$work"

# base: debootstrap once, then a copy per run.
base=$work/base
mkdir -m 0755 "$base"
step "debootstrap bookworm minbase" \
	debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$base" "$mirror" || exit 1

# This machine's apt configuration and CAs, so apt and npm reach the same registries.
configure_base() {
	local f
	# the host's sources exactly: debootstrap's own sources.list goes if the host has none
	[ -f /etc/apt/sources.list ] || rm -f "$base/etc/apt/sources.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && cp "$f" "$base$f"
	done
	cp -r /etc/apt/apt.conf.d/. "$base/etc/apt/apt.conf.d/"
	[ -d /etc/apt/auth.conf.d ] && cp -r /etc/apt/auth.conf.d/. "$base/etc/apt/auth.conf.d/"
	[ -d /etc/apt/trusted.gpg.d ] && cp -r /etc/apt/trusted.gpg.d/. "$base/etc/apt/trusted.gpg.d/"
	# keyrings named by Signed-By that Debian's own keyring package lacks
	for f in $(grep -ho 'Signed-By: *[^ ]*' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'); do
		[ -f "$f" ] && [ ! -f "$base$f" ] && mkdir -p "$(dirname "$base$f")" && cp "$f" "$base$f"
	done
	if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
		cp /usr/local/share/ca-certificates/*.crt "$base/usr/local/share/ca-certificates/"
		chroot "$base" update-ca-certificates >/dev/null
	fi
	[ -f /etc/npmrc ] && cp /etc/npmrc "$base/etc/npmrc"
	cp /etc/resolv.conf "$base/etc/resolv.conf"
	chroot "$base" useradd -m -s /bin/bash "$user"
}
step "apt sources, CAs, npm config, user $user" configure_base || exit 1

# new_root NAME: a copy of the base with /proc, /sys, /dev and the shared apt cache
new_root() {
	local r=$work/root-$1
	cp -a "$base" "$r"
	mount -t proc proc "$r/proc"
	mount --rbind /sys "$r/sys"
	mount --bind /dev "$r/dev"
	mount --bind /dev/pts "$r/dev/pts"
	mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
	mount --bind "$work/apt-cache" "$r/var/cache/apt/archives"
	echo "$r"
}
# in ROOT USER HOME CMD: runs a shell command in ROOT as USER, with a clean environment
in_root() {
	local r=$1 u=$2 h=$3
	shift 3
	chroot --userspec="$u:$u" "$r" /usr/bin/env -i HOME="$h" USER="$u" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
		/bin/bash -c "$*"
}
# run_both ROOT USER HOME: the README's two commands in a fresh clone
run_both() {
	local r=$1 u=$2 h=$3 res
	step "$u: git clone" in_root "$r" "$u" "$h" "git clone -q /src.git $h/gsomia" || return 1
	step "$u: make demo" in_root "$r" "$u" "$h" "cd $h/gsomia && make demo" || failures=$((failures + 1))
	step "$u: make test" in_root "$r" "$u" "$h" "cd $h/gsomia && make test" || failures=$((failures + 1))
	res=$(tail -1 "$work/logs/$u--make-test.log")
	echo "$u: $res"
	case $res in *" passed, 0 failed") ;; *) failures=$((failures + 1)) ;; esac
}
# the repository as committed (HEAD), visible inside the roots
share_repo() { # ROOT
	git clone -q --bare --no-local "$src" "$1/src.git"
	chmod -R a+rX "$1/src.git"
	# owned by root, cloned by the user: git must be told it is safe
	chroot "$1" git config --system --add safe.directory /src.git
}

echo "== as root"
r=$(new_root root)
share_repo "$r"
run_both "$r" root /root

echo "== as $user, with sudo"
r=$(new_root user)
share_repo "$r"
in_root "$r" "$user" "/home/$user" "git clone -q /src.git /home/$user/nosudo"
if out=$(in_root "$r" "$user" "/home/$user" "cd /home/$user/nosudo && make demo" 2>&1); then
	echo "$user without sudo: make demo did not stop"
	failures=$((failures + 1))
else
	case $out in
	*"run this as root, or install sudo"*) echo "$user without sudo: make demo stops and says: $(printf '%s\n' "$out" | grep -m1 'run this as root')" ;;
	*) echo "$user without sudo: unclear failure: $(printf '%s\n' "$out" | tail -3)"; failures=$((failures + 1)) ;;
	esac
fi
step "install sudo for $user" chroot "$r" /bin/sh -c \
	"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null &&
	 echo '$user ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/$user && chmod 0440 /etc/sudoers.d/$user" ||
	exit 1
run_both "$r" "$user" "/home/$user"

echo "fresh-debian: $([ $failures = 0 ] && echo "all steps passed" || echo "$failures step(s) failed") (logs in $work/logs)"
[ $failures = 0 ]
