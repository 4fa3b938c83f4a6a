#!/usr/bin/env bash
# Install into a temporary prefix (meson install --destdir), then run the
# installed binary, read its man pages with man(1), check that gsomia(1)
# lists exactly the commands 'gsomia --help' does, complete commands and
# options with the installed bash completion, and verify the installed
# systemd units with systemd-analyze.
. "$(dirname "$0")/lib.sh"
: "${BUILDDIR:?BUILDDIR must name the build directory}"

S=$T/stage
expect 0 "meson install into a temporary prefix" meson install -C "$BUILDDIR" --no-rebuild --destdir "$S"
P=$(find "$S" -path '*/bin/gsomia' -type f | head -1)
[ -x "$P" ] && ok "the binary is installed ($P)" || bad "binary installed" "$(find "$S" | head)"
PREFIX=${P%/bin/gsomia}
PREFIX_REAL=${PREFIX#"$S"}
for f in share/man/man1/gsomia.1 share/man/man8/gsomia-serve.8 share/man/man5/gsomia-agreement.5 \
	lib/systemd/system/gsomia.service lib/systemd/system/gsomia-backup.service \
	lib/systemd/system/gsomia-backup.timer lib/sysusers.d/gsomia.conf \
	share/bash-completion/completions/gsomia share/gsomia/scripts/demo.sh share/gsomia/scripts/exercise.sh \
	share/gsomia/examples/agreements/kor-jpn-2016/agreement.txt share/doc/gsomia/operations.md \
	share/gsomia/schemas/stanag4778-binding-subset.xsd share/doc/gsomia/labels.md; do
	[ -f "$PREFIX/$f" ] && ok "installed: $f" || bad "installed: $f"
done
[ -x "$PREFIX/share/gsomia/scripts/demo.sh" ] && ok "the demo script can be run" || bad "demo.sh mode"

# ---- the installed binary, and the data it finds beside itself ----
expect 0 "the installed binary runs" "$P" version
has "it names its version" "$out" "gsomia 0.1.0"
eq "it finds its data where it was installed" "$(printf '%s\n' "$out" | sed -n 's/^data //p')" "$PREFIX/share/gsomia"
mv "$S" "$T/moved"
expect 0 "moved elsewhere, it still finds its data" "$T/moved$PREFIX_REAL/bin/gsomia" version
has "beside itself" "$out" "data $T/moved$PREFIX_REAL/share/gsomia"
mv "$T/moved" "$S"
export GSOMIA_NOW=2016-11-20T09:00:00+09:00 GSOMIA_PASSPHRASE=example
expect 0 "the installed binary makes a home from the installed example keys" "$P" init --party KOR --exercise \
	--keys "$PREFIX/share/gsomia/examples/keys/KOR.keys" --home kor
expect 0 "and imports the installed example agreement" "$P" agreement import \
	"$PREFIX/share/gsomia/examples/agreements/kor-jpn-2016/agreement.txt" --home kor
unset GSOMIA_NOW

# ---- the man pages, as man(1) reads them ----
export MANWIDTH=100 LC_ALL=C.UTF-8
run man -l "$PREFIX/share/man/man1/gsomia.1"
[ "$rc" = 0 ] && ok "man -l reads gsomia(1)" || bad "man gsomia.1" "$err"
has "its name line" "$(printf '%s' "$out" | tr -s ' ')" "gsomia - carry out a General Security of Military Information"
run man --warnings -l "$PREFIX/share/man/man1/gsomia.1"
eq "groff finds nothing to warn about in gsomia(1)" "$err" ""
for page in man8/gsomia-serve.8 man5/gsomia-agreement.5; do
	run man --warnings -l "$PREFIX/share/man/$page"
	[ "$rc" = 0 ] && [ -z "$err" ] && ok "man reads $page without a warning" || bad "man $page" "$err"
done
run env MANPATH="$PREFIX/share/man" man 8 gsomia-serve
has "man finds gsomia-serve(8) in the prefix" "$out" "SIGHUP"
run env MANPATH="$PREFIX/share/man" man 5 gsomia-agreement
has "and gsomia-agreement(5)" "$out" "gsomia-agreement/v1"

# Every command of 'gsomia --help' has its section in gsomia(1), and no other.
help_cmds=$("$P" --help | awk '/^  [a-z]/ { print $1 }' | sort)
man_cmds=$(awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 } on && /^\.SS / { print $2 }' \
	"$PREFIX/share/man/man1/gsomia.1" | sort)
eq "gsomia(1) lists exactly the commands of 'gsomia --help'" "$man_cmds" "$help_cmds"
[ "$(printf '%s\n' "$help_cmds" | wc -l)" -ge 25 ] && ok "($(printf '%s\n' "$help_cmds" | wc -l) commands)" ||
	bad "command count"
rendered=$(man -l "$PREFIX/share/man/man1/gsomia.1")
missing=""
for c in $help_cmds; do
	printf '%s\n' "$rendered" | grep -q "^   $c\$" || missing="$missing $c"
done
eq "each is a heading of the rendered page" "$missing" ""

# ---- bash completion ----
complete_words() { # WORDS...: what the installed completion offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gsomia; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$PREFIX/share/bash-completion/completions/gsomia" "$@"
}
eq "completion offers every command" "$(complete_words "$P" "" | grep -v '^--' | sort)" "$help_cmds"
has "and completes a prefix" "$(complete_words "$P" "res")" "restore"
has "the options of a command" "$(complete_words "$P" backup "--")" "--passphrase-file"
has "its subcommands" "$(complete_words "$P" restore "")" "notice"
has "the values of --format" "$(complete_words "$P" report --format "")" "html"

# ---- the systemd units ----
# systemd-analyze checks that ExecStart= names an executable: point it at
# the staged binary; everything else is the unit as installed.
mkdir units
for u in gsomia.service gsomia-backup.service gsomia-backup.timer; do
	sed "s|$PREFIX_REAL/bin/gsomia|$P|g" "$PREFIX/lib/systemd/system/$u" >units/$u
done
run env MANPATH="$PREFIX/share/man" systemd-analyze verify units/gsomia.service units/gsomia-backup.service \
	units/gsomia-backup.timer
[ "$rc" = 0 ] && [ -z "$err$out" ] && ok "systemd-analyze verify: the units are valid" || bad "systemd-analyze verify" "$err$out"
has "the unit runs the installed binary" "$(cat "$PREFIX/lib/systemd/system/gsomia.service")" "ExecStart=$PREFIX_REAL/bin/gsomia serve"
unit=$(cat units/gsomia.service)
for d in "Type=notify" "WatchdogSec=30s" "User=gsomia" "ProtectSystem=strict" "NoNewPrivileges=yes" \
	"PrivateTmp=yes" "CapabilityBoundingSet=" "ReadWritePaths=/var/lib/gsomia" \
	"LoadCredential=passphrase:/etc/gsomia/passphrase" "ExecReload=/bin/kill -HUP \$MAINPID"; do
	printf '%s\n' "$unit" | grep -qx "$d" && ok "the unit says $d" || bad "unit: $d"
done
run systemd-analyze security --offline=yes units/gsomia.service
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for gsomia.service: \([0-9.]*\).*/\1/p')
awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }' && ok "systemd-analyze security rates its exposure $level (OK)" ||
	bad "exposure" "$level: $(printf '%s\n' "$out" | tail -3)"
printf '[Service]\nExecStart=%s serve\nProtectSystem=sometimes\n' "$P" >units/broken.service
run systemd-analyze verify units/broken.service
has "a broken unit is reported (the check is real)" "$err$out" "protect system value"
has "the sysusers entry makes the user" "$(cat "$PREFIX/lib/sysusers.d/gsomia.conf")" "u gsomia - "
finish
