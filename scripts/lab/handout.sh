#!/bin/sh
# handout.sh NN DEST: a student tree for lab NN (`make handout LAB=NN DEST=dir`).
#
# Checks that lab NN exists (labs/NN-name/), builds build/ddhandout if
# needed, and runs `build/ddhandout --lab NN . DEST`, which copies the
# tree (the files git knows, committed or not, minus what .gitignore
# excludes; outside a git checkout every file but build/ and .git/) and
# replaces the solution regions of lab NN and every later lab in
# chapters/ and core/ by TODO stubs.  All or nothing: DEST must not exist
# or be empty, and on any error nothing is left in it.
#
# On success it ends with the student's next command.
# Exit status: 0 written, 1 the handout failed, 2 bad arguments.
set -eu

usage() {
	echo "usage: make handout LAB=NN DEST=dir   (or: sh scripts/lab/handout.sh NN DEST)" >&2
	exit 2
}
[ $# -eq 2 ] || usage
arg_lab=$1
dest=$2
[ -n "$dest" ] || usage

# DEST is relative to where we were called from; the rest runs at the top.
case $dest in
/*) ;;
*) dest=$PWD/$dest ;;
esac
cd "$(dirname "$0")/../.."

case $arg_lab in
'' | *[!0-9]*)
	echo "handout: LAB must be a lab number such as 03, not '$arg_lab'" >&2
	exit 2
	;;
esac
lab=$(printf '%02d' "$(expr "$arg_lab" + 0)")
set -- labs/"$lab"-*
if [ ! -d "$1" ]; then
	echo "handout: there is no lab $lab (no directory labs/$lab-*); the labs are:" \
		$(ls labs | sed -n 's/^\([0-9][0-9]\)-.*/\1/p') >&2
	exit 2
fi

make -s build/ddhandout >&2 || {
	echo "handout: cannot build build/ddhandout (see above)" >&2
	exit 1
}
build/ddhandout --lab "$lab" . "$dest" || exit 1
# What the student does next, in the words of lab NN's README.
echo "Next: cd $dest && make check LAB=$lab   (then read labs/$lab-*/README.md there)"
