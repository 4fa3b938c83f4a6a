#!/usr/bin/env bash
# Where outputs go (docs/commands.md, "Output files"): a new or regular file
# is replaced whole through a temporary file; a device, a FIFO or a link to
# one is written in place and stays what it was — `-o /dev/null` must never
# turn /dev/null into a regular file. Every kind of -o is tried: a signed
# note (party export, checkpoint), a bundle (release), a receipt (receive)
# and a plaintext (open).
. "$(dirname "$0")/lib.sh"
kor_jpn_homes
export GSOMIA_NOW=2023-05-01T10:00:00+09:00
echo "exercise text" >doc.txt
release() { # OUTPUT: releases doc.txt to JPN into OUTPUT
	$G release doc.txt --to JPN --agreement KOR-JPN-2016 --classification 군사II급비밀 \
		--purpose defence-cooperation --topic dprk-missiles -o "$1" --home kor --json
}

# kind PATH: what a path is now ("character", "fifo", "regular"...)
kind() { stat -L -c %F "$1" | sed 's/ special file//; s/regular empty file/regular/; s/regular file/regular/'; }
# no_temp: no temporary file was left beside the outputs
no_temp() { eq "$1: no temporary file left" "$(find . -maxdepth 1 -name '*.tmp.*' | wc -l)" 0; }

# A FIFO needs no privilege: each output is read by a reader at its other end.
mkfifo pipe
fifo_case() { # "what" CMD... (writing to ./pipe)
	local what=$1
	shift
	# the reader gives up after 10 s: a FIFO replaced by a file is never opened for writing
	timeout 10 cat pipe >fifo.got &
	local reader=$!
	run "$@"
	wait $reader 2>/dev/null
	eq "$what to a FIFO: exit 0" "$rc" 0
	eq "$what: the FIFO is still a FIFO" "$(kind pipe)" fifo
	[ -s fifo.got ] && ok "$what: its reader got the output" || bad "$what: nothing read from the FIFO" "$err"
}
fifo_case "party export" $G party export --home kor -o pipe
has "what the FIFO carried is the identity" "$(head -2 fifo.got)" "code: KOR"
fifo_case "ledger checkpoint" $G ledger checkpoint --home kor -o pipe
fifo_case "release" release pipe
has "what the FIFO carried is a bundle" "$(head -c 20 fifo.got)" "gsomia-bundle"
no_temp "FIFO outputs"

# A character device: made here (mknod needs root), the same kind as
# /dev/null (1,3), in this test's own directory.
if [ "$(id -u)" = 0 ] && mknod null c 1 3 2>/dev/null; then
	ln -s null null-link
	expect 0 "party export -o a device" $G party export --home kor -o null
	eq "the device is still a device" "$(kind null)" character
	expect 0 "release -o a device" release null
	eq "still a device after a release" "$(kind null)" character
	release b.bundle >/dev/null
	expect 0 "receive --receipt to a device" $G receive b.bundle --receipt null --home jpn --json
	item=$(printf '%s' "$out" | jq -r .item)
	eq "still a device after a receipt" "$(kind null)" character
	expect 0 "open -o a device" $G open "$item" --as yamada -o null --home jpn
	eq "still a device after an open" "$(kind null)" character
	expect 0 "open -o a link to a device" $G open "$item" --as yamada -o null-link --home jpn
	eq "the link still points to the device" "$(readlink null-link)" null
	eq "and the device is still a device" "$(kind null)" character
	expect 0 "ledger checkpoint -o a device" $G ledger checkpoint --home jpn -o null
	eq "still a device after a checkpoint" "$(kind null)" character
	no_temp "device outputs"
else
	echo "# not root: the device cases are covered by the FIFO cases above"
	ok "device cases need root (mknod); FIFO cases ran"
fi

# A directory is refused, and nothing is written.
mkdir adir
expect 1 "a directory as output is refused" $G party export --home kor -o adir
has "it says where" "$err" "adir"
eq "the directory is empty" "$(ls -A adir | wc -l)" 0

# A regular file is replaced whole, with the mode the command gives it.
echo "old" >kor.id
chmod 0600 kor.id
expect 0 "party export over an existing file" $G party export --home kor -o kor.id
has "the file holds the new identity" "$(head -2 kor.id)" "code: KOR"
no_temp "regular outputs"
finish
