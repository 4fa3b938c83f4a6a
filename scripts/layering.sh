#!/bin/sh
# The floors of src/ and what each may include (docs/design.md, "Floors"):
# a file's project includes ("dir/name.h") must name its own floor or one
# the table allows. Prints each violation as
#     file:line: <floor> includes <header>
# and exits 1 if any is not listed in the allowlist (scripts/layering.allow,
# "file: header" per line, for violations known and yet to be fixed), or if
# the allowlist names one that is gone (remove the line).
#
# usage: scripts/layering.sh [SRCDIR]   (default: the repository this is in)
set -eu

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
allow="$root/scripts/layering.allow"
cd "$root"

# floor: the floors it may include besides itself
may_include() {
	case $1 in
	util) echo "" ;;
	core) echo "util" ;;
	crypto) echo "core util" ;;       # the bundle and label key read party and time types
	xml) echo "crypto core util" ;;   # a binding is signed with the label key (crypto/labelkey)
	store) echo "util" ;;
	node) echo "core crypto xml store util" ;;
	net) echo "node core util" ;;
	cli) echo "net node core util" ;;
	*) echo "?" ;;
	esac
}

found=$(mktemp)
trap 'rm -f "$found"' EXIT INT TERM

for dir in src/*/; do
	floor=$(basename "$dir")
	allowed=$(may_include "$floor")
	if [ "$allowed" = "?" ]; then
		echo "$dir: a floor this script does not know; add it to may_include and to docs/design.md" >&2
		exit 1
	fi
	files=""
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] && files="$files $f" # src/ paths hold no spaces
	done
	[ -n "$files" ] || continue
	# project includes only: "floor/name.h"
	awk -v floor="$floor" -v allowed=" $allowed " '
		/^[ \t]*#[ \t]*include[ \t]*"[a-z_0-9]+\/[^"]*"/ {
			h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
			to = h; sub(/\/.*/, "", to)
			if (to != floor && index(allowed, " " to " ") == 0)
				printf "%s:%d: %s includes %s\n", FILENAME, FNR, floor, h
		}' $files
done >"$found"

status=0
while IFS= read -r v; do
	f=${v%%:*}
	h=${v##* includes }
	if [ -f "$allow" ] && grep -qxF "$f: $h" "$allow"; then
		echo "allowed: $v"
	else
		echo "$v"
		status=1
	fi
done <"$found"

# an allowlist entry that no longer happens is removed, so the list stays true
if [ -f "$allow" ]; then
	while IFS= read -r a; do
		case $a in ''|'#'*) continue ;; esac
		f=${a%%: *}
		h=${a#*: }
		if ! grep -q "^$f:[0-9]*: [a-z]* includes $h\$" "$found"; then
			echo "$allow: '$a' is no longer a violation: remove the line"
			status=1
		fi
	done <"$allow"
fi

[ $status = 0 ] && echo "layering ok: $(wc -l <"$found") known violation(s) allowed"
exit $status
