#!/bin/sh
# Installs the Debian packages named on the command line that are missing,
# with apt-get: directly as root, else through sudo. Without sudo it stops
# before trying and says what to do.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "gsomia: these Debian packages are missing:$missing" >&2
	echo "gsomia: run this as root, or install sudo and give $(id -un) the right to use it" >&2
	echo "gsomia: (as root: apt-get install sudo && adduser $(id -un) sudo; then log in again)," >&2
	echo "gsomia: or have an administrator run: apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
# sudo's env_reset drops variables set before it: set them after.
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
